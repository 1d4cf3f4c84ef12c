import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BENCHMARKS,
  readAnnotations,
  readPredictions,
  type AnnotatedQuery,
  type Annotations,
  type Benchmark,
  type PredictedQuery,
} from '../eval/benchmark-files';
import { prepareVideos } from '../eval/benchmark-videos';
import { predictionJson, predictQuery, type EvalSearchSettings, type PredictionLine } from '../eval/predict';
import { scoreQueries, type EvaluationReport } from '../eval/score';
import { CLIP_OPTIONS, clipSettingsOf } from './search-command';
import { indexAndSearchDeps, indexOptionsOf, SAMPLING_OPTIONS } from './index-command';
import { loadEmbedder, openLocal } from './local-context';
import { COMMON_OPTIONS, dataDirOf, parseCommand } from './options';
import { progressBar, progressReporter } from './progress';
import { UsageError } from './usage-error';
import { collectVideoFiles } from './video-files';

export const EVAL_USAGE = `vsearch eval --annotations FILE [--videos DIR] [--benchmark qvhighlights|charades-sta] [--data DIR] [--model ID|DIR]
  [--fps N] [--smoothing-kernel N] [--smoothing-sigma S] [--no-smoothing] [--k N] [--time-offset S] [--min-score X]
  [--relevance-margin X|auto] [--speech-weight W] [--mode both|visual|speech] [--asr MODEL|DIR|none]
  [--asr-language CODE] [--asr-always] [--out P.jsonl] [--json]
  vsearch eval --predictions P.jsonl --annotations FILE [--benchmark qvhighlights|charades-sta] [--json]`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...SAMPLING_OPTIONS,
  ...CLIP_OPTIONS,
  annotations: { type: 'string' },
  predictions: { type: 'string' },
  benchmark: { type: 'string' },
  videos: { type: 'string' },
  out: { type: 'string' },
} as const;

/** Options that only make sense when eval runs the queries itself. */
const RUN_OPTIONS = ['videos', 'out', 'model', 'data', ...Object.keys(SAMPLING_OPTIONS), ...Object.keys(CLIP_OPTIONS)] as (keyof typeof OPTIONS)[];

const NAMES: Record<Benchmark, string> = { qvhighlights: 'QVHighlights', 'charades-sta': 'Charades-STA' };

/** What was scored: the queries of the annotations, those predicted, and those left out (with why). */
interface Coverage {
  annotated: number;
  scored: number;
  /** Queries scored as no prediction: the prediction file has no line for them. */
  missing: AnnotatedQuery['qid'][];
  /** Queries not run (annotation mode): their video could not be had. */
  skipped: { vid: string; reason: string; queries: number }[];
}

/**
 * `vsearch eval`: scores a prediction file against a benchmark's annotations with the benchmark's own metrics, or
 * (without --predictions) first answers every annotated query with the search, restricted to its video, and writes
 * those predictions in the benchmark's submission format.
 */
