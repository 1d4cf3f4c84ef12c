import type { FrameVector } from '../core/types';

/**
 * A video's raw (unsmoothed) frame embeddings, kept beside the index so a video can be re-smoothed without
 * re-embedding, and so the score-over-time chart can show raw and smoothed scores. Local mode: files in the data
 * directory; AWS: the embedding jobs' outputs in S3.
 */
export interface RawEmbeddings {
  get(videoId: string): Promise<FrameVector[] | undefined>;
}
