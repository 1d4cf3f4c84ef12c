import type { API, Client } from '@opensearch-project/opensearch';
import type { FrameVector, Hit, TimeWindow, VideoRecord } from '../core/types';
import { dot } from '../core/vector';
import { IndexMismatchError } from './errors';
import type { FrameSearch, FrameSelection, RunFrameIndex, StoredFrame } from './frame-index';
import { assertIndexAccepts } from './model-guard';
import { DEFAULT_BULK_OPTIONS, type BulkOptions } from './opensearch-bulk';
import { embeddingDimension, type FrameDoc } from './opensearch-mapping';
import {
  innerProductFromScore,
  knnSearchBody,
  MAX_K,
  windowsQuery,
  vectorJson,
  videoQuery,
} from './opensearch-query';
import { countRun, deleteMatching, newRunId, readIndex, replaceRun, type RunIndex } from './opensearch-runs';
import { scanFrames } from './opensearch-scan';

export interface OpenSearchFrameIndexOptions {
  /** The frames index (created by `ensureFramesIndex`). */
  index: string;
  bulk?: Partial<BulkOptions>;
  /**
   * How `replaceFrames` waits for its frames to become searchable: a count every `pollMs`, for up to `timeoutMs`
   * (defaults 2 s and 5 min: classic collections refresh about every 60 s). `windowMs` (default 90 s) bounds how long
   * a stored document takes to become searchable; it is waited out only after a bulk request whose outcome is unknown
   * (see "Resent requests" on `OpenSearchFrameIndex`) and should not exceed `timeoutMs`. Waits use `bulk.sleep`, and
   * are counted in the milliseconds asked of it.
   */
  visibility?: { pollMs?: number; timeoutMs?: number; windowMs?: number };
  /**
   * How reads meet a collection that wakes from zero (a NextGen collection group at 0 OCU answers the first request
   * after 10 idle minutes 10–30 s late, or 503): each read request may take `requestTimeoutMs` (default: the
   * client's), and a read that meets a waking collection is retried for up to `maxWaitMs` of backoff (default 120 s,
   * four times the longest wake; 0: at once) before it throws `IndexWakingError`. Waits use `bulk.sleep`. Bulk
   * writes retry on their own (`bulk`).
   */
  waking?: { requestTimeoutMs?: number; maxWaitMs?: number };
}

/**
 * The frames of every video in an OpenSearch Serverless vector collection (classic or NextGen), one document per frame.
 *
 * Writes. Classic collections refuse our own document ids, `_delete_by_query` and `refresh`, and show a write to
 * searches only after their refresh interval (10–60 s). So a replacement is a RUN: `replaceFrames` indexes the new
 * frames under a fresh run id (run ids sort in time order), waits until a count shows all of them, then deletes the
 * video's frames of every older run, found by a search and deleted by id. Waiting first is what makes the delete
 * complete: a run written before this one (an interrupted attempt, a quick re-index) is searchable by then too, as
 * refreshes show writes in order, so the search finds it. A retried call writes yet another run and deletes the
 * earlier ones: the same state in the end. A run only ever deletes older runs, so an older replacement finishing late
 * cannot delete a newer one; callers should still serialise replacements of one video (one workflow at a time), or
 * the catalog may keep the run id of whichever finished last.
 *
 * What search sees meanwhile. While the new run is being written and until the deletes take effect (one refresh
 * interval after `replaceFrames` returns), a plain search sees part or all of the new run beside the old one. To see
 * exactly one complete run per video, write with `replaceRun` and store the run id it returns in the catalog
 * (`VideoRecord.runId`), and pass the catalog's run ids as `activeRuns` to `search` (and the video's run to
 * `scoreVideo` / `countFrames`): the run restriction is part of the k-NN filter, so it costs no results. Search then
 * shows the old run until the catalog names the new one, and the new one, complete, from then on.
 *
 * Resent requests. Classic collections assign the ids, so a bulk request that was applied but answered with a 5xx or
 * not at all (a lost connection), then resent, leaves two copies of its frames (same `frame`, different `attempt`),
 * and only a search can find them. Before the extra copies are deleted, every copy must be searchable, and seeing
 * each frame once is no proof of that: the resent copies may show after the first ones (or the other way round). The
 * rule rests on two facts: every document of the run was stored by the time `indexDocuments` returned (a failed request
 * was applied, if at all, before its failure reached us, or shortly after: the window's margin), and a stored document
 * is searchable at most `windowMs` later. `indexDocuments` also tells how many operation sends had an unknown outcome (`unknownWrites`), so the run holds
 * at most `frames + unknownWrites` documents. The extra copies are listed (and deleted) once the run's count reaches
 * that bound (every possible copy shows: the usual case of a lost answer, fast) or `windowMs` after the write
 * returned (every stored copy shows by then, whether a request was applied or not), and then only if every frame
 * shows; the first copy of each frame is kept. Deletes by id are final for later reads, so nothing else is needed.
 * Without an unknown outcome no frame has two copies, and the wait ends as soon as all frames show. The default
 * window, 90 s, is the classic refresh interval (60 s) plus a margin for a request the collection finishes shortly
 * after we stopped waiting for its answer; NextGen collections refresh every 10 s, and the deployment passes 40 s for
 * them (serverless.yml).
 */
