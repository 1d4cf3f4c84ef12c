import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { parse } from 'yaml';
import { jobRecognizer } from '../../containers/embedder/model';
import { getObjectBytes, parseS3Uri } from '../../lib/aws/s3-objects';
import { decodeFrameEmbeddings } from '../../lib/frame-embeddings-format';
import { NO_AUDIO_NOTE } from '../../lib/indexer';
import { videoIdForKey } from '../../lib/pipeline/video-key';
import { makeColourVideo } from '../../lib/sample-videos';
import { wordTonesExpression } from '../../scripts/fixture-model/whisper-words';
import { makeWhisperFixture } from '../../scripts/make-whisper-fixture';
import { REPO_ROOT } from '../helpers/cli';
import { MODEL_NAME, STARTED_PARAMS, startHarness, type Harness, type S3Event } from './workflow/harness';

/**
 * Speech on AWS, end to end offline: the index-video state machine (local) over the real handlers, the embedder's job
 * code behind the fake async endpoint, s3rver, dynalite and the AOSS double. A video uploaded with a `.srt` beside it:
 * its first job reads the subtitles into its output, ingest stores the segments with the frames' run, the catalog
 * records the speech, the search function (REST and GraphQL) fuses what is said with what is seen; re-ingest keeps the
 * segments exact, and removing the video removes them. The container recognises speech (the Whisper fixture: a tone
 * at 10–14 s is heard as "fox") in videos without subtitles, each job in its own range.
 */

jest.setTimeout(180_000);

const run$ = promisify(execFile);
const FOX_SRT = '1\n00:00:10,000 --> 00:00:14,000\nthe quick brown fox\n\n2\n00:00:15,000 --> 00:00:16,000\njumps over the dog\n';
const keys = {
  fox: 'videos/fox story.mp4',
  silent: 'videos/silent.mp4',
  broken: 'videos/broken.mp4',
  stream: 'videos/stream.mkv',
  heard: 'videos/heard.mp4',
};
const ids = Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, videoIdForKey(key)])) as Record<keyof typeof keys, string>;

interface Clip {
  videoId: string;
  start: number;
  end: number;
  score: number;
  matchedBy: string[];
  transcript: { start: number; end: number; text: string; source: string; score: number }[];
}

let h: Harness;
let work: string;
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let search: Handler;
let whisper: string;

async function index(event: S3Event) {
  const execution = h.machine.start(event, STARTED_PARAMS);
  return { ...(await execution.outcome), states: execution.states };
}

async function rest(body: unknown): Promise<{ status: number; body: { clips: Clip[] } }> {
  h.aoss.makeVisible();
  const event = { httpMethod: 'POST', path: '/search', body: JSON.stringify(body), isBase64Encoded: false, headers: {} };
  const response = (await search(event as unknown as APIGatewayProxyEvent, {} as Context)) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) as { clips: Clip[] } };
}

const clipsOf = (clips: Clip[], videoId: string) => clips.filter((clip) => clip.videoId === videoId);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'speech-workflow-'));
  const file = (name: string) => path.join(work, name);
  whisper = file('whisper');
  const fox = wordTonesExpression([{ text: 'fox', start: 10, end: 14 }]);
  [h] = await Promise.all([
    startHarness({ speech: jobRecognizer({ modelId: whisper }) }),
    makeWhisperFixture(whisper),
    makeColourVideo(file('fox.mp4'), [{ colour: 'gray', durationSec: 18 }], { fps: 5, width: 64, height: 48 }),
    makeColourVideo(file('silent.mp4'), [{ colour: 'red', durationSec: 5 }, { colour: 'green', durationSec: 5 }], { fps: 5, width: 64, height: 48 }),
    makeColourVideo(file('heard.mp4'), [{ colour: 'gray', durationSec: 18 }], { fps: 5, width: 64, height: 48, audio: { expression: fox } }),
  ]);
  // A Matroska file with the same lines as a SubRip subtitle stream (read from the video itself, through its URL).
  await import('node:fs/promises').then(({ writeFile }) => writeFile(file('fox.srt'), FOX_SRT));
  await run$('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file('fox.mp4'), '-i', file('fox.srt'), '-map', '0', '-map', '1', '-c:v', 'copy', '-c:s', 'srt', file('stream.mkv')]);

  // The query endpoint: answered by the embedder's own query code with the same fixture model (fake-async-endpoint.ts).
  Object.assign(process.env, {
    QUERY_ENDPOINT_NAME: 'query-endpoint',
    EMBEDDING_MODEL: MODEL_NAME,
    EMBEDDING_DIM: '32',
  });
  search = (await import('../../functions/search/handler')).handler as unknown as Handler;

  // Several chunks per video (8 s each): only the first job reads the transcript, so no line is stored twice.
  h.configure({ fps: 1, chunkSec: 8 });
  h.endpoint.setMode('notify');
  // Sidecars first, as for the `.json` metadata: their own events are skipped, not indexed as videos.
  expect(await index(await h.put('videos/fox story.srt', FOX_SRT))).toMatchObject({ status: 'SUCCEEDED', states: ['Register'] });
  expect(await index(await h.put('videos/broken.mp4.srt', '1\n00:00:10.0 --> 00:00:14,000\nthe quick brown fox\n'))).toMatchObject({
    status: 'SUCCEEDED',
    states: ['Register'],
  });
  for (const [name, local] of [['fox', 'fox.mp4'], ['silent', 'silent.mp4'], ['broken', 'fox.mp4'], ['stream', 'stream.mkv']] as const) {
    expect(await index(await h.upload(keys[name], file(local)))).toMatchObject({ status: 'SUCCEEDED' });
  }
});

