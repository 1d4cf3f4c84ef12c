import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServeProcess {
  url: string;
  /** The link to the page it printed, and the token in it, when it generated one (a bind that is not loopback). */
  link?: string;
  token?: string;
  child: ChildProcess;
  /** What it has written to stderr so far. */
  stderr(): string;
  /** SIGTERM, resolved once the server has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the real `vsearch serve --port 0 …` (the package's bin) in a child process and resolves with its URL once it
 * prints it. Used by the end-to-end tests and the search-service benchmark.
 */
export function startServeProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const bin = path.resolve(__dirname, 'vsearch.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /serving on (http:\/\/\S+)/.exec(stdout)?.[1];
      const link = /open (http:\/\/\S+\?token=[\w.~-]+)/.exec(stdout)?.[1];
      const token = link === undefined ? undefined : (new URL(link).searchParams.get('token') ?? undefined);
      if (url) resolve({ url, link, token, child, stderr: () => stderr, stop });
    });
    child.once('exit', (code) => reject(new Error(`vsearch serve exited with ${code}: ${stderr.trim()}`)));
  });
}
