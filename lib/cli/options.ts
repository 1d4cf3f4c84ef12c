import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DTYPES, type EmbedderDtype, isDtype } from '../embedder/dtypes';
import { UsageError } from './usage-error';

export const DEFAULT_MODEL = 'Xenova/clip-vit-base-patch32';
export const DEFAULT_DATA_DIR = '.vsearch';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  data: { type: 'string' },
  model: { type: 'string' },
  dtype: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** `parseArgs` with unknown options and missing values reported as one-line usage errors. */
export function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

export function dataDirOf(values: { data?: string }): string {
  return values.data ?? process.env.VSEARCH_DATA ?? DEFAULT_DATA_DIR;
}

export function modelOf(values: { model?: string }): string {
  return values.model ?? process.env.VSEARCH_MODEL ?? DEFAULT_MODEL;
}

/** The model's weight type (the repository's onnx/*{suffix}.onnx files); a usage error for one no repository ships. */
export function dtypeOf(values: { dtype?: string }): EmbedderDtype {
  const dtype = values.dtype ?? (process.env.VSEARCH_DTYPE || 'fp32');
  if (!isDtype(dtype)) throw new UsageError(`--dtype (or VSEARCH_DTYPE) must be one of ${DTYPES.join(', ')}, got "${dtype}"`);
  return dtype;
}

/** A numeric option: `undefined` when absent, a usage error naming the option when not a number in range. */
export function numberOption(
  name: string,
  raw: string | undefined,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = `${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}`;
    throw new UsageError(`--${name} must be ${range}, got "${raw}"`);
  }
  return value;
}
