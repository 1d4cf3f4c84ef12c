import { planJobs, type IndexingSettings, type JobRange } from './indexing-settings';
import { VideoNotFoundError } from './errors';
import type { JobResult, ReingestRequest, VideoRef } from './schemas';
import type { VideoItem, VideoItems } from './video-item';

/**
 * Re-ingesting: the frames index refilled from the raw embeddings the embedding jobs left in S3 (`embeddings/`, as the
 * catalog item lists them), without embedding anything again. After the collection or the frames index was recreated
 * (another mapping, another index name), or to smooth with other settings. Each video goes through the ingest step
 * exactly as its first ingest did (ingest-frames.ts: stitched, smoothed, a new run written, every older run deleted)
 * and is then marked READY with the new run and smoothing, conditionally on its upload: a re-upload or a deletion
 * meanwhile wins. Idempotent: running it again writes another run and deletes this one.
 *
 * This plans one page of it: the Ingest task's input for each video, as the index-video execution had it — the jobs
 * as that execution planned them (from the settings it ran with, which the item keeps: the raw embeddings are of those
 * jobs), their outputs, and the smoothing to apply. A video is skipped, with the reason, when it is not READY (being
 * indexed: its own execution ingests it; FAILED: no complete raw embeddings) or has no raw embeddings recorded.
 */

/** One video's re-ingest: the Ingest task's input, and when the re-ingest started (for MarkReady's timings). */
export interface ReingestVideo {
  video: VideoRef;
  settings: IndexingSettings;
  jobs: JobRange[];
  first: JobResult;
  rest: JobResult[];
  startedAt: string;
}

export interface ReingestPage {
  videos: ReingestVideo[];
  skipped: { videoId: string; reason: string }[];
  /** The request for the next page; absent on the last. */
  next?: ReingestRequest;
}

export interface PlanReingestDeps {
  catalog: Pick<VideoItems, 'item' | 'items'>;
  /**
   * Bytes of JSON a page may hold: Step Functions passes at most 256 KiB between states, and the Map state adds a
   * small result per video. At least one video per page.
   */
  pageBytes?: number;
}

const DEFAULT_PAGE_BYTES = 100_000;
/** Items read per catalog request. */
const SCAN_LIMIT = 100;

/** The original ids are not kept: the ingest step reads only the outputs. */
const INFERENCE_ID = 'reingest';

export async function planReingest(request: ReingestRequest, deps: PlanReingestDeps): Promise<ReingestPage> {
  const startedAt = new Date().toISOString();
  const page: ReingestPage = { videos: [], skipped: [] };
  const add = (planned: ReturnType<typeof planItem>) => {
    if ('reason' in planned) page.skipped.push(planned);
    else page.videos.push(planned);
  };
  if (request.videoId !== undefined) {
    const item = await deps.catalog.item(request.videoId);
    if (!item || item.deleted) throw new VideoNotFoundError(`no video ${request.videoId} in the catalog`);
    add(planItem(item, request, startedAt));
    return page;
  }

  const budget = deps.pageBytes ?? DEFAULT_PAGE_BYTES;
  let bytes = 0;
  let after = request.after;
  for (;;) {
    const { items, next } = await deps.catalog.items({ after, limit: SCAN_LIMIT });
    for (const item of items) {
      if (item.deleted) {
        after = item.id;
        continue;
      }
      const planned = planItem(item, request, startedAt);
      const size = JSON.stringify(planned).length;
      if (bytes > 0 && bytes + size > budget) return { ...page, next: { ...request, after } };
      add(planned);
      bytes += size;
      after = item.id;
    }
    if (next === undefined) return page;
    after = next;
  }
}

function planItem(item: VideoItem, request: ReingestRequest, startedAt: string): ReingestVideo | { videoId: string; reason: string } {
  const skip = (reason: string) => ({ videoId: item.id, reason });
  if (item.status !== 'READY') {
    return skip(item.status === 'FAILED' ? 'FAILED: upload it again' : `${item.status}: its indexing execution ingests it`);
  }
  const { settings, embeddings } = item;
  if (!settings || !embeddings?.length) return skip('no raw embeddings recorded: upload it again');
  const jobs = planJobs(item.durationSec, settings);
  if (jobs.length !== embeddings.length) return skip(`${embeddings.length} raw embeddings recorded for ${jobs.length} planned jobs: upload it again`);
  const [first, ...rest] = embeddings.map((output) => ({ inferenceId: INFERENCE_ID, output }));
  const { bucket, key, versionId } = item.s3;
  return {
    video: { id: item.id, sequencer: item.sequencer, bucket, key, ...(versionId !== undefined && { versionId }) },
    settings: { ...settings, smoothing: { ...(item.smoothing ?? settings.smoothing), ...request.smoothing } },
    jobs,
    first,
    rest,
    startedAt,
  };
}
