import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { writeColourBenchmark, type WrittenBenchmark } from '../../scripts/eval/colour-benchmark';
import { REPO_ROOT, vsearch, vsearchJson } from '../helpers/cli';

/**
 * `vsearch eval` through the real CLI: the generated colour benchmark indexed and searched with the fixture model,
 * a prediction file scored against numbers worked out by hand from the benchmark's definitions, bad files refused
 * with one line, and `npm run eval`'s table of settings side by side.
 */

jest.setTimeout(120_000);

const run = promisify(execFile);

const BRIEF_NAMES = [
  'MR-full-R1@0.5', 'MR-full-R1@0.7', 'MR-full-mAP', 'MR-full-mAP@0.5', 'MR-full-mAP@0.75', 'MR-long-mAP', 'MR-middle-mAP',
  'MR-short-mAP', 'HL-min-Fair-mAP', 'HL-min-Fair-Hit1', 'HL-min-Good-mAP', 'HL-min-Good-Hit1', 'HL-min-VeryGood-mAP',
  'HL-min-VeryGood-Hit1',
];

interface EvalJson {
  brief: Record<string, number>;
  queries: { annotated: number; scored: number; missing: unknown[]; skipped: { vid: string; queries: number }[] };
  predictions?: string;
}

interface PredictionLine {
  qid: number;
  query: string;
  vid: string;
  pred_relevant_windows: [number, number, number][];
  pred_saliency_scores: number[];
}

let work: string;
let model: string;
let benchmark: WrittenBenchmark;

