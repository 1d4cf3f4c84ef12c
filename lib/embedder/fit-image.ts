import { spawn } from 'node:child_process';
import type { RgbImage } from '../core/types';
import { fitFilter, type ImageGeometry } from './image-geometry';

/**
 * A decoded picture (a query image) brought to the model's geometry by one ffmpeg run, raw RGB in and out, through
 * the filter the decoder fits video frames with: the model sees what it would see in a video frame of the same
 * picture, pixel for pixel.
 */
export function fitImage(image: RgbImage, geometry: ImageGeometry): Promise<RgbImage> {
  const { width, height } = geometry;
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${image.width}x${image.height}`, '-i', 'pipe:0'],
    ...['-vf', fitFilter(geometry), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => {}); // ffmpeg stopped reading: its exit code and stderr say why
    child.on('error', reject);
    child.on('close', (code) => {
      const data = Buffer.concat(out);
      if (code === 0 && data.length === width * height * 3) {
        resolve({ width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
        return;
      }
      const reason = stderr.trim().split('\n').pop() || `ffmpeg exited with code ${code}, ${data.length} bytes out`;
      reject(new Error(`Could not fit a ${image.width}x${image.height} image to ${width}x${height}: ${reason}`));
    });
    child.stdin.end(image.data);
  });
}
