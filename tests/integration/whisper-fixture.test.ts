/**
 * The Whisper-layout fixture (scripts/make-whisper-fixture.ts) through transformers.js's own loading and pipeline,
 * and the speech recognition adapter on it, on audio ffmpeg generates: tones it hears as words.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from '@huggingface/transformers';
import { makeWhisperFixture } from '../../scripts/make-whisper-fixture';
import { TransformersSpeechRecognizer } from '../../lib/speech/transformers-recognizer';
import { ModelLoadError } from '../../lib/embedder/errors';
import { wordTones } from '../helpers/word-tones';

jest.setTimeout(120_000);

let work: string;
let model: string;
let recognizer: TransformersSpeechRecognizer;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-whisper-'));
  model = path.join(work, 'whisper');
  await makeWhisperFixture(model);
  recognizer = await TransformersSpeechRecognizer.load(model);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Within one 0.02 s timestamp step (the window's stride-2 frames) of `expected`. */
const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.021);

test("transformers.js's own pipeline hears a 1 kHz tone at 10–14 s as \"fox\" at 10–14 s, with timestamps", async () => {
  const asr = (await pipeline('automatic-speech-recognition', model, { dtype: 'fp32' })) as unknown as (
    audio: Float32Array,
    options: object,
  ) => Promise<{ text: string; chunks: { text: string; timestamp: [number, number] }[] }>;
  const heard = await asr(await wordTones([{ text: 'fox', start: 10, end: 14 }], 20), { return_timestamps: true, chunk_length_s: 30, language: 'en' });
  expect(heard.text).toBe(' fox');
  expect(heard.chunks).toHaveLength(1);
  near(heard.chunks[0].timestamp[0], 10);
  near(heard.chunks[0].timestamp[1], 14);
  const silence = await asr(await wordTones([], 20), { return_timestamps: true, chunk_length_s: 30, language: 'en' });
  expect(silence).toEqual({ text: '', chunks: [] });
});

test('the adapter gives each word its own segment on the video time line, across windows', async () => {
  const words = [
    { text: 'dog', start: 2, end: 3.5 },
    { text: 'bird', start: 12, end: 13 },
    { text: 'cat', start: 28, end: 33 }, // across the first window's edge: one segment
    { text: 'fox', start: 50, end: 52 },
  ];
  const { segments, language } = await recognizer.transcribe(await wordTones(words, 65), 16_000);
  expect(language).toBe('en');
  expect(segments.map(({ text, source }) => `${source}:${text}`)).toEqual(['asr:dog', 'asr:bird', 'asr:cat', 'asr:fox']);
  segments.forEach((segment, i) => {
    near(segment.start, words[i].start);
    near(segment.end, words[i].end);
  });
});

test('the language is detected from the loudest window, or taken as given', async () => {
  const german = await wordTones([{ text: 'hund', start: 40, end: 45 }], 60);
  expect(await recognizer.transcribe(german, 16_000)).toMatchObject({ language: 'de', segments: [{ text: 'hund' }] });
  expect((await recognizer.transcribe(german, 16_000, { language: 'fr' })).language).toBe('fr');
  expect(recognizer.languages).toEqual(['en', 'de', 'fr']);
  await expect(recognizer.transcribe(german, 16_000, { language: 'xx' })).rejects.toThrow('has no language "xx" (it has en, de, fr)');
});

test("audio that starts later in the video (a range's) lands at its place on the video's time line", async () => {
  const { segments } = await recognizer.transcribe(await wordTones([{ text: 'bird', start: 1, end: 2 }], 5), 16_000, { startSec: 600, language: 'en' });
  expect(segments).toHaveLength(1);
  near(segments[0].start, 601);
  near(segments[0].end, 602);
});

test('silence is no segment; another sample rate is refused', async () => {
  expect(await recognizer.transcribe(new Float32Array(16_000 * 40), 16_000)).toEqual({ segments: [] });
  await expect(recognizer.transcribe(new Float32Array(44_100), 44_100)).rejects.toThrow(RangeError);
});

test('a directory that is not a whole Whisper model is refused, naming what is missing', async () => {
  await expect(TransformersSpeechRecognizer.load(path.join(work, 'whisper', 'onnx'))).rejects.toThrow(ModelLoadError);
  await expect(TransformersSpeechRecognizer.load(model, { dtype: 'q8' })).rejects.toThrow('is missing onnx/encoder_model_quantized.onnx');
});
