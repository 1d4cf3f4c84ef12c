import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { uniform } from '../../scripts/bench/random';

const run = promisify(execFile);

/**
 * A wide PNG whose centre square (`height` × `height`, what a CLIP centre crop keeps) is one colour and whose sides
 * (what the crop cuts) another. Colours as sharp reads them (#rrggbb or CSS names).
 */
export function centreAndSidesPng(centre: string, sides: string, width = 320, height = 180): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: sides } })
    .composite([{ input: { create: { width: height, height, channels: 3, background: centre } }, left: (width - height) / 2, top: 0 }])
    .png()
    .toBuffer();
}

/**
 * A 320×180 PNG of seeded noise, each channel in [128, 255]: its mean colour lies between the fixture's gray and
 * white, where the fixture model's embedding is most sensitive to the pixels, so any difference in scaling shows.
 */
export function noisePng(seed: number, width = 320, height = 180): Promise<Buffer> {
  const next = uniform(seed);
  const data = Uint8Array.from({ length: width * height * 3 }, () => 128 + Math.floor(next() * 128));
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Writes a one-second, 1 fps Matroska video of a PNG, losslessly (PNG frames in RGB): its frame is the picture. */
export async function losslessVideoOf(png: string, file: string): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-loop', '1', '-i', png],
    ...['-t', '1', '-r', '1', '-c:v', 'png', '-pix_fmt', 'rgb24', file],
  ]);
}
