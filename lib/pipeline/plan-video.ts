import { planJobs, type IndexingSettings, type JobRange } from './indexing-settings';
import { readRawEmbeddings, type JobOutputs } from './raw-embeddings';
import type { JobResult, VideoRef } from './schemas';

export interface Plan {
  durationSec: number;
  /** Every job of the video, the first (already done) included: their keep ranges partition the video. */
  jobs: JobRange[];
  /** The jobs still to send (all but the first). */
  pending: JobRange[];
}

/**
 * Plans the rest of the video from the first job's output, which carries the video's duration as the embedder's
 * own probe read it (so the plan and the decoder agree on where the video ends).
 */
export async function planVideo(
  request: { video: VideoRef; settings: IndexingSettings; first: JobResult },
  deps: { outputs: JobOutputs },
): Promise<Plan> {
  const { header } = await readRawEmbeddings(deps.outputs, request.first.output, request.video.id);
  const jobs = planJobs(header.durationSec, request.settings);
  return { durationSec: header.durationSec, jobs, pending: jobs.slice(1) };
}
