import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import './lance-env';
import { connect } from '@lancedb/lancedb';
import type { Catalog } from './catalog';
import type { FrameIndex } from './frame-index';
import { LanceCatalog } from './lance-catalog';
import { LanceFrameIndex } from './lance-frame-index';
import { LocalRawEmbeddings } from './local-raw-embeddings';

export interface LocalStore {
  catalog: Catalog;
  frames: FrameIndex;
  raw: LocalRawEmbeddings;
  /** Builds the frames' vector index if due: after writes made with `deferVectorIndex` (LanceFrameIndex). */
  updateVectorIndex(): Promise<void>;
  /** Releases the LanceDB handles; everything written is already on disk. */
  close(): void;
}

/**
 * The local-mode store: a LanceDB database in `dataDir` (created if missing) with a `videos` table (the catalog) and
 * a `frames` table (the vectors), plus the raw frame embeddings of every video in `embeddings/`. Several stores may be open on one directory in one process (the CLI and the
 * server, say): each read checks for the latest committed version, so a store sees what another one wrote, and
 * every write is a single atomic Lance commit.
 */
export async function openLocalStore(dataDir: string, options: { deferVectorIndex?: boolean } = {}): Promise<LocalStore> {
  const dir = path.resolve(dataDir);
  await mkdir(dir, { recursive: true });
  // 0 = strong consistency: without it a store keeps reading the version it first saw and misses others' writes.
  const db = await connect(dir, { readConsistencyInterval: 0 });
  const catalog = await LanceCatalog.open(db);
  const frames = new LanceFrameIndex(db, catalog, options);
  return {
    catalog,
    frames,
    raw: localRawEmbeddings(dir),
    updateVectorIndex: () => frames.updateVectorIndex(),
    close() {
      frames.close();
      catalog.close();
      db.close();
    },
  };
}

/** The raw embeddings of the data directory `dataDir`, on their own (they need no database). */
export function localRawEmbeddings(dataDir: string): LocalRawEmbeddings {
  return new LocalRawEmbeddings(path.join(path.resolve(dataDir), 'embeddings'));
}
