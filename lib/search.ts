import type { Clip, Hit, SearchFilters, VideoRecord } from './core/types';
import { clusterHits, defaultTimeOffset, relevanceFloor, type TimeOffset } from './core/clustering';
import { growClips, growthWindows } from './core/clip-growth';
import { DEFAULT_SPEECH_WEIGHT, explainClip, fuseSpeech, type MatchSide, type SearchMode, type TranscriptLine } from './core/speech-fusion';
import { QueryRejectedError, type Query, type QueryEncoder } from './query-encoder';
import type { Catalog } from './store/catalog';
import type { ActiveRuns, FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';
import type { TranscriptIndex } from './store/transcripts';

/** `timeOffset` has no fixed default: it follows each video's sampling (`defaultTimeOffset`, clustering.ts). */
export const SEARCH_DEFAULTS = { k: 100, size: 20 } as const;

export interface SearchRequest extends Query {
  filters?: SearchFilters;
  /** Frames fetched by k-NN before clustering. */
  k?: number;
  /** Clips returned. */
  size?: number;
  /** Largest gap in seconds inside a clip, for every video; default: two sampling intervals of each video. */
  timeOffset?: number;
  minScore?: number;
  /** How far below the best score a hit may be and still join a clip; 'auto' adapts to the query's scores. */
  relevanceMargin?: number | 'auto';
  /** How much what is said counts beside what is seen (speech-fusion.ts, w ≥ 0; 0 = frames only). */
  speechWeight?: number;
  /** Score frames and speech (default), or one side only. */
  mode?: SearchMode;
}

/** A clip with the catalog entry of its video. */
export interface ClipResult extends Clip {
  video: VideoRecord;
  /** Why it matched: by its frames, by what is said in it, or both (speech-fusion.ts, rule 6). */
  matchedBy: MatchSide[];
  /** The transcript lines that matched within the clip, in time order. */
  transcript: TranscriptLine[];
}

export interface SearchDeps {
  encoder: QueryEncoder;
  catalog: Catalog;
  frames: FrameIndex;
  /** What is said in the videos; without it a search scores frames only. */
  transcripts?: TranscriptIndex;
}

/**
 * Embeds the query while it checks that the index holds the encoder's model, runs one filtered k-NN search (each
 * video kept to its active run: the catalog's) and, for text, one filtered full-text search of the transcripts beside
 * it, fuses the two on each video's time line (speech-fusion.ts), turns the fused hits into ranked clips
 * (clustering.ts) and grows the returned clips over their videos' neighbouring frames (clip-growth.ts: one read per
 * video of the result, all at once). So the frame index is asked three times in a row at most, the first beside the
 * query's embedding. Hits of a
 * video the catalog no longer knows (removed while its frames are still being deleted) are left out.
 */
export async function searchClips(request: SearchRequest, deps: SearchDeps): Promise<ClipResult[]> {
  const { encoder, catalog, frames } = deps;
  const mode = request.mode ?? 'both';
  if (mode === 'speech' && !request.text) throw new QueryRejectedError('a speech-only search needs text');
  const [, vector, activeRuns] = await Promise.all([
    mode === 'speech' ? undefined : assertIndexAccepts(frames, encoder),
    mode === 'speech' ? undefined : encoder.encode(request),
    catalog.activeRuns(),
  ]);
  const k = request.k ?? SEARCH_DEFAULTS.k;
  const [found, spoken] = await Promise.all([
    vector ? frames.search({ vector, k, filters: request.filters, activeRuns }) : [],
    searchSpeech(request, mode, deps.transcripts, activeRuns),
  ]);
  const videos = await catalog.getMany([...new Set([...found, ...spoken].map((hit) => hit.videoId))]);
  const fusion = fuseSpeech(
    found.filter((hit) => videos.has(hit.videoId)),
    spoken.filter((hit) => videos.has(hit.videoId)),
    { weight: request.speechWeight ?? DEFAULT_SPEECH_WEIGHT, mode, fpsOf: (videoId) => videos.get(videoId)!.fps },
  );
  const hits = fusion.hits;

  const floor = relevanceFloor(hits.map((hit) => hit.score), request);
  const timeOffset: TimeOffset = request.timeOffset ?? ((videoId) => defaultTimeOffset(videos.get(videoId)!.fps));
  const size = request.size ?? SEARCH_DEFAULTS.size;
  const clips = clusterHits(hits, { timeOffset, floor, size });
  const neighbours = new Map<string, Hit[]>();
  await Promise.all(
    [...(vector ? growthWindows(clips) : [])].map(async ([videoId, windows]) =>
      neighbours.set(videoId, await frames.scoreFrames(vector!, videoId, windows, videos.get(videoId)!.runId)),
    ),
  );
  return growClips(clips, neighbours, { floor, timeOffset, size }).map((clip) => ({
    ...clip,
    ...explainClip(clip, fusion, [...found, ...(neighbours.get(clip.videoId) ?? [])], floor),
    video: videos.get(clip.videoId)!,
  }));
}

/** The transcript segments matching the query's text, where the search reads speech at all. */
export async function searchSpeech(request: SearchRequest, mode: SearchMode, transcripts: TranscriptIndex | undefined, activeRuns: ActiveRuns) {
  if (!transcripts || !request.text || mode === 'visual' || request.speechWeight === 0) return [];
  return transcripts.search({ text: request.text, k: request.k ?? SEARCH_DEFAULTS.k, filters: request.filters, activeRuns });
}
