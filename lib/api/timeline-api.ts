import { z } from 'zod';
import { relevanceFloor } from '../core/clustering';
import type { FrameVector } from '../core/types';
import { dot } from '../core/vector';
import type { Shots } from '../core/shots';
import { searchHits, searchSpeech, searchVector, SearchRequestError } from '../search';
import { DEFAULT_SPEECH_WEIGHT, fuseSpeech, speechScoreAt, type TranscriptLine } from '../core/speech-fusion';
import { assertIndexAccepts } from '../store/model-guard';
import { ApiError } from './api-error';
import { parseOrThrow, queryFields, requireQuery, searchSettingsFields, toSearchRequest } from './search-input';
import type { ApiDeps } from './search-api';

/**
 * The body of REST `POST /timeline` and GraphQL `timeline(input)`: what to score (`query`, as in a search), which
 * video, and optionally the settings of the search being explained (filters, k, minScore), which fix its threshold.
 * Unknown fields are refused.
 */
export const timelineInputSchema = z.strictObject({
  query: requireQuery(z.strictObject(queryFields)),
  videoId: z.string().trim().min(1, 'videoId must not be empty').max(200),
  search: z.strictObject(searchSettingsFields).optional(),
});

export type TimelineInput = z.input<typeof timelineInputSchema>;

/** How well every indexed frame of one video matches a query, in time order: the "search signal" chart. */
export interface TimelineView {
  videoId: string;
  /** Frame times in seconds, increasing. */
  times: number[];
  /** Inner product of the query with each stored (smoothed) frame: the scores search ranks by. */
  scores: number[];
  /** The same for the raw frame embeddings, when the deployment keeps them for this video. */
  rawScores?: number[];
  /**
   * The relevance floor `POST /search` applies to this query with these settings, over its fused scores
   * (lib/core/speech-fusion.ts): a moment needs this score to join a clip (if it is among the hits). Absent when the
   * search finds nothing.
   */
  threshold?: number;
  /** The video's shots (`VideoRecord.shots`), when they were detected. */
  shots?: Shots;
  /** At each of `times`, the best relevance (0..1) of the transcript lines said then that match the query's text. */
  speechScores: number[];
  /** This video's transcript lines that match the query's text, in time order, each with that relevance. */
  speech: TranscriptLine[];
}

/** `POST /timeline`: exact scores of every frame of one video against a query; 404 for an unknown video. */
export async function timelineApi(body: unknown, deps: ApiDeps): Promise<TimelineView> {
  const input = parseOrThrow(timelineInputSchema, body);
  const { videoId, query } = input;
  const settings = toSearchRequest(input.search ?? {});
  const { encoder, catalog, frames, rawEmbeddings } = deps;
  const video = await catalog.get(videoId);
  if (!video) throw new ApiError(404, 'video_not_found', `no video with id "${videoId}"`, 'videoId');
  await assertIndexAccepts(frames, encoder);
  const request = { ...settings, ...query };
  const [searched, activeRuns] = await Promise.all([
    searchVector(request, deps).catch((error: unknown) => {
      throw error instanceof SearchRequestError ? new SearchRequestError(`query.${error.field}`, error.message) : error;
    }),
    catalog.activeRuns(),
  ]);
  const { vector } = searched;
  const mode = settings.mode ?? 'both';
  const [hits, raw, nearest, spoken] = await Promise.all([
    frames.scoreVideo(vector, videoId, video.runId),
    rawEmbeddings?.get(videoId),
    searchHits(request, searched, activeRuns, deps).then((found) => found.hits),
    searchSpeech({ ...settings, text: query.text }, mode, deps.transcripts, activeRuns),
  ]);
  const videos = await catalog.getMany([...new Set([...nearest, ...spoken].map((hit) => hit.videoId))]);
  const known = <T extends { videoId: string }>(found: T[]) => found.filter((hit) => videos.has(hit.videoId));
  const fusion = fuseSpeech(known(nearest), known(spoken), {
    weight: settings.speechWeight ?? DEFAULT_SPEECH_WEIGHT,
    mode,
    fpsOf: (id) => videos.get(id)!.fps,
  });
  const times = hits.map((hit) => hit.time);
  const rawScores = raw && sameTimes(raw, times) ? raw.map((frame) => dot(vector, frame.vector)) : undefined;
  const threshold = relevanceFloor(fusion.hits.map((hit) => hit.score), { minScore: settings.minScore });
  const speech = fusion.lines.get(videoId) ?? [];
  return {
    videoId,
    times,
    scores: hits.map((hit) => hit.score),
    ...(video.shots ? { shots: video.shots } : {}),
    ...(rawScores ? { rawScores } : {}),
    ...(Number.isFinite(threshold) ? { threshold } : {}),
    speechScores: times.map((time) => speechScoreAt(speech, time)),
    speech,
  };
}

/** Raw embeddings kept apart from the index may be from an earlier indexing run; plotted against other times they would lie. */
function sameTimes(raw: readonly FrameVector[], times: readonly number[]): boolean {
  return raw.length === times.length && raw.every((frame, i) => frame.time === times[i]);
}