const file = (name: string) => path.join(work, name);
const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row) + '\n').join('');

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-eval-'));
  model = file('model');
  [benchmark] = await Promise.all([writeColourBenchmark(file('bench')), makeFixtureModel(model, 'clip')]);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('eval --annotations indexes the benchmark videos, writes predictions in the submission format and prints the metrics', async () => {
  const out = file('predictions.jsonl');
  const args = ['eval', '--annotations', benchmark.annotationsFile, '--videos', benchmark.videosDir, '--data', file('data'), '--model', model];
  const first = await vsearch([...args, '--out', out]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('videos: 4 indexed, 0 already indexed, 0 skipped');
  expect(first.stdout).toContain(`wrote 14 predictions to ${out}`);
  expect(first.stdout).toContain('QVHighlights metrics over 14 queries (%)');
  for (const name of BRIEF_NAMES) expect(first.stdout).toMatch(new RegExp(`^  ${name.replace(/[.@]/g, '\\$&')} +\\d+\\.\\d\\d$`, 'm'));

  const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as PredictionLine);
  const annotations = (await readFile(benchmark.annotationsFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  expect(lines.map((line) => line.qid)).toEqual(annotations.map((a) => a.qid));
  for (const [i, line] of lines.entries()) {
    expect(Object.keys(line)).toEqual(['qid', 'query', 'vid', 'pred_relevant_windows', 'pred_saliency_scores']);
    const windows = line.pred_relevant_windows;
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.length).toBeLessThanOrEqual(10);
    for (const [start, end] of windows) expect(0 <= start && start < end && end <= annotations[i].duration).toBe(true);
    for (let w = 1; w < windows.length; w++) expect(windows[w][2]).toBeLessThanOrEqual(windows[w - 1][2]);
    expect(line.pred_saliency_scores).toHaveLength(annotations[i].duration / 2);
  }
  // The red scene 6–40 s is found within a second at each end, and the flash video's red query finds its scene
  // (30–40 s), not the one-frame red flashes at 12 s and 52 s.
  const top = (query: string, vid: string) => lines.find((line) => line.query === query && line.vid === vid)!.pred_relevant_windows[0];
  const [redStart, redEnd] = top('a red scene', 'scenes');
  expect(Math.abs(redStart - 6)).toBeLessThanOrEqual(1);
  expect(Math.abs(redEnd - 40)).toBeLessThanOrEqual(1);
  const [flashStart, flashEnd] = top('red', 'flashes');
  expect(flashStart).toBeGreaterThanOrEqual(29);
  expect(flashEnd).toBeLessThanOrEqual(41);

  // Again as JSON: the videos are reused, and the numbers are those of scoring the written file.
  const again = await vsearchJson<EvalJson>([...args, '--out', out]);
  expect(again.code).toBe(0);
  expect(Object.keys(again.json.brief)).toEqual(BRIEF_NAMES);
  expect(again.json.queries).toEqual({ annotated: 14, scored: 14, missing: [], skipped: [] });
  expect(again.json.predictions).toBe(out);
  const scored = await vsearchJson<EvalJson>(['eval', '--predictions', out, '--annotations', benchmark.annotationsFile]);
  expect(scored.code).toBe(0);
  expect(scored.json.brief).toEqual(again.json.brief);
  expect(again.json.brief['MR-full-R1@0.5']).toBeGreaterThanOrEqual(90);
});

test('eval --predictions gives the numbers of the benchmark definitions, worked out by hand', async () => {
  const labels = (ids: number[], scores: number[][]) => ({ relevant_clip_ids: ids, saliency_scores: scores });
  await writeFile(
    file('hand-gt.jsonl'),
    jsonl([
      { qid: 1, query: 'q1', vid: 'a', duration: 20, relevant_windows: [[2, 10]], ...labels([1, 2, 3, 4], [[3, 3, 2], [4, 4, 3], [4, 4, 3], [3, 3, 2]]) },
      { qid: 2, query: 'q2', vid: 'b', duration: 40, relevant_windows: [[0, 20]], ...labels([4], [[4, 4, 4]]) },
      { qid: 3, query: 'q3', vid: 'c', duration: 60, relevant_windows: [[0, 40], [50, 56]], ...labels([25, 26, 27], [[2, 1, 0], [2, 1, 0], [2, 1, 0]]) },
      { qid: 4, query: 'q4', vid: 'd', duration: 20, relevant_windows: [[0, 4]], ...labels([0], [[4, 4, 4]]) },
    ]),
  );
  const zeros = (n: number, set: Record<number, number>) => Array.from({ length: n }, (_, i) => set[i] ?? 0);
  await writeFile(
    file('hand-pred.jsonl'),
    jsonl([
      { qid: 1, vid: 'a', pred_relevant_windows: [[2, 10, 0.9], [12, 20, 0.5]], pred_saliency_scores: zeros(10, { 1: 1, 2: 0.9, 3: 0.8, 4: 0.7 }) },
      { qid: 2, vid: 'b', pred_relevant_windows: [[30, 40, 0.9], [0, 16, 0.8]], pred_saliency_scores: zeros(20, { 4: 1 }) },
      { qid: 3, vid: 'c', pred_relevant_windows: [[0, 36, 0.7], [50, 56, 0.9]], pred_saliency_scores: zeros(30, { 0: 5, 25: 1, 26: 1, 27: 1 }) },
    ]),
  );
  const result = await vsearchJson<EvalJson>(['eval', '--predictions', file('hand-pred.jsonl'), '--annotations', file('hand-gt.jsonl')]);
  expect(result.code).toBe(0);
  // q4 has no line: one warning naming it; it counts as no prediction (0 for every metric).
  expect(result.stderr.trim()).toBe(`warning: ${file('hand-pred.jsonl')} has no line for 1 of 4 queries (qid 4): each counts as no prediction`);
  expect(result.json.queries.missing).toEqual([4]);
  // Moment retrieval, per query (AP by score order, R1 by the file's first window):
  //   q1: [2, 10] = GT (IoU 1), then a FP → precision 1, 1/2 at recall 1, 1 → AP 1 at every θ; R1 hit.
  //   q2: [30, 40] FP first, then [0, 16] (IoU 16/20 = 0.8) → AP 1/2 for θ ≤ 0.8, 0 above; R1 (first window) miss.
  //   q3: [50, 56] (score 0.9) matches GT [50, 56]; [0, 36] matches [0, 40] (IoU 0.9) → AP 1 for θ ≤ 0.9, 1/2 at 0.95;
  //       R1 takes the file's first window [0, 36] → IoU 0.9, a hit at 0.5 and 0.7.
  //   q4: none → 0.
  // mAP@θ: θ ≤ 0.8 → (1 + 1/2 + 1 + 0) / 4 = 62.5; 0.85, 0.9 → 2/4 = 50; 0.95 → 1.5/4 = 37.5;
  //   MR-full-mAP = (7 · 62.5 + 2 · 50 + 37.5) / 10 = 57.5.  R1@0.5 = R1@0.7 = 2/4 = 50.
  // Buckets keep only a query's windows of that length: short (≤ 10 s) = q1, q3 with [50, 56] only (AP 1: [0, 36] is
  //   then a FP after the TP), q4 → 66.67; middle = q2 → (7 · 1/2) / 10 = 35; long = q3 with [0, 40] only
  //   ([50, 56] first is then a FP) → 1/2 for θ ≤ 0.9 → 45.
  // Highlights (clips ranked by saliency; AP per annotator; Hit1 = top clip positive for any annotator):
  //   q1 ranks clips 1, 2, 3, 4, then six at 0. Fair: every annotator's positives {1..4} first → 1, 1, 1. Good: 1, 1,
  //      and annotator 3 ({2, 3}) → precision 1/2, 2/3 where they come → 2/3. VeryGood: {2, 3} for annotators 1, 2 →
  //      2/3 each, annotator 3 none → 0. Top clip 1 = [3, 3, 2]: hit for Fair and Good, miss for VeryGood.
  //   q2: clip 4 first, [4, 4, 4] → AP 1 for all; hit for all.
  //   q3: clip 0 first (a 0 label), then clips 25–27 together: Fair annotator 1 → precision 3/4 → 3/4; others 0.
  //      Top clip 0 → miss.
  //   q4: 0.
  //   Fair mAP = (3 + 3 + 3/4) / 12 = 56.25, Hit1 2/4 = 50. Good mAP = (2 + 2/3 + 3) / 12 = 47.22, Hit1 50.
  //   VeryGood mAP = (4/3 + 3) / 12 = 36.11, Hit1 1/4 = 25.
  expect(result.json.brief).toEqual({
    'MR-full-R1@0.5': 50,
    'MR-full-R1@0.7': 50,
    'MR-full-mAP': 57.5,
    'MR-full-mAP@0.5': 62.5,
    'MR-full-mAP@0.75': 62.5,
    'MR-long-mAP': 45,
    'MR-middle-mAP': 35,
    'MR-short-mAP': 66.67,
    'HL-min-Fair-mAP': 56.25,
    'HL-min-Fair-Hit1': 50,
    'HL-min-Good-mAP': 47.22,
    'HL-min-Good-Hit1': 50,
    'HL-min-VeryGood-mAP': 36.11,
    'HL-min-VeryGood-Hit1': 25,
  });

  const table = await vsearch(['eval', '--predictions', file('hand-pred.jsonl'), '--annotations', file('hand-gt.jsonl')]);
  expect(table.stdout).toMatch(/^ {2}MR-full-mAP +57\.50$/m);
  expect(table.stdout).toMatch(/^ {2}HL-min-VeryGood-Hit1 +25\.00$/m);
});

test('Charades-STA lines are scored with R1@0.3/0.5/0.7 and mIoU', async () => {
  // IoUs of the top windows: 1, 5/15, 0.4 → R1@0.3 = 3/3, R1@0.5 = R1@0.7 = 1/3, mIoU = (1 + 1/3 + 0.4) / 3 = 57.78.
  await writeFile(file('sta.txt'), 'AO8RW 0.0 10.0##a person opens a door.\nAO8RW 0 10##a person sits.\nY6R7T 0 10##someone laughs.\n');
  await writeFile(
    file('sta-pred.jsonl'),
    jsonl([
      { qid: 1, vid: 'AO8RW', pred_relevant_windows: [[0, 10, 1]] },
      { qid: 2, vid: 'AO8RW', pred_relevant_windows: [[5, 15, 1]] },
      { qid: 3, vid: 'Y6R7T', pred_relevant_windows: [[0, 4, 1]] },
    ]),
  );
  // The same queries as JSON lines, and a line with two windows, which a Charades-STA query cannot have.
  const window = (qid: number, vid: string) => ({ qid, query: `q${qid}`, vid, relevant_windows: [[0, 10]] });
  await writeFile(file('sta.jsonl'), jsonl([window(1, 'AO8RW'), window(2, 'AO8RW'), window(3, 'Y6R7T')]));
  await writeFile(file('sta-two.jsonl'), jsonl([window(1, 'AO8RW'), { ...window(2, 'AO8RW'), relevant_windows: [[0, 10], [20, 30]] }]));
  const score = (annotations: string, extra: string[] = []) =>
    vsearchJson<EvalJson>(['eval', '--predictions', file('sta-pred.jsonl'), '--annotations', file(annotations), ...extra]);
  const [text, json, two] = await Promise.all([
    score('sta.txt'),
    score('sta.jsonl', ['--benchmark', 'charades-sta']),
    vsearch(['eval', '--predictions', file('sta-pred.jsonl'), '--annotations', file('sta-two.jsonl'), '--benchmark', 'charades-sta']),
  ]);
  expect(text.code).toBe(0);
  expect(text.json.brief).toEqual({ 'R1@0.3': 100, 'R1@0.5': 33.33, 'R1@0.7': 33.33, mIoU: 57.78 });
  expect(json.json.brief).toEqual(text.json.brief);
  expect(two.code).toBe(1);
  expect(two.stderr.trim()).toBe(`vsearch: ${file('sta-two.jsonl')} line 2: a Charades-STA query has one window, this one has 2`);
});

test('bad files get one line naming the file and line, and a non-zero exit; a missing video is skipped', async () => {
  const good = { qid: 1, query: 'red', vid: 'scenes', duration: 60, relevant_windows: [[6, 40]] };
  await Promise.all([
    writeFile(file('broken.jsonl'), jsonl([good]) + '{"qid": 2, "query": "x",\n'),
    writeFile(file('outside.jsonl'), jsonl([good, { ...good, qid: 2, relevant_windows: [[50, 70]] }])),
    writeFile(file('one.jsonl'), jsonl([good])),
    writeFile(file('unknown-qid.jsonl'), jsonl([{ qid: 1, vid: 'scenes', pred_relevant_windows: [[6, 40, 1]] }, { qid: 9, vid: 'scenes', pred_relevant_windows: [] }])),
    writeFile(file('wrong-vid.jsonl'), jsonl([{ qid: 1, vid: 'flashes', pred_relevant_windows: [[6, 40, 1]] }])),
    writeFile(file('pred-outside.jsonl'), jsonl([{ qid: 1, vid: 'scenes', pred_relevant_windows: [[6, 40, 1], [55, 61, 0.5]] }])),
  ]);
  const cases: [string[], string][] = [
    [['--annotations', file('broken.jsonl'), '--predictions', file('one.jsonl')], `${file('broken.jsonl')} line 2: not JSON`],
    [['--annotations', file('outside.jsonl'), '--predictions', file('one.jsonl')], `${file('outside.jsonl')} line 2: relevant_windows[0] [50, 70] lies outside the video (0–60 s)`],
    [['--annotations', file('one.jsonl'), '--predictions', file('unknown-qid.jsonl')], `${file('unknown-qid.jsonl')} line 2: qid 9 is not in the annotations`],
    [['--annotations', file('one.jsonl'), '--predictions', file('wrong-vid.jsonl')], `${file('wrong-vid.jsonl')} line 1: vid "flashes" is not the video of qid 1`],
    [['--annotations', file('one.jsonl'), '--predictions', file('pred-outside.jsonl')], `${file('pred-outside.jsonl')} line 1: pred_relevant_windows[1] [55, 61] lies outside the video (0–60 s)`],
    [['--annotations', file('one.jsonl'), '--predictions', file('one.jsonl'), '--k', '300'], '--k is for running the queries'],
  ];
  const results = await Promise.all(cases.map(([args]) => vsearch(['eval', ...args])));
  results.forEach((result, i) => {
    expect(result.stderr).toContain(cases[i][1]);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.code).toBe(i === cases.length - 1 ? 2 : 1);
  });

  // A query whose video is nowhere: reported, skipped, the others scored (the scenes video is indexed if need be).
  await writeFile(file('with-missing.jsonl'), jsonl([good, { ...good, qid: 2, vid: 'nowhere' }]));
  const args = ['eval', '--annotations', file('with-missing.jsonl'), '--videos', benchmark.videosDir, '--data', file('data'), '--model', model];
  const skipped = await vsearchJson<EvalJson>(args);
  expect(skipped.code).toBe(0);
  expect(skipped.stderr).toContain('skipped video nowhere (1 queries): no video file named nowhere');
  expect(skipped.json.queries).toMatchObject({ annotated: 2, scored: 1, skipped: [{ vid: 'nowhere', queries: 1 }] });
});

