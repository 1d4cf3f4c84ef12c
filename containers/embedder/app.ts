import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FRAME_EMBEDDINGS_CONTENT_TYPE } from '../../lib/frame-embeddings-format';
import type { VideoSourceOptions } from '../../lib/video-source';
import { HttpError, toHttpError } from './errors';
import type { ServedModel } from './model';
import { answerQuery } from './query';
import { readJsonBody } from './request';
import { isVideoJob, runVideoJob } from './video-job';

export interface EmbedderServerOptions {
  /** The model being loaded: /ping answers 503 and /invocations `not_ready` until it resolves. */
  model: Promise<ServedModel>;
  /** How video references are read (S3 client, whether local sources are allowed). */
  sources: VideoSourceOptions;
  /** Receives one JSON line per event (default: stdout). */
  log?: (line: string) => void;
}

export interface EmbedderServer {
  server: Server;
  /** Stops accepting connections, lets the requests in flight finish, resolves once every connection is closed. */
  drain(): Promise<void>;
}

/**
 * The SageMaker inference container's HTTP server (not yet listening): `GET /ping`, `POST /invocations` with a query
 * (real-time endpoint) or a video job manifest (asynchronous endpoint). Every failure is answered with a status and
 * `{"error":{"code","message"}}`, never a stack trace.
 */
export function createServer(options: EmbedderServerOptions): EmbedderServer {
  const log = options.log ?? ((line: string) => console.log(line));
  const event = (name: string, fields: object) => log(JSON.stringify({ event: name, ...fields }));
  let model: ServedModel | undefined;
  let loadFailure: string | undefined;
  options.model.then(
    (loaded) => (model = loaded),
    (error: unknown) => (loadFailure = error instanceof Error ? error.message : String(error)),
  );
  let draining = false;

  const notReady = () =>
    new HttpError(503, 'not_ready', loadFailure === undefined ? 'the model is loading' : `the model failed to load: ${loadFailure}`);

  async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!model) throw notReady();
    const served = model;
    const body = await readJsonBody(req);
    if (!isVideoJob(body)) {
      reply(req, res, 200, 'application/json', JSON.stringify(await answerQuery(body, served)));
      return;
    }
    // A caller that goes away (its timeout) stops the job: ffmpeg is killed, the embedder stops being fed.
    const abandoned = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    const started = performance.now();
    const result = await runVideoJob(body, served, options.sources, abandoned.signal, ({ videoId }) =>
      event('video_job_started', { videoId }),
    );
    const seconds = (performance.now() - started) / 1000;
    event('video_job_done', { videoId: result.videoId, frames: result.frames, seconds });
    reply(req, res, 200, FRAME_EMBEDDINGS_CONTENT_TYPE, result.output);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path] = (req.url ?? '/').split('?');
    try {
      if (path === '/ping') {
        if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET /ping');
        if (!model) throw notReady();
        reply(req, res, 200, 'application/json', JSON.stringify({ status: 'ok', model: model.name }));
      } else if (path === '/invocations') {
        if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST /invocations');
        await invoke(req, res);
      } else {
        throw new HttpError(404, 'not_found', `no route ${path}: use GET /ping or POST /invocations`);
      }
    } catch (error) {
      if (res.destroyed) {
        event('request_abandoned', { path }); // the caller is gone: nobody to answer
        return;
      }
      const failure = toHttpError(error);
      if (failure.code === 'internal') event('internal_error', { path, error: error instanceof Error ? error.stack : String(error) });
      else if (path === '/invocations') event('request_error', { status: failure.status, code: failure.code, message: failure.message });
      reply(req, res, failure.status, 'application/json', JSON.stringify(failure.body()));
    }
  }

  /** A complete answer; the connection closes after it when draining, or when the request body was left unread. */
  function reply(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer): void {
    const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
    if (draining || !req.complete) headers.Connection = 'close';
    res.writeHead(status, headers).end(body);
  }

  const server = createHttpServer((req, res) => void handle(req, res));
  return {
    server,
    drain() {
      draining = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
