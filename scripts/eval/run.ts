/**
 * `npm run eval [-- --out DIR]`: the colour benchmark (colour-benchmark.ts) through the whole local search with the
 * fixture model, under settings side by side, scored with QVHighlights' metrics (lib/eval/score.ts) — the effect of
 * each stage, measured:
 *   smoothing  on (kernel 11, σ 1.8 frames, the default) | off (`--no-smoothing`: raw frame embeddings)
 *   clustering on (the default: hits chained in time, clips grown over their scene) |
 *              off (`timeOffset` 0: no two hits chain and no clip grows, so each of the query's best k-NN hits is a
 *              window of its own, one frame long)
 *   k          100 | 300 (frames fetched by the k-NN search)
 *   snap       shots (the default: clips snapped to the detected shots) | none (clips as they grew), with clustering
 * Videos are sampled at 1 fps. Writes DIR/ablation.md and DIR/ablation.json (DIR: `bench`), and each setting's
 * predictions in the submission format to DIR/tmp/eval/ (scored again by `vsearch eval --predictions … --annotations
 * DIR/tmp/eval/colour-benchmark.jsonl`). Exit code 0, or 1 with one line when something fails.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SMOOTHING } from '../../lib/core/smoothing';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { readAnnotations, type AnnotatedQuery, type PredictedQuery } from '../../lib/eval/benchmark-files';
import { prepareVideos } from '../../lib/eval/benchmark-videos';
import { predictionJson, predictQuery, type PredictionLine } from '../../lib/eval/predict';
import { scoreQueries } from '../../lib/eval/score';
import type { IndexOptions } from '../../lib/indexer';
import { collectVideoFiles } from '../../lib/cli/video-files';
import { openLocalStore } from '../../lib/store/open-local-store';
import type { Snap } from '../../lib/search';
import { makeFixtureModel } from '../make-fixture-model';
import { COLOUR_BENCHMARK, writeColourBenchmark, type QueryKind } from './colour-benchmark';

interface Row {
  smoothing: boolean;
  clustering: boolean;
  k: number;
  snap: Snap;
  brief: Record<string, number>;
  /** R1@0.5 over the queries of each kind. */
  byKind: Record<QueryKind, number>;
  predictions: string;
}