test('eval runs with and without speech: a moment only said is found by --mode both, not by the frames alone', async () => {
  // One gray minute whose sidecar says "autonomous trucks" at 20–26 s: nothing on screen tells that stretch apart.
  const talk = await writeColourBenchmark(file('speech-bench'), [
    { vid: 'talk', segments: [{ colour: 'gray', durationSec: 60 }], queries: [{ query: 'autonomous trucks', windows: [[20, 26]], kinds: [] }] },
  ]);
  await writeFile(
    path.join(talk.videosDir, 'talk.srt'),
    '1\n00:00:02,000 --> 00:00:06,000\ngood morning everyone\n\n2\n00:00:20,000 --> 00:00:26,000\nautonomous trucks drive at night\n\n',
  );
  const args = ['eval', '--annotations', talk.annotationsFile, '--videos', talk.videosDir, '--data', file('speech-data'), '--model', model];
  const both = await vsearchJson<EvalJson>([...args, '--mode', 'both']);
  const visual = await vsearchJson<EvalJson>([...args, '--mode', 'visual']);
  const weightless = await vsearchJson<EvalJson>([...args, '--speech-weight', '0']);
  for (const run of [both, visual, weightless]) expect(run.code).toBe(0);
  expect(both.json.brief['MR-full-R1@0.7']).toBe(100);
  expect(visual.json.brief['MR-full-R1@0.5']).toBe(0);
  expect(weightless.json.brief).toEqual(visual.json.brief);
});

