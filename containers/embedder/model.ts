import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import type { Embedder } from '../../lib/embedder/embedder';
import { ThreadedEmbedder } from '../../lib/embedder/threaded-embedder';
import type { EmbedderDtype } from '../../lib/embedder/dtypes';
import type { TransformersEmbedderOptions } from '../../lib/embedder/transformers-embedder';
import type { RecognizerSource } from '../../lib/indexer';
import { TransformersSpeechRecognizer } from '../../lib/speech/transformers-recognizer';

/** How many tokens a text has for the text tower, and past how many the tower truncates it. */
export interface TextTokens {
  limit: number;
  count(text: string): number;
}

/** What the server answers with: the embedder, the name its answers carry, and the text tower's token count. */
export interface ServedModel {
  name: string;
  embedder: Embedder;
  textTokens: TextTokens;
  /**
   * Speech recognition of video jobs whose video has no subtitles, each of its own range (video-job.ts); loaded by the
   * first job that needs it (a query-only server never loads it). Absent: off (ASR_MODEL=none).
   */
  speech?: JobRecognizer;
}

/** The recogniser a video job loads when it needs it, and the language it is told (detected per job when absent). */
export interface JobRecognizer extends RecognizerSource {
  readonly language?: string;
}

/** Speech recognition's model (ASR_MODEL, ASR_DTYPE, ASR_LANGUAGE); it runs on the embedder's device. */
export interface AsrModelSettings {
  modelId: string;
  dtype?: EmbedderDtype;
  language?: string;
}

export interface ModelSettings extends TransformersEmbedderOptions {
  /** Hugging Face id or local directory. */
  modelId: string;
  /** The name answers carry; default `modelId` (set it when the model is a directory such as /opt/ml/model). */
  modelName?: string;
  /** Speech recognition for video jobs; absent: none. */
  asr?: AsrModelSettings;
}

/**
 * Loads the embedder, then the tokenizer again on its own (from the files the embedder has just read or cached) to
 * count tokens: the embedder truncates at the tokenizer's `model_max_length` without saying so.
 */
export async function loadServedModel({ modelId, modelName, asr, ...options }: ModelSettings): Promise<ServedModel> {
  // On its own thread: a video job's decoding and the server's other requests go on while a batch embeds.
  const embedder = await ThreadedEmbedder.load(modelId, options);
  const local = existsSync(modelId);
  const tokenizer = await AutoTokenizer.from_pretrained(local ? resolve(modelId) : modelId, { local_files_only: local });
  const limit = Number(tokenizer.model_max_length);
  return {
    name: modelName ?? modelId,
    embedder,
    textTokens: { limit, count: (text) => tokenizer.encode(text).length },
    ...(asr && { speech: jobRecognizer(asr, { device: options.device, cacheDir: options.cacheDir }) }),
  };
}

/**
 * The recogniser, loaded when a job first asks for it, once. A load that fails (a download, a bad directory) fails
 * that job's speech only (a note, video-speech.ts), and the next job that needs it tries again.
 */
export function jobRecognizer(
  { modelId, dtype, language }: AsrModelSettings,
  where: { device?: 'cpu' | 'cuda'; cacheDir?: string } = {},
): JobRecognizer {
  let loading: Promise<TransformersSpeechRecognizer> | undefined;
  const load = () =>
    TransformersSpeechRecognizer.load(modelId, { dtype, ...where }).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return { model: modelId, ...(language && { language }), load: () => (loading ??= load()) };
}