afterAll(async () => {
  // Strict: nothing the pipeline or the search sent was refused by the classic-AOSS double.
  expect(h.aoss.requests.filter((request) => request.refused)).toEqual([]);
  await h?.close();
  await rm(work, { recursive: true, force: true });
});

test('the first job writes the transcript beside the frame embeddings; the others do not', async () => {
  const video = await h.catalog.item(ids.fox);
  expect(video!.embeddings!.length).toBeGreaterThan(1);
  const headers = await Promise.all(video!.embeddings!.map(async (uri) => decodeFrameEmbeddings(await getObjectBytes(h.s3.client, parseS3Uri(uri))).header));
  expect(headers[0].speech).toEqual({
    source: 'sidecar',
    segments: [
      { start: 10, end: 14, text: 'the quick brown fox', source: 'sidecar' },
      { start: 15, end: 16, text: 'jumps over the dog', source: 'sidecar' },
    ],
    notes: [],
  });
  expect(headers.slice(1).map((header) => header.speech)).toEqual(headers.slice(1).map(() => undefined));
});

test('ingest stores each line once, under the run the catalog names; the catalog records the speech', async () => {
  const video = await h.catalog.get(ids.fox);
  expect(video).toMatchObject({ status: 'READY', speech: { source: 'sidecar', segments: 2, notes: [] } });
  const segments = h.segments(ids.fox);
  expect(segments.map(({ start, end, text, source }) => ({ start, end, text, source })).sort((a, b) => a.start - b.start)).toEqual([
    { start: 10, end: 14, text: 'the quick brown fox', source: 'sidecar' },
    { start: 15, end: 16, text: 'jumps over the dog', source: 'sidecar' },
  ]);
  expect(new Set(segments.map((doc) => doc.run_id))).toEqual(new Set([video!.runId]));
  expect(segments[0]).toMatchObject({ title: 'fox story', tags: [] });

  // A subtitle stream in the video itself; a malformed sidecar is a note, and the frames index as usual.
  expect(await h.catalog.get(ids.stream)).toMatchObject({ status: 'READY', speech: { source: 'subtitles', segments: 2, notes: [] } });
  expect(await h.catalog.get(ids.broken)).toMatchObject({
    status: 'READY',
    speech: { source: null, segments: 0, notes: [expect.stringMatching(/^broken\.mp4\.srt: line 2: bad timestamp/), NO_AUDIO_NOTE] },
  });
  expect(h.segments(ids.broken)).toEqual([]);
  // No subtitles and no audio: nothing to recognise, said once for all its jobs.
  expect(await h.catalog.get(ids.silent)).toMatchObject({ status: 'READY', speech: { source: null, segments: 0, notes: [NO_AUDIO_NOTE] } });
});

test('"brown fox" through the search function finds 10–14 s matched by speech, with the line', async () => {
  const { status, body } = await rest({ text: 'brown fox', size: 20, dedupe: false });
  expect(status).toBe(200);
  for (const id of [ids.fox, ids.stream]) {
    const [clip] = clipsOf(body.clips, id);
    expect(clip).toBeDefined();
    expect(clip.start).toBeLessThanOrEqual(10);
    expect(clip.end).toBeGreaterThanOrEqual(14);
    expect(clip.matchedBy).toContain('speech');
    expect(clip.transcript.map((line) => line.text)).toContain('the quick brown fox');
  }
  expect(clipsOf(body.clips, ids.fox)[0].transcript[0]).toMatchObject({ start: 10, end: 14, source: 'sidecar', score: 1 });
  expect(clipsOf(body.clips, ids.stream)[0].transcript[0].source).toBe('subtitles');

  // The options reach it over REST: frames only, and speech only.
  const framesOnly = await rest({ text: 'brown fox', size: 20, dedupe: false, speechWeight: 0 });
  expect(framesOnly.body.clips.every((clip) => clip.matchedBy.join() === 'visual')).toBe(true);
  const spoken = await rest({ text: 'fox', mode: 'speech', size: 20, dedupe: false });
  expect(new Set(spoken.body.clips.map((clip) => clip.videoId))).toEqual(new Set([ids.fox, ids.stream]));
  expect(spoken.body.clips.every((clip) => clip.matchedBy.join() === 'speech')).toBe(true);

  // And over GraphQL.
  const graphql = (await search(
    { info: { fieldName: 'search' }, arguments: { input: { text: 'fox', mode: 'speech', size: 20, dedupe: false } } },
    {} as Context,
  )) as { clips: Clip[] };
  expect(new Set(graphql.clips.map((clip) => clip.videoId))).toEqual(new Set([ids.fox, ids.stream]));
});

