import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { RgbImage } from '../../../lib/core/types';
import { decodeFrames } from '../../../lib/decoder/frames';
import type { Embedder } from '../../../lib/embedder/embedder';
import { ThreadedEmbedder } from '../../../lib/embedder/threaded-embedder';
import { DEFAULT_INDEX_OPTIONS, indexVideo } from '../../../lib/indexer';
import { openLocalStore } from '../../../lib/store/open-local-store';
import type { RealSizeDtype } from '../../make-real-size-model';
import { CLIP_VIT_B32, type RealSizeModelSpec, SIGLIP_BASE_16_224 } from '../../real-size-model/specs';
import type { BenchCase, BenchContext } from '../bench-case';
import { type BenchEntry, entry } from '../entry';
import { MODEL_CACHE, realSizeModelDir } from '../real-models';
import { type BenchVideo, benchVideo, indexingVideo } from '../videos';

/** 10 minutes of 720p at 30 fps: 600 frames at 1 fps (a few seconds of 240p in a smoke run). */
const LONG: BenchVideo = { width: 1280, height: 720, fps: 30, durationSec: 600 };
/** ViT-B/32 in fp32 and the 8-bit variant the README recommends on the CPU. */
const INDEX_DTYPES: readonly RealSizeDtype[] = ['fp32', 'int8'];

/** CPU seconds this process and its finished children (ffmpeg, ffprobe) have used: /proc/self/stat utime..cstime. */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14, in clock ticks (USER_HZ, 100).
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

async function measured(fn: () => Promise<unknown>): Promise<{ seconds: number; cpu: number }> {
  const cpu = cpuSeconds();
  const start = performance.now();
  await fn();
  return { seconds: (performance.now() - start) / 1000, cpu: cpuSeconds() - cpu };
}

