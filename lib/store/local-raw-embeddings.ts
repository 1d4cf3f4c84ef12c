import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameVector } from '../core/types';
import { decodeFrameEmbeddings, encodeFrameEmbeddings, FRAME_EMBEDDINGS_EXTENSION, type FrameEmbeddingsHeader } from '../frame-embeddings-format';
import type { RawEmbeddings } from './raw-embeddings';

/** Raw embeddings of local mode: one frame-embeddings file per video in `<data>/embeddings/`. */
export class LocalRawEmbeddings implements RawEmbeddings {
  constructor(private readonly dir: string) {}

  async get(videoId: string): Promise<FrameVector[] | undefined> {
    const bytes = await readFile(this.file(videoId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return bytes && decodeFrameEmbeddings(bytes).frames;
  }

  /** Written to a temporary file and renamed, so a reader never sees half a file; a failed write leaves none. */
  async save(header: FrameEmbeddingsHeader, frames: readonly FrameVector[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(header.videoId);
    const partial = `${file}.${process.pid}.partial`;
    try {
      await writeFile(partial, encodeFrameEmbeddings(header, frames));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async remove(videoId: string): Promise<void> {
    await rm(this.file(videoId), { force: true });
  }

  private file(videoId: string): string {
    return path.join(this.dir, encodeURIComponent(videoId) + FRAME_EMBEDDINGS_EXTENSION);
  }
}
