import { randomUUID } from 'node:crypto';
import { Field, Float64, List, Schema, Utf8 } from 'apache-arrow';
import { Index, type Connection, type Table } from '@lancedb/lancedb';
import type { SpeechHit, SpeechSource, TranscriptSegment, VideoRecord } from '../core/types';
import type { Catalog } from './catalog';
import { frameFilterClauses, videoClause } from './lance-frame-filter';
import { tableExists } from './lance-frame-index';
import type { TranscriptIndex, TranscriptSearch } from './transcripts';

const TABLE = 'transcripts';
const MAX_K = 10_000;
/**
 * Rows written since the full-text index was last built are searched too (Lance scans them beside the index), so the
 * index is rebuilt only once that many have piled up, not on every video.
 */
const REINDEX_UNINDEXED_ROWS = 5_000;

/**
 * One row per segment. `run_id` is the replaceSegments call that wrote it (one merge-insert: one commit, as for frames);
 * category and tags are copies of the video's, so filters run inside the text search.
 */
const SCHEMA = new Schema([
  new Field('video_id', new Utf8(), false),
  new Field('run_id', new Utf8(), false),
  new Field('start', new Float64(), false),
  new Field('end', new Float64(), false),
  new Field('text', new Utf8(), false),
  new Field('source', new Utf8(), false),
  new Field('category', new Utf8(), true),
  new Field('tags', new List(new Field('item', new Utf8(), true)), false),
]);

interface Row {
  video_id: string;
  start: number;
  end: number;
  text: string;
  source: SpeechSource;
  _score: number;
}

/** Every video's transcript segments in one LanceDB table with a full-text (BM25) index on `text`. */
export class LanceTranscripts implements TranscriptIndex {
  private table: Table | undefined;

  constructor(
    private readonly db: Connection,
    private readonly catalog: Catalog,
  ) {}

  /** New rows with a fresh run id in, the video's other rows out, in ONE merge-insert (see LanceFrameIndex). */
  async replaceSegments(video: VideoRecord, segments: TranscriptSegment[]): Promise<void> {
    if (segments.length === 0) return this.removeVideo(video.id);
    const table = await this.writableTable();
    const runId = randomUUID();
    const rows = segments.map(({ start, end, text, source }) => ({
      video_id: video.id,
      run_id: runId,
      start,
      end,
      text,
      source,
      category: video.category ?? null,
      tags: video.tags,
    }));
    await table.mergeInsert('run_id').whenNotMatchedInsertAll().whenNotMatchedBySourceDelete({ where: videoClause(video.id) }).execute(rows);
    const stats = await table.indexStats('text_idx');
    if ((stats?.numUnindexedRows ?? 0) >= REINDEX_UNINDEXED_ROWS) await table.optimize();
  }

  /** One snapshot, so the old and new runs of a video are never both seen (`activeRuns` is not needed here). */
  async search({ text, k, filters }: TranscriptSearch): Promise<SpeechHit[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
    const table = await this.existingTable();
    if (!table || text.trim() === '') return [];
    const clauses = await frameFilterClauses(filters, this.catalog);
    if (!clauses) return [];
    let query = table.query().fullTextSearch(text, { columns: 'text' }).select(['video_id', 'start', 'end', 'text', 'source', '_score']).limit(k);
    if (clauses.length > 0) query = query.where(clauses.join(' AND '));
    const rows: Row[] = await query.toArray();
    return rows.map(({ video_id, start, end, text: said, source, _score }) => ({ videoId: video_id, start, end, text: said, source, score: _score }));
  }

  async removeVideo(videoId: string): Promise<void> {
    await (await this.existingTable())?.delete(videoClause(videoId));
  }

  async countSegments(videoId: string): Promise<number> {
    return (await (await this.existingTable())?.countRows(videoClause(videoId))) ?? 0;
  }

  close(): void {
    this.table?.close();
  }

  private async existingTable(): Promise<Table | undefined> {
    if (!this.table && (await tableExists(this.db, TABLE))) this.table = await this.db.openTable(TABLE);
    return this.table;
  }

  /** The table, created with its full-text index when missing. */
  private async writableTable(): Promise<Table> {
    const existing = await this.existingTable();
    if (existing) return existing;
    const table = await this.db.createEmptyTable(TABLE, SCHEMA, { mode: 'create', existOk: true });
    if (!(await table.listIndices()).some((index) => index.name === 'text_idx')) {
      await table.createIndex('text', { config: Index.fts(), name: 'text_idx' });
    }
    this.table = table;
    return table;
  }
}
