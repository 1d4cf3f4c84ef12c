import type { RgbImage } from '../core/types';
import type { ImageGeometry } from './image-geometry';

/**
 * Turns text and images into unit-length vectors in one shared space.
 * Implemented in process with transformers.js (local mode, the container) and by the SageMaker endpoint (AWS).
 */
export interface Embedder {
  /** Model id or directory the vectors come from; an index only accepts queries from the same model. */
  readonly model: string;
  /** Embedding dimension. */
  readonly dim: number;
  /**
   * The picture the vision model takes, from its preprocessor config: size, and how a picture of another shape is
   * brought to it (scale to cover then centre-crop for CLIP, stretch for SigLIP). Decoders produce frames in it.
   */
  readonly geometry: ImageGeometry;
  /** Images per model call; callers feed frames in batches of this size. */
  readonly batchSize: number;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  /**
   * Images of any size. One that is not at the input size is first fitted to `geometry` exactly as the decoder fits
   * video frames (image-geometry.ts), so a picture embeds as a video frame showing it does.
   */
  embedImages(images: RgbImage[]): Promise<Float32Array[]>;
}
