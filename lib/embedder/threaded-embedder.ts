import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RgbImage } from '../core/types';
import type { Embedder } from './embedder';
import type { EmbedderRequest, EmbedderThreadData, EmbedderThreadMessage, ThreadError } from './embedder-thread';
import type { ImageGeometry } from './image-geometry';
import { MODEL_ERRORS } from './errors';
import type { TransformersEmbedderOptions } from './transformers-embedder';

/** The worker's own errors come back as what they were where a caller can tell (a model that did not load). */
function fromThread({ name, message }: ThreadError): Error {
  if (Object.hasOwn(MODEL_ERRORS, name)) return new MODEL_ERRORS[name as keyof typeof MODEL_ERRORS](message);
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * A TransformersEmbedder running on a worker thread of its own. onnxruntime-node runs a model synchronously on the
 * thread that calls it, so in process every batch stops the main thread — for 0.3–3 s with a real-size model — and
 * with it whatever else the process does: reading the decoder's pipe (ffmpeg then waits on a full 64 KiB pipe, so
 * decoding and embedding take turns instead of overlapping) or answering HTTP requests. Here the main thread keeps
 * reading frames while a batch embeds. Requests are answered in order; vectors come back without a copy.
 * The worker holds the process open only while a request is waiting; `close()` ends it.
 */
export class ThreadedEmbedder implements Embedder {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly model: string,
    readonly dim: number,
    readonly geometry: ImageGeometry,
    readonly batchSize: number,
  ) {
    worker.on('message', (message: EmbedderThreadMessage) => {
      if (message.type !== 'vectors' && message.type !== 'error') return;
      const request = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.type === 'vectors') request?.resolve(message.vectors);
      else request?.reject(fromThread(message.error));
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const { reject } of this.pending.values()) reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the embedder thread stopped (exit code ${code})`)));
    worker.unref();
  }

  /** Loads the model on a new thread; the same arguments and errors as TransformersEmbedder.from_pretrained. */
  static async load(modelIdOrDir: string, options: TransformersEmbedderOptions = {}): Promise<ThreadedEmbedder> {
    const worker = new Worker(join(__dirname, `embedder-thread${extname(__filename)}`), {
      workerData: { model: modelIdOrDir, options } satisfies EmbedderThreadData,
      // From TypeScript sources (tsx, jest) the thread needs tsx's loader too, whatever started this process.
      execArgv: extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : undefined,
    });
    try {
      const ready = await new Promise<Extract<EmbedderThreadMessage, { type: 'ready' }>>((resolve, reject) => {
        worker.once('message', (message: EmbedderThreadMessage) =>
          message.type === 'ready' ? resolve(message) : reject(message.type === 'failed' ? fromThread(message.error) : new Error('unexpected message')),
        );
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the embedder thread stopped while loading (exit code ${code})`)));
      });
      return new ThreadedEmbedder(worker, modelIdOrDir, ready.dim, ready.geometry, ready.batchSize);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return this.request({ texts });
  }

  embedImages(images: RgbImage[]): Promise<Float32Array[]> {
    return this.request({ images });
  }

  /** Ends the thread; requests still waiting fail. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private request(body: { texts: string[] } | { images: RgbImage[] }): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...body } as EmbedderRequest);
    });
  }
}
