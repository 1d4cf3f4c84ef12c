import path from 'node:path';
import { TransformersEmbedder } from '../../../lib/embedder/transformers-embedder';
import type { RgbImage } from '../../../lib/core/types';
import type { BenchCase } from '../bench-case';
import { type BenchEntry, entry } from '../entry';
import { fixtureModelDir } from '../fixture';
import { uniform } from '../random';
import { timeMs } from '../timing';

/**
 * Case 6: images embedded per second, in the embedder's own batches, with the fixture model and, when BENCH_MODEL
 * names a local model directory, with that real model. The frames are noise: a model's cost does not depend on
 * what the pixels show.
 */
export const embedderCase: BenchCase = {
  name: 'embedder',
  async run(ctx) {
    const entries = [await throughput('fixture CLIP model', await fixtureModelDir(ctx.tmpDir), ctx.smoke ? 32 : 512)];
    const real = process.env.BENCH_MODEL;
    if (real) entries.push(await throughput(`BENCH_MODEL=${path.basename(real)}`, real, ctx.smoke ? 8 : 128));
    else ctx.skip('embedder throughput with a real model', 'BENCH_MODEL is not set (a local model directory in the transformers.js layout)');
    return entries;
  },
};

async function throughput(label: string, modelDir: string, count: number): Promise<BenchEntry> {
  const embedder = await TransformersEmbedder.from_pretrained(modelDir);
  const { width, height } = embedder.geometry;
  const next = uniform(6);
  const images: RgbImage[] = Array.from({ length: count }, () => ({
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, () => next() * 256),
  }));
  await embedder.embedImages(images.slice(0, embedder.batchSize)); // warm-up: the first run initialises the session
  const ms = await timeMs(() => embedder.embedImages(images));
  return entry({
    name: `embedder ${label} (${embedder.dim}-d, ${width}×${height}, batches of ${embedder.batchSize})`,
    value: (count * 1000) / ms,
    unit: 'frames/s',
  });
}
