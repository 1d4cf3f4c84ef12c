import sharp from 'sharp';
import type { Embedder } from '../../lib/embedder/embedder';

/** The embedder's vector of a solid 32×32 frame of a colour (a CSS name or #rgb), as a decoded video frame reaches it. */
export async function colourVector(embedder: Embedder, colour: string): Promise<Float32Array> {
  const { data, info } = await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } }).raw().toBuffer({ resolveWithObject: true });
  const [vector] = await embedder.embedImages([{ width: info.width, height: info.height, data: new Uint8Array(data) }]);
  return vector;
}

/** A solid PNG of a colour, as a query image is uploaded. */
export function colourPng(colour: string, size = 16): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } }).png().toBuffer();
}
