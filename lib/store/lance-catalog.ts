import { Field, Float64, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { ShotBoundaryKind } from '../core/shots';
import type { Connection, Table } from '@lancedb/lancedb';
import { keywordMatcher } from '../core/keywords';
import type { SpeechRecord, VideoRecord, VideoStatus } from '../core/types';
import type { Catalog } from './catalog';
import type { ActiveRuns } from './frame-index';
import { sqlString, sqlStringList } from './lance-sql';

/** The table's name: its directory in the data directory is `videos.lance`. */
export const CATALOG_TABLE = 'videos';

/**
 * The smoothing applied to a video's frames (`VideoRecord.smoothing`): kernel 0 means stored raw, null not recorded
 * (a catalog written before the columns existed; `open` adds them to such a table).
 */
const SMOOTHING_FIELDS = [new Field('smoothing_kernel', new Int32(), true), new Field('smoothing_sigma', new Float64(), true)];

/** `VideoRecord.speech` as JSON (a small record read whole), null when not recorded; added to older tables by `open`. */
const SPEECH_FIELD = new Field('speech', new Utf8(), true);
/**
 * The video's shots (`VideoRecord.shots`): threshold 0 means not detected, null not recorded (an older catalog); the
 * boundaries as two lists of the same length, their times and kinds.
 */
const SHOT_FIELDS = [
  new Field('shot_threshold', new Float64(), true),
  new Field('shot_times', new List(new Field('item', new Float64(), true)), true),
  new Field('shot_kinds', new List(new Field('item', new Utf8(), true)), true),
];

/** Columns added after the first release: `open` adds those an older table lacks. */
const ADDED_FIELDS = [...SMOOTHING_FIELDS, SPEECH_FIELD, ...SHOT_FIELDS];

const SCHEMA = new Schema([
  new Field('id', new Utf8(), false),
  new Field('title', new Utf8(), false),
  new Field('source', new Utf8(), false),
  new Field('category', new Utf8(), true),
  new Field('tags', new List(new Field('item', new Utf8(), true)), false),
  new Field('duration_sec', new Float64(), false),
  new Field('fps', new Float64(), false),
  ...SMOOTHING_FIELDS,
  ...SHOT_FIELDS,
  new Field('model', new Utf8(), false),
  new Field('dim', new Int32(), false),
  new Field('frames', new Int32(), false),
  new Field('status', new Utf8(), false),
  new Field('error', new Utf8(), true),
  SPEECH_FIELD,
  // ISO-8601 strings, as the record carries them: they sort in time order and round-trip exactly.
  new Field('created_at', new Utf8(), false),
  new Field('updated_at', new Utf8(), false),
]);

/**
 * One row of the `videos` table as LanceDB returns it (list columns come back as Arrow vectors, not arrays).
 * A type alias, not an interface, so it is assignable to the `Record<string, unknown>` rows LanceDB takes.
 */
type VideoRow = {
  id: string;
  title: string;
  source: string;
  category: string | null;
  tags: Iterable<string>;
  duration_sec: number;
  fps: number;
  smoothing_kernel: number | null;
  smoothing_sigma: number | null;
  shot_threshold: number | null;
  shot_times: Iterable<number> | null;
  shot_kinds: Iterable<string> | null;
  model: string;
  dim: number;
  frames: number;
  status: string;
  error: string | null;
  speech: string | null;
  created_at: string;
  updated_at: string;
};

function toRow(video: VideoRecord): VideoRow {
  return {
    id: video.id,
    title: video.title,
    source: video.source,
    category: video.category ?? null,
    tags: video.tags,
    duration_sec: video.durationSec,
    fps: video.fps,
    smoothing_kernel: video.smoothing === undefined ? null : (video.smoothing?.kernelSize ?? 0),
    smoothing_sigma: video.smoothing?.sigma ?? null,
    shot_threshold: video.shots === undefined ? null : (video.shots?.threshold ?? 0),
    shot_times: video.shots?.boundaries.map((boundary) => boundary.time) ?? null,
    shot_kinds: video.shots?.boundaries.map((boundary) => boundary.kind) ?? null,
    model: video.model,
    dim: video.dim,
    frames: video.frames,
    status: video.status,
    error: video.error ?? null,
    speech: video.speech ? JSON.stringify(video.speech) : null,
    created_at: video.createdAt,
    updated_at: video.updatedAt,
  };
}

function fromRow(row: VideoRow): VideoRecord {
  const video: VideoRecord = {
    id: row.id,
    title: row.title,
    source: row.source,
    tags: Array.from(row.tags),
    durationSec: row.duration_sec,
    fps: row.fps,
    model: row.model,
    dim: row.dim,
    frames: row.frames,
    status: row.status as VideoStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  // Optional fields stay absent rather than `undefined`, so a record reads back exactly as it was put.
  if (row.category !== null) video.category = row.category;
  if (row.error !== null) video.error = row.error;
  if (row.speech !== null) video.speech = JSON.parse(row.speech) as SpeechRecord;
  if (row.smoothing_kernel !== null) {
    video.smoothing = row.smoothing_kernel === 0 ? null : { kernelSize: row.smoothing_kernel, sigma: row.smoothing_sigma ?? 0 };
  }
  if (row.shot_threshold !== null) video.shots = row.shot_threshold === 0 ? null : shotsOf(row);
  return video;
}

function shotsOf(row: VideoRow): VideoRecord['shots'] {
  const kinds = Array.from(row.shot_kinds ?? []) as ShotBoundaryKind[];
  const boundaries = Array.from(row.shot_times ?? [], (time, i) => ({ time, kind: kinds[i] }));
  return { threshold: row.shot_threshold!, boundaries };
}

/** The catalog as a small LanceDB table, one row per video (the local-mode stand-in for DynamoDB). */
export class LanceCatalog implements Catalog {
  private constructor(private readonly table: Table) {}

  static async open(db: Connection): Promise<LanceCatalog> {
    // existOk: a second store opened on the same directory at the same time reuses the table it just created.
    // An existing table is opened as it is (creating over it would refuse an older schema), then brought up to date.
    const table = await db
      .openTable(CATALOG_TABLE)
      .catch(() => db.createEmptyTable(CATALOG_TABLE, SCHEMA, { mode: 'create', existOk: true }));
    const names = new Set((await table.schema()).fields.map((field) => field.name));
    const missing = ADDED_FIELDS.filter((field) => !names.has(field.name));
    if (missing.length > 0) await table.addColumns(missing);
    return new LanceCatalog(table);
  }

  async put(video: VideoRecord): Promise<void> {
    // One merge = one commit: a reader sees the old record or the new one, never neither.
    await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute([toRow(video)]);
  }

  async get(id: string): Promise<VideoRecord | undefined> {
    const rows: VideoRow[] = await this.table.query().where(`id = ${sqlString(id)}`).limit(1).toArray();
    return rows.length > 0 ? fromRow(rows[0]) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, VideoRecord>> {
    if (ids.length === 0) return new Map();
    const rows: VideoRow[] = await this.table.query().where(`id IN ${sqlStringList([...new Set(ids)])}`).toArray();
    return new Map(rows.map((row) => [row.id, fromRow(row)]));
  }

  /** None: LanceFrameIndex replaces a video's frames in one commit, so a search never sees two runs. */
  async activeRuns(): Promise<ActiveRuns> {
    return new Map();
  }

  async list(): Promise<VideoRecord[]> {
    const rows: VideoRow[] = await this.table.query().toArray();
    return rows
      .map(fromRow)
      .sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id));
  }

  async remove(id: string): Promise<void> {
    await this.table.delete(`id = ${sqlString(id)}`);
  }

  async matchKeywords(keywords: string): Promise<string[]> {
    const matches = keywordMatcher(keywords);
    // The catalog holds one row per video, so a scan is cheaper than keeping a text index in step.
    const rows: Pick<VideoRow, 'id' | 'title' | 'tags'>[] = await this.table.query().select(['id', 'title', 'tags']).toArray();
    // List columns come back as Arrow vectors: the rule takes arrays.
    return rows.filter((row) => matches({ title: row.title, tags: Array.from(row.tags) })).map((row) => row.id);
  }

  close(): void {
    this.table.close();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
