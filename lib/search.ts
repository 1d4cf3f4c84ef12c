import type { Clip, SearchFilters } from './core/types';
import { clusterHits, DEFAULT_TIME_OFFSET } from './core/clustering';
import { DEFAULT_IMAGE_WEIGHT, fuseQuery } from './core/query';
import type { Embedder } from './embedder/embedder';
import { readImage } from './embedder/image-file';
import type { Catalog } from './store/catalog';
import type { FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';

export const SEARCH_DEFAULTS = { k: 100, size: 20, timeOffset: DEFAULT_TIME_OFFSET, imageWeight: DEFAULT_IMAGE_WEIGHT } as const;

export interface SearchRequest {
  text?: string;
  /** Encoded JPEG, PNG or WebP bytes. */
  image?: Uint8Array;
  imageWeight?: number;
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

export interface ClipResult extends Clip {
  title: string;
  category?: string;
  tags: string[];
}

export interface SearchDeps {
  embedder: Embedder;
  catalog: Catalog;
  frames: FrameIndex;
}

/** Embeds the query, runs one filtered k-NN search and turns the hits into ranked clips. */
export async function searchClips(request: SearchRequest, deps: SearchDeps): Promise<ClipResult[]> {
  const { embedder, catalog, frames } = deps;
  const vector = await embedQuery(request, embedder);
  await assertIndexAccepts(frames, embedder);
  const hits = await frames.search({ vector, k: request.k ?? SEARCH_DEFAULTS.k, filters: request.filters });
  const clips = clusterHits(hits, {
    timeOffset: request.timeOffset ?? SEARCH_DEFAULTS.timeOffset,
    minScore: request.minScore,
    relevanceMargin: request.relevanceMargin,
    size: request.size ?? SEARCH_DEFAULTS.size,
  });

  const videos = new Map((await catalog.list()).map((video) => [video.id, video]));
  return clips.map((clip) => {
    const video = videos.get(clip.videoId);
    return { ...clip, title: video?.title ?? clip.videoId, category: video?.category, tags: video?.tags ?? [] };
  });
}

/** The query's vector: text, image, or their weighted fusion. */
export async function embedQuery(
  request: Pick<SearchRequest, 'text' | 'image' | 'imageWeight'>,
  embedder: Embedder,
): Promise<Float32Array> {
  const [text] = request.text ? await embedder.embedTexts([request.text]) : [];
  const [image] = request.image ? await embedder.embedImages([await readImage(request.image)]) : [];
  return fuseQuery({ text, image, imageWeight: request.imageWeight ?? SEARCH_DEFAULTS.imageWeight });
}
