import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchVideo {
  width: number;
  height: number;
  fps: number;
  durationSec: number;
}

/** The video the indexing cases measure: 60 s of 720p at 30 fps (a few seconds of 240p in a smoke run). */
export function indexingVideo(smoke: boolean): BenchVideo {
  return smoke ? { width: 320, height: 240, fps: 10, durationSec: 3 } : { width: 1280, height: 720, fps: 30, durationSec: 60 };
}

/**
 * An H.264 MP4 of ffmpeg's moving test pattern, generated once into `<tmpDir>/videos` and reused by later runs (the
 * name holds every parameter). superfast/CRF 23 (CABAC, B-frames; about 5 Mbit/s at 720p and 10 at 1080p) makes a
 * stream that costs about what a real one of that size costs to decode, and encodes in seconds.
 */
export async function benchVideo(tmpDir: string, video: BenchVideo): Promise<string> {
  const { width, height, fps, durationSec } = video;
  const dir = path.join(tmpDir, 'videos');
  const file = path.join(dir, `testsrc2-${width}x${height}-${fps}fps-${durationSec}s.mp4`);
  if (await exists(file)) return file;
  await mkdir(dir, { recursive: true });
  // Written under another name and renamed when complete, so an interrupted run never leaves a truncated cache.
  const partial = `${file}.partial.mp4`;
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(durationSec)],
    ...['-c:v', 'libx264', '-preset', 'superfast', '-crf', '23', '-pix_fmt', 'yuv420p', partial],
  ]);
  await rename(partial, file);
  return file;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