test('npm run eval writes the table of settings side by side, and each stage shows its effect', async () => {
  const argv = ['--require', require.resolve('tsx/cjs'), path.join(REPO_ROOT, 'scripts/eval/run.ts'), '--out', file('ablation')];
  const { stdout } = await run(process.execPath, argv, { cwd: REPO_ROOT });
  const table = await readFile(file('ablation/ablation.md'), 'utf8');
  expect(stdout).toContain(table);
  const { rows } = JSON.parse(await readFile(file('ablation/ablation.json'), 'utf8')) as {
    rows: { smoothing: boolean; clustering: boolean; k: number; snap: string; brief: Record<string, number>; byKind: Record<string, number> }[];
  };
  // Shot snapping (on by default) is set against none where clips are made (with clustering).
  expect(rows.map((row) => [row.smoothing, row.clustering, row.k, row.snap])).toEqual([
    [true, true, 100, 'shots'], [true, true, 100, 'none'], [true, true, 300, 'shots'], [true, true, 300, 'none'],
    [true, false, 100, 'shots'], [true, false, 300, 'shots'],
    [false, true, 100, 'shots'], [false, true, 100, 'none'], [false, true, 300, 'shots'], [false, true, 300, 'none'],
    [false, false, 100, 'shots'], [false, false, 300, 'shots'],
  ]);
  expect(table.split('\n').filter((line) => /^\| (on|off) \|/.test(line))).toHaveLength(12);
  const row = (smoothing: boolean, clustering: boolean, k: number, snap = 'shots') =>
    rows.find((r) => r.smoothing === smoothing && r.clustering === clustering && r.k === k && r.snap === snap)!;
  // Snapping moves clips to their shots' bounds: the table shows its effect, whichever way it goes.
  expect(row(true, true, 100, 'none').brief).not.toEqual(row(true, true, 100).brief);
  // Clips span their scene whatever k is.
  expect(row(true, true, 300).brief).toEqual(row(true, true, 100).brief);
  // Without clustering every window is one frame: no scene of the benchmark is matched at IoU 0.5.
  expect(row(true, false, 100).brief['MR-full-R1@0.5']).toBe(0);
  // Smoothing keeps a one-frame flash from outranking the scene that shows the colour.
  expect(row(true, true, 100).byKind.flash).toBe(100);
  expect(row(false, true, 100).byKind.flash).toBe(0);
});
