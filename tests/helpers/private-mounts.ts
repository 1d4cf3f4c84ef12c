import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, type CliResult } from './cli';

/**
 * Commands run in a mount namespace of their own (`unshare --mount --map-root-user`): mounts made there (a small
 * tmpfs to fill, a read-only bind mount) are seen by those commands only, and need no root outside where user
 * namespaces are allowed. The reason it cannot be done on this machine, or undefined when it can.
 */
export const privateMountsUnavailable: string | undefined = (() => {
  if (process.platform !== 'linux') return `private mounts need Linux (this is ${process.platform})`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vsearch-mount-probe-'));
  try {
    const probe = spawnSync('unshare', ['--mount', '--map-root-user', 'mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (probe.error) return `no unshare (${probe.error.message})`;
    return probe.status === 0 ? undefined : `unshare --mount --map-root-user cannot mount here: ${probe.stderr.trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Runs in one namespace: the mount commands, then the steps (`['vsearch', …]` runs the CLI), each step's result. */
const RUNNER = `
const { execFileSync, spawnSync } = require('node:child_process');
const { mounts, steps } = JSON.parse(process.argv[1]);
for (const [command, ...args] of mounts) execFileSync(command, args);
const results = steps.map(([command, ...args]) => {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: run.status ?? 1, stdout: run.stdout ?? '', stderr: run.stderr ?? String(run.error ?? '') };
});
process.stdout.write(JSON.stringify(results));
`;

export function inPrivateMounts(mounts: string[][], steps: string[][]): Promise<CliResult[]> {
  const vsearch = [process.execPath, path.join(REPO_ROOT, 'scripts/vsearch.js')];
  const commands = steps.map(([command, ...args]) => (command === 'vsearch' ? [...vsearch, ...args] : [command, ...args]));
  const argv = ['--mount', '--map-root-user', process.execPath, '-e', RUNNER, JSON.stringify({ mounts, steps: commands })];
  return new Promise((resolve, reject) => {
    execFile('unshare', argv, { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`unshare failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as CliResult[]);
    });
  });
}
