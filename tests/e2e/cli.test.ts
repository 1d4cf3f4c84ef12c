import { mkdtemp, mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { vsearch, vsearchJson } from '../helpers/cli';
import { centreAndSidesPng } from '../helpers/pictures';

interface JsonClip {
  videoId: string;
  title: string;
  start: number;
  end: number;
  bestTime: number;
  score: number;
  hits: number;
}
interface IndexJson {
  videos: { id: string; title: string; durationSec: number; frames: number; status: string }[];
  errors: { path: string; error: string }[];
}
interface VideosJson {
  videos: { id: string; title: string; status: string; frames: number; category?: string; tags: string[] }[];
}

jest.setTimeout(180_000);

let work: string;
let model: string;
let data: string;
const videos: Record<string, string> = {};

async function search(args: string[], dataDir = data, modelDir = model): Promise<JsonClip[]> {
  const result = await vsearchJson<{ clips: JsonClip[] }>(['search', ...args, '--data', dataDir, '--model', modelDir]);
  expect(result.code).toBe(0);
  return result.json.clips;
}

async function index(files: string[], extra: string[], dataDir = data, modelDir = model): Promise<IndexJson> {
  const result = await vsearchJson<IndexJson>(['index', ...files, '--data', dataDir, '--model', modelDir, ...extra]);
  expect(result.json.errors).toEqual([]);
  expect(result.code).toBe(0);
  return result.json;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-e2e-'));
  model = path.join(work, 'model');
  data = path.join(work, 'data');
  await makeFixtureModel(model, 'clip');
  const dir = path.join(work, 'videos');
  await mkdir(dir);
  const make = async (name: string, segments: [string, number][]) => {
    videos[name] = path.join(dir, `${name}.mp4`);
    await makeColourVideo(videos[name], segments.map(([colour, durationSec]) => ({ colour, durationSec })));
  };
  await make('traffic', [['red', 5], ['yellow', 5], ['green', 5]]);
  await make('sky', [['blue', 6], ['white', 3], ['green', 5]]);
  // One sampled frame (t = 3 s at 1 fps) of magenta in a gray video, and a long magenta scene in another.
  await make('flash', [['gray', 2.92], ['magenta', 0.16], ['gray', 3.92]]);
  await make('magenta-scene', [['black', 3], ['magenta', 5], ['black', 3]]);

  await index([videos.traffic], ['--category', 'street', '--tag', 'lights', '--title', 'Traffic lights']);
  await index([videos.sky], ['--category', 'nature', '--tag', 'outdoor', '--tag', 'sky']);
  await index([videos.flash, videos['magenta-scene']], ['--category', 'test']);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('indexing reports every video READY with one frame per second of video', async () => {
  const listed = await vsearchJson<VideosJson>(['videos', '--data', data]);
  const byId = Object.fromEntries(listed.json.videos.map((v) => [v.id, v]));
  expect(Object.keys(byId).sort()).toEqual(['flash', 'magenta-scene', 'sky', 'traffic']);
  expect(byId.traffic).toMatchObject({ title: 'Traffic lights', status: 'READY', frames: 15, category: 'street', tags: ['lights'] });
  expect(byId.sky).toMatchObject({ status: 'READY', frames: 14, category: 'nature' });
});

test('a text query returns the right segment as the top clip, start and end within 1 s of the truth', async () => {
  const [top] = await search(['red']);
  expect(top.videoId).toBe('traffic');
  expect(Math.abs(top.start - 0)).toBeLessThanOrEqual(1);
  expect(Math.abs(top.end - 5)).toBeLessThanOrEqual(1);
  expect(top.bestTime).toBeGreaterThanOrEqual(top.start);
  expect(top.bestTime).toBeLessThanOrEqual(top.end);

  const [yellow] = await search(['a', 'yellow', 'screen']);
  expect(yellow.videoId).toBe('traffic');
  expect(Math.abs(yellow.start - 5)).toBeLessThanOrEqual(1);
  expect(Math.abs(yellow.end - 10)).toBeLessThanOrEqual(1);
});

test('a video stream that starts after the file does has its opening scene from 0', async () => {
  // AAC audio alongside: its priming starts the MKV's video stream at 0.023 s.
  const file = path.join(work, 'videos', 'primed.mkv');
  await makeColourVideo(file, [{ colour: 'red', durationSec: 4 }, { colour: 'green', durationSec: 4 }], { audio: true });
  const primed = path.join(work, 'primed-data');
  await index([file], ['--asr', 'none'], primed); // frames only: its audio is a tone, nothing to recognise
  const [top] = await search(['red'], primed);
  expect(top).toMatchObject({ videoId: 'primed', start: 0 });
  expect(Math.abs(top.end - 4)).toBeLessThanOrEqual(1);
});

test('an image query returns the right segment as the top clip', async () => {
  const image = path.join(work, 'blue.png');
  await writeFile(image, await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0000ff' } }).png().toBuffer());
  const [top] = await search(['--image', image]);
  expect(top.videoId).toBe('sky');
  expect(Math.abs(top.start - 0)).toBeLessThanOrEqual(1);
  expect(Math.abs(top.end - 6)).toBeLessThanOrEqual(1);
});

test('a wide image query on a CLIP model with the integer config layout finds the scene its centre shows', async () => {
  // "size": 224, "crop_size": 224: transformers.js alone would letterbox the picture between black bars (gray to the model).
  const clipInt = path.join(work, 'clip-int');
  await makeFixtureModel(clipInt, 'clip', { configLayout: 'int' });
  const intData = path.join(work, 'int-data');
  await index([videos.sky, videos.flash], [], intData, clipInt);
  const wide = path.join(work, 'wide.png');
  await writeFile(wide, await centreAndSidesPng('white', 'blue'));
  const [top] = await search(['--image', wide], intData, clipInt);
  expect(top.videoId).toBe('sky');
  expect(Math.abs(top.start - 6)).toBeLessThanOrEqual(1);
  expect(Math.abs(top.end - 9)).toBeLessThanOrEqual(1);
});

test('filters restrict the results to the chosen videos, categories, tags and keywords', async () => {
  const all = await search(['green', '--keep-duplicates']);
  expect(all.map((c) => c.videoId)).toEqual(expect.arrayContaining(['traffic', 'sky']));

  for (const [args, only] of [
    [['--video', 'sky'], 'sky'],
    [['--category', 'street'], 'traffic'],
    [['--tag', 'outdoor'], 'sky'],
    [['--keywords', 'traffic'], 'traffic'],
  ] as const) {
    const clips = await search(['green', ...args]);
    expect(clips.length).toBeGreaterThan(0);
    expect(new Set(clips.map((c) => c.videoId))).toEqual(new Set([only]));
  }
  // The filter is applied inside the k-NN search: a video far from the query still returns its frames.
  const far = await search(['green', '--video', 'flash', '--k', '3']);
  expect(far.length).toBeGreaterThan(0);
  expect(far.every((c) => c.videoId === 'flash')).toBe(true);
});

test('with smoothing a one-frame flash is outranked by a long segment of the same colour; without, it is not', async () => {
  const smoothed = await search(['magenta']);
  expect(smoothed[0].videoId).toBe('magenta-scene');
  const flash = smoothed.find((c) => c.videoId === 'flash');
  if (flash) expect(flash.score).toBeLessThan(smoothed[0].score - 0.2);

  const raw = path.join(work, 'raw');
  await index([videos.flash, videos['magenta-scene']], ['--no-smoothing'], raw);
  const unsmoothed = await search(['magenta'], raw);
  const rawFlash = unsmoothed.find((c) => c.videoId === 'flash');
  expect(rawFlash).toBeDefined();
  expect(rawFlash!.score).toBeGreaterThan(unsmoothed[0].score - 0.02);
});

test('remove and re-index keep the index exact', async () => {
  const removed = await vsearch(['remove', 'sky', '--data', data]);
  expect(removed.code).toBe(0);
  const afterRemove = await vsearchJson<VideosJson>(['videos', '--data', data]);
  expect(afterRemove.json.videos.map((v) => v.id)).not.toContain('sky');
  expect((await search(['blue'])).map((c) => c.videoId)).not.toContain('sky');

  await index([videos.sky], ['--category', 'nature', '--tag', 'outdoor']);
  await index([videos.sky], []);
  const listed = await vsearchJson<VideosJson>(['videos', '--data', data]);
  const sky = listed.json.videos.find((v) => v.id === 'sky');
  expect(sky).toMatchObject({ status: 'READY', frames: 14, category: 'nature' });
  const clips = await search(['blue', '--video', 'sky', '--k', '1000', '--time-offset', '100', '--relevance-margin', '2']);
  expect(clips.reduce((n, c) => n + c.hits, 0)).toBe(14);

  const unknown = await vsearch(['remove', 'no-such-video', '--data', data]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  expect(unknown.stderr).toContain('no-such-video');
});

test('bad files are reported one line each and skipped; the others are indexed; exit code 1', async () => {
  const dir = path.join(work, 'mixed');
  await mkdir(dir);
  await writeFile(path.join(dir, 'notes.mp4'), 'this is not a video\n');
  await writeFile(path.join(dir, 'empty.mp4'), '');
  await copyFile(videos.traffic, path.join(dir, 'good.mp4'));
  const bad = path.join(work, 'bad-data');
  const result = await vsearchJson<IndexJson>(['index', dir, '--data', bad, '--model', model]);
  expect(result.code).toBe(1);
  expect(result.json.videos.map((v) => [v.id, v.status])).toEqual([['good', 'READY']]);
  expect(result.json.errors.map((e) => path.basename(e.path)).sort()).toEqual(['empty.mp4', 'notes.mp4']);
  for (const error of result.json.errors) expect(error.error).toContain(path.basename(error.path));
  // One line per bad file, and the good one's note (speech recognition, on by default, finds no audio track).
  const lines = result.stderr.trim().split('\n');
  expect(lines.filter((line) => line.startsWith('error: '))).toHaveLength(2);
  expect(lines.filter((line) => !line.startsWith('error: '))).toEqual([`note: ${path.join(dir, 'good.mp4')}: no audio track: speech recognition skipped`]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const listed = await vsearchJson<VideosJson>(['videos', '--data', bad]);
  expect(listed.json.videos.map((v) => v.id)).toEqual(['good']);
});

test('usage mistakes and model problems are one clear line, never a stack trace', async () => {
  const cases: [string[], number, RegExp][] = [
    [['search', '--data', data, '--model', model], 2, /text query|--image/],
    [['search', 'red', '--k', 'lots', '--data', data, '--model', model], 2, /--k/],
    [['index', videos.sky, '--fps', '0', '--data', data, '--model', model], 2, /--fps/],
    [['index', videos.sky, '--smoothing-kernel', '4', '--data', data, '--model', model], 2, /odd/],
    [['frobnicate'], 2, /unknown command/],
    [['search', 'red', '--data', data, '--model', 'no-such-org/no-such-model'], 1, /--model|local model directory/],
  ];
  for (const [args, code, message] of cases) {
    const result = await vsearch(args);
    expect({ args, code: result.code }).toEqual({ args, code });
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }
});

test('a query from another model than the index is refused with a clear error', async () => {
  const siglip = path.join(work, 'siglip');
  await makeFixtureModel(siglip, 'siglip');
  const result = await vsearch(['search', 'red', '--data', data, '--model', siglip]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/index holds .* not .*siglip/);
});

test('vsearch demo makes sample videos, indexes them and prints clips', async () => {
  const demoData = path.join(work, 'demo');
  const result = await vsearch(['demo', '--model', model, '--data', demoData]);
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/search "a red screen"\n\s*1\. .+score \d\.\d{3}/);
  expect(result.stdout).toMatch(/search image .*yellow\.png\n\s*1\. .+score \d\.\d{3}/);
});
