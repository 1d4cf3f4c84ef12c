import { readFile } from 'node:fs/promises';
import { ANNOTATORS, clipCount } from '../core/highlight-metrics';
import type { ScoredWindow, Window } from '../core/moment-metrics';

/**
 * The files of a moment-retrieval benchmark, read and checked line by line: every problem is one message naming the
 * file and the line.
 *
 * Annotations:
 * - QVHighlights (JSON lines): `qid`, `query`, `vid`, `duration` (s), `relevant_windows` [[start, end], …] (s), and
 *   optionally `relevant_clip_ids` with `saliency_scores` (three annotators' scores per listed 2 s clip); other
 *   fields are ignored, as the reference does. Each window lies in [0, duration] with start < end; clip ids lie among
 *   the video's ⌊duration / 2⌋ clips. Either every line has saliency labels or none does.
 * - Charades-STA: `vid start end##sentence` lines (qid = the line number), or JSON lines as above with exactly one
 *   window each (`duration` optional). The text format has no durations, so its windows are only checked to have
 *   0 ≤ start < end.
 * Predictions (the submission format, JSON lines): `qid`, `vid`, `pred_relevant_windows` [[start, end, score], …]
 * (best first), optionally `pred_saliency_scores` (one per 2 s clip). Each qid must be one of the annotations', with
 * the same vid, and appear once; windows lie in [0, duration] with start ≤ end. A query without a line is missing
 * (counted as no prediction by the metrics).
 * Empty lines are skipped. Query ids match by value and type, as in the reference (7 and "7" are different queries).
 */

export type Benchmark = 'qvhighlights' | 'charades-sta';
export const BENCHMARKS: readonly Benchmark[] = ['qvhighlights', 'charades-sta'];

export type QueryId = number | string;

export interface AnnotatedQuery {
  /** Matches predictions to annotations: the qid's value and type. */
  key: string;
  qid: QueryId;
  query: string;
  vid: string;
  /** Seconds; absent in Charades-STA's text format. */
  duration?: number;
  windows: Window[];
  saliency?: { clipIds: number[]; scores: number[][] };
  line: number;
}

export interface Annotations {
  file: string;
  benchmark: Benchmark;
  queries: AnnotatedQuery[];
}

export interface PredictedQuery {
  key: string;
  qid: QueryId;
  vid: string;
  windows: ScoredWindow[];
  saliency?: number[];
}

export interface Predictions {
  byKey: Map<string, PredictedQuery>;
  /** Annotated queries without a prediction line. */
  missing: AnnotatedQuery[];
}

/** A benchmark file that cannot be used as it is: the message names the file and the line. */
export class EvalInputError extends Error {
  override readonly name = 'EvalInputError';
}

export function queryKey(qid: QueryId): string {
  return JSON.stringify(qid);
}

/** Reads an annotation file; the benchmark is the one given, else the format's (text: Charades-STA, JSON: QVHighlights). */
export async function readAnnotations(file: string, benchmark?: Benchmark): Promise<Annotations> {
  const lines = await readLines(file);
  const json = lines[0]?.text.trimStart().startsWith('{') ?? false;
  const chosen = benchmark ?? (json ? 'qvhighlights' : 'charades-sta');
  if (!json && chosen === 'qvhighlights') {
    throw new EvalInputError(`${file} line ${lines[0].number}: not a JSON line (QVHighlights annotations are JSON lines)`);
  }
  const queries = lines.map(({ text, number }) => {
    const at = `${file} line ${number}`;
    return json ? annotationLine(parseJsonLine(text, at), at, number, chosen) : charadesLine(text, at, number);
  });
  if (queries.length === 0) throw new EvalInputError(`${file} has no queries`);
  rejectDuplicateQids(queries, file);
  const labelled = queries.find((q) => q.saliency);
  const unlabelled = queries.find((q) => !q.saliency);
  if (labelled && unlabelled) {
    throw new EvalInputError(
      `${file} line ${unlabelled.line}: no saliency labels (relevant_clip_ids, saliency_scores), but line ${labelled.line} ` +
        'has them: give them on every line or on none',
    );
  }
  return { file, benchmark: chosen, queries };
}

