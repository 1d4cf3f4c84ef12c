import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameVector, VideoRecord } from '../core/types';
import {
  decodeFrameEmbeddings,
  encodeFrameEmbeddings,
  FRAME_EMBEDDINGS_EXTENSION,
  readFrameEmbeddingsHeader,
  type FrameEmbeddings,
  type FrameEmbeddingsHeader,
} from '../frame-embeddings-format';
import type { RawEmbeddings } from './raw-embeddings';

const RECORD_EXTENSION = '.video.json';

/**
 * Raw embeddings of local mode: one frame-embeddings file per video in `<data>/embeddings/`, and beside it the video's
 * catalog record as it was indexed (`<id>.video.json`: title, category, tags, source, smoothing), so that a damaged
 * catalog can be rebuilt as it was. Both are the source of truth `vsearch repair` rebuilds the store from.
 */
export class LocalRawEmbeddings implements RawEmbeddings {
  constructor(private readonly dir: string) {}

  async get(videoId: string): Promise<FrameVector[] | undefined> {
    return (await this.read(videoId))?.frames;
  }

  /** The whole file, header included; undefined when there is none. Throws FrameEmbeddingsFormatError when damaged. */
  async read(videoId: string): Promise<FrameEmbeddings | undefined> {
    const bytes = await ifExists(readFile(this.file(videoId)));
    return bytes && decodeFrameEmbeddings(bytes);
  }

  /** The header and frame count alone (a few hundred bytes read); undefined when there is no file. */
  async header(videoId: string): Promise<{ header: FrameEmbeddingsHeader; count: number } | undefined> {
    const handle = await ifExists(open(this.file(videoId), 'r'));
    if (!handle) return undefined;
    try {
      return await readFrameEmbeddingsHeader(async (start, length) => {
        const bytes = Buffer.alloc(length);
        const { bytesRead } = await handle.read(bytes, 0, length, start);
        return bytes.subarray(0, bytesRead);
      });
    } finally {
      await handle.close();
    }
  }

  /** Ids of the videos that have raw embeddings, sorted. */
  async ids(): Promise<string[]> {
    const names = (await ifExists(readdir(this.dir))) ?? [];
    return names
      .filter((name) => name.endsWith(FRAME_EMBEDDINGS_EXTENSION))
      .map((name) => decodeURIComponent(name.slice(0, -FRAME_EMBEDDINGS_EXTENSION.length)))
      .sort();
  }

  /** Written to a temporary file and renamed, so a reader never sees half a file; a failed write leaves none. */
  async save(header: FrameEmbeddingsHeader, frames: readonly FrameVector[]): Promise<void> {
    await this.write(this.file(header.videoId), encodeFrameEmbeddings(header, frames));
  }

  /** The video's catalog record, kept for `vsearch repair` (written as `save` writes). */
  async saveRecord(video: VideoRecord): Promise<void> {
    await this.write(this.recordFile(video.id), JSON.stringify(video));
  }

  /** The record `saveRecord` kept; undefined when there is none (videos indexed before records were kept) or it is unreadable. */
  async record(videoId: string): Promise<VideoRecord | undefined> {
    const text = await ifExists(readFile(this.recordFile(videoId), 'utf8'));
    try {
      return text === undefined ? undefined : (JSON.parse(text) as VideoRecord);
    } catch {
      return undefined;
    }
  }

  async remove(videoId: string): Promise<void> {
    await rm(this.file(videoId), { force: true });
    await rm(this.recordFile(videoId), { force: true });
  }

  /** Written to a temporary file and renamed, so a reader never sees half a file; a failed write leaves none. */
  private async write(file: string, content: Buffer | string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    try {
      await writeFile(partial, content);
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  private file(videoId: string): string {
    return path.join(this.dir, encodeURIComponent(videoId) + FRAME_EMBEDDINGS_EXTENSION);
  }

  private recordFile(videoId: string): string {
    return path.join(this.dir, encodeURIComponent(videoId) + RECORD_EXTENSION);
  }
}

/** The promise's value, or undefined when it fails because the file or directory does not exist. */
async function ifExists<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
