import { randomUUID } from 'node:crypto';
import { DataType, Field, FixedSizeList, Float32, Float64, List, Schema, Utf8 } from 'apache-arrow';
import type { Connection, Table } from '@lancedb/lancedb';
import type { FrameVector, Hit, TimeWindow, VideoRecord } from '../core/types';
import { dot } from '../core/vector';
import type { Catalog } from './catalog';
import { IndexMismatchError } from './errors';
import type { FrameIndex, FrameSearch, FrameSelection, StoredFrame } from './frame-index';
import { frameFilterClauses, videoClause } from './lance-frame-filter';
import { sqlNumber } from './lance-sql';
import { maintainVectorIndex, tuneVectorQuery } from './lance-vector-index';
import { assertIndexAccepts } from './model-guard';

/** The table's name: its directory in the data directory is `frames.lance`. */
export const FRAMES_TABLE = 'frames';
const MAX_K = 10_000;

/**
 * The frames table is written in Lance's legacy (0.1) file format, which every Lance release reads. Exact scans of
 * wide vectors read it several times faster than the default format (10k × 1152-d brute-force search: 12–14 ms
 * against 29–153 ms, by how the rows were written), and every search below ANN_MIN_ROWS is such a scan; the IVF
 * build over 1M × 512-d took 86 s against 125 s. The format is fixed when a table is created.
 */
const FRAMES_TABLE_STORAGE = { storageOptions: { new_table_data_storage_version: 'legacy' } };

/**
 * One row per stored frame. `run_id` is the replaceFrames call that wrote it, which is what makes a replacement one
 * commit (see `replaceFrames`). `model` records the embedding model, so the index knows its model without a side
 * table that could disagree with the rows; category and tags are copies of the video's, for filtering in the search.
 */
function framesSchema(dim: number): Schema {
  return new Schema([
    new Field('video_id', new Utf8(), false),
    new Field('run_id', new Utf8(), false),
    new Field('time', new Float64(), false),
    new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
    new Field('model', new Utf8(), false),
    new Field('category', new Utf8(), true),
    new Field('tags', new List(new Field('item', new Utf8(), true)), false),
  ]);
}

/** A search result row; LanceDB's `dot` distance is `1 - a·b`. */
interface ScoredRow {
  video_id: string;
  time: number;
  _distance: number;
}

function toHit(row: ScoredRow): Hit {
  return { videoId: row.video_id, time: row.time, score: 1 - row._distance };
}

async function vectorDim(table: Table): Promise<number> {
  const type = (await table.schema()).fields.find((field) => field.name === 'vector')?.type;
  if (!DataType.isFixedSizeList(type)) throw new Error(`frames table has no fixed-size vector column: ${String(type)}`);
  return type.listSize;
}

/** The frames of every video in one LanceDB table (the local-mode stand-in for OpenSearch). */
export class LanceFrameIndex implements FrameIndex {
  /** Opened on first use: the table exists only once frames were written, since its vector width comes from them. */
  private table: Table | undefined;

  constructor(
    private readonly db: Connection,
    private readonly catalog: Catalog,
    /**
     * `deferVectorIndex`: writes leave the vector index as it is, for many writes in a row (a rebuild), which then
     * call `updateVectorIndex` once: every build in between would be thrown away. Searches still see every row.
     */
    private readonly options: { deferVectorIndex?: boolean } = {},
  ) {}

  /**
   * All new rows go in with a fresh run id, and the video's rows of any other run are deleted, in ONE merge-insert,
   * i.e. one Lance commit: a search sees the old complete set or the new one, never a part and never both. A
   * retried call simply replaces again. Zero frames just removes the video's frames.
   */
  async replaceFrames(video: VideoRecord, frames: FrameVector[]): Promise<void> {
    if (frames.length === 0) return this.removeVideo(video.id);
    const odd = frames.find((frame) => frame.vector.length !== video.dim);
    if (odd) {
      throw new IndexMismatchError(
        `frame at ${odd.time}s of video ${video.id} has ${odd.vector.length} dimensions, but ${video.model} gives ${video.dim}`,
      );
    }
    await assertIndexAccepts(this, video);
    const table = await this.writableTable(video.dim);
    const runId = randomUUID();
    const rows = frames.map((frame) => ({
      video_id: video.id,
      run_id: runId,
      time: frame.time,
      vector: frame.vector,
      model: video.model,
      category: video.category ?? null,
      tags: video.tags,
    }));
    await table
      .mergeInsert('run_id')
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceDelete({ where: videoClause(video.id) })
      .execute(rows);
    if (!this.options.deferVectorIndex) await maintainVectorIndex(table);
  }

  /** Builds or rebuilds the vector index if the table's size calls for it (see maintainVectorIndex). */
  async updateVectorIndex(): Promise<void> {
    const table = await this.existingTable();
    if (table) await maintainVectorIndex(table);
  }

  /**
   * `activeRuns` (and `runId` below) are not needed here: a replacement is one commit, so a search never sees two
   * runs of a video, and the local catalog names no runs (`LanceCatalog.activeRuns`).
   */
  async search({ vector, k, filters }: FrameSearch): Promise<Hit[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
    const table = await this.existingTable();
    if (!table || !(await this.accepts(table, vector))) return [];
    const clauses = await frameFilterClauses(filters, this.catalog);
    if (!clauses) return [];
    // `_distance` is selected explicitly: leaving it out makes Lance print a deprecation warning on every search.
    let query = table.vectorSearch(vector).distanceType('dot').select(['video_id', 'time', '_distance']).limit(k);
    // `where` on a vector query is a prefilter (Lance's default): the k nearest among the matching frames.
    if (clauses.length > 0) query = query.where(clauses.join(' AND '));
    const rows: ScoredRow[] = await (await tuneVectorQuery(table, query, clauses.length > 0)).toArray();
    return rows.map(toHit);
  }

