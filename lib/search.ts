import type { Clip, Hit, SearchFilters, VideoRecord } from './core/types';
import { clusterHits, defaultTimeOffset, relevanceFloor, type TimeOffset } from './core/clustering';
import { growClips, growthWindows } from './core/clip-growth';
import type { Query, QueryEncoder } from './query-encoder';
import type { Catalog } from './store/catalog';
import type { FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';

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
}

/** A clip with the catalog entry of its video. */
export interface ClipResult extends Clip {
  video: VideoRecord;
}

export interface SearchDeps {
  encoder: QueryEncoder;
  catalog: Catalog;
  frames: FrameIndex;
}

/**
 * Embeds the query while it checks that the index holds the encoder's model, runs one filtered k-NN search (each
 * video kept to its active run: the catalog's), turns the hits into ranked clips (clustering.ts) and grows the
 * returned clips over their videos' neighbouring frames (clip-growth.ts: one read per video of the result, all at
 * once). So the frame index is asked three times in a row at most, the first beside the query's embedding. Hits of a
 * video the catalog no longer knows (removed while its frames are still being deleted) are left out.
 */
export async function searchClips(request: SearchRequest, deps: SearchDeps): Promise<ClipResult[]> {
  const { encoder, catalog, frames } = deps;
  const [, vector, activeRuns] = await Promise.all([
    assertIndexAccepts(frames, encoder),
    encoder.encode(request),
    catalog.activeRuns(),
  ]);
  const found = await frames.search({ vector, k: request.k ?? SEARCH_DEFAULTS.k, filters: request.filters, activeRuns });
  const videos = await catalog.getMany([...new Set(found.map((hit) => hit.videoId))]);
  const hits = found.filter((hit) => videos.has(hit.videoId));

  const floor = relevanceFloor(hits.map((hit) => hit.score), request);
  const timeOffset: TimeOffset = request.timeOffset ?? ((videoId) => defaultTimeOffset(videos.get(videoId)!.fps));
  const size = request.size ?? SEARCH_DEFAULTS.size;
  const clips = clusterHits(hits, { timeOffset, floor, size });
  const neighbours = new Map<string, Hit[]>();
  await Promise.all(
    [...growthWindows(clips)].map(async ([videoId, windows]) =>
      neighbours.set(videoId, await frames.scoreFrames(vector, videoId, windows, videos.get(videoId)!.runId)),
    ),
  );
  return growClips(clips, neighbours, { floor, timeOffset, size }).map((clip) => ({ ...clip, video: videos.get(clip.videoId)! }));
}
