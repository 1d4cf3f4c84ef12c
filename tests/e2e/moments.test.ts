import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Moment } from '../../lib/core/types';
import type { Shots } from '../../lib/core/shots';
import { makeColourVideo, type ColourSegment } from '../../lib/sample-videos';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { startServeProcess, type ServeProcess } from '../../scripts/serve-process';
import { vsearch, vsearchJson } from '../helpers/cli';

/**
 * Moments beyond frames: shots found while indexing and clips snapped to them, near-duplicates collapsed, 'more like
 * this' and negative queries, through the CLI a user runs and the API `vsearch serve` answers.
 */

jest.setTimeout(180_000);

interface JsonClip extends Moment {
  bestTime: number;
  score: number;
  hits: number;
  duplicates: Moment[];
}

let work: string;
let model: string;
let data: string;
let server: ServeProcess;

/**
 * cuts: red, a 1 s dissolve to blue at 5 s, a cut to green at 10 s, a 2 s dissolve to yellow at 14 s, a cut to
 * magenta at 17 s. ep1 and ep2 share one 10 s segment (red 5 s then white 5 s) between other colours.
 */
const VIDEOS: Record<string, ColourSegment[]> = {
  cuts: [
    { colour: 'red', durationSec: 5 },
    { colour: 'blue', durationSec: 5, fadeSec: 1 },
    { colour: 'green', durationSec: 4 },
    { colour: 'yellow', durationSec: 3, fadeSec: 2 },
    { colour: 'magenta', durationSec: 3 },
  ],
  ep1: [
    { colour: 'blue', durationSec: 6 },
    { colour: 'red', durationSec: 5 },
    { colour: 'white', durationSec: 5 },
    { colour: 'green', durationSec: 6 },
  ],
  ep2: [
    { colour: 'yellow', durationSec: 4 },
    { colour: 'red', durationSec: 5 },
    { colour: 'white', durationSec: 5 },
    { colour: 'magenta', durationSec: 8 },
  ],
};
const files: Record<string, string> = {};

