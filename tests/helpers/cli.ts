import { execFile } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `vsearch` bin in a child process, as a user would. */
export function vsearch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/vsearch.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `vsearch … --json`, parsed; fails the test with the CLI's stderr when the output is not JSON. */
export async function vsearchJson<T>(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult & { json: T }> {
  const result = await vsearch([...args, '--json'], env);
  try {
    return { ...result, json: JSON.parse(result.stdout) as T };
  } catch {
    throw new Error(`vsearch ${args.join(' ')} printed no JSON (exit ${result.code}): ${result.stderr}`);
  }
}