/** indexVideo as `vsearch index` runs it (1 fps, default smoothing) into a fresh local store; its frame count. */
async function indexOnce(ctx: BenchContext, file: string, embedder: Embedder): Promise<number> {
  const dataDir = await mkdtemp(path.join(ctx.tmpDir, 'real-model-index-'));
  const store = await openLocalStore(dataDir);
  try {
    const deps = { embedder, catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, raw: store.raw };
    return (await indexVideo({ path: file }, deps, { ...DEFAULT_INDEX_OPTIONS, sampling: { fps: 1 } })).frames;
  } finally {
    store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Case: indexing 10 minutes of 720p at 1 fps with the real-size ViT-B/32 (fp32, int8), as `vsearch index` runs it
 * (ThreadedEmbedder without spin-waiting, indexVideo into a fresh local store), against the larger of decoding alone
 * (decodeFrames with the scene scores, the same frames kept) and embedding alone (the embedder over those frames in its
 * batches), both timed on the video's first fifth and scaled (SAMPLE_SHARE), each run once in this run. Also: the
 * same against the CPU floor — the CPU seconds decode and embed took alone, spread over every core — which is what a
 * machine whose cores both stages need can at best do; and the per-hour figures the README quotes, SigLIP's from one
 * minute of the same 720p ×60.
 */
export const realModelIndexCase: BenchCase = {
  name: 'real-model-index',
  async run(ctx) {
    const video = ctx.smoke ? indexingVideo(true) : LONG;
    const file = await benchVideo(ctx.tmpDir, video);
    const layers = ctx.smoke ? 1 : undefined;
    const clipDir = await realSizeModelDir(MODEL_CACHE, CLIP_VIT_B32, { layers });
    const entries: BenchEntry[] = [];

    const frames: RgbImage[] = [];
    const geometry = { width: 224, height: 224, fit: 'cover' as const };
    const total = video.durationSec; // frames at 1 fps
    // The decode indexing does (with the scene scores shot detection reads from it), of the first fifth: scaled.
    const share = ctx.smoke ? 1 : SAMPLE_SHARE;
    const sampled = await measured(async () => {
      const options = { plan: { fps: 1 }, ...geometry, onSceneScore: () => undefined, endSec: video.durationSec / share };
      for await (const frame of decodeFrames(file, options)) frames.push(frame);
    });
    const decode = scaled(sampled, total / frames.length);
    const label = `${video.height}p ${duration(video.durationSec)}, ${total} frames at 1 fps`;
    const sampleNote = `timed over the first ${frames.length} of the ${total} frames, scaled`;
    ctx.log(`decode alone: ${decode.seconds.toFixed(1)} s, ${decode.cpu.toFixed(1)} CPU s`);
    entries.push(entry({ name: `decode alone, ${label}`, value: decode.seconds, unit: 's', note: `${decode.cpu.toFixed(1)} CPU s; ${sampleNote}` }));

    for (const dtype of INDEX_DTYPES) {
      const embedder = await ThreadedEmbedder.load(clipDir, { dtype, spinning: false }); // as vsearch index loads it
      try {
        if (embedder.geometry.width !== geometry.width || embedder.geometry.fit !== geometry.fit) throw new Error('ViT-B/32 takes 224² cover frames');
        await embedder.embedImages(frames.slice(0, embedder.batchSize)); // warm-up
        // embedImages runs the frames in the embedder's own batches.
        const embed = scaled(await measured(() => embedder.embedImages(frames)), total / frames.length);
        let indexed = 0;
        const pipeline = await measured(async () => (indexed = await indexOnce(ctx, file, embedder)));
        if (indexed !== total) throw new Error(`indexed ${indexed} frames, not ${total}`);
        const model = `${CLIP_VIT_B32.label} ${dtype}`;
        ctx.log(`${model}: embed alone ${embed.seconds.toFixed(1)} s (${embed.cpu.toFixed(1)} CPU s), pipeline ${pipeline.seconds.toFixed(1)} s`);
        const floor = (decode.cpu + embed.cpu) / availableParallelism();
        entries.push(
          entry({ name: `embed alone, ${label}, ${model}`, value: embed.seconds, unit: 's', note: `${embed.cpu.toFixed(1)} CPU s; ${sampleNote}` }),
          entry({
            name: `index pipeline ${label}, ${model}, vs the larger of decode alone and embed alone`,
            value: pipeline.seconds,
            unit: 's',
            baseline: Math.max(decode.seconds, embed.seconds),
            target: { of: 'ratio', max: 1.1 },
            note: `one run each; pipeline ${pipeline.cpu.toFixed(1)} CPU s; ${cores(decode, 'decode')} and ${cores(embed, 'embedding')} alone, of ${availableParallelism()}: where the two need more cores than there are, no overlap can reach this target, and the CPU floor below is the bound`,
          }),
          entry({
            name: `index pipeline ${label}, ${model}, vs the CPU floor (decode + embed CPU s over ${availableParallelism()} cores)`,
            value: pipeline.seconds,
            unit: 's',
            baseline: floor,
            target: { of: 'ratio', max: 1.1 },
            note: 'what the cores can at best do when both stages need them all; other work on the machine adds to the pipeline only',
          }),
          perHour(model, pipeline.seconds, video.durationSec, label),
        );
      } finally {
        await embedder.close();
      }
    }

    // SigLIP base: one minute of 720p (the index-pipeline case's video), the hour extrapolated from it.
    const minute = indexingVideo(ctx.smoke);
    const minuteFile = await benchVideo(ctx.tmpDir, minute);
    const siglipDir = await realSizeModelDir(MODEL_CACHE, SIGLIP_BASE_16_224, { layers });
    for (const dtype of INDEX_DTYPES) {
      entries.push(await siglipHour(ctx, { spec: SIGLIP_BASE_16_224, dir: siglipDir, dtype, file: minuteFile, video: minute, warmUp: frames[0] }));
    }
    return entries;
  },
};

/**
 * Decoding alone and embedding alone are timed over the first fifth of the video (its first 120 of 600 frames) and
 * scaled to the whole: the test video's cost per second is the same throughout (testsrc2, constant bitrate), and a
 * frame's embedding cost does not depend on its pixels. The fifth's fixed costs (ffmpeg's start, the probe), scaled
 * five times, put the baselines at most about 1 % high. This halves the case's time (decoding 10 min alone took 33–47 s).
 */
const SAMPLE_SHARE = 5;

const scaled = (run: { seconds: number; cpu: number }, factor: number) => ({ seconds: run.seconds * factor, cpu: run.cpu * factor });

/** How many cores a stage kept busy on average when it ran alone. */
const cores = (run: { seconds: number; cpu: number }, stage: string) => `${stage} used ${(run.cpu / run.seconds).toFixed(1)} cores`;

const duration = (sec: number) => (sec >= 60 ? `${sec / 60} min` : `${sec} s`);

function perHour(model: string, seconds: number, videoSec: number, from: string): BenchEntry {
  return entry({
    name: `indexing one hour of 720p at 1 fps, ${model}`,
    value: (seconds * (3600 / videoSec)) / 60,
    unit: 'min',
    note: `from the pipeline's ${seconds.toFixed(1)} s for ${from}`,
  });
}

interface HourFromMinute {
  spec: RealSizeModelSpec;
  dir: string;
  dtype: RealSizeDtype;
  file: string;
  video: BenchVideo;
  /** A frame to run once before the timing (any 224×224 picture). */
  warmUp: RgbImage;
}

async function siglipHour(ctx: BenchContext, { spec, dir, dtype, file, video, warmUp }: HourFromMinute): Promise<BenchEntry> {
  const embedder = await ThreadedEmbedder.load(dir, { dtype, spinning: false });
  try {
    await embedder.embedImages([warmUp]);
    let frames = 0;
    const { seconds } = await measured(async () => (frames = await indexOnce(ctx, file, embedder)));
    return perHour(`${spec.label} ${dtype}`, seconds, video.durationSec, `${video.height}p ${duration(video.durationSec)}, ${frames} frames`);
  } finally {
    await embedder.close();
  }
}
