/**
 * Speech recognition in the embedder container's video job, with real parts: the fixture CLIP model and the
 * Whisper-layout fixture (scripts/make-whisper-fixture.ts: a tone at 10–14 s is heard as " fox"), ffmpeg on generated
 * videos read from s3rver through presigned URLs, the sidecar check against it, and ingest's join of the jobs' lines.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jobRecognizer, type JobRecognizer, type ServedModel } from '../../containers/embedder/model';
import { runVideoJob } from '../../containers/embedder/video-job';
import { SUBTITLES_UNREAD_NOTE } from '../../containers/embedder/video-speech';
import { decodeFrameEmbeddings, type FrameEmbeddingsHeader } from '../../lib/frame-embeddings-format';
import { NO_AUDIO_NOTE } from '../../lib/indexer';
import { jobsTranscript } from '../../lib/pipeline/ingest-frames';
import { planJobs } from '../../lib/pipeline/indexing-settings';
import { makeColourVideo } from '../../lib/sample-videos';
import { makeWhisperFixture } from '../../scripts/make-whisper-fixture';
import { wordTonesExpression } from '../../scripts/fixture-model/whisper-words';
import { ffmpeg } from '../helpers/cli';
import { fixtureServedModel } from '../helpers/fixture-model';
import { startLocalS3, type LocalS3 } from '../helpers/local-s3';

jest.setTimeout(120_000);

const BUCKET = 'videos';
let work: string;
let s3: LocalS3;
let served: ServedModel;
let whisper: string;
/** The Whisper fixture, counting its loads. */
let speech: JobRecognizer & { load: jest.Mock };
const signal = new AbortController().signal;

async function job(key: string, manifest: object = {}, model: ServedModel = { ...served, speech }): Promise<FrameEmbeddingsHeader> {
  const { output } = await runVideoJob({ videoId: 'v', video: `s3://${BUCKET}/${key}`, fps: 1, ...manifest }, model, { s3: s3.client, allowLocal: false }, signal);
  return decodeFrameEmbeddings(output).header;
}

