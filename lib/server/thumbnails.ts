import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { VideoRecord } from '../core/types';

const run = promisify(execFile);

/** `/thumbnails/<videoId>/<ms>.jpg`: the URL path of a video's frame at a time, in whole milliseconds. */
export const THUMBNAIL_PATH = /^\/thumbnails\/([^/]+)\/(\d{1,9})\.jpg$/;

export function thumbnailPath(videoId: string, time: number): string {
  return `/thumbnails/${encodeURIComponent(videoId)}/${Math.round(time * 1000)}.jpg`;
}

/**
 * Small JPEGs of video frames, extracted by ffmpeg on first request into `<dir>/<videoId>/<ms>.jpg` and served from
 * there afterwards. A thumbnail older than its video's last (re-)indexing is extracted again, since the file may
 * have changed. Concurrent requests for one thumbnail share one extraction.
 */
export class ThumbnailCache {
  private readonly extracting = new Map<string, Promise<string | undefined>>();

  constructor(private readonly dir: string) {}

  /** The JPEG of `video`'s frame at `ms`, or undefined when the video has no frame there. */
  file(video: VideoRecord, ms: number): Promise<string | undefined> {
    if (ms >= video.durationSec * 1000) return Promise.resolve(undefined);
    const file = path.join(this.dir, encodeURIComponent(video.id), `${ms}.jpg`);
    let pending = this.extracting.get(file);
    if (!pending) {
      pending = this.fresh(file, video).finally(() => this.extracting.delete(file));
      this.extracting.set(file, pending);
    }
    return pending;
  }

  private async fresh(file: string, video: VideoRecord): Promise<string | undefined> {
    const cached = await stat(file).catch(() => undefined);
    if (cached && cached.mtimeMs >= Date.parse(video.updatedAt)) return file;
    return extractFrame(video.source, Number(path.basename(file, '.jpg')) / 1000, file);
  }
}

/** Writes the frame at `time` scaled to 320 px wide; undefined when ffmpeg finds no frame there (past the last one). */
async function extractFrame(source: string, time: number, file: string): Promise<string | undefined> {
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed: another process serving the same data dir never reads half a JPEG.
  const partial = `${file}.${randomBytes(6).toString('hex')}.jpg`;
  try {
    await run('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
      ...['-ss', String(time), '-i', source],
      ...['-frames:v', '1', '-vf', 'scale=320:-2', '-q:v', '5', '-update', '1', partial],
    ]);
    if (!(await stat(partial).catch(() => undefined))?.size) return undefined;
    await rename(partial, file);
    return file;
  } finally {
    await rm(partial, { force: true });
  }
}
