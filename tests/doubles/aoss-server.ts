import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulk, type BulkFault } from './aoss/bulk';
import { ColdSides, scalingUp, SIDES, sideOf, type Cold, type Side } from './aoss/cold';
import { AossError, badRequest, refusal } from './aoss/errors';
import type { Source } from './aoss/fields';
import { count, search } from './aoss/search';
import { AossStore } from './aoss/store';

export type { BulkFault } from './aoss/bulk';
export type { Cold, Side } from './aoss/cold';

export interface AossDoubleOptions {
  /** How long a write takes to become searchable (a classic collection's refresh interval); default 0. */
  visibilityDelayMs?: number;
  /** Larger request bodies are refused with 413; default 10 MiB. */
  maxRequestBytes?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON; for `_bulk`, the parsed NDJSON lines; undefined without a body. */
  body: unknown;
  status: number;
  /** Set when the request used something classic AOSS refuses or the double does not emulate: the reason. */
  refused?: string;
  /** Set when the request met a cold side (`goCold`): `late` if it waited for the wake, `503` if it was turned away. */
  cold?: Cold['mode'];
}

export interface StoredDocument {
  id: string;
  source: Source;
  /** Whether searches see it yet (see `setVisibilityDelay`). */
  searchable: boolean;
}

export interface AossDouble {
  /** Base URL for `new Client({ node: url })`. */
  url: string;
  /** Every request so far, in order. */
  requests: LoggedRequest[];
  /** The next `n` bulk requests meet `fault`. */
  failNextBulk(n: number, fault: BulkFault): void;
  /**
   * The collection has scaled to zero (a NextGen collection group after 10 idle minutes): `sides` (default both) answer
   * their next requests as `cold` says (see `Cold`), each side waking on its own requests.
   */
  goCold(cold: Cold, sides?: readonly Side[]): void;
  /** Writes and deletes from now on become visible to searches after `ms`. */
  setVisibilityDelay(ms: number): void;
  /** Makes every write and delete so far visible at once (a refresh), for deterministic tests. */
  makeVisible(): void;
  /** The documents stored in an index, deleted ones excluded, searchable yet or not. */
  docs(index: string): StoredDocument[];
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * An HTTP server on 127.0.0.1 that answers like a CLASSIC OpenSearch Serverless vector collection, for what the
 * frame and transcript indexes send: index create / exists / mapping / delete, `_bulk`, `_search` (k-NN with efficient
 * filtering, or plain queries, `match` on text fields scored by BM25), `_count`, `POST _doc`, `DELETE _doc/<id>`. Like AOSS it assigns document ids and refuses given ids,
 * `_refresh`, `refresh=true`, `_delete_by_query`, `_update_by_query`, scroll and `GET /`; writes become searchable
 * after a delay. `goCold` makes it a NextGen collection that scaled to zero (answering late, or 503, until it wakes).
 * State is in memory.
 */
export async function startAossDouble(options: AossDoubleOptions = {}): Promise<AossDouble> {
  const store = new AossStore();
  store.visibilityDelayMs = options.visibilityDelayMs ?? 0;
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const requests: LoggedRequest[] = [];
  const faults: BulkFault[] = [];
  const cold = new ColdSides();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, refusal(500, 'double_failure', String(error)).body()));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const text = await readBody(req);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const isBulk = segments.at(-1) === '_bulk';
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parseLogged(text, isBulk),
      status: 0,
    };
    requests.push(entry);
    let status = 200;
    let body: object | undefined;
    try {
      const side = sideOf(entry.method, segments[1]);
      entry.cold = await cold.admit(side);
      if (entry.cold === '503') throw scalingUp(side);
      if (Buffer.byteLength(text) > maxRequestBytes) {
        throw refusal(413, 'request_too_large', `request body over ${maxRequestBytes} bytes`);
      }
      const onRefusal = (reason: string) => (entry.refused = reason);
      ({ status = 200, body } = route(entry.method, segments, url.searchParams, text, onRefusal));
    } catch (error) {
      // A bug of the double shows as a refusal too, so that strict tests fail on it.
      const answer = error instanceof AossError ? error : refusal(500, 'double_failure', String(error));
      if (answer.refused) entry.refused = answer.reason;
      status = answer.status;
      body = answer.body();
    }
    entry.status = status;
    send(res, status, entry.method === 'HEAD' ? undefined : body);
  }

  function route(
    method: string,
    [target, action, id, ...rest]: string[],
    params: URLSearchParams,
    text: string,
    onRefusal: (reason: string) => void,
  ): { status?: number; body?: object } {
    const refresh = params.get('refresh');
    if (refresh !== null && refresh !== 'false') throw refusal(400, 'illegal_argument_exception', 'true refresh policy is not supported');
    if (params.has('scroll')) throw refusal(400, 'illegal_argument_exception', 'scroll is not supported');
    if (target === undefined) throw refusal(404, 'not_found', `${method} / is not supported`);
    if (target === '_bulk' && method === 'POST') return bulkRoute(undefined);
    if (target === '_refresh' || action === '_refresh') throw refusal(404, 'not_found', '_refresh is not supported');
    if (action === '_delete_by_query' || action === '_update_by_query') throw refusal(404, 'not_found', `${action} is not supported`);
    const what = `${method} /${[target, action, id].filter(Boolean).join('/')}`;
    const unemulated = () => refusal(404, 'not_emulated', `the AOSS double does not emulate ${what}`);
    if (target.startsWith('_') || rest.length > 0) throw unemulated();
    const index = () => store.get(target);

    switch (`${method} ${action ?? ''}${id === undefined ? '' : ' <id>'}`) {
      case 'HEAD ':
        return { status: store.has(target) ? 200 : 404 };
      case 'PUT ':
        store.create(target, jsonBody(text));
        return { body: { acknowledged: true, shards_acknowledged: true, index: target } };
      case 'DELETE ':
        store.drop(target);
        return { body: { acknowledged: true } };
      case 'GET _mapping':
        return { body: { [target]: { mappings: index().mappings } } };
      case 'POST _bulk':
        return bulkRoute(target);
      case 'PUT _bulk':
        throw refusal(405, 'not_verified', 'PUT <index>/_bulk is not known to work on AOSS: send POST (client.bulk without `index`)');
      case 'GET _search':
      case 'POST _search':
        return { body: search(index(), jsonBody(text)) };
      case 'GET _count':
      case 'POST _count':
        return { body: count(index(), jsonBody(text)) };
      case 'POST _doc':
        return { status: 201, body: { _index: target, _id: index().add(jsonBody(text)), result: 'created', _version: 1 } };
      case 'DELETE _doc <id>': {
        const found = index().remove(id);
        return { status: found ? 200 : 404, body: { _index: target, _id: id, result: found ? 'deleted' : 'not_found' } };
      }
      case 'PUT _doc <id>':
      case 'POST _doc <id>':
      case 'PUT _create <id>':
      case 'POST _create <id>':
        throw refusal(400, 'illegal_argument_exception', 'Document ID is not supported in create/index operation request');
      default:
        throw unemulated();
    }

    function bulkRoute(pathIndex: string | undefined): { body: object } {
      const fault = faults.shift();
      const injected = (status: number, type: string) => new AossError(status, type, 'fault injected by the AOSS double');
      if (fault === 'throttle') throw injected(429, 'rejected_execution_exception');
      if (fault === 'unavailable') throw injected(503, 'unavailable');
      const result = bulk(store, pathIndex, text, fault, onRefusal);
      if (fault === 'lost-response') throw injected(504, 'gateway_timeout');
      return { body: result };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNextBulk(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    goCold(state, sides = SIDES) {
      cold.goCold(state, sides);
    },
    setVisibilityDelay(ms) {
      store.visibilityDelayMs = ms;
    },
    makeVisible() {
      store.refreshAll();
    },
    docs(index) {
      const now = Date.now();
      return store.get(index).live().map((doc) => ({ id: doc.id, source: doc.source, searchable: doc.visibleAt <= now }));
    },
    close() {
      cold.endAll();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function jsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw badRequest('request body is not a JSON object', 'parse_exception');
}

function parseLogged(text: string, ndjson: boolean): unknown {
  if (text.trim() === '') return undefined;
  try {
    if (!ndjson) return JSON.parse(text);
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: object | undefined): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers = { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(payload) };
  res.writeHead(status, headers);
  res.end(payload);
}
