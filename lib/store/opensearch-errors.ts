import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type Client } from '@opensearch-project/opensearch';
import { IndexNotReadyError, IndexWakingError } from './errors';

/** What every API method of the client takes after its parameters (time limit, retries, …). */
type TransportRequestOptions = NonNullable<Parameters<Client['search']>[1]>;

/** The longest a NextGen collection takes to wake from zero, from the request that wakes it (AWS: 10–30 s). */
export const WAKE_MAX_MS = 30_000;

/**
 * How an operation meets a collection that is waking from zero (see `IndexWakingError`). A request answered 502, 503
 * or 504, or not within `requestTimeoutMs`, counts as meeting it: it is sent again after 1, 2, 4, then every 8 s of
 * `sleep` until `maxWaitMs` of them have passed (0: never), then the operation throws `IndexWakingError`.
 */
export interface WakePolicy {
  /** One request's time limit, with the client's own retries off; the client's own limit and retries when undefined. */
  requestTimeoutMs?: number;
  maxWaitMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Fail at once, with the client's own time limit. */
export const NO_WAKE_WAIT: WakePolicy = { maxWaitMs: 0, sleep: (ms) => sleep(ms) };

/** The `error.type` of an OpenSearch error response (`index_not_found_exception`, …), if `error` is one. */
export function errorType(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const type: unknown = (error.body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Runs one OpenSearch request (`call` passes `options` on to the client). A missing index becomes
 * `IndexNotReadyError`; a waking collection is waited for as `wake` says, then becomes `IndexWakingError`.
 */
export async function onIndex<T>(call: (options: TransportRequestOptions) => Promise<T>, wake = NO_WAKE_WAIT): Promise<T> {
  const options: TransportRequestOptions =
    wake.requestTimeoutMs === undefined ? {} : { requestTimeout: wake.requestTimeoutMs, maxRetries: 0 };
  const started = Date.now();
  let waited = 0;
  for (let retry = 0; ; retry++) {
    try {
      return await call(options);
    } catch (error) {
      if (errorType(error) === 'index_not_found_exception') throw new IndexNotReadyError('index not ready', { cause: error });
      if (!isWaking(error)) throw error;
      if (waited >= wake.maxWaitMs) {
        const retryAfterSec = Math.max(1, Math.ceil((WAKE_MAX_MS - (Date.now() - started)) / 1000));
        const message = `the collection is waking up or unavailable (${String(error)})`;
        throw new IndexWakingError(message, retryAfterSec, { cause: error });
      }
      const delay = Math.min(1000 * 2 ** Math.min(retry, 3), wake.maxWaitMs - waited);
      await wake.sleep(delay);
      waited += delay;
    }
  }
}

function isWaking(error: unknown): boolean {
  if (error instanceof errors.TimeoutError) return true;
  return error instanceof errors.ResponseError && [502, 503, 504].includes(error.statusCode);
}