export async function evalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (see vsearch --help)`);
  if (!values.annotations) throw new UsageError('give --annotations FILE (see vsearch --help)');
  const benchmark = benchmarkOf(values.benchmark);
  if (values.predictions) {
    const extra = RUN_OPTIONS.find((name) => values[name] !== undefined && values[name] !== false);
    if (extra) throw new UsageError(`--${extra} is for running the queries; with --predictions eval only scores the file`);
  }

  const annotations = await readAnnotations(values.annotations, benchmark);
  if (values.predictions) {
    const predictions = await readPredictions(values.predictions, annotations);
    const coverage: Coverage = {
      annotated: annotations.queries.length,
      scored: annotations.queries.length,
      missing: predictions.missing.map((q) => q.qid),
      skipped: [],
    };
    if (coverage.missing.length > 0) {
      console.error(
        `warning: ${values.predictions} has no line for ${coverage.missing.length} of ${coverage.annotated} queries ` +
          `(qid ${abbreviated(coverage.missing)}): each counts as no prediction`,
      );
    }
    report(scoreQueries(annotations.benchmark, annotations.queries, predictions.byKey), coverage, values.json, {});
    return 0;
  }
  return runQueries(annotations, values);
}

type EvalValues = ReturnType<typeof parseCommand<typeof OPTIONS>>['values'];

async function runQueries(annotations: Annotations, values: EvalValues): Promise<number> {
  const indexOptions = indexOptionsOf(values);
  const settings: EvalSearchSettings = clipSettingsOf(values);
  const files = values.videos ? await videoFilesIn(values.videos) : [];
  const out = values.out ?? defaultOut(dataDirOf(values), annotations.file);

  const embedder = await loadEmbedder(values, 'indexing');
  const store = await openLocal(values);
  try {
    const deps = indexAndSearchDeps(embedder, store, values);
    const indexing = progressReporter();
    const videos = await prepareVideos(
      annotations.queries.map((q) => q.vid),
      files,
      deps,
      indexOptions,
      indexing.update,
    );
    indexing.done();
    const runnable = annotations.queries.filter((q) => videos.byVid.has(q.vid));
    const coverage: Coverage = {
      annotated: annotations.queries.length,
      scored: runnable.length,
      missing: [],
      skipped: videos.skipped.map(({ vid, reason }) => ({ vid, reason, queries: annotations.queries.filter((q) => q.vid === vid).length })),
    };
    if (!values.json) {
      console.log(`videos: ${videos.indexed.length} indexed, ${videos.reused.length} already indexed, ${videos.skipped.length} skipped`);
    }
    for (const { vid, reason, queries } of coverage.skipped) console.error(`skipped video ${vid} (${queries} queries): ${reason}`);
    if (runnable.length === 0) throw new Error(`none of the ${annotations.queries.length} queries has a video to search`);

    const bar = progressBar();
    const started = performance.now();
    const lines: PredictionLine[] = [];
    for (const query of runnable) {
      lines.push(await predictQuery(query, videos.byVid.get(query.vid)!, deps, settings));
      bar.update({ label: 'queries', done: lines.length, total: runnable.length, unit: 'queries', elapsedSec: (performance.now() - started) / 1000 });
    }
    bar.done();
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(out, lines.map((line) => predictionJson(line) + '\n').join(''));
    if (!values.json) console.log(`wrote ${lines.length} predictions to ${out}`);

    const predicted = new Map<string, PredictedQuery>(lines.map((line) => [line.key, line]));
    report(scoreQueries(annotations.benchmark, runnable, predicted), coverage, values.json, { predictions: out });
    return 0;
  } finally {
    store.close();
  }
}

function benchmarkOf(raw: string | undefined): Benchmark | undefined {
  if (raw === undefined) return undefined;
  if ((BENCHMARKS as readonly string[]).includes(raw)) return raw as Benchmark;
  throw new UsageError(`--benchmark must be one of ${BENCHMARKS.join(', ')}, got "${raw}"`);
}

async function videoFilesIn(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--videos ${dir} is not a directory`);
  return collectVideoFiles([dir]);
}

/** <data>/eval/<annotations name>.predictions.jsonl */
function defaultOut(dataDir: string, annotationsFile: string): string {
  return path.join(dataDir, 'eval', `${path.basename(annotationsFile, path.extname(annotationsFile))}.predictions.jsonl`);
}

function abbreviated(qids: readonly AnnotatedQuery['qid'][]): string {
  const shown = qids.slice(0, 5).map((qid) => JSON.stringify(qid)).join(', ');
  return qids.length > 5 ? `${shown}, … ${qids.length - 5} more` : shown;
}

/**
 * `--json`: {"brief": {name: value}, the reference's detail ("HL-min-Fair", …, "full", "long", "middle", "short"),
 * "queries": coverage, and "predictions": the file written (when eval ran the queries)}. Otherwise a table.
 */
function report(result: EvaluationReport, coverage: Coverage, json: boolean, extra: { predictions?: string }): void {
  if (json) {
    const detail = Object.fromEntries(Object.entries(result.detail).sort(([a], [b]) => (a < b ? -1 : 1)));
    console.log(JSON.stringify({ brief: result.brief, ...detail, queries: coverage, ...extra }));
    return;
  }
  const over =
    coverage.scored === coverage.annotated ? `${coverage.annotated} queries` : `${coverage.scored} of ${coverage.annotated} queries`;
  console.log(`\n${NAMES[result.benchmark]} metrics over ${over} (%)`);
  const width = Math.max(...Object.keys(result.brief).map((name) => name.length));
  for (const [name, value] of Object.entries(result.brief)) {
    console.log(`  ${name.padEnd(width)}  ${Number.isNaN(value) ? '   n/a' : value.toFixed(2).padStart(6)}`);
  }
}