export class OpenSearchFrameIndex implements RunFrameIndex {
  private readonly index: string;
  private readonly runs: RunIndex;
  private readonly wake: RunIndex['wake'];
  /** The mapping's vector width, read once: an index's mapping cannot change it. */
  private dim: Promise<number> | undefined;

  constructor(
    private readonly client: Client,
    { index, bulk, visibility, waking }: OpenSearchFrameIndexOptions,
  ) {
    this.index = index;
    this.runs = runIndexOptions(client, { index, bulk, visibility, waking }, 'frame', 'frames');
    this.wake = this.runs.wake;
  }

  /** Makes `frames` the video's only frames (see the class comment). */
  async replaceFrames(video: VideoRecord, frames: FrameVector[]): Promise<void> {
    await this.replaceRun(video, frames);
  }

  /** `replaceFrames`, returning the id of the run that now holds the video's frames (for `VideoRecord.runId`). */
  async replaceRun(video: VideoRecord, frames: FrameVector[]): Promise<string> {
    const runId = newRunId();
    if (frames.length > 0) await this.assertWritable(video, frames);
    await replaceRun(this.runs, video.id, runId, frames.map((frame, i) => frameDoc(video, runId, i, frame)));
    return runId;
  }

  async search({ vector, k, filters, activeRuns }: FrameSearch): Promise<Hit[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
    await this.assertSearchable(vector);
    const body = knnSearchBody(vector, k, filters, activeRuns);
    const { hits } = (await this.read(body)).hits;
    return hits.map((hit) => ({
      videoId: hit._source.video_id,
      time: hit._source.time,
      score: innerProductFromScore(hit._score ?? 0),
    }));
  }

  /** Scored here from the stored vectors (exact, and no `k` to guess); `runId` keeps to one run of the video. */
  async scoreVideo(vector: Float32Array, videoId: string, runId?: string): Promise<Hit[]> {
    await this.assertSearchable(vector);
    const hits: Hit[] = [];
    const frames = scanFrames(this.client, this.index, videoQuery(videoId, runId), ['time', 'embedding'], this.wake);
    for await (const { source } of frames) {
      hits.push({ videoId, time: source.time, score: dot(vector, Float32Array.from(source.embedding)) });
    }
    return hits.sort((a, b) => a.time - b.time);
  }

  /**
   * One k-NN request filtered to the video's frames in the windows: with the filter inside the `knn` clause, faiss
   * scores exactly the matching frames when they are fewer than k, so the scores are the engine's and no vector
   * travels. At most MAX_K frames (OpenSearch's bound on k): growth stops early at a window beyond that.
   */
  async scoreFrames(vector: Float32Array, videoId: string, windows: readonly TimeWindow[], runId?: string): Promise<Hit[]> {
    if (windows.length === 0) return [];
    await this.assertSearchable(vector);
    const body = knnSearchBody(vector, MAX_K, undefined, undefined, windowsQuery(videoId, windows, runId));
    const { hits } = (await this.read(body)).hits;
    return hits
      .map((hit) => ({ videoId, time: hit._source.time, score: innerProductFromScore(hit._score ?? 0) }))
      .sort((a, b) => a.time - b.time);
  }

