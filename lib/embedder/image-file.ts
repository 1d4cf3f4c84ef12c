import sharp from 'sharp';
import type { RgbImage } from '../core/types';
import { NotAnImageError } from '../query-encoder';

const FORMATS = new Set(['jpeg', 'png', 'webp']);


/** Decodes a JPEG, PNG or WebP query image to packed RGB, upright (EXIF orientation applied), alpha dropped. */
export async function readImage(bytes: Uint8Array): Promise<RgbImage> {
  const format = await sharp(bytes)
    .metadata()
    .then((m) => m.format, () => undefined);
  if (!format || !FORMATS.has(format)) {
    throw new NotAnImageError(`Not an image: expected JPEG, PNG or WebP bytes${format ? `, got ${format}` : ''}.`);
  }
  const { data, info } = await sharp(bytes)
    .autoOrient()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
