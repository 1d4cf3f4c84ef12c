import { clipSaliency, clipWindows, MAX_PREDICTED_WINDOWS } from '../core/moment-predictions';
import type { VideoRecord } from '../core/types';
import type { QueryEncoder } from '../query-encoder';
import { searchClips, type SearchDeps, type SearchRequest } from '../search';
import type { AnnotatedQuery, PredictedQuery } from './benchmark-files';

/** The search settings a benchmark run varies; the rest is the search's own defaults. */
export type EvalSearchSettings = Pick<SearchRequest, 'k' | 'timeOffset' | 'minScore' | 'relevanceMargin' | 'speechWeight' | 'mode' | 'snap'>;

/** A prediction line of the submission format. */
export interface PredictionLine extends PredictedQuery {
  query: string;
}

/**
 * One benchmark query answered by the search, restricted to its video as the benchmark does: the ranked clips of
 * `searchClips` as windows, and the query's score of every frame of the video (the timeline's scores) as saliency per
 * 2 s clip (moment-predictions.ts). The text is embedded once for both.
 */
export async function predictQuery(
  query: AnnotatedQuery,
  video: VideoRecord,
  deps: SearchDeps,
  settings: EvalSearchSettings,
): Promise<PredictionLine> {
  const vector = await deps.encoder.encode({ text: query.query });
  const encoded: QueryEncoder = { model: deps.encoder.model, dim: deps.encoder.dim, encode: async () => vector };
  // Every window counts on its own in moment retrieval: near-duplicates of the query's video are not collapsed.
  const request: SearchRequest = { text: query.query, filters: { videoIds: [video.id] }, size: MAX_PREDICTED_WINDOWS, dedupe: false, ...settings };
  const [clips, frames] = await Promise.all([
    searchClips(request, { ...deps, encoder: encoded }),
    deps.frames.scoreVideo(vector, video.id, video.runId),
  ]);
  const duration = query.duration ?? video.durationSec;
  return {
    key: query.key,
    qid: query.qid,
    query: query.query,
    vid: query.vid,
    windows: clipWindows(clips, { fps: video.fps, duration }),
    saliency: clipSaliency(frames, duration),
  };
}

/** The submission format's line for a prediction. */
export function predictionJson(line: PredictionLine): string {
  return JSON.stringify({
    qid: line.qid,
    query: line.query,
    vid: line.vid,
    pred_relevant_windows: line.windows,
    pred_saliency_scores: line.saliency,
  });
}