const near = (expected: number) => expect.closeTo(expected, 1);
const fox = { start: near(10), end: near(14), text: 'fox', source: 'asr' };

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'video-job-asr-'));
  const file = (name: string) => path.join(work, name);
  whisper = file('whisper');
  const small = { fps: 5, width: 64, height: 48 };
  let model: { served: ServedModel };
  [model, s3] = await Promise.all([
    fixtureServedModel(work, 'clip-fixture'),
    startLocalS3(await mkdtemp(path.join(work, 's3-')), [BUCKET]),
    makeWhisperFixture(whisper),
    makeColourVideo(file('fox.mp4'), [{ colour: 'gray', durationSec: 18 }], { ...small, audio: { expression: wordTonesExpression([{ text: 'fox', start: 10, end: 14 }]) } }),
    makeColourVideo(file('mute.mp4'), [{ colour: 'red', durationSec: 6 }], small),
  ]);
  served = model.served;
  const real = jobRecognizer({ modelId: whisper });
  speech = { model: real.model, load: jest.fn(() => real.load()) };
  await writeFile(file('fox.srt'), '1\n00:00:10,000 --> 00:00:14,000\nthe quick brown fox\n');
  await ffmpeg(['-i', file('fox.mp4'), '-i', file('fox.srt'), '-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'mov_text', file('subtitled.mp4')]);
  const put = async (key: string, body: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const foxBytes = await readFile(file('fox.mp4'));
  await Promise.all([
    put('fox.mp4', foxBytes),
    put('mute.mp4', await readFile(file('mute.mp4'))),
    put('subtitled.mp4', await readFile(file('subtitled.mp4'))),
    put('beside/fox.mp4', foxBytes),
    put('beside/fox.mp4.srt', Buffer.from('1\n00:00:10.0 --> 00:00:14,000\nmalformed\n')),
  ]);
});

afterAll(async () => {
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => speech.load.mockClear());

test('a video without subtitles: the job hears the tone as "fox" at 10–14 s, in its header beside the frames', async () => {
  const header = await job('fox.mp4', { speech: true });
  expect(header.speech).toEqual({ source: 'asr', segments: [fox], notes: [], model: whisper, language: 'en' });
  expect(speech.load).toHaveBeenCalledTimes(1);
});

test('jobs of ranges hear their own range in video time; ingest keeps the line in the overlap once', async () => {
  const jobs = planJobs(18, { fps: 1, chunkSec: 8, smoothing: { kernelSize: 11, sigma: 1.8 } });
  expect(jobs.length).toBeGreaterThan(1);
  const headers = await Promise.all(jobs.map((range) => job('fox.mp4', { startSec: range.start, endSec: range.end, ...(range.start === 0 && { speech: true }) })));
  // Every range holding 10–14 s heard it there (the first one's audio stops at its end).
  headers.forEach((header, i) => {
    const { start, end } = jobs[i];
    const expected = start < 14 && end > 10 ? [{ ...fox, start: near(Math.max(10, start)), end: near(Math.min(14, end)) }] : [];
    expect(header.speech).toMatchObject({ source: 'asr', segments: expected });
  });
  expect(headers.filter((header) => header.speech!.segments.length > 0).length).toBeGreaterThan(1);
  expect(jobsTranscript(headers.map((header) => header.speech), jobs)).toEqual({
    segments: [fox],
    speech: { source: 'asr', segments: 1, notes: [], model: whisper, language: 'en' },
  });
});

test('a video with subtitles is not heard: a stream, or a sidecar beside its key (even one that does not parse)', async () => {
  expect((await job('subtitled.mp4', { speech: true })).speech).toEqual({
    source: 'subtitles',
    segments: [{ start: 10, end: 14, text: 'the quick brown fox', source: 'subtitles' }],
    notes: [],
  });
  expect((await job('subtitled.mp4', { startSec: 4 })).speech).toBeUndefined();
  const first = await job('beside/fox.mp4', { speech: true });
  expect(first.speech!.source).toBeNull();
  expect(first.speech!.notes).toEqual([expect.stringMatching(/^fox\.mp4\.srt: line 2: bad timestamp/), SUBTITLES_UNREAD_NOTE]);
  expect((await job('beside/fox.mp4', { startSec: 4 })).speech).toBeUndefined();
  expect(speech.load).not.toHaveBeenCalled();
});

test('no audio stream: a note, nothing loaded; a recogniser that cannot load is a note, the frames are embedded', async () => {
  expect((await job('mute.mp4', { speech: true })).speech).toEqual({ source: null, segments: [], notes: [NO_AUDIO_NOTE] });
  expect(speech.load).not.toHaveBeenCalled();
  const clip = path.join(work, 'model'); // the CLIP fixture: not a Whisper model
  const { output, frames } = await runVideoJob(
    { videoId: 'v', video: `s3://${BUCKET}/fox.mp4`, fps: 1, startSec: 8 },
    { ...served, speech: jobRecognizer({ modelId: clip }) },
    { s3: s3.client, allowLocal: false },
    signal,
  );
  expect(frames).toBe(10);
  expect(decodeFrameEmbeddings(output).header.speech).toEqual({
    source: null,
    segments: [],
    notes: [expect.stringMatching(/^speech recognition failed: Model directory ".*" is missing generation_config.json/)],
  });
});

test('speech recognition off: the output is what it was without it', async () => {
  const off = await runVideoJob({ videoId: 'v', video: `s3://${BUCKET}/fox.mp4`, fps: 1, startSec: 8 }, served, { s3: s3.client, allowLocal: false }, signal);
  expect(off.output.readUInt16LE(4)).toBe(1); // format version 1: no speech
  expect(decodeFrameEmbeddings(off.output).header.speech).toBeUndefined();
  expect((await job('fox.mp4', { speech: true }, served)).speech).toEqual({ source: null, segments: [], notes: [] });
});
