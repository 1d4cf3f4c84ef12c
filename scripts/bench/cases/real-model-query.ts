import { availableParallelism } from 'node:os';
import path from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import sharp from 'sharp';
import { LocalQueryEncoder } from '../../../lib/embedder/local-query-encoder';
import { ThreadedEmbedder } from '../../../lib/embedder/threaded-embedder';
import { ONNX_SUFFIX } from '../../../lib/embedder/dtypes';
import type { Query } from '../../../lib/query-encoder';
import type { RealSizeDtype } from '../../make-real-size-model';
import type { RealSizeModelSpec } from '../../real-size-model/specs';
import type { BenchCase } from '../bench-case';
import { type BenchEntry, entry } from '../entry';
import { textSession, visionSession } from '../ort-direct';
import { uniform } from '../random';
import { BENCH_MODELS, MODEL_CACHE, realSizeModelDir } from '../real-models';
import { percentile, timeMs } from '../timing';

const TEXTS = [
  'a dog running on a beach',
  'red car at night',
  'people dancing at a wedding',
  'a goal in a football match',
  'snow falling on a mountain village',
  'close-up of a cat',
  'a man giving a talk on stage',
  'fireworks over a city',
  'children playing in a park',
  'an aeroplane taking off',
];

/** Untimed queries of each before the timing: the first runs initialise the sessions and the fitting ffmpeg's cache. */
const WARM_UP = 3;

/**
 * Latencies of a running server, ours and the tower alone's taken in turn, query by query, so both see the same load:
 * WARM_UP untimed queries, then `count` timed ones of each.
 */
async function latencies(count: number, ours: (i: number) => Promise<unknown>, alone: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(count, WARM_UP); i++) {
    await ours(i);
    await alone(i);
  }
  const out = { ours: [] as number[], alone: [] as number[] };
  for (let i = 0; i < count; i++) {
    out.ours.push(await timeMs(() => ours(i)));
    out.alone.push(await timeMs(() => alone(i)));
  }
  return out;
}

/** A 1280×720 JPEG of noise: what a user drops on the search page costs its decoding and fitting too. */
async function queryImage(): Promise<Uint8Array> {
  const next = uniform(17);
  const raw = Uint8Array.from({ length: 1280 * 720 * 3 }, () => next() * 256);
  return sharp(raw, { raw: { width: 1280, height: 720, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/**
 * Case: query latency with each real-size model and dtype, as `vsearch search` and `vsearch serve` encode a query
 * (LocalQueryEncoder over the ThreadedEmbedder): a text query (tokenise, text tower, unit vector) and an image query
 * (a 1280×720 JPEG: decode, fit to the model's geometry by ffmpeg, vision tower), p50 and p95. The p50s are set
 * against onnxruntime alone running the same tower once on the same input (the text's token ids; one 224² image).
 * fp32 and int8: a q8 text tower is the int8 file (no Conv, so quantize.py gives it int8 weights), and its vision
 * tower's speed is in real-model-embed.
 */
const QUERY_DTYPES: readonly RealSizeDtype[] = ['fp32', 'int8'];

/**
 * Timed queries of each kind: 20 texts; 8 images, each 0.1–0.7 s of ours and the tower's in turn (with 20 they were
 * 60 of the case's 84 s). A p95 of 8 is their slowest.
 */
const QUERIES = { texts: 20, images: 8 };

export const realModelQueryCase: BenchCase = {
  name: 'real-model-query',
  async run(ctx) {
    const count = ctx.smoke ? { texts: 2, images: 2 } : QUERIES;
    const image = await queryImage();
    const entries: BenchEntry[] = [];
    for (const spec of BENCH_MODELS) {
      const dir = await realSizeModelDir(MODEL_CACHE, spec, { layers: ctx.smoke ? 1 : undefined });
      for (const dtype of QUERY_DTYPES) entries.push(...(await queryLatencies(spec, dir, dtype, image, count)));
    }
    return entries;
  },
};

async function queryLatencies(spec: RealSizeModelSpec, dir: string, dtype: RealSizeDtype, image: Uint8Array, count: typeof QUERIES): Promise<BenchEntry[]> {
  const embedder = await ThreadedEmbedder.load(dir, { dtype });
  const encoder = new LocalQueryEncoder(embedder);
  // The tower alone, with the embedder's own settings: the ratio is what the query path adds to the model.
  const settings = { threads: availableParallelism(), batch: 1, spinning: true };
  const suffix = ONNX_SUFFIX[dtype];
  const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  // SigLIP's text tower always takes its 64 tokens (the embedder pads to them); CLIP's takes the text's own.
  const padding = spec.arch === 'siglip' ? ('max_length' as const) : false;
  const ids = TEXTS.map((t) => Array.from(tokenizer(t, { padding, truncation: true }).input_ids.data as BigInt64Array, Number));
  const text = await textSession(path.join(dir, 'onnx', `text_model${suffix}.onnx`), settings);
  const vision = await visionSession(path.join(dir, 'onnx', `vision_model${suffix}.onnx`), settings, embedder.geometry.width);
  try {
    const query = (q: Query) => encoder.encode(q);
    const texts = await latencies(count.texts, (i) => query({ text: TEXTS[i % TEXTS.length] }), (i) => text.run(ids[i % TEXTS.length]));
    const images = await latencies(count.images, () => query({ image }), () => vision.run(1));
    const model = `${spec.label} ${dtype}`;
    const p = (values: number[], at: number) => percentile(values, at);
    return [
      entry({ name: `text query p50, ${model}`, value: p(texts.ours, 50), unit: 'ms', baseline: p(texts.alone, 50), note: `${count.texts} queries; baseline: the text tower alone, same ids` }),
      entry({ name: `text query p95, ${model}`, value: p(texts.ours, 95), unit: 'ms' }),
      entry({ name: `image query p50, ${model}`, value: p(images.ours, 50), unit: 'ms', baseline: p(images.alone, 50), note: `${count.images} queries of a 1280×720 JPEG; baseline: the vision tower alone on one 224² image` }),
      entry({ name: `image query p95, ${model}`, value: p(images.ours, 95), unit: 'ms' }),
    ];
  } finally {
    await Promise.all([text.release(), vision.release()]);
    await embedder.close();
  }
}
