import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, errorBody } from '../api/api-error';
import { dispatch } from '../api/router';
import type { ApiDeps } from '../api/search-api';
import type { MediaLinks } from '../api/media-links';
import type { Catalog } from '../store/catalog';
import { accessRules, checkAccess, type AccessRules } from './access';
import { pageUrl } from './host-names';
import { sendVideoFile } from './media-route';
import { BodyTooLargeError, readRequestBody } from './request-body';
import { sendFile, webFile } from './static-route';
import { THUMBNAIL_PATH, ThumbnailCache, thumbnailPath } from './thumbnails';

export interface LocalServer {
  url: string;
  /** Where a browser opens the search page (`pageUrl` of host-names.ts). */
  pageUrl: string;
  /** The token every API, media and thumbnail request needs; undefined when none is (a loopback bind without one). */
  token?: string;
  close(): Promise<void>;
}

/** Media links of local mode: the server's own `/media/<id>` and `/thumbnails/<id>/<ms>.jpg` routes. */
export const localMediaLinks: MediaLinks = {
  videoUrl: async (video) => `/media/${encodeURIComponent(video.id)}`,
  thumbnailUrl: async (video, time) => thumbnailPath(video.id, time),
};

export interface LocalServerOptions {
  /** Where extracted thumbnails are cached (`<data dir>/thumbnails`). */
  thumbnailDir: string;
  port?: number;
  host?: string;
  /** Required on every data route; generated when the bind is not loopback and none is given. */
  token?: string;
  /** More names the Host header may give (--allow-host). */
  allowHosts?: string[];
  /** The one other origin whose pages may call the server (--cors). */
  cors?: string;
  log?: (line: string) => void;
}

/**
 * `vsearch serve`: the REST API of the AWS deployment (same router, local adapters), `/media/<id>` for playback,
 * `/thumbnails/<id>/<ms>.jpg` and the search page, on 127.0.0.1 unless told otherwise, under the rules of `access.ts`.
 */
export async function startLocalServer(
  deps: Omit<ApiDeps, 'media'>,
  { thumbnailDir, port = 0, host = '127.0.0.1', token, allowHosts, cors, log = console.error }: LocalServerOptions,
): Promise<LocalServer> {
  const api: ApiDeps = { ...deps, media: localMediaLinks };
  const thumbnails = new ThumbnailCache(thumbnailDir);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const access = accessRules(host, address, { token, allowHosts, cors });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, api, thumbnails, access, log).catch((error: unknown) => {
      // The path only: a query may hold a token or what was searched.
      log(`vsearch serve: ${req.method} ${req.url?.split('?')[0]}: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
    });
  });
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    pageUrl: pageUrl(host, address),
    token: access.token,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  api: ApiDeps,
  thumbnails: ThumbnailCache,
  access: AccessRules,
  log: (line: string) => void,
) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { pathname } = url;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  const media = pathname.match(/^\/media\/([^/]+)$/);
  const thumbnail = pathname.match(THUMBNAIL_PATH);
  const page = reading && !media && !thumbnail ? await webFile(pathname) : undefined;
  const verdict = checkAccess(req, url, access, page ? 'page' : 'data');
  for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
  if (verdict.refusal) {
    const { status, code, message } = verdict.refusal;
    sendError(res, new ApiError(status, code, message));
    return;
  }
  if (verdict.answer) {
    res.writeHead(verdict.answer).end();
    return;
  }
  if (media && reading) {
    await serveMedia(decodeURIComponent(media[1]), req, res, api.catalog);
    return;
  }
  if (thumbnail && reading) {
    await serveThumbnail(decodeURIComponent(thumbnail[1]), Number(thumbnail[2]), req, res, api.catalog, thumbnails);
    return;
  }
  if (page) {
    await sendFile(page, req, res);
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
    sendError(res, videoNotFound(id));
    return;
  }
  await sendVideoFile(video.source, req, res);
}

async function serveThumbnail(id: string, ms: number, req: IncomingMessage, res: ServerResponse, catalog: Catalog, thumbnails: ThumbnailCache) {
  const video = await catalog.get(id);
  const file = video && (await thumbnails.file(video, ms));
  if (file) {
    await sendFile(file, req, res);
    return;
  }
  sendError(res, video ? new ApiError(404, 'no_frame', `video "${id}" has no frame at ${ms} ms`) : videoNotFound(id));
}

function videoNotFound(id: string): ApiError {
  return new ApiError(404, 'video_not_found', `no video with id "${id}"`, 'id');
}

function sendError(res: ServerResponse, error: ApiError) {
  res.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(error)));
}

/** The request body as text (undefined when empty); a 413 past the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const body = await readRequestBody(req).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? new ApiError(413, 'payload_too_large', error.message) : error;
  });
  return body.length === 0 ? undefined : body.toString('utf8');
}
