import sharp from 'sharp';
import { DEFAULT_SMOOTHING, smoothFrames } from '../../lib/core/smoothing';
import type { FrameVector } from '../../lib/core/types';
import type { Embedder } from '../../lib/embedder/embedder';

/**
 * Smoothed frame embeddings, one per second, of a video made of solid-colour segments (`[colour, seconds]`), embedded
 * by `embedder` (the fixture model): what the pipeline stores for such a video, without decoding one.
 */
export async function colourFrames(embedder: Embedder, segments: [string, number][]): Promise<FrameVector[]> {
  const frames: FrameVector[] = [];
  const { width, height } = embedder.imageSize;
  for (const [colour, seconds] of segments) {
    const { data } = await sharp({ create: { width, height, channels: 3, background: colour } }).raw().toBuffer({ resolveWithObject: true });
    const [vector] = await embedder.embedImages([{ width, height, data: new Uint8Array(data) }]);
    for (let i = 0; i < seconds; i++) frames.push({ time: frames.length, vector });
  }
  return smoothFrames(frames, DEFAULT_SMOOTHING);
}
