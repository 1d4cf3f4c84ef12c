import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type API, type Client, type Types } from '@opensearch-project/opensearch';
import { IndexNotReadyError, IndexWriteError } from './errors';
import { errorType } from './opensearch-errors';

export interface BulkOptions {
  /** Sends of one operation, the first included, before giving up with `IndexWriteError`. */
  maxAttempts: number;
  /** Retry n waits a random time up to `min(maxDelayMs, baseDelayMs · 2^(n-1))` ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Bounds of one bulk request, in bytes of NDJSON (a 512-d frame is about 6 KB) and in operations. */
  maxBytes: number;
  maxOperations: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  maxBytes: 5 * 1024 * 1024,
  maxOperations: 1_000,
  sleep: (ms) => sleep(ms),
};

/** One operation of a bulk request: its NDJSON lines for a given send (numbered from 1) and their size. */
interface Operation {
  lines(attempt: number): API.Bulk_RequestBody;
  bytes: number;
}

/**
 * Indexes `docs`, letting OpenSearch assign the ids (classic AOSS refuses ours), in size-bounded requests; throttled
 * (429) and failed (5xx) sends are retried with backoff, only the failed operations resent. Each document is stamped
 * with the send that stored it (`attempt`). Returns `unknownWrites`: how many operations were sent in whole requests
 * that failed in a way that leaves unknown whether they were applied (a 5xx, a lost connection). Each of those may
 * have stored a copy of its document besides the one a later send stored (differing in `attempt`); every other send
 * of an operation stored exactly one document (it succeeded) or none (it was refused or throttled). So at most
 * `docs.length + unknownWrites` documents were stored, and all of them before this returns.
 */
export async function indexDocuments(
  client: Client,
  index: string,
  docs: readonly object[],
  options: BulkOptions,
): Promise<{ unknownWrites: number }> {
  const action = { index: { _index: index } };
  const operations = docs.map((doc): Operation => {
    const lines = (attempt: number) => [action, { ...doc, attempt }];
    return { lines, bytes: ndjsonBytes(lines(options.maxAttempts)) };
  });
  let unknownWrites = 0;
  for (const batch of batches(operations, options)) unknownWrites += await send(client, index, batch, options);
  return { unknownWrites };
}

/** Deletes documents by id, with the same batching and retries; ids already gone are fine. */
export async function deleteDocuments(client: Client, index: string, ids: string[], options: BulkOptions): Promise<void> {
  const operations = ids.map((id): Operation => {
    const lines = [{ delete: { _index: index, _id: id } }];
    return { lines: () => lines, bytes: ndjsonBytes(lines) };
  });
  for (const batch of batches(operations, options)) await send(client, index, batch, options);
}

function ndjsonBytes(lines: API.Bulk_RequestBody): number {
  return lines.reduce((bytes: number, line) => bytes + Buffer.byteLength(JSON.stringify(line)) + 1, 0);
}

function* batches(operations: Operation[], { maxBytes, maxOperations }: BulkOptions): Generator<Operation[]> {
  let batch: Operation[] = [];
  let bytes = 0;
  for (const operation of operations) {
    if (batch.length > 0 && (batch.length >= maxOperations || bytes + operation.bytes > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(operation);
    bytes += operation.bytes;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Sends one batch until every operation succeeded; returns how many operation sends may have been applied unseen
 * (those of whole requests whose outcome is unknown).
 */
async function send(client: Client, index: string, batch: Operation[], options: BulkOptions): Promise<number> {
  let pending = batch;
  let unknownWrites = 0;
  let lastFailure = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await options.sleep(backoffMs(attempt - 1, options));
    let items: Types.Core_Bulk.Item[];
    try {
      const body = pending.flatMap((operation) => operation.lines(attempt));
      // `POST /_bulk` (the client sends PUT when given an index). The adapter owns retries: the client's own would
      // resend whole requests, succeeded operations included.
      items = (await client.bulk({ body }, { maxRetries: 0 })).body.items;
    } catch (error) {
      const failure = requestFailure(error);
      if (!failure) throw new IndexWriteError(`bulk write to ${index} refused: ${String(error)}`, { cause: error });
      if (failure.maybeApplied) unknownWrites += pending.length;
      lastFailure = failure.reason;
      continue;
    }
    if (items.length !== pending.length) {
      throw new IndexWriteError(`bulk request to ${index}: ${items.length} results for ${pending.length} operations`);
    }
    const failed: Operation[] = [];
    items.forEach((item, i) => {
      const result = item.index ?? item.create ?? item.delete ?? item.update;
      const status = result?.status ?? 0;
      if (status < 300 || (status === 404 && result?.result === 'not_found')) return;
      const reason = `${status} ${result?.error?.type ?? ''}: ${result?.error?.reason ?? ''}`;
      if (result?.error?.type === 'index_not_found_exception') throw new IndexNotReadyError('index not ready');
      if (!isRetryableStatus(status)) throw new IndexWriteError(`bulk write to ${index} refused: ${reason}`);
      failed.push(pending[i]);
      lastFailure = reason;
    });
    if (failed.length === 0) return unknownWrites;
    pending = failed;
  }
  throw new IndexWriteError(
    `bulk write to ${index}: ${pending.length} of ${batch.length} operations still failing after ` +
      `${options.maxAttempts} attempts (last: ${lastFailure})`,
  );
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A whole-request failure worth sending again, or undefined for one that would fail the same way again. */
function requestFailure(error: unknown): { maybeApplied: boolean; reason: string } | undefined {
  if (error instanceof errors.ResponseError) {
    if (!isRetryableStatus(error.statusCode)) return undefined;
    const reason = `${error.statusCode} ${errorType(error) ?? error.message}`;
    return { maybeApplied: error.statusCode >= 500, reason };
  }
  if (error instanceof errors.NoLivingConnectionsError) return { maybeApplied: false, reason: error.message };
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError) {
    return { maybeApplied: true, reason: error.message };
  }
  return undefined;
}

function backoffMs(retry: number, { baseDelayMs, maxDelayMs }: BulkOptions): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
}
