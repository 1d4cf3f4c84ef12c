import { cp, mkdtemp, mkdir, readdir, rm, truncate, unlink, readFile, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { smoothFrames } from '../../lib/core/smoothing';
import { dot } from '../../lib/core/vector';
import { openLocalStore } from '../../lib/store/open-local-store';
import { vsearch, vsearchJson, type CliResult } from '../helpers/cli';

/**
 * A damaged data directory (a truncated data file, a deleted manifest, a damaged catalog) is named in one line by every
 * command that opens it, and `vsearch repair` rebuilds it from the raw embeddings: the same search results as before
 * the damage, the catalog's records as they were.
 */

interface JsonClip {
  videoId: string;
  title: string;
  start: number;
  end: number;
  bestTime: number;
  score: number;
  hits: number;
}
interface VideoJson {
  id: string;
  title: string;
  status: string;
  frames: number;
  category?: string;
  tags: string[];
  source: string;
  smoothing?: { kernelSize: number; sigma: number } | null;
  error?: string;
}
interface RepairJson {
  rebuilt: { id: string; frames: number; smoothing: { kernelSize: number; sigma: number } | null; note?: string }[];
  notRebuilt: { id: string; source?: string; reason: string }[];
  keptAside: string[];
}

jest.setTimeout(240_000);

let work: string;
let model: string;
let pristine: string;
const videos: Record<string, string> = {};
/** Queries whose results are compared before the damage and after the repair. */
const QUERIES = [['red'], ['green'], ['a blue sky'], ['green', '--category', 'street'], ['magenta', '--tag', 'lights']];
let before: JsonClip[][];
let listedBefore: VideoJson[];

async function searchAll(data: string): Promise<JsonClip[][]> {
  const results: JsonClip[][] = [];
  for (const query of QUERIES) {
    const result = await vsearchJson<{ clips: JsonClip[] }>(['search', ...query, '--data', data, '--model', model]);
    expect(result.code).toBe(0);
    results.push(result.json.clips);
  }
  return results;
}

async function listed(data: string): Promise<VideoJson[]> {
  const result = await vsearchJson<{ videos: VideoJson[] }>(['videos', '--data', data]);
  expect(result.code).toBe(0);
  return result.json.videos;
}

/** The same clips in the same order, scores within 1e-6. */
function expectSameResults(actual: JsonClip[][], expected: JsonClip[][]): void {
  expect(actual.map((clips) => clips.map(({ score, ...clip }) => clip))).toEqual(expected.map((clips) => clips.map(({ score, ...clip }) => clip)));
  actual.forEach((clips, i) => clips.forEach((clip, j) => expect(Math.abs(clip.score - expected[i][j].score)).toBeLessThanOrEqual(1e-6)));
}

/** What a record keeps across a repair (not its timestamps). */
const lasting = ({ id, title, status, frames, category, tags, source, smoothing }: VideoJson) => ({ id, title, status, frames, category, tags, source, smoothing });

/** A fresh copy of the indexed data directory. */
async function copyOfLibrary(name: string): Promise<string> {
  const data = path.join(work, name);
  await cp(pristine, data, { recursive: true });
  return data;
}

async function tableFiles(data: string, table: string, folder: string): Promise<string[]> {
  const dir = path.join(data, `${table}.lance`, folder);
  return (await readdir(dir)).map((name) => path.join(dir, name));
}

/** The newest version manifest of a table (manifest names count down from u64 max: the smallest is the newest). */
async function newestManifest(data: string, table: string): Promise<string> {
  const manifests = (await tableFiles(data, table, '_versions')).filter((file) => file.endsWith('.manifest'));
  return manifests.sort((a, b) => (BigInt(path.basename(a, '.manifest')) < BigInt(path.basename(b, '.manifest')) ? -1 : 1))[0];
}

/** One line on stderr, no stack trace, no panic. */
function expectOneLine(result: CliResult, code: number, message: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at |panicked|Panic in/);
}

