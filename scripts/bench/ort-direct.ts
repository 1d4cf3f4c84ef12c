/**
 * onnxruntime-node running a model file directly, without transformers.js or the embedder: the peak the engine
 * reaches for that graph, the baseline of the real-size model cases. Its inputs are built once, outside the timing.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { timeMs } from './timing';

export interface OrtSettings {
  /** onnxruntime's execution provider: its CPU one, or CUDA (as the GPU container runs it). */
  provider?: 'cpu' | 'cuda';
  threads: number;
  /** Images per run. */
  batch: number;
  /** onnxruntime's spin-waiting between operators (its default is on). */
  spinning: boolean;
}

export function describeSettings({ provider = 'cpu', threads, batch, spinning }: OrtSettings): string {
  if (provider === 'cuda') return `CUDA, batch ${batch}`;
  return `batch ${batch}, ${threads} thread${threads === 1 ? '' : 's'}, spinning ${spinning ? 'on' : 'off'}`;
}

/**
 * The settings tried for a vision tower on this machine. CPU: a thread per core, batches of 1 and 4, with and without
 * onnxruntime's spin-waiting (its default is on); 16 was never faster here (fp32 the same, 8-bit 10% slower). CUDA:
 * batches of 16, 64 and 256 (a GPU wants many rows).
 */
export function candidateSettings(provider: 'cpu' | 'cuda' = 'cpu'): OrtSettings[] {
  const threads = availableParallelism();
  if (provider === 'cuda') return [16, 64, 256].map((batch) => ({ provider, threads, batch, spinning: false }));
  return [1, 4].flatMap((batch) => [false, true].map((spinning) => ({ threads, batch, spinning })));
}

export interface OrtSession {
  /** Runs `count` inputs (a multiple of the batch) through the model. */
  run(count: number): Promise<void>;
  release(): Promise<void>;
}

function open(file: string, { provider = 'cpu', threads, spinning }: OrtSettings): Promise<ort.InferenceSession> {
  const spin = spinning ? '1' : '0';
  return ort.InferenceSession.create(file, {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  });
}

/** A vision tower taking pixel_values [batch, 3, size, size]. */
export async function visionSession(file: string, settings: OrtSettings, size: number): Promise<OrtSession> {
  const session = await open(file, settings);
  const { batch } = settings;
  const pixels = Float32Array.from({ length: batch * 3 * size * size }, (_, i) => ((i * 7919) % 2000) / 1000 - 1);
  const feeds = { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, size, size]) };
  return {
    async run(count) {
      for (let done = 0; done < count; done += batch) await session.run(feeds);
    },
    release: () => session.release(),
  };
}

export interface OrtTextSession {
  /** Runs one text, given as token ids. */
  run(ids: readonly number[]): Promise<void>;
  release(): Promise<void>;
}

/** A text tower taking input_ids (and an attention mask of ones where the model has that input), one text a run. */
export async function textSession(file: string, settings: OrtSettings): Promise<OrtTextSession> {
  const session = await open(file, settings);
  const masked = session.inputNames.includes('attention_mask');
  return {
    async run(ids) {
      const shape = [1, ids.length];
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), shape) };
      if (masked) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape);
      await session.run(feeds);
    },
    release: () => session.release(),
  };
}

/**
 * The fastest of `candidates` for a vision tower, each timed over `count` images after a warm-up run: onnxruntime's
 * best on this machine, as far as those settings go. Returns its session open, with the settings.
 */
export async function bestVisionSession(
  file: string,
  size: number,
  count: number,
  candidates: OrtSettings[] = candidateSettings(),
): Promise<{ session: OrtSession; settings: OrtSettings }> {
  let best: { session: OrtSession; settings: OrtSettings; ms: number } | undefined;
  for (const settings of candidates) {
    const session = await visionSession(file, settings, size);
    await session.run(settings.batch);
    const ms = await timeMs(() => session.run(Math.ceil(count / settings.batch) * settings.batch));
    if (!best || ms < best.ms) {
      await best?.session.release();
      best = { session, settings, ms };
    } else {
      await session.release();
    }
  }
  return best!;
}