/** Reads a prediction file for these annotations. */
export async function readPredictions(file: string, annotations: Annotations): Promise<Predictions> {
  const byAnnotation = new Map(annotations.queries.map((q) => [q.key, q]));
  const byKey = new Map<string, PredictedQuery>();
  const lineOf = new Map<string, number>();
  for (const { text, number } of await readLines(file)) {
    const at = `${file} line ${number}`;
    const record = parseJsonLine(text, at);
    const qid = queryId(record.qid, at);
    const key = queryKey(qid);
    const annotated = byAnnotation.get(key);
    if (!annotated) throw new EvalInputError(`${at}: qid ${key} is not in the annotations (${annotations.file})`);
    if (lineOf.has(key)) throw new EvalInputError(`${at}: qid ${key} was already predicted on line ${lineOf.get(key)}`);
    lineOf.set(key, number);
    const vid = record.vid === undefined ? annotated.vid : nonEmptyText(record.vid, 'vid', at);
    if (vid !== annotated.vid) {
      throw new EvalInputError(`${at}: vid "${vid}" is not the video of qid ${key} ("${annotated.vid}", ${annotations.file} line ${annotated.line})`);
    }
    const windows = list(record.pred_relevant_windows, 'pred_relevant_windows', at).map((w, i) =>
      predictedWindow(w, `pred_relevant_windows[${i}]`, at, annotated.duration),
    );
    const saliency =
      record.pred_saliency_scores === undefined
        ? undefined
        : list(record.pred_saliency_scores, 'pred_saliency_scores', at).map((s, i) => finite(s, `pred_saliency_scores[${i}]`, at));
    byKey.set(key, { key, qid, vid, windows, saliency });
  }
  return { byKey, missing: annotations.queries.filter((q) => !byKey.has(q.key)) };
}

interface Line {
  text: string;
  number: number;
}

async function readLines(file: string): Promise<Line[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new EvalInputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ text: line, number: i + 1 }))
    .filter((line) => line.text.trim() !== '');
}

type JsonRecord = Record<string, unknown>;

function parseJsonLine(text: string, at: string): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EvalInputError(`${at}: not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EvalInputError(`${at}: expected a JSON object`);
  return value as JsonRecord;
}

function annotationLine(record: JsonRecord, at: string, line: number, benchmark: Benchmark): AnnotatedQuery {
  const qid = queryId(record.qid, at);
  const query = nonEmptyText(record.query, 'query', at);
  const vid = nonEmptyText(record.vid, 'vid', at);
  const duration =
    record.duration === undefined && benchmark === 'charades-sta' ? undefined : positive(record.duration, 'duration', at);
  const windows = list(record.relevant_windows, 'relevant_windows', at).map((w, i) =>
    truthWindow(w, `relevant_windows[${i}]`, at, duration),
  );
  if (windows.length === 0) throw new EvalInputError(`${at}: relevant_windows is empty`);
  if (benchmark === 'charades-sta' && windows.length !== 1) {
    throw new EvalInputError(`${at}: a Charades-STA query has one window, this one has ${windows.length}`);
  }
  const hasIds = record.relevant_clip_ids !== undefined;
  if (hasIds !== (record.saliency_scores !== undefined)) {
    throw new EvalInputError(`${at}: relevant_clip_ids and saliency_scores go together; this line has only ${hasIds ? 'relevant_clip_ids' : 'saliency_scores'}`);
  }
  const saliency = hasIds ? saliencyLabels(record, at, duration) : undefined;
  return { key: queryKey(qid), qid, query, vid, duration, windows, saliency, line };
}

function saliencyLabels(record: JsonRecord, at: string, duration: number | undefined): AnnotatedQuery['saliency'] {
  if (duration === undefined) throw new EvalInputError(`${at}: saliency labels need the video's duration`);
  const clips = clipCount(duration);
  const clipIds = list(record.relevant_clip_ids, 'relevant_clip_ids', at).map((id, i) => {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= clips) {
      throw new EvalInputError(`${at}: relevant_clip_ids[${i}] must be a clip of the video (0 to ${clips - 1}), got ${JSON.stringify(id)}`);
    }
    return id as number;
  });
  const scores = list(record.saliency_scores, 'saliency_scores', at).map((row, i) => {
    const field = `saliency_scores[${i}]`;
    const values = list(row, field, at);
    if (values.length !== ANNOTATORS) throw new EvalInputError(`${at}: ${field} must hold ${ANNOTATORS} annotators' scores, got ${values.length}`);
    return values.map((v, a) => finite(v, `${field}[${a}]`, at));
  });
  if (scores.length !== clipIds.length) {
    throw new EvalInputError(`${at}: saliency_scores has ${scores.length} rows for ${clipIds.length} relevant_clip_ids`);
  }
  return { clipIds, scores };
}

