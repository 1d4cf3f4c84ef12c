/**
 * The worker side of ThreadedEmbedder (threaded-embedder.ts): loads a TransformersEmbedder from `workerData` and
 * answers embedding requests, one at a time, in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RgbImage } from '../core/types';
import { TransformersEmbedder, type TransformersEmbedderOptions } from './transformers-embedder';

export interface EmbedderThreadData {
  model: string;
  options: TransformersEmbedderOptions;
}

export type EmbedderRequest = { id: number; texts: string[] } | { id: number; images: RgbImage[] };

export interface ThreadError {
  name: string;
  message: string;
}

export type EmbedderThreadMessage =
  | { type: 'ready'; dim: number; geometry: TransformersEmbedder['geometry']; batchSize: number }
  | { type: 'failed'; error: ThreadError }
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; error: ThreadError };

const port = parentPort!;
const post = (message: EmbedderThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const asThreadError = (error: unknown): ThreadError =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };

async function main(): Promise<void> {
  const { model, options } = workerData as EmbedderThreadData;
  let embedder: TransformersEmbedder;
  try {
    embedder = await TransformersEmbedder.from_pretrained(model, options);
  } catch (error) {
    post({ type: 'failed', error: asThreadError(error) });
    return;
  }
  const { dim, geometry, batchSize } = embedder;
  post({ type: 'ready', dim, geometry, batchSize });
  let queue = Promise.resolve();
  port.on('message', (request: EmbedderRequest) => {
    queue = queue.then(async () => {
      try {
        const vectors = await ('texts' in request ? embedder.embedTexts(request.texts) : embedder.embedImages(request.images));
        // Each vector owns its buffer (unitRows slices them), so they move to the main thread without a copy.
        post({ type: 'vectors', id: request.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
      } catch (error) {
        post({ type: 'error', id: request.id, error: asThreadError(error) });
      }
    });
  });
}

void main();