/** `search`, `videos` and `index` all refuse the damaged store with the same line. */
async function expectRefused(data: string, message: RegExp): Promise<void> {
  const commands = [
    ['search', 'red', '--data', data, '--model', model],
    ['videos', '--data', data],
    ['index', videos.traffic, '--data', data, '--model', model],
  ];
  const lines = new Set<string>();
  for (const args of commands) {
    const result = await vsearch(args);
    expectOneLine(result, 1, message);
    expect(result.stderr).toContain(`vsearch repair --data ${data}`);
    lines.add(result.stderr);
  }
  expect(lines.size).toBe(1);
}

async function repair(data: string, extra: string[] = [], code = 0): Promise<RepairJson> {
  const result = await vsearchJson<RepairJson>(['repair', '--data', data, ...extra]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: '' });
  return result.json;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-repair-'));
  model = path.join(work, 'model');
  pristine = path.join(work, 'pristine');
  await makeFixtureModel(model, 'clip');
  await mkdir(path.join(work, 'videos'));
  const make = async (name: string, segments: [string, number][]) => {
    videos[name] = path.join(work, 'videos', `${name}.mp4`);
    await makeColourVideo(videos[name], segments.map(([colour, durationSec]) => ({ colour, durationSec })));
  };
  await Promise.all([
    make('traffic', [['red', 5], ['yellow', 5], ['green', 5]]),
    make('sky', [['blue', 6], ['white', 3], ['green', 5]]),
    make('flash', [['gray', 2.92], ['magenta', 0.16], ['gray', 3.92]]),
  ]);
  const index = async (args: string[]) => {
    const result = await vsearchJson<{ errors: unknown[] }>(['index', ...args, '--data', pristine, '--model', model]);
    expect(result.json.errors).toEqual([]);
  };
  await index([videos.traffic, '--title', 'Traffic lights', '--category', 'street', '--tag', 'lights']);
  await index([videos.sky, '--category', 'nature', '--tag', 'outdoor', '--tag', 'sky', '--smoothing-kernel', '5', '--smoothing-sigma', '1']);
  await index([videos.flash, '--no-smoothing', '--tag', 'lights']);
  before = await searchAll(pristine);
  listedBefore = await listed(pristine);
  expect(before.every((clips) => clips.length > 0)).toBe(true);
  expect(listedBefore.map((video) => video.smoothing)).toEqual([{ kernelSize: 11, sigma: 1.8 }, { kernelSize: 5, sigma: 1 }, null]);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('a truncated frames data file: every command names it in one line; repair restores the same results, twice over', async () => {
  const data = await copyOfLibrary('truncated');
  const [file] = await tableFiles(data, 'frames', 'data');
  await truncate(file, Math.floor((await stat(file)).size / 2));

  await expectRefused(data, /^vsearch: the frames table in .* is damaged \(data\/.+\.lance is truncated or not a complete file\): run `vsearch repair --data .*` to rebuild it from the raw embeddings\n$/);

  const repaired = await repair(data);
  expect(repaired.rebuilt.map((video) => [video.id, video.frames, video.note])).toEqual([
    ['flash', 7, undefined],
    ['sky', 14, undefined],
    ['traffic', 15, undefined],
  ]);
  expect(repaired.keptAside).toEqual([expect.stringMatching(new RegExp(`^${data}/frames\\.lance\\.damaged-`))]);
  expect((await readdir(data)).sort()).toEqual(['__manifest', 'embeddings', 'frames.lance', path.basename(repaired.keptAside[0]), 'videos.lance']);
  expectSameResults(await searchAll(data), before);
  expect((await listed(data)).map(lasting)).toEqual(listedBefore.map(lasting));

  // Idempotent: a second repair of the now intact store changes nothing and keeps nothing more aside.
  expect((await repair(data)).keptAside).toEqual([]);
  expectSameResults(await searchAll(data), before);
  expect((await listed(data)).map(lasting)).toEqual(listedBefore.map(lasting));
  expect((await readdir(data)).filter((name) => name.includes('damaged'))).toHaveLength(1);
});

