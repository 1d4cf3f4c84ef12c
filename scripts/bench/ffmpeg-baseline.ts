import { spawn } from 'node:child_process';
import { fitFilter } from '../../lib/embedder/image-geometry';

/** Frames sampled at 1 fps and fitted to 224×224 by scale-to-cover and centre crop: what CLIP models take. */
export const SAMPLE = { fps: 1, size: 224 } as const;

/**
 * The baseline every decode comparison uses: ffmpeg alone producing the frames our decoder produces (same sampling,
 * same cover fit as lib/decoder/frames.ts, same threads, raw RGB to a pipe), without our timestamp logging or
 * anything reading the frames. Returns the number of frames it wrote, so a case can check both sides made the same.
 */
export function ffmpegDecode(file: string, threads: number): Promise<number> {
  const { fps, size } = SAMPLE;
  const filters = `fps=${fps}:round=up,${fitFilter({ width: size, height: size, fit: 'cover' })}`;
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', String(threads), '-i', file],
    ...['-map', '0:V:0', '-vf', filters, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(bytes / (size * size * 3)) : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
