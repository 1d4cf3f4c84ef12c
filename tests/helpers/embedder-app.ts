import type { AddressInfo } from 'node:net';
import { createServer, type EmbedderServer, type EmbedderServerOptions } from '../../containers/embedder/app';

export interface RunningEmbedder extends EmbedderServer {
  /** e.g. http://127.0.0.1:41234 (GET /ping, POST /invocations) */
  url: string;
}

/** The embedder container's HTTP app (containers/embedder/app.ts) listening on 127.0.0.1, on a port of its own. */
export async function startEmbedderApp(options: EmbedderServerOptions): Promise<RunningEmbedder> {
  const app = createServer(options);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return { ...app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
