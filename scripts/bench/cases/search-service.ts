import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { TransformersEmbedder } from '../../../lib/embedder/transformers-embedder';
import { DEFAULT_INDEX_OPTIONS, indexVideo } from '../../../lib/indexer';
import { makeSampleVideos } from '../../../lib/sample-videos';
import { openLocalStore } from '../../../lib/store/open-local-store';
import type { BenchCase } from '../bench-case';
import { runChild } from '../child';
import { startServeProcess, type ServeProcess } from '../../serve-process';
import { entry, type BenchEntry } from '../entry';
import { fixtureModelDir } from '../fixture';
import { percentile } from '../timing';

interface Load {
  latenciesMs: number[];
  errors: number;
  seconds: number;
}

const CONCURRENCY = [1, 8, 32];

/**
 * Case 7: `vsearch serve` (the real CLI, fixture model, the demo's sample videos) under `POST /search` load from a
 * second process on 127.0.0.1, at concurrency 1, 8 and 32, each bounded in request count and time.
 */
export const searchServiceCase: BenchCase = {
  name: 'search-service',
  async run(ctx) {
    const [count, limitSec] = ctx.smoke ? [16, 10] : [200, 40];
    const model = await fixtureModelDir(ctx.tmpDir);
    const scratch = await mkdtemp(path.join(ctx.tmpDir, 'search-service-'));
    let server: ServeProcess | undefined;
    try {
      const data = path.join(scratch, 'data');
      await indexSamples(path.join(scratch, 'videos'), model, data);
      const serve = await startServeProcess(['--data', data, '--model', model]);
      server = serve;
      const entries: BenchEntry[] = [];
      for (const concurrency of CONCURRENCY) {
        ctx.log(`search service: ${count} requests at concurrency ${concurrency}`);
        const load = await runChild<Load>('search-load.ts', [serve.url, String(concurrency), String(count), String(limitSec)]);
        entries.push(...loadEntries(concurrency, load));
      }
      return entries;
    } finally {
      await server?.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

function loadEntries(concurrency: number, { latenciesMs, errors, seconds }: Load): BenchEntry[] {
  if (latenciesMs.length === 0) throw new Error(`no request was answered at concurrency ${concurrency} (${errors} errors)`);
  const answered = `${latenciesMs.length} answered in ${seconds.toFixed(1)} s (${(latenciesMs.length / seconds).toFixed(0)} req/s)`;
  const latency = (p: number) =>
    entry({
      name: `vsearch serve POST /search p${p}, concurrency ${concurrency}`,
      value: percentile(latenciesMs, p),
      unit: 'ms',
      note: p === 50 ? answered : undefined,
    });
  return [
    latency(50),
    latency(95),
    latency(99),
    entry({ name: `vsearch serve errors, concurrency ${concurrency}`, value: errors, unit: 'requests', target: { of: 'value', max: 0 } }),
  ];
}

async function indexSamples(videosDir: string, modelDir: string, dataDir: string): Promise<void> {
  await mkdir(videosDir, { recursive: true });
  const embedder = await TransformersEmbedder.from_pretrained(modelDir);
  const store = await openLocalStore(dataDir);
  try {
    for (const sample of await makeSampleVideos(videosDir)) {
      const { title, category, tags } = sample;
      const deps = { embedder, catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, raw: store.raw };
      await indexVideo({ path: sample.path, title, category, tags }, deps, DEFAULT_INDEX_OPTIONS);
    }
  } finally {
    store.close();
  }
}