test('a deleted manifest (the frames table silently one version older) is named; repair restores the same results', async () => {
  const data = await copyOfLibrary('manifest');
  await unlink(await newestManifest(data, 'frames'));

  await expectRefused(data, /^vsearch: the frames table in .* is damaged \(the manifest of its version \d+ is missing, the newest left is \d+\): run `vsearch repair/);

  await repair(data);
  expectSameResults(await searchAll(data), before);
  expect((await listed(data)).map(lasting)).toEqual(listedBefore.map(lasting));
});

test('a damaged catalog table: named; repair rebuilds it from the records kept with the raw embeddings', async () => {
  const data = await copyOfLibrary('catalog');
  for (const file of await tableFiles(data, 'videos', 'data')) await truncate(file, 100);

  await expectRefused(data, /^vsearch: the videos table in .* is damaged \(data\/.+\.lance is truncated/);

  const repaired = await repair(data);
  expect(repaired.keptAside).toEqual([expect.stringMatching(/videos\.lance\.damaged-/)]);
  expectSameResults(await searchAll(data), before);
  expect((await listed(data)).map(lasting)).toEqual(listedBefore.map(lasting));
});

test('a catalog whose records were not kept (an older data directory): rebuilt from the raw embeddings, and said so', async () => {
  const data = await copyOfLibrary('no-records');
  await rm(path.join(data, 'videos.lance', '_versions'), { recursive: true });
  await unlink(path.join(data, 'embeddings', 'sky.video.json'));

  await expectRefused(data, /the videos table in .* is damaged \(no version manifest in _versions\/\)/);

  const repaired = await repair(data);
  const sky = repaired.rebuilt.find((video) => video.id === 'sky')!;
  expect(sky.note).toBe(
    'record rebuilt from the raw embeddings: title = id, no category, tags or source file; its smoothing was not recorded: the default applied',
  );
  expect(sky.smoothing).toEqual({ kernelSize: 11, sigma: 1.8 });
  const byId = new Map((await listed(data)).map((video) => [video.id, video]));
  expect(byId.get('sky')).toMatchObject({ title: 'sky', tags: [], source: '', status: 'READY', frames: 14 });
  expect(byId.get('sky')?.category).toBeUndefined();
  expect(lasting(byId.get('traffic')!)).toEqual(lasting(listedBefore.find((video) => video.id === 'traffic')!));
});

test('an engine failure the file checks cannot see is reported the same way, at the edge', async () => {
  const data = await copyOfLibrary('garbled');
  // Bytes inside a data file overwritten: its size and its end are intact, its metadata is not.
  const [file] = await tableFiles(data, 'frames', 'data');
  const bytes = await readFile(file);
  bytes.fill(0xff, bytes.length - 200, bytes.length - 16);
  await writeFile(file, bytes);

  const result = await vsearch(['search', 'red', '--data', data, '--model', model]);
  expectOneLine(result, 1, /^vsearch: the frames table in .* is damaged \(the storage engine failed: .+\): run `vsearch repair --data /);
  // The in-place rebuild meets the same failure, and rebuilds the whole store instead, keeping the damaged table aside.
  expect((await repair(data)).keptAside).toEqual([expect.stringMatching(/frames\.lance\.damaged-/)]);
  expectSameResults(await searchAll(data), before);
});

test('videos without raw embeddings are listed for re-indexing: left as they are in an intact store, FAILED in a rebuilt one', async () => {
  const data = await copyOfLibrary('missing-raw');
  await unlink(path.join(data, 'embeddings', 'flash.vsfe'));
  const missing = { id: 'flash', title: 'flash', source: videos.flash, reason: 'no raw embeddings: index its file again' };

  // Intact: rebuilt in place, where its frames still are.
  expect((await repair(data, [], 1)).notRebuilt).toEqual([missing]);
  expectSameResults(await searchAll(data), before);
  expect((await listed(data)).map(lasting)).toEqual(listedBefore.map(lasting));

  // Damaged: the rebuilt store has no frames for it, and says so.
  const [file] = await tableFiles(data, 'frames', 'data');
  await truncate(file, 10);
  const plain = await vsearch(['repair', '--data', data]);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toBe(`not rebuilt: flash ${videos.flash}: no raw embeddings: index its file again\n`);
  expect(plain.stdout).toMatch(/^repaired .*: 2 videos, 29 frames in \d+\.\d s$/m);
  expect((await listed(data)).find((video) => video.id === 'flash')).toMatchObject({ status: 'FAILED', frames: 0, error: missing.reason });

  // Indexing the file again brings it back.
  const reindexed = await vsearchJson<{ errors: unknown[] }>(['index', videos.flash, '--no-smoothing', '--data', data, '--model', model]);
  expect(reindexed.code).toBe(0);
  expectSameResults(await searchAll(data), before);
});

