import type { Chunk } from './sampling';
import type { FrameVector } from './types';

/**
 * A video embedded in time chunks (`planChunks`), put back together: each chunk's job decoded its range with a margin
 * on each side, so neighbouring chunks share the frames of their overlap. Every frame of the whole video is taken from
 * the chunk whose keep range [keepStart, keepEnd) holds its time, once; the margins' frames are dropped. The keep
 * ranges partition the video, so the result is each frame once, in time order, whatever the margins were, and
 * smoothing it with any kernel is smoothing the whole video.
 */

export interface EmbeddedChunk {
  /** The chunk's frames in time order, margins included. */
  frames: readonly FrameVector[];
  keep: Pick<Chunk, 'keepStart' | 'keepEnd'>;
}

/** The whole video's frames from its chunks (in time order, keep ranges meeting end to start). */
export function stitchChunks(chunks: readonly EmbeddedChunk[]): FrameVector[] {
  const frames: FrameVector[] = [];
  chunks.forEach(({ keep }, i) => {
    if (i > 0 && keep.keepStart !== chunks[i - 1].keep.keepEnd) {
      throw new Error(`chunk ${i} keeps from ${keep.keepStart} s, but chunk ${i - 1} keeps up to ${chunks[i - 1].keep.keepEnd} s`);
    }
  });
  for (const { frames: chunk, keep } of chunks) {
    for (const frame of chunk) if (frame.time >= keep.keepStart && frame.time < keep.keepEnd) frames.push(frame);
  }
  return frames;
}