  async scoreVideo(vector: Float32Array, videoId: string): Promise<Hit[]> {
    return this.scoreWhere(vector, videoId, videoClause(videoId));
  }

  async scoreFrames(vector: Float32Array, videoId: string, windows: readonly TimeWindow[]): Promise<Hit[]> {
    if (windows.length === 0) return [];
    return this.scoreWhere(vector, videoId, windowsClause({ videoId, windows }));
  }

  /** One scan filtered on the selections (`runId` is not needed: see `search`). */
  async frameVectors(selections: readonly FrameSelection[]): Promise<StoredFrame[]> {
    const picked = selections.filter((selection) => selection.windows.length > 0);
    const table = await this.existingTable();
    if (!table || picked.length === 0) return [];
    const rows: { video_id: string; time: number; vector: { toArray(): Float32Array } }[] = await table
      .query()
      .where(picked.map(windowsClause).join(' OR '))
      .select(['video_id', 'time', 'vector'])
      .limit(MAX_K)
      .toArray();
    return rows.map((row) => ({ videoId: row.video_id, time: row.time, vector: Float32Array.from(row.vector.toArray()) }));
  }

  /** The frames `where` picks, scored here: a plain scan (one snapshot, no limit to guess), in time order. */
  private async scoreWhere(vector: Float32Array, videoId: string, where: string): Promise<Hit[]> {
    const table = await this.existingTable();
    if (!table || !(await this.accepts(table, vector))) return [];
    const rows: { time: number; vector: { toArray(): Float32Array } }[] = await table
      .query()
      .where(where)
      .select(['time', 'vector'])
      .toArray();
    return rows
      .map((row) => ({ videoId, time: row.time, score: dot(vector, row.vector.toArray()) }))
      .sort((a, b) => a.time - b.time);
  }

  /** Frames only: the catalog entry is the caller's to remove (`Catalog.remove`). */
  async removeVideo(videoId: string): Promise<void> {
    await (await this.existingTable())?.delete(videoClause(videoId));
  }

  async embedding(): Promise<{ model: string; dim: number } | undefined> {
    const table = await this.existingTable();
    if (!table) return undefined;
    const rows: { model: string }[] = await table.query().select(['model']).limit(1).toArray();
    return rows.length > 0 ? { model: rows[0].model, dim: await vectorDim(table) } : undefined;
  }

  async countFrames(videoId: string): Promise<number> {
    return (await (await this.existingTable())?.countRows(videoClause(videoId))) ?? 0;
  }

  close(): void {
    this.table?.close();
  }

  /**
   * Whether a query vector fits the stored vectors. An empty index (never written, or every video removed) has no
   * model yet and matches nothing, so any query just finds nothing; otherwise another width is another model.
   */
  private async accepts(table: Table, vector: Float32Array): Promise<boolean> {
    if (vector.length === (await vectorDim(table))) return true;
    const stored = await this.embedding();
    if (!stored) return false;
    throw new IndexMismatchError(
      `this index holds ${stored.model} (${stored.dim}-d) embeddings, not ${vector.length}-d vectors: ` +
        'search with the model the index was built with, or another --data directory',
    );
  }

  private async existingTable(): Promise<Table | undefined> {
    // Re-checked while missing: another store open on the same directory may have created it since.
    if (!this.table && (await tableExists(this.db, FRAMES_TABLE))) this.table = await this.db.openTable(FRAMES_TABLE);
    return this.table;
  }

  /** The table, created for `dim` if missing, or recreated at `dim` if it is empty and was made for another width. */
  private async writableTable(dim: number): Promise<Table> {
    const table =
      (await this.existingTable()) ??
      (await this.db.createEmptyTable(FRAMES_TABLE, framesSchema(dim), { mode: 'create', existOk: true, ...FRAMES_TABLE_STORAGE }));
    this.table = table;
    if ((await vectorDim(table)) === dim) return table;
    // assertIndexAccepts let this through, so the table was empty; re-checked because another store may write too.
    if ((await table.countRows()) > 0) throw new IndexMismatchError('frames of another width were written meanwhile; try again');
    table.close();
    this.table = await this.db.createEmptyTable(FRAMES_TABLE, framesSchema(dim), { mode: 'overwrite', ...FRAMES_TABLE_STORAGE });
    return this.table;
  }
}

/** The frames of one video in any of its windows (bounds included). */
function windowsClause({ videoId, windows }: Pick<FrameSelection, 'videoId' | 'windows'>): string {
  const inWindows = windows.map(({ start, end }) => `(time >= ${sqlNumber(start)} AND time <= ${sqlNumber(end)})`);
  return `(${videoClause(videoId)} AND (${inWindows.join(' OR ')}))`;
}

/** Whether the database holds a table named `name` (table names are listed in pages). */
export async function tableExists(db: Connection, name: string): Promise<boolean> {
  const PAGE = 100;
  let startAfter: string | undefined;
  for (;;) {
    const names = await db.tableNames({ startAfter, limit: PAGE });
    if (names.includes(name)) return true;
    if (names.length < PAGE) return false;
    startAfter = names[names.length - 1];
  }
}
