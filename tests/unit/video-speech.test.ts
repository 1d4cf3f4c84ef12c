import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { readJobSpeech } from '../../containers/embedder/video-speech';
import type { VideoInfo } from '../../lib/decoder/probe';

const s3 = mockClient(S3Client);
const info: VideoInfo = { durationSec: 20, width: 64, height: 48, rotation: 0, nativeFps: 5, codec: 'h264', container: 'mov,mp4', audio: false };
const SRT = '1\n00:00:10,000 --> 00:00:14,000\nthe quick brown fox\n';
const video = { reference: 's3://bucket/videos/movie.mp4', source: 'https://presigned.example/movie.mp4', info };
const signal = new AbortController().signal;
const body = (text: string) => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(text)])) });
const missing = () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });

beforeEach(() => s3.reset());

test('sidecars are the objects beside the key, tried in order; missing ones are no sidecar and no note', async () => {
  s3.on(GetObjectCommand).rejects(missing());
  s3.on(GetObjectCommand, { Bucket: 'bucket', Key: 'videos/movie.mp4.srt' }).resolves(body(SRT) as never);
  const speech = await readJobSpeech(video, new S3Client({}), signal);
  expect(speech).toEqual({ source: 'sidecar', segments: [{ start: 10, end: 14, text: 'the quick brown fox', source: 'sidecar' }], notes: [] });
  expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
    'videos/movie.srt',
    'videos/movie.vtt',
    'videos/movie.mp4.srt',
  ]);
});

test('a sidecar that cannot be read (403: no ListBucket) or parsed is a note, and the next one is tried', async () => {
  const denied = new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
  s3.on(GetObjectCommand).rejects(missing());
  s3.on(GetObjectCommand, { Key: 'videos/movie.srt' }).rejects(denied);
  s3.on(GetObjectCommand, { Key: 'videos/movie.vtt' }).resolves(body('WEBVTT\n\n00:10.0 --> 00:14.000\nfox\n') as never);
  const speech = await readJobSpeech(video, new S3Client({}), signal);
  expect(speech.source).toBeNull();
  expect(speech.notes).toEqual(['movie.srt: Access Denied', expect.stringMatching(/^movie\.vtt: line 3: bad timestamp/)]);
});

test('speech recognition runs only where no subtitles were found; its failure is a note', async () => {
  s3.on(GetObjectCommand).rejects(missing());
  const recognize = jest.fn(async () => ({ segments: [{ start: 1, end: 2, text: 'hello' }], model: 'whisper-tiny', language: 'en' }));
  expect(await readJobSpeech(video, new S3Client({}), signal, recognize)).toEqual({
    source: 'asr',
    segments: [{ start: 1, end: 2, text: 'hello', source: 'asr' }],
    notes: [],
    model: 'whisper-tiny',
    language: 'en',
  });
  const failing = async () => Promise.reject(new Error('no audio stream'));
  expect(await readJobSpeech(video, new S3Client({}), signal, failing)).toEqual({
    source: null,
    segments: [],
    notes: ['speech recognition: no audio stream'],
  });

  s3.on(GetObjectCommand, { Key: 'videos/movie.srt' }).resolves(body(SRT) as never);
  recognize.mockClear();
  expect((await readJobSpeech(video, new S3Client({}), signal, recognize)).source).toBe('sidecar');
  expect(recognize).not.toHaveBeenCalled();
});

test('a video at an https URL has no sidecars: nothing is read from S3', async () => {
  const speech = await readJobSpeech({ ...video, reference: 'https://example.com/movie.mp4' }, new S3Client({}), signal);
  expect(speech).toEqual({ source: null, segments: [], notes: [] });
  expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
});
