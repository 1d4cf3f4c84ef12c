import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import '../../lib/store/lance-env';
import { connect, type Table } from '@lancedb/lancedb';
import { FixedSizeList, Float32, makeData, makeVector, type Schema, Table as ArrowTable, Utf8, vectorFromArray } from 'apache-arrow';
import type { FrameVector, VideoRecord } from '../../lib/core/types';
import { maintainVectorIndex } from '../../lib/store/lance-vector-index';
import { openLocalStore } from '../../lib/store/open-local-store';
import { frameKey, scoreRows, TopK } from './exact-top';
import { uniform } from './random';
import { perturbed, videoVectors } from './video-vectors';

/**
 * Local-search datasets: frame vectors with the structure of video embeddings (video-vectors.ts), written to a local
 * store the way `vsearch` lays it out, with queries and their exact nearest frames. Queries are stored frames
 * perturbed (cosine about 0.95 to their source), each with a random video (seldom its own) for the filtered searches.
 *
 * Building one (generation, bulk writes, the store's own IVF build at ≥ 50k rows) takes minutes at 1M frames, so a
 * built dataset is kept in the bench cache and reused; `queries.json` is written last and marks it complete.
 */

export interface SearchDatasetSpec {
  frames: number;
  dim: number;
  queries: number;
  /** How many of the queries (the first ones) get their exact nearest frames over the whole dataset. */
  exactQueries: number;
}

export interface SearchQuery {
  vector: Float32Array;
  filterVideo: string;
  /** Exact nearest frames (keys of frameKey), best first: over the whole dataset (the first queries only)… */
  exact?: string[];
  /** …and within `filterVideo`. */
  exactInFilter: string[];
}

export interface SearchDataset {
  dir: string;
  videos: number;
  queries: SearchQuery[];
}

/** Depth of the exact answers: recall is measured at 20. */
export const RECALL_AT = 20;
/** Change when the generator or the store's table layout changes: cached datasets of another version are rebuilt. */
const GENERATOR_VERSION = 3;
/** Rows per bulk write: larger batches were slower to serialise and write here. */
const WRITE_BATCH_ROWS = 20_000;
const BENCH_MODEL = 'bench/random-unit-vectors';

interface Manifest {
  videos: number;
  queries: (Omit<SearchQuery, 'vector'> & { vector: string })[];
}

