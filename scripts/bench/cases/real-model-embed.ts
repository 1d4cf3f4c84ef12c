import path from 'node:path';
import type { RgbImage } from '../../../lib/core/types';
import { ThreadedEmbedder } from '../../../lib/embedder/threaded-embedder';
import { ONNX_SUFFIX } from '../../../lib/embedder/dtypes';
import type { BenchCase } from '../bench-case';
import { type BenchEntry, entry } from '../entry';
import { bestVisionSession, candidateSettings, describeSettings, type OrtSettings } from '../ort-direct';
import { uniform } from '../random';
import { BENCH_DTYPES, BENCH_MODELS, MODEL_CACHE, realSizeModelDir } from '../real-models';
import { compareMs } from '../timing';
import { CLIP_VIT_B32, type RealSizeModelSpec } from '../../real-size-model/specs';
import type { RealSizeDtype } from '../../make-real-size-model';

/**
 * Alternating rounds (one in a smoke run): three short ones rather than one long one, so the median round is one
 * that load from other work on this shared machine hit about evenly.
 */
const ROUNDS = 3;

/**
 * q8 (the hub's `_quantized` files) is measured on ViT-B/32 only: on this CPU it runs no faster than fp32 there (21–24
 * against 20–23 frames/s in four runs), and SigLIP's did the same (6.1–6.8 against 5.3–5.9); 11 s of the run saved.
 */
const SIGLIP_DTYPES: readonly RealSizeDtype[] = ['fp32', 'int8'];

/**
 * Frames a side per round, a multiple of every batch tried: 8 for CLIP, 4 for SigLIP (five times the cost per frame),
 * 0.2–0.7 s of work in fp32; 512 on a GPU; 2 in a smoke run, where onnxruntime tries batches of 1 only.
 */
function framesPerRound(spec: RealSizeModelSpec, smoke: boolean, device: 'cpu' | 'cuda'): number {
  if (smoke) return 2;
  if (device === 'cuda') return 512;
  return spec.arch === 'clip' ? 8 : 4;
}

/**
 * Case: images embedded per second by each generated real-size model (CLIP ViT-B/32, SigLIP base/16 224; fp32, q8,
 * int8) through the embedder as the CLI and the container run it (ThreadedEmbedder: its batches of 16, its threads,
 * uint8 frames in, unit vectors out), against onnxruntime-node running the same vision_model file directly with the
 * best of its settings tried on this machine in the same run (prebuilt float input, nothing after the run). The
 * frames are noise: a model's cost does not depend on what the pixels show. A smoke run uses one-layer models.
 * BENCH_DEVICE=cuda measures the GPU container's path instead (onnxruntime's CUDA provider, fp32 only: the 8-bit
 * operators run on the CPU), as scripts/bench/gpu.sh runs it on a machine with an NVIDIA GPU.
 */
export const realModelEmbedCase: BenchCase = {
  name: 'real-model-embed',
  async run(ctx) {
    const device = process.env.BENCH_DEVICE === 'cuda' ? 'cuda' : 'cpu';
    if (device === 'cpu') {
      ctx.skip('embed throughput with onnxruntime\'s CUDA provider', 'BENCH_DEVICE is not cuda (scripts/bench/gpu.sh runs it on a GPU machine)');
    }
    const entries: BenchEntry[] = [];
    for (const spec of BENCH_MODELS) {
      const dir = await realSizeModelDir(MODEL_CACHE, spec, { layers: ctx.smoke ? 1 : undefined });
      const count = framesPerRound(spec, ctx.smoke, device);
      const candidates = ctx.smoke ? candidateSettings(device).slice(0, 1) : candidateSettings(device);
      const rounds = ctx.smoke ? 1 : ROUNDS;
      const dtypes = device === 'cuda' ? (['fp32'] as const) : spec === CLIP_VIT_B32 ? BENCH_DTYPES : SIGLIP_DTYPES;
      for (const dtype of dtypes) entries.push(await throughput({ spec, dir, dtype, device, count, candidates, rounds }, ctx.log));
    }
    return entries;
  },
};

interface Measured {
  spec: RealSizeModelSpec;
  dir: string;
  dtype: RealSizeDtype;
  device: 'cpu' | 'cuda';
  /** Frames a side per round. */
  count: number;
  candidates: OrtSettings[];
  rounds: number;
}

async function throughput({ spec, dir, dtype, device, count, candidates, rounds }: Measured, log: (m: string) => void): Promise<BenchEntry> {
  const embedder = await ThreadedEmbedder.load(dir, { dtype, device });
  try {
    const { width, height } = embedder.geometry;
    const next = uniform(11);
    const frames: RgbImage[] = Array.from({ length: count }, () => ({
      width,
      height,
      data: Uint8Array.from({ length: width * height * 3 }, () => next() * 256),
    }));
    const file = path.join(dir, 'onnx', `vision_model${ONNX_SUFFIX[dtype]}.onnx`);
    const trial = 2 * Math.max(count, ...candidates.map((c) => c.batch));
    const { session, settings } = await bestVisionSession(file, width, trial, candidates);
    log(`${spec.label} ${dtype}: onnxruntime's best here ${describeSettings(settings)}`);
    try {
      await embedder.embedImages(frames.slice(0, embedder.batchSize)); // warm-up: the first run initialises the session
      const median = await compareMs(
        () => embedder.embedImages(frames),
        () => session.run(count),
        rounds,
      );
      return entry({
        name: `real-size ${spec.label} ${dtype}${device === 'cuda' ? ' on CUDA' : ''}: frames/s through the embedder vs onnxruntime alone on the same graph`,
        value: (count * 1000) / median.ours,
        unit: 'frames/s',
        baseline: (count * 1000) / median.baseline,
        target: { of: 'ratio', min: 0.9 },
        note:
          `ours: batches of ${embedder.batchSize}, default ${device === 'cuda' ? 'settings' : 'threads'}; onnxruntime: ${describeSettings(settings)} (its best of ${candidates.length} tried); ` +
          `median of ${rounds} alternating rounds of ${count} frames`,
      });
    } finally {
      await session.release();
    }
  } finally {
    await embedder.close();
  }
}