  /**
   * One scan of the selected frames with their vectors. A frame a resent bulk request stored twice (see the class
   * comment) is returned once.
   */
  async frameVectors(selections: readonly FrameSelection[]): Promise<StoredFrame[]> {
    const picked = selections.filter((selection) => selection.windows.length > 0);
    if (picked.length === 0) return [];
    const query = { bool: { should: picked.map(({ videoId, windows, runId }) => windowsQuery(videoId, windows, runId)), minimum_should_match: 1 } };
    const frames = new Map<string, StoredFrame>();
    for await (const { source } of scanFrames(this.client, this.index, query, ['video_id', 'time', 'embedding'], this.wake)) {
      const key = `${source.video_id}@${source.time}`;
      if (!frames.has(key)) frames.set(key, { videoId: source.video_id, time: source.time, vector: Float32Array.from(source.embedding) });
      if (frames.size === MAX_K) break;
    }
    return [...frames.values()];
  }

  /** Frames only (the catalog entry is the caller's); they leave searches within one refresh interval. */
  async removeVideo(videoId: string): Promise<void> {
    await deleteMatching(this.runs, videoQuery(videoId));
  }

  /**
   * The width from the mapping, the model from any stored frame (replaceFrames keeps one model per index); both asked
   * at once, so a search meets a waking collection once, not twice in a row.
   */
  async embedding(): Promise<{ model: string; dim: number } | undefined> {
    const body: API.Search_RequestBody = { size: 1, _source: { includes: ['model'] } };
    const [dim, { hits }] = await Promise.all([this.dimension(), this.read(body)]);
    return hits.hits[0] ? { model: hits.hits[0]._source.model, dim } : undefined;
  }

  /** Searchable frames of a video, or of one run of it. A search rather than `_count`: every collection has it. */
  countFrames(videoId: string, runId?: string): Promise<number> {
    return countRun(this.runs, videoId, runId);
  }

  private read(body: API.Search_RequestBody): Promise<API.Search_ResponseBody> {
    return readIndex(this.runs, body);
  }

  private dimension(): Promise<number> {
    this.dim ??= embeddingDimension(this.client, this.index, this.wake).catch((error: unknown) => {
      this.dim = undefined;
      throw error;
    });
    return this.dim;
  }

  /** The index's width is fixed when it is created, so another width is another model even while it is empty. */
  private async assertWritable(video: VideoRecord, frames: FrameVector[]): Promise<void> {
    const dim = await this.dimension();
    const width = video.dim !== dim ? video.dim : frames.find((frame) => frame.vector.length !== dim)?.vector.length;
    if (width !== undefined) {
      throw new IndexMismatchError(
        `index ${this.index} holds ${dim}-d embeddings, not ${width}-d ones (video ${video.id}, ${video.model})`,
      );
    }
    await assertIndexAccepts(this, video);
  }

  private async assertSearchable(vector: Float32Array): Promise<void> {
    const dim = await this.dimension();
    if (vector.length === dim) return;
    const model = (await this.embedding())?.model;
    throw new IndexMismatchError(
      `this index holds ${model ? `${model} (${dim}-d)` : `${dim}-d`} embeddings, not ${vector.length}-d vectors: ` +
        'search with the model the index was built with',
    );
  }
}

/** The run index behind an adapter's options (the defaults of `OpenSearchFrameIndexOptions`). */
export function runIndexOptions(
  client: Client,
  { index, bulk, visibility, waking }: OpenSearchFrameIndexOptions,
  position: string,
  noun: string,
): RunIndex {
  const options = { ...DEFAULT_BULK_OPTIONS, ...bulk };
  return {
    client,
    index,
    bulk: options,
    wake: { requestTimeoutMs: waking?.requestTimeoutMs, maxWaitMs: waking?.maxWaitMs ?? 120_000, sleep: options.sleep },
    pollMs: visibility?.pollMs ?? 2_000,
    timeoutMs: visibility?.timeoutMs ?? 300_000,
    windowMs: visibility?.windowMs ?? 90_000,
    position,
    noun,
  };
}

function frameDoc(
  video: VideoRecord,
  runId: string,
  frame: number,
  { time, vector }: FrameVector,
): Omit<FrameDoc, 'attempt'> {
  return {
    video_id: video.id,
    run_id: runId,
    frame,
    time,
    embedding: vectorJson(vector),
    model: video.model,
    title: video.title,
    category: video.category,
    tags: video.tags,
  };
}
