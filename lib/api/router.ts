import { ApiError, errorBody } from './api-error';
import { toApiError } from './known-errors';
import { searchApi, type ApiDeps } from './search-api';
import { timelineApi } from './timeline-api';
import { getVideoApi, listVideosApi } from './videos-api';

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (params: Record<string, string>, body: unknown, deps: ApiDeps) => Promise<unknown>;

/** The JSON API, one table for the Lambda behind API Gateway and for `vsearch serve`. */
const ROUTES: { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'POST', path: /^\/search$/, handler: (_, body, deps) => searchApi(body, deps) },
  { method: 'POST', path: /^\/timeline$/, handler: (_, body, deps) => timelineApi(body, deps) },
  { method: 'GET', path: /^\/videos$/, handler: (_, __, deps) => listVideosApi(deps.catalog) },
  { method: 'GET', path: /^\/videos\/(?<id>[^/]+)$/, handler: ({ id }, _, deps) => getVideoApi(id, deps.catalog) },
];

/**
 * Answers one API request. `readBody` gives the raw request body text (undefined when there is none) and may throw an
 * ApiError (e.g. 413). Every failure is a JSON error body; unexpected ones are reported to `onError` (the log) and
 * answered as a plain 500.
 */
export async function dispatch(
  method: string,
  path: string,
  readBody: () => Promise<string | undefined>,
  deps: ApiDeps,
  onError: (error: unknown) => void,
): Promise<ApiResponse> {
  try {
    const match = matchRoute(method, path);
    const params = Object.fromEntries(Object.entries(match.params).map(([k, v]) => [k, decodeURIComponent(v)]));
    return json(200, await match.handler(params, parseJson(await readBody()), deps));
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) onError(error);
    const response = json(apiError.status, errorBody(apiError));
    if (apiError.retryAfterSec) response.headers['retry-after'] = String(apiError.retryAfterSec);
    return response;
  }
}

function matchRoute(method: string, path: string): { handler: Handler; params: Record<string, string> } {
  const byPath = ROUTES.filter((route) => route.path.test(path));
  if (byPath.length === 0) throw new ApiError(404, 'not_found', `no such resource: ${path}`);
  const route = byPath.find((r) => r.method === method);
  if (!route) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
  return { handler: route.handler, params: { ...route.path.exec(path)?.groups } };
}

function parseJson(raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

function json(status: number, body: unknown): ApiResponse {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8' } };
}
