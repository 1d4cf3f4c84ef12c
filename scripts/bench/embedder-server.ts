import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { tsxArgs } from './child';

export interface RunningServer {
  url: string;
  pid: number;
  /** Stops the server (SIGTERM: it drains, then exits) and waits for it. */
  stop(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 60_000;

/**
 * Starts the embedder container's server (containers/embedder/server.ts, as `npm run embedder` does) on a free port
 * of 127.0.0.1 with the model in `modelDir`, local video sources allowed; resolves once /ping answers 200.
 */
export async function startEmbedderServer(modelDir: string): Promise<RunningServer> {
  const env = {
    ...process.env,
    ...{ PORT: '0', HOST: '127.0.0.1', MODEL_ID: modelDir, MODEL_NAME: 'bench', ALLOW_LOCAL_SOURCES: '1' },
    // The server refuses to start without a region (on SageMaker the model's Environment sets it); the bench reads
    // local files only, so any region does.
    AWS_REGION: process.env.AWS_REGION || 'us-east-1',
  };
  const child = spawn(process.execPath, tsxArgs(path.join(REPO_ROOT, 'containers/embedder/server.ts'), ['serve']), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseEvent(line);
        if (event?.event === 'listening' && typeof event.port === 'number') resolve(event.port);
      });
      void exited.then(() => reject(new Error(`the embedder server exited: ${stderr.trim() || 'no message'}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while ((await fetch(`${url}/ping`)).status !== 200) {
      if (performance.now() > deadline) throw new Error(`the embedder server did not become ready in ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url, pid: child.pid ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function parseEvent(line: string): { event?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { event?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}
