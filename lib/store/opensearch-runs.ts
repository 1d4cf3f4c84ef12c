import { randomUUID } from 'node:crypto';
import type { API, Client, Types } from '@opensearch-project/opensearch';
import { IndexWriteError } from './errors';
import { deleteDocuments, indexDocuments, type BulkOptions } from './opensearch-bulk';
import { onIndex, type WakePolicy } from './opensearch-errors';
import { olderRunsQuery, videoQuery } from './opensearch-query';
import { scanDocs } from './opensearch-scan';

type Query = Types.Common_QueryDsl.QueryContainer;

/**
 * An OpenSearch Serverless index whose documents belong to runs: each replacement of a video's documents (its frames,
 * its transcript segments) is a RUN, written under a fresh run id and numbered in it by `position` (`frame`,
 * `segment`); every document also has `video_id`, `run_id` and `attempt` (the bulk send that stored it). The rule of
 * a replacement is OpenSearchFrameIndex's (its class comment, "Writes" and "Resent requests"): write the run, wait
 * until a count shows all of it (and, after a send of unknown outcome, every copy it may have left, deleting the extra
 * ones), then delete the video's documents of every older run, found by a search and deleted by id.
 */
export interface RunIndex {
  client: Client;
  index: string;
  bulk: BulkOptions;
  wake: WakePolicy;
  /** How often the write counts its run, and for how long, in milliseconds of `bulk.sleep`. */
  pollMs: number;
  timeoutMs: number;
  /** How long a stored document may take to become searchable (see "Resent requests"). */
  windowMs: number;
  /** The field that numbers a run's documents, and what they are called in errors (`frames`, `segments`). */
  position: string;
  noun: string;
}

/** A run's document before the bulk send stamps it with its `attempt`. */
export interface RunDoc {
  video_id: string;
  run_id: string;
}

let lastRunTime = 0;

/**
 * A run id that sorts after every earlier one: its time, then a random part. The time never repeats within a process,
 * so two replacements in the same millisecond still sort in the order they were made.
 */
export function newRunId(): string {
  lastRunTime = Math.max(Date.now(), lastRunTime + 1);
  return `${new Date(lastRunTime).toISOString()}_${randomUUID()}`;
}

/**
 * Makes `docs` (all of video `videoId`, run `runId`, numbered 0.. in `position`) the video's only documents: writes
 * them, waits until they are searchable, deletes every older run of the video. No docs: only the deletion.
 */
export async function replaceRun(target: RunIndex, videoId: string, runId: string, docs: readonly RunDoc[]): Promise<void> {
  if (docs.length > 0) {
    const { unknownWrites } = await indexDocuments(target.client, target.index, docs, target.bulk);
    await awaitRun(target, videoId, runId, docs.length, unknownWrites);
  }
  await deleteMatching(target, olderRunsQuery(videoId, runId));
}

/** One search request on the index, waiting for a waking collection as `target.wake` says. */
export async function readIndex(target: RunIndex, body: API.Search_RequestBody): Promise<API.Search_ResponseBody> {
  return (await onIndex((options) => target.client.search({ index: target.index, body }, options), target.wake)).body;
}

/** Searchable documents of a video, or of one run of it. A search rather than `_count`: every collection has it. */
export async function countRun(target: RunIndex, videoId: string, runId?: string): Promise<number> {
  const body: API.Search_RequestBody = { size: 0, track_total_hits: true, query: videoQuery(videoId, runId) };
  const { total } = (await readIndex(target, body)).hits;
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

/** Deletes every searchable document matching `query`, by id, a bulk request per `bulk.maxOperations`. */
export async function deleteMatching(target: RunIndex, query: Query): Promise<void> {
  const { client, index, bulk, wake, position } = target;
  let ids: string[] = [];
  for await (const { id } of scanDocs<Record<string, unknown>, never>(client, index, query, [], wake, position)) {
    ids.push(id);
    if (ids.length === bulk.maxOperations) {
      await deleteDocuments(client, index, ids, bulk);
      ids = [];
    }
  }
  await deleteDocuments(client, index, ids, bulk);
}

/**
 * Polls until all `count` documents of the run are searchable. After `unknownWrites` sends of unknown outcome (see
 * `indexDocuments`) a document may be stored twice: then it also waits until every copy shows, as the "Resent
 * requests" rule tells, and deletes the extra copies. `waited` starts when the write's last answer came.
 */
async function awaitRun(target: RunIndex, videoId: string, runId: string, count: number, unknownWrites: number): Promise<void> {
  const { pollMs, timeoutMs, windowMs, noun } = target;
  let visible = 0;
  for (let waited = 0; waited <= timeoutMs; waited += pollMs) {
    if (waited > 0) await target.bulk.sleep(pollMs);
    visible = await countRun(target, videoId, runId);
    if (visible < count) continue;
    if (unknownWrites === 0) return;
    // Some copy that may exist does not show yet, and might still: keep waiting.
    if (visible < count + unknownWrites && waited < windowMs) continue;
    const extra = await extraCopies(target, videoId, runId, count);
    if (extra) return deleteDocuments(target.client, target.index, extra, target.bulk);
  }
  const state =
    visible < count
      ? `${visible} of ${count} ${noun} searchable`
      : `${visible} documents for ${count} ${noun}, copies of resent requests possibly unseen ` +
        `(they need up to ${windowMs} ms to show)`;
  throw new IndexWriteError(`run ${runId} of video ${videoId}: ${state} after ${timeoutMs} ms`);
}

/** Ids of the run's documents that repeat a position, or undefined while some document is not searchable yet. */
async function extraCopies(target: RunIndex, videoId: string, runId: string, count: number): Promise<string[] | undefined> {
  const { client, index, wake, position } = target;
  const seen = new Set<number>();
  const extra: string[] = [];
  // In (position, attempt) order: the first copy of a document is kept.
  for await (const { id, frame } of scanDocs<Record<string, unknown>, never>(client, index, videoQuery(videoId, runId), [], wake, position)) {
    if (seen.has(frame)) extra.push(id);
    else seen.add(frame);
  }
  return seen.size === count ? extra : undefined;
}