test('repair --smoothing-kernel 21 re-smooths every video from its raw embeddings; the catalog records the new settings', async () => {
  const data = await copyOfLibrary('resmooth');
  const repaired = await repair(data, ['--smoothing-kernel', '21']);
  // The kernel is replaced, each video's own sigma kept (the raw one gets the default's).
  const expected = { traffic: { kernelSize: 21, sigma: 1.8 }, sky: { kernelSize: 21, sigma: 1 }, flash: { kernelSize: 21, sigma: 1.8 } };
  expect(Object.fromEntries(repaired.rebuilt.map((video) => [video.id, video.smoothing]))).toEqual(expected);
  expect(Object.fromEntries((await listed(data)).map((video) => [video.id, video.smoothing]))).toEqual(expected);
  expect(repaired.keptAside).toEqual([]);

  // Every stored frame is the raw one smoothed with the new settings.
  const store = await openLocalStore(data);
  try {
    const query = new Float32Array(32).fill(1 / Math.sqrt(32));
    for (const [id, smoothing] of Object.entries(expected)) {
      const smoothed = smoothFrames((await store.raw.get(id))!, smoothing);
      const scored = await store.frames.scoreVideo(query, id);
      expect(scored.map((hit) => hit.time)).toEqual(smoothed.map((frame) => frame.time));
      scored.forEach((hit, i) => expect(hit.score).toBeCloseTo(dot(query, smoothed[i].vector), 6));
    }
  } finally {
    store.close();
  }
});

test('repair --video re-smooths only that video, in place; an unknown id or a damaged store is refused', async () => {
  const data = await copyOfLibrary('one-video');
  const repaired = await repair(data, ['--video', 'sky', '--smoothing-sigma', '2.5']);
  expect(repaired.rebuilt.map((video) => [video.id, video.smoothing])).toEqual([['sky', { kernelSize: 5, sigma: 2.5 }]]);
  const after = new Map((await listed(data)).map((video) => [video.id, video]));
  expect(after.get('sky')).toMatchObject({ smoothing: { kernelSize: 5, sigma: 2.5 }, title: 'sky', category: 'nature', frames: 14 });
  for (const video of listedBefore.filter((v) => v.id !== 'sky')) expect(lasting(after.get(video.id)!)).toEqual(lasting(video));

  expectOneLine(await vsearch(['repair', '--data', data, '--video', 'nope']), 2, /^vsearch: no video with id "nope"/);
  expectOneLine(await vsearch(['repair', '--data', data, '--no-smoothing', '--smoothing-kernel', '3']), 2, /--no-smoothing cannot be combined/);
  expectOneLine(await vsearch(['repair', '--data', path.join(work, 'nowhere')]), 2, /^vsearch: no data directory .*nowhere: nothing to repair/);
  await unlink(await newestManifest(data, 'frames'));
  expectOneLine(await vsearch(['repair', '--data', data, '--video', 'sky']), 1, /the frames table in .* is damaged .* run `vsearch repair --data /);
});

test('one repair at a time: a running one is waited for, the lock of one that died is taken over', async () => {
  const data = await copyOfLibrary('locked');
  const lock = path.join(data, '.repair.lock');
  await writeFile(lock, String(process.pid));
  expectOneLine(await vsearch(['repair', '--data', data]), 1, new RegExp(`^vsearch: another vsearch repair \\(process ${process.pid}\\) is working on ${data}: wait for it to finish\n$`));
  await writeFile(lock, '999999999');
  await repair(data);
  expect((await readdir(data)).filter((name) => name.startsWith('.repair'))).toEqual([]);
});
