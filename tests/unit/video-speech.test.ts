import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { hasSubtitles, hearJobSpeech, NO_SUBTITLES, readJobSpeech, SUBTITLES_UNREAD_NOTE } from '../../containers/embedder/video-speech';
import { NO_AUDIO_NOTE } from '../../lib/indexer';
import type { SpeechRecognizer } from '../../lib/speech/speech-recognizer';
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
  const speech = await readJobSpeech(video, new S3Client({}));
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
  const speech = await readJobSpeech(video, new S3Client({}));
  expect(speech.source).toBeNull();
  expect(speech.notes).toEqual(['movie.srt: Access Denied', expect.stringMatching(/^movie\.vtt: line 3: bad timestamp/)]);
});

test('a video at an https URL has no sidecars: nothing is read from S3', async () => {
  const speech = await readJobSpeech({ ...video, reference: 'https://example.com/movie.mp4' }, new S3Client({}));
  expect(speech).toEqual({ source: null, segments: [], notes: [] });
  expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
});

test('subtitles are found cheaply: a text stream in the probe, or a sidecar object listed beside the key', async () => {
  const client = new S3Client({});
  expect(await hasSubtitles({ reference: video.reference, info: { ...info, subtitles: 'subrip' } }, client)).toBe(true);
  expect(s3.commandCalls(ListObjectsV2Command)).toEqual([]);

  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  expect(await hasSubtitles(video, client)).toBe(false);
  expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix).sort()).toEqual([
    'videos/movie.mp4.srt',
    'videos/movie.mp4.vtt',
    'videos/movie.srt',
    'videos/movie.vtt',
  ]);
  expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
  s3.on(ListObjectsV2Command, { Prefix: 'videos/movie.vtt' }).resolves({ Contents: [{ Key: 'videos/movie.vtt' }] });
  expect(await hasSubtitles(video, client)).toBe(true);
  // A picture subtitle stream is not read; a failed listing counts as no sidecar; an https video has none.
  s3.reset();
  s3.on(ListObjectsV2Command).rejects(new Error('Access Denied'));
  expect(await hasSubtitles({ reference: video.reference, info: { ...info, subtitles: 'hdmv_pgs_subtitle' } }, client)).toBe(false);
  expect(await hasSubtitles({ reference: 'https://example.com/movie.mp4', info }, client)).toBe(false);
});

describe('hearJobSpeech', () => {
  const heard = { segments: [{ start: 601, end: 602, text: 'hello', source: 'asr' as const }], language: 'en' };
  const recognizer = { model: 'whisper-tiny', sampleRate: 16_000, languages: ['en'], transcribe: jest.fn(async () => heard) } satisfies SpeechRecognizer;
  const audible = { ...info, audio: true };
  const hearing = { info: audible, audio: new Float32Array(16_000), recognizer: Promise.resolve(recognizer), startSec: 600, signal };

  beforeEach(() => recognizer.transcribe.mockClear());

  test("hears the job's own range, from its start, in video time, with the model and the language", async () => {
    expect(await hearJobSpeech(NO_SUBTITLES, { ...hearing, language: 'en' })).toEqual({
      source: 'asr',
      segments: heard.segments,
      notes: [],
      model: 'whisper-tiny',
      language: 'en',
    });
    expect(recognizer.transcribe).toHaveBeenCalledWith(hearing.audio, 16_000, { language: 'en', startSec: 600 });
  });

  test('subtitles found are kept and nothing is heard; what is not heard is a note', async () => {
    const sidecar = { source: 'sidecar' as const, segments: [], notes: [] };
    expect(await hearJobSpeech(sidecar, hearing)).toBe(sidecar);
    expect(await hearJobSpeech(NO_SUBTITLES, { ...hearing, info, audio: null, recognizer: undefined })).toEqual({ ...NO_SUBTITLES, notes: [NO_AUDIO_NOTE] });
    const broken = { source: null, segments: [], notes: ['movie.srt: line 2: bad timestamp'] };
    expect(await hearJobSpeech(broken, { ...hearing, audio: undefined, recognizer: undefined })).toEqual({
      ...broken,
      notes: [...broken.notes, SUBTITLES_UNREAD_NOTE],
    });
    expect(recognizer.transcribe).not.toHaveBeenCalled();
  });

  test('a recogniser that fails to load or to transcribe is a note, not a failed job', async () => {
    const unloadable = Promise.reject(new Error('Model "Xenova/whisper-base" could not be downloaded'));
    expect(await hearJobSpeech(NO_SUBTITLES, { ...hearing, recognizer: unloadable })).toEqual({
      ...NO_SUBTITLES,
      notes: ['speech recognition failed: Model "Xenova/whisper-base" could not be downloaded'],
    });
    recognizer.transcribe.mockRejectedValueOnce(new RangeError('whisper-tiny has no language "xx"'));
    expect((await hearJobSpeech(NO_SUBTITLES, hearing)).notes).toEqual(['speech recognition failed: whisper-tiny has no language "xx"']);
  });
});