/** `vid start end##sentence` (Charades-STA's text files). */
function charadesLine(text: string, at: string, line: number): AnnotatedQuery {
  const match = /^\s*(\S+)\s+(\S+)\s+(\S+?)##(.*)$/.exec(text);
  if (!match) throw new EvalInputError(`${at}: expected "video start end##sentence" or a JSON line`);
  const [, vid, start, end, sentence] = match;
  const times = [Number(start), Number(end)];
  if (!times.every(Number.isFinite)) throw new EvalInputError(`${at}: start and end must be numbers, got "${start} ${end}"`);
  const window = truthWindow(times, 'the window', at, undefined);
  return { key: queryKey(line), qid: line, query: sentence.trim(), vid, windows: [window], line };
}

function rejectDuplicateQids(queries: readonly AnnotatedQuery[], file: string): void {
  const seen = new Map<string, number>();
  for (const q of queries) {
    const first = seen.get(q.key);
    if (first !== undefined) throw new EvalInputError(`${file} line ${q.line}: qid ${q.key} already appears on line ${first}`);
    seen.set(q.key, q.line);
  }
}

function queryId(value: unknown, at: string): QueryId {
  if ((typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && value.trim() !== '')) return value;
  throw new EvalInputError(`${at}: qid must be an integer or a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function nonEmptyText(value: unknown, field: string, at: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new EvalInputError(`${at}: ${field} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function list(value: unknown, field: string, at: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new EvalInputError(`${at}: ${field} must be a list, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function finite(value: unknown, field: string, at: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new EvalInputError(`${at}: ${field} must be a number, got ${JSON.stringify(value) ?? 'nothing'}`);
}

function positive(value: unknown, field: string, at: string): number {
  const n = finite(value, field, at);
  if (n > 0) return n;
  throw new EvalInputError(`${at}: ${field} must be > 0, got ${n}`);
}

function numbers(value: unknown, count: number, field: string, at: string, shape: string): number[] {
  if (!Array.isArray(value) || value.length !== count || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new EvalInputError(`${at}: ${field} must be ${shape}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value as number[];
}

function insideVideo(start: number, end: number, field: string, at: string, duration: number | undefined): void {
  if (start < 0 || (duration !== undefined && end > duration)) {
    const video = duration === undefined ? 'starts before the video' : `lies outside the video (0–${duration} s)`;
    throw new EvalInputError(`${at}: ${field} [${start}, ${end}] ${video}`);
  }
}

function truthWindow(value: unknown, field: string, at: string, duration: number | undefined): Window {
  const [start, end] = numbers(value, 2, field, at, '[start, end] in seconds');
  if (!(end > start)) throw new EvalInputError(`${at}: ${field} [${start}, ${end}] must end after it starts`);
  insideVideo(start, end, field, at, duration);
  return [start, end];
}

function predictedWindow(value: unknown, field: string, at: string, duration: number | undefined): ScoredWindow {
  const [start, end, score] = numbers(value, 3, field, at, '[start, end, score]');
  if (end < start) throw new EvalInputError(`${at}: ${field} [${start}, ${end}] ends before it starts`);
  insideVideo(start, end, field, at, duration);
  return [start, end, score];
}
