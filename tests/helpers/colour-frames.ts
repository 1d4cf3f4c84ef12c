import sharp from 'sharp';
import { DEFAULT_SMOOTHING, smoothFrames } from '../../lib/core/smoothing';
import type { FrameVector } from '../../lib/core/types';
import type { Embedder } from '../../lib/embedder/embedder';

/** The embedder's vector of a solid 32×32 frame of a colour (a CSS name or #rgb), as a decoded video frame reaches it. */
export async function colourVector(embedder: Embedder, colour: string): Promise<Float32Array> {
  const { data, info } = await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } }).raw().toBuffer({ resolveWithObject: true });
  const [vector] = await embedder.embedImages([{ width: info.width, height: info.height, data: new Uint8Array(data) }]);
  return vector;
}

/**
 * Smoothed frame embeddings, one per second, of a video made of solid-colour segments (`[colour, seconds]`): what the
 * pipeline stores for such a video, without decoding one.
 */
export async function colourFrames(embedder: Embedder, segments: [string, number][]): Promise<FrameVector[]> {
  const frames: FrameVector[] = [];
  for (const [colour, seconds] of segments) {
    const vector = await colourVector(embedder, colour);
    for (let i = 0; i < seconds; i++) frames.push({ time: frames.length, vector });
  }
  return smoothFrames(frames, DEFAULT_SMOOTHING);
}

/** A solid PNG of a colour, as a query image is uploaded. */
export function colourPng(colour: string, size = 16): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } }).png().toBuffer();
}
