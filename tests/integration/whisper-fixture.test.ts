/**
 * The Whisper-layout fixture (scripts/make-whisper-fixture.ts) through transformers.js's own loading and pipeline,
 * on audio ffmpeg generates: tones it hears as words.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from '@huggingface/transformers';
import { makeWhisperFixture } from '../../scripts/make-whisper-fixture';
import { wordTones } from '../helpers/word-tones';

jest.setTimeout(120_000);

let work: string;
let model: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-whisper-'));
  model = path.join(work, 'whisper');
  await makeWhisperFixture(model);
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
