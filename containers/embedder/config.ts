import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_MODEL } from '../../lib/cli/options';
import { DTYPES } from '../../lib/embedder/dtypes';
import { DEFAULT_ASR_MODEL } from '../../lib/speech/transformers-recognizer';
import type { ModelSettings } from './model';

/** Where SageMaker extracts a model artifact (ModelDataUrl); used when MODEL_ID is not set and it exists. */
export const SAGEMAKER_MODEL_DIR = '/opt/ml/model';

const ENV = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MODEL_ID: z.string().min(1).optional(),
  MODEL_NAME: z.string().min(1).optional(),
  MODEL_CACHE_DIR: z.string().min(1).optional(),
  DTYPE: z.enum(DTYPES).default('fp32'),
  BATCH_SIZE: z.coerce.number().int().min(1).max(1024).optional(),
  DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
  ALLOW_LOCAL_SOURCES: z.enum(['0', '1']).default('0'),
  S3_ENDPOINT: z.url().optional(),
  /** Speech recognition of video jobs whose video has no subtitles: a Whisper hub id or directory, or `none`. */
  ASR_MODEL: z.string().min(1).default(DEFAULT_ASR_MODEL),
  ASR_DTYPE: z.enum(DTYPES).default('fp32'),
  /** The language spoken (a Whisper code); detected per job when unset. */
  ASR_LANGUAGE: z.string().min(1).optional(),
});

/** ASR_MODEL's value that turns speech recognition off. */
export const ASR_OFF = 'none';

export interface EmbedderConfig {
  port: number;
  host: string;
  model: ModelSettings;
  allowLocalSources: boolean;
  /** An S3-compatible endpoint instead of AWS S3 (a local stand-in); addressed path-style. */
  s3Endpoint?: string;
}

/**
 * The server's settings from its environment (containers/embedder/README.md); an empty variable counts as unset (an
 * image sets MODEL_ID empty when no model is baked in). Throws an Error naming a bad variable.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): EmbedderConfig {
  const parsed = ENV.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  const settings = parsed.data;
  return {
    port: settings.PORT,
    host: settings.HOST,
    model: {
      modelId: settings.MODEL_ID ?? (existsSync(SAGEMAKER_MODEL_DIR) ? SAGEMAKER_MODEL_DIR : DEFAULT_MODEL),
      modelName: settings.MODEL_NAME,
      dtype: settings.DTYPE,
      batchSize: settings.BATCH_SIZE,
      device: settings.DEVICE,
      cacheDir: settings.MODEL_CACHE_DIR,
      ...(settings.ASR_MODEL !== ASR_OFF && {
        asr: { modelId: settings.ASR_MODEL, dtype: settings.ASR_DTYPE, ...(settings.ASR_LANGUAGE && { language: settings.ASR_LANGUAGE }) },
      }),
    },
    allowLocalSources: settings.ALLOW_LOCAL_SOURCES === '1',
    s3Endpoint: settings.S3_ENDPOINT,
  };
}
