import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, errorBody } from '../api/api-error';
import { dispatch } from '../api/router';
import type { ApiDeps } from '../api/search-api';
import type { MediaLinks } from '../api/media-links';
import type { Catalog } from '../store/catalog';
import { sendVideoFile } from './media-route';

/** Big enough for a 5 MB image in base64 plus the rest of a search request. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Media links of local mode: the server's own `/media/<id>` route. */
export const localMediaLinks: MediaLinks = {
  videoUrl: async (video) => `/media/${encodeURIComponent(video.id)}`,
};

/**
 * `vsearch serve`: the REST API of the AWS deployment (same router, local adapters) plus `/media/<id>` for playback,
 * on 127.0.0.1 unless told otherwise.
 */
export async function startLocalServer(
  deps: Omit<ApiDeps, 'media'>,
  { port = 0, host = '127.0.0.1', log = console.error }: { port?: number; host?: string; log?: (line: string) => void } = {},
): Promise<LocalServer> {
  const api: ApiDeps = { ...deps, media: localMediaLinks };
  const server = createServer((req, res) => {
    handle(req, res, api, log).catch((error: unknown) => {
      log(`vsearch serve: ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, api: ApiDeps, log: (line: string) => void) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const media = pathname.match(/^\/media\/([^/]+)$/);
  if (media && (req.method === 'GET' || req.method === 'HEAD')) {
    await serveMedia(decodeURIComponent(media[1]), req, res, api.catalog);
    return;
  }
  const response = await dispatch(req.method ?? 'GET', pathname, () => readBody(req), api, (error) =>
    log(`vsearch serve: ${(error as Error).stack ?? error}`),
  );
  res.writeHead(response.status, response.headers).end(JSON.stringify(response.body));
}

async function serveMedia(id: string, req: IncomingMessage, res: ServerResponse, catalog: Catalog) {
  const video = await catalog.get(id);
  if (!video) {
    const notFound = new ApiError(404, 'video_not_found', `no video with id "${id}"`, 'id');
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(notFound)));
    return;
  }
  await sendVideoFile(video.source, req, res);
}

/** The request body as text; a 413 past the limit (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) {
    throw new ApiError(413, 'payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}
