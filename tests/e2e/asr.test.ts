/**
 * Speech recognition end to end: `vsearch index --asr <the generated Whisper-layout model>` on videos whose audio
 * says the fixture's words (tones: scripts/fixture-model/whisper-words.ts), then `vsearch search` and `vsearch videos`.
 */
import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { makeWhisperFixture } from '../../scripts/make-whisper-fixture';
import { wordTonesExpression } from '../../scripts/fixture-model/whisper-words';
import { makeColourVideo } from '../../lib/sample-videos';
import type { SpeechRecord } from '../../lib/core/types';
import { ffmpeg, type IndexJson, type SearchJsonClip, vsearch, vsearchJson } from '../helpers/cli';

jest.setTimeout(120_000);

let work: string;
let clip: string;
let whisper: string;
let dir: string;
const video = (name: string) => path.join(dir, name);
const spoken = (words: { text: string; start: number; end: number }[]) => ({ audio: { expression: wordTonesExpression(words) } });

async function index(files: string[], data: string, args: string[], env?: NodeJS.ProcessEnv): Promise<IndexJson> {
  const result = await vsearchJson<IndexJson>(['index', ...files, '--data', data, '--model', clip, ...args], env);
  expect(result.json.errors).toEqual([]);
  expect(result.code).toBe(0);
  return result.json;
}

async function search(text: string, data: string): Promise<SearchJsonClip[]> {
  const result = await vsearchJson<{ clips: SearchJsonClip[] }>(['search', text, '--keep-duplicates', '--data', data, '--model', clip]);
  expect(result.code).toBe(0);
  return result.json.clips;
}

