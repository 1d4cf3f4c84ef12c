import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ThreadedEmbedder } from '../../../lib/embedder/threaded-embedder';
import { DEFAULT_INDEX_OPTIONS, indexVideo, type IndexOptions, type RecognizerSource } from '../../../lib/indexer';
import { TransformersSpeechRecognizer } from '../../../lib/speech/transformers-recognizer';
import { openLocalStore, type LocalStore } from '../../../lib/store/open-local-store';
import { FIXTURE_WORDS, wordTonesExpression } from '../../fixture-model/whisper-words';
import { makeWhisperFixture } from '../../make-whisper-fixture';
import type { BenchCase } from '../bench-case';
import { entry } from '../entry';
import { SAMPLE } from '../ffmpeg-baseline';
import { fixtureModelDir } from '../fixture';
import { compareMs, comparisonRounds } from '../timing';
import { benchVideo, type BenchVideo } from '../videos';

const run = promisify(execFile);

/** 15 s of 720p (the case's 20 indexings take ~40 s on 2 cores); a few seconds in a smoke run. */
function asrVideo(smoke: boolean): BenchVideo {
  return smoke ? { width: 320, height: 240, fps: 10, durationSec: 3 } : { width: 1280, height: 720, fps: 30, durationSec: 15 };
}

/** The track's cost is within the machine's noise: 7 alternating rounds (with 5, three runs here gave 0.97, 1.01 and 1.02). */
const TRACK_ROUNDS = 7;

/**
 * Case: speech recognition's cost. (1) ASR off on a video with an audio track against the same video stream without
 * one: the decode maps no audio when ASR is off, so the track must cost nothing (ratio ≤ 1.02). (2) ASR on, with the
 * fixture Whisper (scripts/make-whisper-fixture.ts), against off on the same video: the added seconds per minute of
 * audio — the audio decoded in the same ffmpeg run, the windows recognised, the transcript written. The fixture's
 * graphs are tiny, so this is the pipeline's own cost around a model, not what a real Whisper costs to run.
 */
export const asrCase: BenchCase = {
  name: 'asr',
  async run(ctx) {
    const video = asrVideo(ctx.smoke);
    const silent = await benchVideo(ctx.tmpDir, video);
    const spoken = await withSpeechTrack(silent, video.durationSec);
    const whisperDir = path.join(ctx.tmpDir, 'fixture-whisper');
    await makeWhisperFixture(whisperDir);
    const recognizer = await TransformersSpeechRecognizer.load(whisperDir);
    // One untimed window first: onnxruntime's first runs of a session are slower than the rest.
    await recognizer.transcribe(Float32Array.from({ length: 16_000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 16_000)), 16_000);
    const speech: RecognizerSource = { model: whisperDir, load: async () => recognizer };
    const embedder = await ThreadedEmbedder.load(await fixtureModelDir(ctx.tmpDir), { spinning: false });
    const rounds = ctx.smoke ? comparisonRounds(true) : TRACK_ROUNDS;
    const costRounds = ctx.smoke ? 1 : 3;
    const scratch = await mkdtemp(path.join(ctx.tmpDir, 'asr-'));
    try {
      const stores: LocalStore[] = [];
      for (let i = 0; i < 2 * rounds + 2 * costRounds; i++) stores.push(await openLocalStore(path.join(scratch, String(i))));
      let used = 0;
      let segments = 0;
      const off: IndexOptions = { ...DEFAULT_INDEX_OPTIONS, sampling: { fps: SAMPLE.fps } };
      const on: IndexOptions = { ...off, asr: {} };
      const index = async (file: string, options: IndexOptions) => {
        const { catalog, frames, transcripts, raw } = stores[used++];
        const indexed = await indexVideo({ path: file }, { embedder, catalog, frames, transcripts, raw, speech }, options);
        if (options.asr) segments = indexed.speech?.segments ?? 0;
      };
      const track = await compareMs(() => index(spoken, off), () => index(silent, off), rounds);
      const cost = await compareMs(() => index(spoken, on), () => index(spoken, off), costRounds);
      stores.forEach((store) => store.close());
      const minutes = video.durationSec / 60;
      const label = `${video.height}p ${video.durationSec} s`;
      return [
        entry({
          name: `index ${label} with an audio track, ASR off, vs the same video without one`,
          value: track.ours / 1000,
          unit: 's',
          baseline: track.baseline / 1000,
          target: { of: 'ratio', max: 1.02 },
          note: `median of ${rounds} alternating rounds; no audio is decoded`,
        }),
        entry({
          name: `ASR on (fixture Whisper, not a real model's cost): added time per minute of audio, ${label}`,
          value: (cost.ours - cost.baseline) / 1000 / minutes,
          unit: 's per audio minute',
          note: `median of ${costRounds} alternating rounds; indexing ${(cost.baseline / 1000).toFixed(2)} s off, ${(cost.ours / 1000).toFixed(2)} s on; ${segments} segments heard`,
        }),
      ];
    } finally {
      await embedder.close();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

/** The video with an AAC track saying the fixture's words in turn (one a second, every other second), cached beside it. */
async function withSpeechTrack(file: string, durationSec: number): Promise<string> {
  const out = file.replace(/\.mp4$/, '-speech.mp4');
  if (await stat(out).then(() => true, () => false)) return out;
  const words = Array.from({ length: Math.floor(durationSec / 2) }, (_, i) => ({ text: FIXTURE_WORDS[i % FIXTURE_WORDS.length].text, start: 2 * i + 0.5, end: 2 * i + 1.5 }));
  const partial = `${out}.partial.mp4`;
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', file],
    ...['-f', 'lavfi', '-i', `aevalsrc=${wordTonesExpression(words)}:s=44100:d=${durationSec}`],
    ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest', partial],
  ]);
  await rename(partial, out);
  return out;
}
