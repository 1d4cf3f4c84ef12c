import type { FrameIndex } from './frame-index';
import { IndexMismatchError } from './errors';

/** Refuses to mix models in one index: vectors of different models are not comparable even at equal dimension. */
export async function assertIndexAccepts(frames: FrameIndex, embedding: { model: string; dim: number }): Promise<void> {
  const stored = await frames.embedding();
  if (stored && (stored.model !== embedding.model || stored.dim !== embedding.dim)) {
    throw new IndexMismatchError(
      `this index holds ${stored.model} (${stored.dim}-d) embeddings, not ${embedding.model} (${embedding.dim}-d): ` +
        'use the same --model, or another --data directory',
    );
  }
}