test('a video without speech ranks exactly as in a frames-only search', async () => {
  const fused = clipsOf((await rest({ text: 'red', size: 20, dedupe: false })).body.clips, ids.silent);
  const framesOnly = clipsOf((await rest({ text: 'red', size: 20, dedupe: false, speechWeight: 0 })).body.clips, ids.silent);
  expect(fused.length).toBeGreaterThan(0);
  expect(fused.map(({ start, end, score, matchedBy }) => ({ start, end, score, matchedBy }))).toEqual(
    framesOnly.map(({ start, end, score, matchedBy }) => ({ start, end, score, matchedBy })),
  );
});

test('re-ingest keeps the segments exact, under the new run', async () => {
  const reingest = parse(readFileSync(path.join(REPO_ROOT, 'statemachines', 'reingest-videos.asl.yml'), 'utf8')) as unknown;
  const before = await h.catalog.get(ids.fox);
  const execution = h.machine.start({ videoId: ids.fox }, STARTED_PARAMS, reingest);
  expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
  const after = await h.catalog.get(ids.fox);
  expect(after!.runId).not.toBe(before!.runId);
  expect(after!.speech).toEqual(before!.speech);
  const segments = h.segments(ids.fox);
  expect(segments.map((doc) => doc.start).sort((a, b) => a - b)).toEqual([10, 15]);
  expect(new Set(segments.map((doc) => doc.run_id))).toEqual(new Set([after!.runId]));
  const [clip] = clipsOf((await rest({ text: 'brown fox', size: 20, dedupe: false })).body.clips, ids.fox);
  expect(clip.matchedBy).toContain('speech');
});

test('removing the video removes its segments', async () => {
  expect(await h.handlers.removeVideo(h.removal(keys.fox) as never, h.context)).toEqual({ videoId: ids.fox, decision: 'remove' });
  expect(h.segments(ids.fox)).toEqual([]);
  const spoken = await rest({ text: 'fox', mode: 'speech', size: 20, dedupe: false });
  expect(spoken.body.clips.map((clip) => clip.videoId)).toEqual([ids.stream]);
  // The other videos keep theirs.
  expect(h.segments(ids.stream)).toHaveLength(2);
});

test('a video with speech and no subtitles: its jobs hear their ranges, ingest stores the line once, "fox" finds it by speech', async () => {
  expect(await index(await h.upload(keys.heard, path.join(work, 'heard.mp4')))).toMatchObject({ status: 'SUCCEEDED' });
  const video = await h.catalog.get(ids.heard);
  expect(video).toMatchObject({ status: 'READY', speech: { source: 'asr', segments: 1, model: whisper, language: 'en', notes: [] } });
  // Several jobs heard the tone (their ranges overlap around 10–14 s); each wrote it in its own output.
  const { embeddings } = (await h.catalog.item(ids.heard))!;
  const headers = await Promise.all(embeddings!.map(async (uri) => decodeFrameEmbeddings(await getObjectBytes(h.s3.client, parseS3Uri(uri))).header));
  expect(headers.filter((header) => header.speech?.segments.some(({ text }) => text === 'fox')).length).toBeGreaterThan(1);
  const segments = h.segments(ids.heard);
  expect(segments.map(({ start, end, text, source }) => ({ start, end, text, source }))).toEqual([
    { start: expect.closeTo(10, 1), end: expect.closeTo(14, 1), text: 'fox', source: 'asr' },
  ]);
  expect(segments[0].run_id).toBe(video!.runId);

  const { status, body } = await rest({ text: 'fox', size: 20, dedupe: false });
  expect(status).toBe(200);
  const [clip] = clipsOf(body.clips, ids.heard);
  expect(clip).toBeDefined();
  expect(clip.start).toBeLessThanOrEqual(10);
  expect(clip.end).toBeGreaterThanOrEqual(14);
  expect(clip.matchedBy).toContain('speech');
  expect(clip.transcript[0]).toMatchObject({ text: 'fox', source: 'asr' });
});
