import { existsSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import './lance-env';
import { connect } from '@lancedb/lancedb';
import type { Catalog } from './catalog';
import { asDataDirError } from './errors';
import type { FrameIndex } from './frame-index';
import { LanceCatalog } from './lance-catalog';
import { LanceFrameIndex } from './lance-frame-index';
import { LocalRawEmbeddings } from './local-raw-embeddings';
import { LanceTranscripts } from './lance-transcripts';
import type { TranscriptIndex } from './transcripts';

export interface LocalStore {
  catalog: Catalog;
  frames: FrameIndex;
  transcripts: TranscriptIndex;
  raw: LocalRawEmbeddings;
  /** A folder of the data directory (created if missing) for files kept beside the index: the demo's videos, say. */
  folder(name: string): Promise<string>;
  /** Builds the frames' vector index if due: after writes made with `deferVectorIndex` (LanceFrameIndex). */
  updateVectorIndex(): Promise<void>;
  /** Releases the LanceDB handles; everything written is already on disk. */
  close(): void;
}

/**
 * The local-mode store: a LanceDB database in `dataDir` (created if missing) with a `videos` table (the catalog) and
 * a `frames` table (the vectors), a `transcripts` table (what is said, full-text indexed), plus the raw frame embeddings of every video in `embeddings/`. Several stores may be open on one directory in one process (the CLI and the
 * server, say): each read checks for the latest committed version, so a store sees what another one wrote, and
 * every write is a single atomic Lance commit.
 * A directory that is full, read-only or not ours fails opening or any call with one DataDirError naming it.
 */
export async function openLocalStore(dataDir: string, options: { deferVectorIndex?: boolean } = {}): Promise<LocalStore> {
  const dir = path.resolve(dataDir);
  return guarded(dir, async () => {
    await makeDir(dir);
    // 0 = strong consistency: without it a store keeps reading the version it first saw and misses others' writes.
    const db = await connect(dir, { readConsistencyInterval: 0 });
    const catalog = await LanceCatalog.open(db);
    const frames = new LanceFrameIndex(db, catalog, options);
    const transcripts = new LanceTranscripts(db, catalog);
    return {
      catalog: naming(dir, catalog),
      frames: naming(dir, frames),
      transcripts: naming(dir, transcripts),
      raw: naming(dir, localRawEmbeddings(dir)),
      updateVectorIndex: () => guarded(dir, () => frames.updateVectorIndex()),
      folder: (name) =>
        guarded(dir, async () => {
          const folder = path.join(dir, name);
          await makeDir(folder);
          return folder;
        }),
      close() {
        frames.close();
        transcripts.close();
        catalog.close();
        db.close();
      },
    };
  });
}

async function makeDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch(async (error: NodeJS.ErrnoException) => {
    // Node words a recursive mkdir under a read-only parent as ENOENT; the nearest existing parent tells why.
    if (error.code === 'ENOENT') {
      let parent = path.dirname(dir);
      while (!existsSync(parent)) parent = path.dirname(parent);
      await access(parent, constants.W_OK);
    }
    throw error;
  });
}

/** `port` with every method's file-system failures that mean the directory is unusable turned into DataDirError. */
function naming<T extends object>(dir: string, port: T): T {
  return new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (...args: unknown[]) => guarded(dir, () => value.apply(target, args)) : value;
    },
  });
}

function guarded<R>(dir: string, run: () => R): R {
  const rethrow = (error: unknown): never => {
    throw asDataDirError(dir, error) ?? error;
  };
  try {
    const result = run();
    return (result instanceof Promise ? result.catch(rethrow) : result) as R;
  } catch (error) {
    return rethrow(error);
  }
}

/** The raw embeddings of the data directory `dataDir`, on their own (they need no database). */
export function localRawEmbeddings(dataDir: string): LocalRawEmbeddings {
  return new LocalRawEmbeddings(path.join(path.resolve(dataDir), 'embeddings'));
}