const speechOf = (report: IndexJson, id: string) => report.videos.find((v) => v.id === id)?.speech;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-asr-'));
  clip = path.join(work, 'clip');
  whisper = path.join(work, 'whisper');
  dir = path.join(work, 'videos');
  await mkdir(dir);
  await Promise.all([makeFixtureModel(clip, 'clip'), makeWhisperFixture(whisper)]);
  await Promise.all([
    makeColourVideo(video('fox.mp4'), [{ colour: 'gray', durationSec: 18 }], { fps: 5, ...spoken([{ text: 'fox', start: 10, end: 14 }]) }),
    makeColourVideo(video('hund.mkv'), [{ colour: 'gray', durationSec: 8 }], { fps: 5, ...spoken([{ text: 'hund', start: 2, end: 6 }]) }),
    makeColourVideo(video('mute.mp4'), [{ colour: 'red', durationSec: 6 }], { fps: 5 }),
    makeColourVideo(video('dog.mp4'), [{ colour: 'gray', durationSec: 18 }], { fps: 5, ...spoken([{ text: 'dog', start: 3, end: 5 }]) }),
  ]);
  // Subtitles (mov_text) saying something else than the audio does.
  await writeFile(video('fox.srt'), '1\n00:00:10,000 --> 00:00:14,000\nthe quick brown fox\n');
  await ffmpeg(['-i', video('dog.mp4'), '-i', video('fox.srt'), '-map', '0', '-map', '1', '-c:v', 'copy', '-c:a', 'copy', '-c:s', 'mov_text', video('subtitled.mp4')]);
  await rm(video('fox.srt'));
  await rm(video('dog.mp4'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('indexed with --asr <fixture>', () => {
  let data: string;
  let report: IndexJson;

  beforeAll(async () => {
    data = path.join(work, 'data');
    report = await index([dir], data, ['--asr', whisper]);
  });

  test('each video records where its transcript came from, the model and the language heard', () => {
    expect(speechOf(report, 'fox')).toEqual({ source: 'asr', segments: 1, model: whisper, language: 'en', notes: [] });
    expect(speechOf(report, 'hund')).toEqual({ source: 'asr', segments: 1, model: whisper, language: 'de', notes: [] });
    // The subtitle stream is trusted before speech recognition, which does not run.
    expect(speechOf(report, 'subtitled')).toEqual({ source: 'subtitles', segments: 1, notes: [] });
    expect(speechOf(report, 'mute')).toEqual({ source: null, segments: 0, notes: ['no audio track: speech recognition skipped'] });
    for (const { status } of report.videos) expect(status).toBe('READY');
  });

  test('"fox" finds the moment it is said, 10–14 s, matched by speech, with the line', async () => {
    const clips = await search('fox', data);
    const fox = clips.find((c) => c.videoId === 'fox');
    expect(fox).toBeDefined();
    expect(fox!.start).toBeLessThanOrEqual(10);
    expect(fox!.end).toBeGreaterThanOrEqual(14);
    expect(fox!.end - fox!.start).toBeLessThanOrEqual(6);
    expect(fox!.matchedBy).toContain('speech');
    expect(fox!.transcript).toEqual([{ start: 10, end: expect.closeTo(14, 1), text: 'fox', source: 'asr', score: 1 }]);
    expect(clips.find((c) => c.videoId === 'subtitled')?.transcript[0].text).toBe('the quick brown fox');
    expect((await search('dog', data)).some((c) => c.matchedBy.includes('speech'))).toBe(false);
  });

  test('vsearch videos --json shows the speech record', async () => {
    const listed = await vsearchJson<{ videos: { id: string; speech?: SpeechRecord }[] }>(['videos', '--data', data]);
    expect(listed.json.videos.find((v) => v.id === 'fox')?.speech).toEqual(speechOf(report, 'fox'));
  });
});

test('--asr none: no speech, no audio decoded, no note', async () => {
  const data = path.join(work, 'data-none');
  const report = await index([video('fox.mp4'), video('mute.mp4')], data, ['--asr', 'none']);
  expect(speechOf(report, 'fox')).toEqual({ source: null, segments: 0, notes: [] });
  expect(speechOf(report, 'mute')).toEqual({ source: null, segments: 0, notes: [] });
  expect((await search('fox', data)).some((c) => c.matchedBy.includes('speech'))).toBe(false);
});

test('--asr-always hears a video that has subtitles and indexes that; --asr-language skips detection', async () => {
  const data = path.join(work, 'data-always');
  const report = await index([video('subtitled.mp4'), video('hund.mkv')], data, ['--asr', whisper, '--asr-always', '--asr-language', 'en']);
  expect(speechOf(report, 'subtitled')).toEqual({
    source: 'asr',
    segments: 1,
    model: whisper,
    language: 'en',
    notes: ['its subtitle stream passed over: speech recognition asked for always'],
  });
  expect(speechOf(report, 'hund')).toMatchObject({ source: 'asr', language: 'en' });
  const [dog] = (await search('dog', data)).filter((c) => c.videoId === 'subtitled');
  expect(dog).toMatchObject({ matchedBy: expect.arrayContaining(['speech']), transcript: [{ text: 'dog', source: 'asr' }] });
});

test('the default model is loaded only for a video that needs it; one that cannot be downloaded is one line', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const hub = `http://127.0.0.1:${port}`;
  const cache = path.join(work, 'asr-cache');
  const env = { HF_ENDPOINT: hub, VSEARCH_ASR: undefined, VSEARCH_MODEL_CACHE: cache };
  const data = path.join(work, 'data-default');
  // No audio track: nothing to recognise, nothing downloaded.
  const quiet = await index([video('mute.mp4')], data, [], env);
  expect(speechOf(quiet, 'mute')!.notes).toEqual(['no audio track: speech recognition skipped']);
  const result = await vsearch(['index', video('fox.mp4'), '--data', data, '--model', clip], env);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain(`Model "Xenova/whisper-base" is not in the cache ${cache} and could not be downloaded from ${hub}/`);
  expect(result.stderr).toMatch(/ECONNREFUSED.*--asr DIR.*--asr none.*make-whisper-fixture\.ts/);
  // Nothing was written for the video.
  const listed = await vsearchJson<{ videos: { id: string }[] }>(['videos', '--data', data]);
  expect(listed.json.videos.map((v) => v.id)).toEqual(['mute']);
});

test('usage errors name the option', async () => {
  for (const [args, message] of [
    [['--asr', 'none', '--asr-language', 'en'], '--asr none cannot be combined'],
    [['--asr-language', 'english'], '--asr-language must be a Whisper language code'],
  ] as const) {
    const result = await vsearch(['index', video('fox.mp4'), '--data', path.join(work, 'data-usage'), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  }
  const unknown = await vsearch(['index', video('fox.mp4'), '--data', path.join(work, 'data-usage'), '--model', clip, '--asr', whisper, '--asr-language', 'ja']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(`Model "${whisper}" has no language "ja" for --asr-language (it knows en, de, fr).`);
});
