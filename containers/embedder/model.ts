import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import type { Embedder } from '../../lib/embedder/embedder';
import { ThreadedEmbedder } from '../../lib/embedder/threaded-embedder';
import type { TransformersEmbedderOptions } from '../../lib/embedder/transformers-embedder';
import type { SpeechRecognizer } from './video-speech';

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
  /** Speech recognition for video jobs whose video has no subtitles (none yet: subtitles and sidecars only). */
  recognizeSpeech?: SpeechRecognizer;
}

export interface ModelSettings extends TransformersEmbedderOptions {
  /** Hugging Face id or local directory. */
  modelId: string;
  /** The name answers carry; default `modelId` (set it when the model is a directory such as /opt/ml/model). */
  modelName?: string;
}

/**
 * Loads the embedder, then the tokenizer again on its own (from the files the embedder has just read or cached) to
 * count tokens: the embedder truncates at the tokenizer's `model_max_length` without saying so.
 */
export async function loadServedModel({ modelId, modelName, ...options }: ModelSettings): Promise<ServedModel> {
  // On its own thread: a video job's decoding and the server's other requests go on while a batch embeds.
  const embedder = await ThreadedEmbedder.load(modelId, options);
  const local = existsSync(modelId);
  const tokenizer = await AutoTokenizer.from_pretrained(local ? resolve(modelId) : modelId, { local_files_only: local });
  const limit = Number(tokenizer.model_max_length);
  return {
    name: modelName ?? modelId,
    embedder,
    textTokens: { limit, count: (text) => tokenizer.encode(text).length },
  };
}
