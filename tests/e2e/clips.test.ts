import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeColourVideo } from '../../lib/sample-videos';
import { startServeProcess } from '../../scripts/serve-process';
import { vsearchJson } from '../helpers/cli';

/**
 * Clips are true in time: they follow each video's sampling (not a fixed 1 s) and span the whole matching scene
 * whatever k is. Colour videos through the real CLI and `vsearch serve`, with the fixture model.
 */

interface JsonClip {
  videoId: string;
  start: number;
  end: number;
  score: number;
  hits: number;
}

jest.setTimeout(180_000);

let work: string;
let model: string;

const dataDir = (name: string) => path.join(work, `data-${name}`);

async function index(file: string, data: string, extra: string[] = []): Promise<void> {
  const result = await vsearchJson<{ errors: unknown[] }>(['index', file, '--data', data, '--model', model, ...extra]);
  expect(result.json.errors).toEqual([]);
  expect(result.code).toBe(0);
}

async function search(data: string, args: string[]): Promise<JsonClip[]> {
  const result = await vsearchJson<{ clips: JsonClip[] }>(['search', ...args, '--data', data, '--model', model]);
  expect(result.code).toBe(0);
  return result.json.clips;
}

async function video(name: string, segments: [string, number][], fps?: number): Promise<string> {
  const file = path.join(work, `${name}.mp4`);
  // Small frames: these videos are long, and the colour is all the fixture model sees.
  await makeColourVideo(file, segments.map(([colour, durationSec]) => ({ colour, durationSec })), { fps, width: 64, height: 48 });
  return file;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-clips-'));
  model = path.join(work, 'model');
  await makeFixtureModel(model, 'clip');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('at --fps 0.5 (and --every-nth on a low-rate video) a 20 s red scene is one clip spanning it', async () => {
  const file = await video('red-scene', [['blue', 10], ['red', 20], ['green', 10]], 2);
  // Frames every 2 s: 0.5 fps, and every 4th frame of a 2 fps video.
  for (const [name, extra] of [['fps', ['--fps', '0.5']], ['nth', ['--every-nth', '4']]] as const) {
    await index(file, dataDir(name), [...extra]);
    // The kernel is counted in frames, whatever the rate, and recorded with the video.
    const listed = await vsearchJson<{ videos: { fps: number; smoothing: unknown }[] }>(['videos', '--data', dataDir(name)]);
    expect(listed.json.videos).toEqual([expect.objectContaining({ fps: 0.5, smoothing: { kernelSize: 11, sigma: 1.8 } })]);
    // Snapped to its shot, the clip is the scene: from the cut into red to the cut out of it.
    const [snapped] = await search(dataDir(name), ['red']);
    expect(snapped).toMatchObject({ videoId: 'red-scene', start: 10, end: 30 });
    const clips = await search(dataDir(name), ['red', '--snap', 'none']);
    // Unsnapped: red frames at 10, 12, …, 28 s. Smoothing (11 frames = 22 s here) mixes the scene's first and last
    // frame with its neighbours, so the clip may lose one interval at each end: within one sampling interval.
    expect(clips[0].videoId).toBe('red-scene');
    expect(clips[0].start).toBeGreaterThanOrEqual(10);
    expect(clips[0].start).toBeLessThanOrEqual(12);
    expect(clips[0].end).toBeGreaterThanOrEqual(26);
    expect(clips[0].end).toBeLessThanOrEqual(28);
    expect(clips.filter((clip) => clip.videoId === 'red-scene' && clip.start >= 10 && clip.end <= 30)).toHaveLength(1);
    // An explicit time offset still wins: 1 s cannot bridge frames 2 s apart.
    const apart = await search(dataDir(name), ['red', '--time-offset', '1', '--size', '50', '--keep-duplicates']);
    expect(apart.filter((clip) => clip.start >= 10 && clip.end <= 30).length).toBeGreaterThanOrEqual(8);
    expect(apart.every((clip) => clip.start === clip.end)).toBe(true);
  }
});

test('a 200 s scene searched with the default k = 100 is one clip spanning 200 s, on the CLI and vsearch serve', async () => {
  const data = dataDir('long');
  await index(await video('long-scene', [['red', 200]], 2), data);
  await index(await video('others', [['blue', 20], ['green', 20], ['yellow', 20]], 2), data);

  const [top] = await search(data, ['red']);
  // Frames at 0, 1, …, 199 s: the clip spans them all, from 100 k-NN hits, and its one shot to the video's end.
  expect(top).toMatchObject({ videoId: 'long-scene', start: 0, end: 200, hits: 100 });
  expect((await search(data, ['red', '--snap', 'none']))[0]).toMatchObject({ start: 0, end: 199, hits: 100 });
  // k no longer decides where the moment ends.
  expect((await search(data, ['red', '--k', '10']))[0]).toMatchObject({ start: 0, end: 200, hits: 10 });

  const server = await startServeProcess(['--data', data, '--model', model]);
  try {
    const response = await fetch(`${server.url}/search`, {
      method: 'POST',
      body: JSON.stringify({ text: 'red' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    const { clips } = (await response.json()) as { clips: JsonClip[] };
    expect(clips[0]).toMatchObject({ videoId: 'long-scene', start: 0, end: 200, hits: 100 });
  } finally {
    await server.stop();
  }
});