/** The dataset of `spec` from the cache, built first when missing. */
export async function searchDataset(
  tmpDir: string,
  spec: SearchDatasetSpec,
  log: (message: string) => void,
): Promise<SearchDataset> {
  const { frames, dim, queries, exactQueries } = spec;
  const dir = path.join(tmpDir, 'search', `v${GENERATOR_VERSION}-${frames}x${dim}-q${queries}-e${exactQueries}`);
  const manifestFile = path.join(dir, 'queries.json');
  if (!existsSync(manifestFile)) {
    await rm(dir, { recursive: true, force: true });
    const started = performance.now();
    const manifest = await buildDataset(dir, spec, log);
    await writeFile(manifestFile, JSON.stringify(manifest));
    log(`built ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
  return { dir, videos: manifest.videos, queries: manifest.queries.map((q) => ({ ...q, vector: fromBase64(q.vector) })) };
}

async function buildDataset(dir: string, spec: SearchDatasetSpec, log: (message: string) => void): Promise<Manifest> {
  const { frames: total, dim } = spec;
  const pick = uniform(total + dim);
  // Video lengths first: then any video can be generated on its own, from its own seed.
  const lengths: number[] = [];
  for (let sum = 0; sum < total; sum += lengths[lengths.length - 1]) lengths.push(Math.min(total - sum, 300 + Math.floor(pick() * 1400)));
  const seedOf = (video: number) => total * 1009 + dim * 31 + video;
  const queries = Array.from({ length: spec.queries }, (_, q) => {
    const video = Math.floor(pick() * lengths.length);
    const frame = Math.floor(pick() * lengths[video]);
    const source = videoVectors(seedOf(video), dim, lengths[video]).subarray(frame * dim, (frame + 1) * dim);
    return { vector: perturbed(source, seedOf(-1 - q)), filterVideo: Math.floor(pick() * lengths.length) };
  });
  const exactVectors = queries.slice(0, spec.exactQueries).map((q) => q.vector);
  const exact = exactVectors.map(() => new TopK(RECALL_AT));
  const inFilter = queries.map(() => new TopK(RECALL_AT));

  const store = await openLocalStore(dir);
  let table: Table | undefined;
  let pending: { id: string; vectors: Float32Array }[] = [];
  let pendingRows = 0;
  let written = 0;
  for (let video = 0; video < lengths.length; video++) {
    const id = videoId(video);
    const vectors = videoVectors(seedOf(video), dim, lengths[video]);
    const keyOf = (row: number) => frameKey(id, row);
    scoreRows(vectors, dim, exactVectors, exact, keyOf);
    queries.forEach((q, i) => {
      if (q.filterVideo === video) scoreRows(vectors, dim, [q.vector], [inFilter[i]], keyOf);
    });
    written += lengths[video];
    if (!table) {
      // The first video goes through the store itself, which creates the frames table with its own schema.
      await store.frames.replaceFrames(record(id, dim, lengths[video]), frameVectors(vectors, dim));
      table = await (await connect(dir)).openTable('frames');
      continue;
    }
    pending.push({ id, vectors });
    pendingRows += lengths[video];
    if (pendingRows >= WRITE_BATCH_ROWS || written === total) {
      await table.add(arrowRows(await table.schema(), pending, dim));
      pending = [];
      pendingRows = 0;
      log(`wrote ${written} of ${total} frames`);
    }
  }
  store.close();
  if (table) {
    const started = performance.now();
    await maintainVectorIndex(table);
    log(`the store's vector index maintenance (IVF_FLAT at ≥ 50k rows) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    table.close();
  }
  return {
    videos: lengths.length,
    queries: queries.map((q, i) => ({
      vector: toBase64(q.vector),
      filterVideo: videoId(q.filterVideo),
      ...(i < exact.length ? { exact: exact[i].best() } : {}),
      exactInFilter: inFilter[i].best(),
    })),
  };
}

function videoId(index: number): string {
  return `video-${String(index).padStart(6, '0')}`;
}

function record(id: string, dim: number, frames: number): VideoRecord {
  const now = new Date().toISOString();
  return { id, title: id, source: id, tags: ['bench'], durationSec: frames, fps: 1, model: BENCH_MODEL, dim, frames, status: 'READY', createdAt: now, updatedAt: now };
}

/** One frame per second: frame i at i s. */
function frameVectors(vectors: Float32Array, dim: number): FrameVector[] {
  return Array.from({ length: vectors.length / dim }, (_, i) => ({ time: i, vector: vectors.subarray(i * dim, (i + 1) * dim) }));
}

/** Rows of the store's frames table, built column by column (a row object per frame is far slower at 1M frames). */
function arrowRows(schema: Schema, videos: { id: string; vectors: Float32Array }[], dim: number): ArrowTable {
  const rows = videos.reduce((sum, v) => sum + v.vectors.length / dim, 0);
  const ids = videos.flatMap((v) => new Array<string>(v.vectors.length / dim).fill(v.id));
  const vectors = new Float32Array(rows * dim);
  const times = new Float64Array(rows);
  let row = 0;
  for (const video of videos) {
    vectors.set(video.vectors, row * dim);
    const count = video.vectors.length / dim;
    for (let i = 0; i < count; i++) times[row + i] = i;
    row += count;
  }
  const field = (name: string) => {
    const found = schema.fields.find((f) => f.name === name);
    if (!found) throw new Error(`the frames table has no ${name} column: update the bench's writer`);
    return found.type;
  };
  const child = makeData({ type: new Float32(), length: rows * dim, data: vectors });
  const columns = {
    video_id: vectorFromArray(ids, new Utf8()),
    run_id: vectorFromArray(ids, new Utf8()),
    time: makeVector(times),
    vector: makeVector(makeData({ type: field('vector') as FixedSizeList, length: rows, nullCount: 0, child })),
    model: vectorFromArray(new Array<string>(rows).fill(BENCH_MODEL), new Utf8()),
    category: vectorFromArray(new Array<null>(rows).fill(null), new Utf8()),
    tags: vectorFromArray(new Array<string[]>(rows).fill(['bench']), field('tags')),
  };
  const missing = schema.fields.find((f) => !(f.name in columns));
  if (missing) throw new Error(`the frames table has a ${missing.name} column the bench does not fill: update its writer`);
  return new ArrowTable(columns);
}

function toBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
