import type { Clip, SearchFilters, VideoRecord } from './core/types';
import { clusterHits, DEFAULT_TIME_OFFSET } from './core/clustering';
import type { Query, QueryEncoder } from './query-encoder';
import type { Catalog } from './store/catalog';
import type { FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';

export const SEARCH_DEFAULTS = { k: 100, size: 20, timeOffset: DEFAULT_TIME_OFFSET } as const;

export interface SearchRequest extends Query {
  filters?: SearchFilters;
  /** Frames fetched by k-NN before clustering. */
  k?: number;
  /** Clips returned. */
  size?: number;
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
 * Embeds the query, runs one filtered k-NN search and turns the hits into ranked clips. Clips of a video the catalog
 * no longer knows (removed while its frames are still being deleted) are left out.
 */
export async function searchClips(request: SearchRequest, deps: SearchDeps): Promise<ClipResult[]> {
  const { encoder, catalog, frames } = deps;
  await assertIndexAccepts(frames, encoder);
  const vector = await encoder.encode(request);
  const hits = await frames.search({ vector, k: request.k ?? SEARCH_DEFAULTS.k, filters: request.filters });
  const clips = clusterHits(hits, {
    timeOffset: request.timeOffset ?? SEARCH_DEFAULTS.timeOffset,
    minScore: request.minScore,
    relevanceMargin: request.relevanceMargin,
    size: request.size ?? SEARCH_DEFAULTS.size,
  });

  const ids = [...new Set(clips.map((clip) => clip.videoId))];
  const videos = new Map((await Promise.all(ids.map((id) => catalog.get(id)))).flatMap((v) => (v ? [[v.id, v]] : [])));
  return clips.flatMap((clip) => {
    const video = videos.get(clip.videoId);
    return video ? [{ ...clip, video }] : [];
  });
}