const KINDS: readonly QueryKind[] = ['flash', 'fade'];
const K_VALUES = [100, 300] as const;
/** Snapping to shots matters only where hits chain into clips: without clustering, each window is one frame. */
const SNAPS: readonly Snap[] = ['shots', 'none'];
const BRIEF_COLUMNS = [
  ['R1@0.5', 'MR-full-R1@0.5'],
  ['R1@0.7', 'MR-full-R1@0.7'],
  ['mAP', 'MR-full-mAP'],
  ['mAP@0.5', 'MR-full-mAP@0.5'],
  ['mAP@0.75', 'MR-full-mAP@0.75'],
  ['short mAP', 'MR-short-mAP'],
  ['middle mAP', 'MR-middle-mAP'],
  ['long mAP', 'MR-long-mAP'],
  ['HL Good mAP', 'HL-min-Good-mAP'],
  ['HL Good Hit1', 'HL-min-Good-Hit1'],
] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = path.resolve(values.out ?? 'bench');
  const work = path.join(outDir, 'tmp', 'eval');
  const log = (message: string) => console.error(message);
  const started = performance.now();

  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  log('making the fixture model and the benchmark videos');
  await makeFixtureModel(path.join(work, 'model'), 'clip');
  const benchmark = await writeColourBenchmark(work);
  const annotations = await readAnnotations(benchmark.annotationsFile);
  const files = await collectVideoFiles([benchmark.videosDir]);
  const embedder = await TransformersEmbedder.from_pretrained(path.join(work, 'model'));

  const rows: Row[] = [];
  for (const smoothing of [true, false]) {
    const store = await openLocalStore(path.join(work, `data-smoothing-${smoothing ? 'on' : 'off'}`));
    try {
      const deps = { embedder, encoder: new LocalQueryEncoder(embedder), catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, raw: store.raw };
      const options: IndexOptions = { sampling: { fps: 1 }, smoothing: smoothing ? DEFAULT_SMOOTHING : false };
      const videos = await prepareVideos(annotations.queries.map((q) => q.vid), files, deps, options);
      if (videos.skipped.length > 0) throw new Error(`could not index ${videos.skipped.map((s) => `${s.vid}: ${s.reason}`).join('; ')}`);
      for (const clustering of [true, false]) {
        for (const [k, snap] of K_VALUES.flatMap((k) => (clustering ? SNAPS : (['shots'] as const)).map((snap) => [k, snap] as const))) {
          const name = `smoothing-${smoothing ? 'on' : 'off'}_clustering-${clustering ? 'on' : 'off'}_k-${k}_snap-${snap}`;
          log(`  ${name}`);
          const lines: PredictionLine[] = [];
          for (const query of annotations.queries) {
            lines.push(await predictQuery(query, videos.byVid.get(query.vid)!, deps, { k, snap, timeOffset: clustering ? undefined : 0 }));
          }
          const predictions = path.join(work, `${name}.predictions.jsonl`);
          await writeFile(predictions, lines.map((line) => predictionJson(line) + '\n').join(''));
          const predicted = new Map<string, PredictedQuery>(lines.map((line) => [line.key, line]));
          const r1Of = (queries: AnnotatedQuery[]) => scoreQueries('qvhighlights', queries, predicted).brief['MR-full-R1@0.5'];
          const ofKind = (kind: QueryKind) => annotations.queries.filter((q) => benchmark.kinds.get(q.qid as number)!.includes(kind));
          rows.push({
            smoothing,
            clustering,
            k,
            snap,
            brief: scoreQueries('qvhighlights', annotations.queries, predicted).brief,
            byKind: Object.fromEntries(KINDS.map((kind) => [kind, r1Of(ofKind(kind))])) as Row['byKind'],
            predictions: path.relative(outDir, predictions),
          });
        }
      }
    } finally {
      store.close();
    }
  }

  const seconds = (performance.now() - started) / 1000;
  const counts = {
    videos: COLOUR_BENCHMARK.length,
    queries: annotations.queries.length,
    ...Object.fromEntries(KINDS.map((kind) => [`${kind}Queries`, annotations.queries.filter((q) => benchmark.kinds.get(q.qid as number)!.includes(kind)).length])),
  };
  const report = { generatedAt: new Date().toISOString(), model: 'fixture colour model', sampling: '1 fps', ...counts, seconds, rows };
  await writeFile(path.join(outDir, 'ablation.json'), JSON.stringify(report, null, 2) + '\n');
  const table = markdown(rows, counts);
  await writeFile(path.join(outDir, 'ablation.md'), table);
  console.log(table);
  log(`wrote ${path.join(outDir, 'ablation.md')} and ablation.json in ${seconds.toFixed(1)} s`);
}

function markdown(rows: readonly Row[], counts: Record<string, number>): string {
  const on = (value: boolean) => (value ? 'on' : 'off');
  const value = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(2));
  const header = ['smoothing', 'clustering', 'k', 'snap', ...BRIEF_COLUMNS.map(([label]) => label), ...KINDS.map((kind) => `R1@0.5 ${kind}`)];
  const lines = [
    `Colour benchmark: ${counts.videos} generated videos, ${counts.queries} queries (${KINDS.map((kind) => `${counts[`${kind}Queries`]} ${kind}`).join(', ')}), ` +
      'fixture model, 1 fps; QVHighlights metrics in %.',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (row) =>
        `| ${[
          on(row.smoothing),
          on(row.clustering),
          String(row.k),
          row.snap,
          ...BRIEF_COLUMNS.map(([, name]) => value(row.brief[name])),
          ...KINDS.map((kind) => value(row.byKind[kind])),
        ].join(' | ')} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`eval: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