async function search(args: string[], dataDir = data): Promise<JsonClip[]> {
  const result = await vsearchJson<{ clips: JsonClip[] }>(['search', ...args, '--data', dataDir, '--model', model]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result.json.clips;
}

async function index(dataDir: string, names: string[], extra: string[] = []): Promise<void> {
  // Frames only: the videos have no audio track, so speech recognition would only add notes to stderr.
  const result = await vsearch(['index', ...names.map((name) => files[name]), '--data', dataDir, '--model', model, '--asr', 'none', ...extra]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
}

async function shotsOf(videoId: string, dataDir = data): Promise<Shots> {
  const listed = await vsearchJson<{ videos: { id: string; shots: Shots }[] }>(['videos', '--data', dataDir]);
  return listed.json.videos.find((video) => video.id === videoId)!.shots;
}

const span = ({ videoId, start, end }: Moment) => ({ videoId, start, end });
const overlaps = (clip: Moment, videoId: string, start: number, end: number) => clip.videoId === videoId && clip.start < end && clip.end > start;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-moments-'));
  model = path.join(work, 'model');
  data = path.join(work, 'data');
  await makeFixtureModel(model, 'clip');
  await mkdir(path.join(work, 'videos'));
  for (const [name, segments] of Object.entries(VIDEOS)) {
    files[name] = path.join(work, 'videos', `${name}.mp4`);
    await makeColourVideo(files[name], segments);
  }
  await index(data, Object.keys(VIDEOS));
  server = await startServeProcess(['--data', data, '--model', model]);
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const post = async (route: string, body: unknown) => {
  const response = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: response.status, json: (await response.json()) as { clips: JsonClip[]; error: { code: string; field?: string; message: string } } };
};

describe('shots', () => {
  test('indexing finds the cuts and dissolves within one sampling interval; vsearch videos and GET /videos/{id} list them', async () => {
    const shots = await shotsOf('cuts');
    expect(shots.threshold).toBe(10);
    expect(shots.boundaries.map((b) => b.kind)).toEqual(['gradual', 'cut', 'gradual', 'cut']);
    shots.boundaries.forEach((b, i) => expect(Math.abs(b.time - [5, 10, 14, 17][i])).toBeLessThanOrEqual(1));
    const api = await fetch(`${server.url}/videos/cuts`);
    expect(((await api.json()) as { shots: Shots }).shots).toEqual(shots);
    expect((await vsearch(['videos', '--data', data])).stdout).toMatch(/^cuts .* 5 shots \(threshold 10\)/m);
  });

  test('a colour that fills one shot returns exactly that shot with --snap shots, at 1 and at 0.5 fps', async () => {
    const [green] = await search(['green', '--video', 'cuts']);
    const [cut, dissolve] = (await shotsOf('cuts')).boundaries.slice(1, 3).map((b) => b.time);
    expect(span(green)).toEqual({ videoId: 'cuts', start: cut, end: dissolve });
    expect(Math.abs(green.end - 14)).toBeLessThanOrEqual(1);

    // At 0.5 fps the blue shot (5–10 s) holds the sampled frames 6 and 8 only; unsnapped, the clip is those and the
    // first frame of the green shot (10 s), whose smoothed vector still leans blue (the kernel spans 22 s here).
    const halfRate = path.join(work, 'half-rate');
    await index(halfRate, ['cuts'], ['--fps', '0.5']);
    const [slow] = await search(['blue'], halfRate);
    const blue = (await shotsOf('cuts', halfRate)).boundaries.slice(0, 2).map((b) => b.time);
    expect([slow.start, slow.end]).toEqual(blue);
    expect(Math.abs(slow.start - 5)).toBeLessThanOrEqual(2);
    expect(Math.abs(slow.end - 10)).toBeLessThanOrEqual(2);
    const [unsnapped] = await search(['blue', '--snap', 'none'], halfRate);
    expect(span(unsnapped)).toEqual({ videoId: 'cuts', start: 6, end: 10 });
  });

  test('the search signal of a video carries its shots', async () => {
    const { json } = await post('/timeline', { query: { text: 'green' }, videoId: 'cuts' });
    expect((json as unknown as { shots: Shots }).shots).toEqual(await shotsOf('cuts'));
  });
});

describe('near-duplicates', () => {
  test('a segment two videos share is one result listing the other; --keep-duplicates shows both', async () => {
    const [top, ...rest] = await search(['red', 'white']);
    const shared = { ep1: [6, 16], ep2: [4, 14] } as const;
    const other = top.videoId === 'ep1' ? 'ep2' : 'ep1';
    expect(['ep1', 'ep2']).toContain(top.videoId);
    expect([top.start, top.end]).toEqual(shared[top.videoId as 'ep1' | 'ep2']);
    expect(top.duplicates).toEqual([{ videoId: other, start: shared[other][0], end: shared[other][1] }]);
    expect(rest.some((clip) => overlaps(clip, other, shared[other][0], shared[other][1]))).toBe(false);

    const kept = await search(['red', 'white', '--keep-duplicates']);
    expect(kept.slice(0, 2).map(span).sort((a, b) => a.videoId.localeCompare(b.videoId))).toEqual([
      { videoId: 'ep1', start: 6, end: 16 },
      { videoId: 'ep2', start: 4, end: 14 },
    ]);
    expect(kept.every((clip) => clip.duplicates.length === 0)).toBe(true);
    const api = await post('/search', { text: 'red white', dedupe: false, size: 2 });
    expect(api.json.clips.map((clip) => clip.videoId).sort()).toEqual(['ep1', 'ep2']);
  });
});

describe('more like this', () => {
  test('--like on a red moment returns the other red moments and not itself', async () => {
    const reds = { ep1: [6, 11], ep2: [4, 9] } as const;
    const like = await search(['--like', 'cuts@00:01-00:03', '--keep-duplicates']);
    expect(like.some((clip) => overlaps(clip, 'cuts', 1, 3))).toBe(false);
    const top = like.slice(0, 2).map(span).sort((a, b) => a.videoId.localeCompare(b.videoId));
    expect(top).toEqual(Object.entries(reds).map(([videoId, [start, end]]) => ({ videoId, start, end })));
    // Collapsed by default: the same moments, as one result and its duplicates.
    const [first] = await search(['--like', 'cuts@1-3']);
    expect([first, ...first.duplicates].map(span).sort((a, b) => a.videoId.localeCompare(b.videoId)).slice(0, 2)).toEqual(top);
    // The same through the API; combined with a text, the text's colour counts as much as the moment.
    const api = await post('/search', { like: { videoId: 'cuts', start: 1, end: 3 }, dedupe: false });
    expect(api.json.clips.slice(0, 2).map(span).sort((a, b) => a.videoId.localeCompare(b.videoId))).toEqual(top);
    // Red (the moment) and white (the text) in equal shares: best where red meets white, in the shared segment.
    const [withText] = await search(['white', '--like', 'cuts@1-3']);
    expect(withText.videoId).toMatch(/^ep[12]$/);
    expect(Math.abs(withText.bestTime - { ep1: 11, ep2: 9 }[withText.videoId as 'ep1' | 'ep2'])).toBeLessThanOrEqual(1);
  });
});

describe('negative queries', () => {
  test('a negative query removes the matching scene from the top results while a plain query keeps it', async () => {
    const yellowScenes = (clips: JsonClip[]) => clips.filter((clip) => overlaps(clip, 'cuts', 14.5, 17) || overlaps(clip, 'ep2', 0, 4));
    const plain = await search(['red', 'yellow', '--size', '5']);
    expect(yellowScenes(plain).length).toBeGreaterThan(0);
    const negative = await search(['red', 'yellow', '--not', 'yellow', '--size', '5']);
    expect(yellowScenes(negative)).toEqual([]);
    expect(negative.some((clip) => overlaps(clip, 'cuts', 0, 5))).toBe(true);
    const api = await post('/search', { text: 'red yellow', not: ['yellow'], size: 5 });
    expect(yellowScenes(api.json.clips)).toEqual([]);
  });
});

describe('bad input is one clear line naming the option, exit code 2', () => {
  test.each([
    ['--like on an unknown video', ['search', '--like', 'nope@0-2'], /--like: no video with id "nope"/],
    ['--like starting past the end', ['search', '--like', 'cuts@30-40'], /--like: starts at 30 s, outside video "cuts"/],
    ['--like ending past the end', ['search', '--like', 'cuts@10-40'], /--like: ends at 40 s/],
    ['--like without a range', ['search', '--like', 'cuts'], /--like must be VIDEO@START-END/],
    ['--like ending before it starts', ['search', '--like', 'cuts@00:12-00:10'], /--like ends before it starts/],
    ['an empty negative', ['search', 'red', '--not', ' '], /--not: a negative query must not be empty/],
    ['a negative repeating the query', ['search', 'red', '--not', 'red'], /--not: "red" is the query's own text/],
    ['a negative alone', ['search', '--not', 'red'], /give a text query, --image FILE, --like/],
    ['an unknown snap', ['search', 'red', '--snap', 'scenes'], /--snap must be shots or none, got "scenes"/],
    ['--no-shots with --shot-threshold', ['index', 'x.mp4', '--no-shots', '--shot-threshold', '5'], /--no-shots cannot be combined with --shot-threshold/],
  ])('%s', async (_, args, message) => {
    const result = await vsearch([...args, '--data', data, '--model', model]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('the API names the field: a moment outside its video', async () => {
    const { status, json } = await post('/search', { like: { videoId: 'cuts', start: 30, end: 40 } });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'invalid_request', field: 'like.start', message: expect.stringMatching(/^like\.start: starts at 30 s/) });
  });
});
