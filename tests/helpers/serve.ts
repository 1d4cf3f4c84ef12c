import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real `vsearch serve --port 0` and waits for the line that gives its URL. */
export function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/vsearch.js'), 'serve', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = stdout.match(/serving on (http:\/\/\S+)/)?.[1];
      if (url) {
        resolve({
          url,
          child,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`vsearch serve exited with ${code}: ${stderr}`)));
  });
}
