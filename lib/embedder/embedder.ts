import type { RgbImage } from '../core/types';

/**
 * Turns text and images into unit-length vectors in one shared space.
 * Implemented in process with transformers.js (local mode, the container) and by the SageMaker endpoint (AWS).
 */
export interface Embedder {
  /** Model id or directory the vectors come from; an index only accepts queries from the same model. */
  readonly model: string;
  /** Embedding dimension. */
  readonly dim: number;
  /** The image size the vision model takes; decoders produce frames at exactly this size. */
  readonly imageSize: { width: number; height: number };
  /** How a frame of another shape is brought to `imageSize`: scale to cover then centre-crop (CLIP), or stretch (SigLIP). */
  readonly imageFit: 'cover' | 'fill';
  /** Images per model call; callers feed frames in batches of this size. */
  readonly batchSize: number;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  embedImages(images: RgbImage[]): Promise<Float32Array[]>;
}
