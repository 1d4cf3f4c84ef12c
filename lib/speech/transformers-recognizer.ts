/**
 * The speech recognition port on transformers.js: a Whisper checkpoint in the hub's ONNX layout (onnx/encoder_model,
 * onnx/decoder_model_merged, the processor and tokenizer files) run by its `automatic-speech-recognition` pipeline
 * with timestamps, one 30 s window at a time (lib/core/transcription.ts), on onnxruntime's CPU threads (or its CUDA
 * provider, `device: 'cuda'`).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { AutoConfig, pipeline, Tensor } from '@huggingface/transformers';
import { audioWindows, isSilent, joinSegments, loudestWindow, type RecognisedChunk, windowSegments } from '../core/transcription';
import type { TranscriptSegment } from '../core/types';
import type { EmbedderDtype } from '../embedder/dtypes';
import { downloadFailure, ModelLoadError, oneLine } from '../embedder/errors';
import { requireModelFiles, sessionOptions, useHub } from '../embedder/transformers-embedder';
import type { RecognizeOptions, SpeechRecognizer, Transcription } from './speech-recognizer';

/** Multilingual (so the language can be detected), 74 M parameters, in the hub's ONNX layout with fp32 and q8 files. */
export const DEFAULT_ASR_MODEL = 'Xenova/whisper-base';

export interface TransformersRecognizerOptions {
  /** Weight type, picking onnx/*{suffix}.onnx. Default fp32. */
  dtype?: EmbedderDtype;
  /** The transformers.js cache a hub model is downloaded into. */
  cacheDir?: string;
  /** onnxruntime's threads for one operator; default all cores. */
  threads?: number;
  /** Where onnxruntime runs it: the CPU (default) or the GPU (the embedder container's async endpoint). */
  device?: 'cpu' | 'cuda';
}

/** The parts of transformers.js's pipeline this adapter uses (its own types are looser). */
interface AsrPipeline {
  (audio: Float32Array, options: object): Promise<{ text: string; chunks?: RecognisedChunk[] }>;
  processor: (audio: Float32Array) => Promise<{ input_features: Tensor }>;
  model: ((inputs: object) => Promise<{ logits: Tensor }>) & {
    generation_config: { decoder_start_token_id: number; is_multilingual?: boolean; lang_to_id?: Record<string, number> };
  };
}

export class TransformersSpeechRecognizer implements SpeechRecognizer {
  readonly sampleRate = 16_000;
  readonly languages: readonly string[];

  private constructor(
    readonly model: string,
    private readonly asr: AsrPipeline,
  ) {
    const { is_multilingual, lang_to_id = {} } = asr.model.generation_config;
    this.languages = is_multilingual ? Object.keys(lang_to_id).map((token) => token.slice(2, -2)) : [];
  }

  /**
   * Loads a hub id (downloaded once into the transformers.js cache) or a local directory in the same layout without
   * the network. ModelDownloadError when a hub model is neither cached nor reachable, ModelLoadError otherwise.
   */
  static async load(modelIdOrDir: string, options: TransformersRecognizerOptions = {}): Promise<TransformersSpeechRecognizer> {
    const { dtype = 'fp32', cacheDir, threads = availableParallelism(), device = 'cpu' } = options;
    const local = existsSync(modelIdOrDir);
    const source = local ? resolve(modelIdOrDir) : modelIdOrDir;
    if (local) checkWhisperDir(source, dtype);
    const downloadError = useHub(modelIdOrDir, cacheDir);
    try {
      const { model_type: type } = await AutoConfig.from_pretrained(source, { local_files_only: local });
      if (type !== 'whisper') throw new ModelLoadError(`Model "${modelIdOrDir}" has model_type "${String(type)}"; speech recognition needs a whisper model.`);
      const asr = await pipeline('automatic-speech-recognition', source, {
        dtype,
        device,
        local_files_only: local,
        session_options: sessionOptions(threads, false),
      } as never);
      return new TransformersSpeechRecognizer(modelIdOrDir, asr as unknown as AsrPipeline);
    } catch (err) {
      if (err instanceof ModelLoadError) throw err;
      const failure = local ? undefined : downloadFailure(err);
      throw failure ? downloadError(failure) : new ModelLoadError(`Model "${modelIdOrDir}" could not be loaded: ${oneLine(err)}`);
    }
  }

  async transcribe(samples: Float32Array, sampleRate: number, options: RecognizeOptions = {}): Promise<Transcription> {
    if (sampleRate !== this.sampleRate) throw new RangeError(`${this.model} takes ${this.sampleRate} Hz audio, got ${sampleRate} Hz`);
    const { language: given, startSec = 0 } = options;
    if (!(startSec >= 0 && Number.isFinite(startSec))) throw new RangeError(`invalid startSec ${startSec}`);
    if (given !== undefined && !this.languages.includes(given)) {
      throw new RangeError(`${this.model} has no language "${given}"${this.languages.length ? ` (it has ${this.languages.join(', ')})` : ': it knows one'}`);
    }
    const windows = audioWindows(samples.length, sampleRate).filter((window) => !isSilent(samples, window));
    const loudest = loudestWindow(samples, windows);
    const language = given ?? (loudest && this.languages.length > 0 ? await this.detectLanguage(samples.subarray(loudest.start, loudest.end)) : undefined);
    const segments: TranscriptSegment[] = [];
    for (const window of windows) {
      const heard = await this.asr(samples.subarray(window.start, window.end), {
        return_timestamps: true,
        ...(language !== undefined && { language, task: 'transcribe' }),
      });
      const at = { startSec: startSec + window.start / sampleRate, endSec: startSec + window.end / sampleRate };
      segments.push(...windowSegments(heard.chunks ?? [], at));
    }
    return { segments: joinSegments(segments), ...(language !== undefined && { language }) };
  }

  /** Whisper's own detection: the language token the decoder scores highest right after <|startoftranscript|>. */
  private async detectLanguage(window: Float32Array): Promise<string> {
    const { input_features } = await this.asr.processor(window);
    const { decoder_start_token_id: start, lang_to_id = {} } = this.asr.model.generation_config;
    const { logits } = await this.asr.model({ input_features, decoder_input_ids: new Tensor('int64', BigInt64Array.of(BigInt(start)), [1, 1]) });
    const scores = logits.data as Float32Array;
    const row = scores.subarray(scores.length - (logits.dims.at(-1) ?? 0));
    const [best] = Object.entries(lang_to_id).sort(([, a], [, b]) => row[b] - row[a]);
    return best[0].slice(2, -2);
  }
}

function checkWhisperDir(dir: string, dtype: EmbedderDtype): void {
  const files = ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'];
  requireModelFiles(dir, files, ['encoder_model', 'decoder_model_merged'], dtype);
}
