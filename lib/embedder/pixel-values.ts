import { type ImageProcessor, Tensor } from '@huggingface/transformers';
import type { RgbImage } from '../core/types';

/**
 * The vision model's `pixel_values` for frames that already have its input size — what the decoder delivers — built
 * with one lookup table per channel (rescale, then normalise) in the model's CHW layout. That is all the processor
 * would do to such a frame, at a tenth of the cost: its general path (2–3 ms a frame of main-thread JavaScript)
 * competes with ffmpeg for the CPU while indexing. Undefined for a frame of another size (the embedder fits those to
 * the input size first, see image-geometry.ts), padding, or a normalisation it does not know: then the processor runs.
 */
export function pixelValuesAtInputSize(
  processor: ImageProcessor,
  images: readonly RgbImage[],
  size: { width: number; height: number },
): Tensor | undefined {
  const { width, height } = size;
  if (processor.do_pad || images.some((image) => image.width !== width || image.height !== height)) return undefined;
  const tables = [0, 1, 2].map((channel) => channelTable(processor, channel));
  if (tables.some((table) => table === undefined)) return undefined;
  const plane = width * height;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach(({ data }, i) => {
    const base = i * 3 * plane;
    for (let c = 0; c < 3; c++) {
      const table = tables[c] as Float32Array;
      const target = base + c * plane;
      for (let p = 0; p < plane; p++) out[target + p] = table[data[p * 3 + c]];
    }
  });
  return new Tensor('float32', out, [images.length, 3, height, width]);
}

/** The 256 values a byte of `channel` becomes; undefined for a normalisation this fast path does not know. */
function channelTable(processor: ImageProcessor, channel: number): Float32Array | undefined {
  const scale = processor.do_rescale ? processor.rescale_factor : 1;
  const mean = processor.do_normalize ? processor.image_mean?.[channel] : 0;
  const std = processor.do_normalize ? processor.image_std?.[channel] : 1;
  if (typeof scale !== 'number' || typeof mean !== 'number' || typeof std !== 'number' || std === 0) return undefined;
  return Float32Array.from({ length: 256 }, (_, value) => (value * scale - mean) / std);
}
