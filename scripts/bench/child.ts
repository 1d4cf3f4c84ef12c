import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The last stdout line of a bench child: its result, with the peak RSS of its own process. */
export type ChildResult<T> = T & { peakRssMiB: number };

/**
 * Runs a TypeScript bench child (a file in scripts/bench/children/) in a fresh Node process, so its memory is its
 * own: its peak RSS is its own high-water mark, which no earlier work in the harness can inflate. The child prints
 * one JSON line last (see `reportFromChild`).
 */
export function runChild<T>(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult<T>> {
  const argv = tsxArgs(path.join(__dirname, 'children', script), args);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${script} failed: ${stderr.trim().split('\n').slice(-3).join(' ') || error.message}`));
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as ChildResult<T>);
      } catch {
        reject(new Error(`${script} printed no result line: ${last}`));
      }
    });
  });
}

/**
 * Prints a child's result line, with its peak RSS. Not `process.resourceUsage().maxRSS`: Linux carries the parent's
 * peak across fork and exec into it, so a child of a large harness would report the harness's peak.
 */
export function reportFromChild(result: object): void {
  console.log(JSON.stringify({ ...result, peakRssMiB: peakRssMiBOf(process.pid) }));
}

/** Runs a child's main, exiting 1 with the error on stderr when it fails (the parent quotes it). */
export function childMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

/** Node arguments that run a TypeScript file through tsx (its CommonJS loader, as the project's bin does). */
export function tsxArgs(file: string, args: string[]): string[] {
  return ['--require', require.resolve('tsx/cjs'), file, ...args];
}

/** Peak RSS so far of a running process (Linux: VmHWM in /proc/<pid>/status), in MiB. */
export function peakRssMiBOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) / 1024;
}
