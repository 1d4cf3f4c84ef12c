// The search API, wherever it runs: `vsearch serve` (same origin, config.json says apiBase "") or the AWS deployment
// (config.json next to the page on S3 names its URL and, if the stage needs one, the API Gateway key).

/** `{apiBase, apiKey}` from config.json; a missing or broken file means the same origin, no key. */
const { apiBase, apiKey } = await fetch('config.json', { cache: 'no-cache' })
  .then((response) => (response.ok ? response.json() : {}))
  .catch(() => ({}))
  .then((config) => ({ apiBase: String(config.apiBase ?? '').replace(/\/+$/, ''), apiKey: String(config.apiKey ?? '') }));

/**
 * An API failure with the server's message, its code and the request field it names (`{"error":{"code","message",
 * "field"}}`), and for a 503 the seconds its Retry-After asks to wait.
 */
export class ApiFailure extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error?.message ?? `the API answered HTTP ${status}`);
    this.code = body?.error?.code;
    this.field = body?.error?.field;
    this.retryAfterSec = Number(retryAfter) > 0 ? Number(retryAfter) : undefined;
  }
}

/** The longest the page waits for an index that is waking up before it searches again. */
const MAX_WAKE_WAIT_SEC = 60;

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (apiKey) headers['x-api-key'] = apiKey;
  const response = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiFailure(response.status, answer, response.headers.get('retry-after'));
  return answer;
}

/**
 * `POST /search` → `{clips}`. An index waking up after a quiet spell (503 `index_waking`: the AWS deployment's
 * collection scales to zero) is waited out once: `onWaking(seconds)` hears for how long (Retry-After), then the
 * search is sent again, and a second failure is the caller's.
 */
export async function search(request, onWaking) {
  try {
    return await call('POST', '/search', request);
  } catch (error) {
    if (error.code !== 'index_waking') throw error;
    const seconds = Math.min(error.retryAfterSec ?? 10, MAX_WAKE_WAIT_SEC);
    onWaking(seconds);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return call('POST', '/search', request);
  }
}

/** `POST /timeline` → `{videoId, times, scores, rawScores?, threshold?}`; `parts` is `{query, search}`. */
export const timeline = (parts, videoId) => call('POST', '/timeline', { ...parts, videoId });

/** `GET /videos` → `{videos}`. */
export const listVideos = () => call('GET', '/videos');

/** Media and thumbnail links: absolute ones (presigned S3 URLs) as they are, server paths (local mode) on the API's base. */
export function mediaUrl(link) {
  return /^[a-z][a-z\d+.-]*:/i.test(link) ? link : apiBase + link;
}
