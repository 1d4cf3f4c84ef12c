import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RealSizeDtype } from '../make-real-size-model';
import { CLIP_VIT_B32, type RealSizeModelSpec, SIGLIP_BASE_16_224 } from '../real-size-model/specs';
import { tsxArgs } from './child';

const run = promisify(execFile);

/** The real-size models the bench measures, and the weight types: fp32, the hub's q8 (`_quantized`), and int8. */
export const BENCH_MODELS: readonly RealSizeModelSpec[] = [CLIP_VIT_B32, SIGLIP_BASE_16_224];
export const BENCH_DTYPES: readonly RealSizeDtype[] = ['fp32', 'q8', 'int8'];

/**
 * Where the bench and the tests keep generated real-size models, whatever `--out` a bench run writes to: they take
 * seconds to minutes to write (the full-size ones 2 GB in all), so even smoke runs (their one-layer variants) reuse
 * them. Git-ignored.
 */
export const MODEL_CACHE = path.resolve(__dirname, '../../bench/tmp/models');

/**
 * The directory of a generated real-size model under `<cacheRoot>`, written on first use and kept while the generator
 * is unchanged (scripts/make-real-size-model.ts --cache). Generated in a process of its own: its few hundred MB of
 * weights never weigh on the caller's heap, and typed-array loops run at full speed (inside jest's sandbox they
 * crawl).
 */
export async function realSizeModelDir(
  cacheRoot: string,
  spec: RealSizeModelSpec,
  options: { layers?: number; dtypes?: readonly RealSizeDtype[] } = {},
): Promise<string> {
  const { layers = spec.vision.layers, dtypes = BENCH_DTYPES } = options;
  const script = path.join(__dirname, '..', 'make-real-size-model.ts');
  const args = ['--cache', cacheRoot, '--model', spec.name, '--layers', String(layers), '--dtypes', dtypes.join(',')];
  const { stdout } = await run(process.execPath, tsxArgs(script, args), { maxBuffer: 1 << 20 });
  return stdout.trim().split('\n').pop()!;
}
