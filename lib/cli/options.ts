import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DTYPES, type EmbedderDtype, isDtype } from '../embedder/dtypes';
import type { SmoothingOptions } from '../core/smoothing';
import { UsageError } from './usage-error';
import type { AsrSettings } from '../indexer';
import { DEFAULT_ASR_MODEL } from '../speech/transformers-recognizer';

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

/** Speech recognition, where indexing happens (`vsearch index`, `eval`, `demo`). */
export const ASR_OPTIONS = {
  asr: { type: 'string' },
  'asr-language': { type: 'string' },
  'asr-always': { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

/**
 * The speech recognition model (`--asr MODEL|DIR`, else $VSEARCH_ASR, else DEFAULT_ASR_MODEL) and its settings, or
 * false for `--asr none`. Usage errors name the option.
 */
export function asrOf(values: { asr?: string; 'asr-language'?: string; 'asr-always'?: boolean }): { model: string; settings: AsrSettings } | false {
  const model = values.asr ?? (process.env.VSEARCH_ASR || DEFAULT_ASR_MODEL);
  const language = values['asr-language'];
  if (model === 'none') {
    if (language !== undefined || values['asr-always']) throw new UsageError('--asr none cannot be combined with --asr-language or --asr-always');
    return false;
  }
  if (language !== undefined && !/^[a-z]{2,3}$/.test(language)) {
    throw new UsageError(`--asr-language must be a Whisper language code (en, de, fr, …), got "${language}"`);
  }
  return { model, settings: { ...(language !== undefined && { language }), ...(values['asr-always'] && { always: true }) } };
}

/** The smoothing options of `vsearch index` and `vsearch repair`. */
export const SMOOTHING_OPTIONS = {
  'smoothing-kernel': { type: 'string' },
  'smoothing-sigma': { type: 'string' },
  'no-smoothing': { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

/**
 * What the smoothing options ask for: `false` for --no-smoothing, the kernel and sigma given (only those), or
 * undefined when none is given. Usage errors name the option.
 */
export function smoothingOf(values: {
  'smoothing-kernel'?: string;
  'smoothing-sigma'?: string;
  'no-smoothing'?: boolean;
}): SmoothingOptions | false | undefined {
  const kernelSize = numberOption('smoothing-kernel', values['smoothing-kernel'], { min: 1, max: 301, integer: true });
  const sigma = numberOption('smoothing-sigma', values['smoothing-sigma'], { min: 0.01 });
  if (values['no-smoothing']) {
    if (kernelSize !== undefined || sigma !== undefined) {
      throw new UsageError('--no-smoothing cannot be combined with --smoothing-kernel or --smoothing-sigma');
    }
    return false;
  }
  if (kernelSize !== undefined && kernelSize % 2 === 0) throw new UsageError(`--smoothing-kernel must be odd, got ${kernelSize}`);
  if (kernelSize === undefined && sigma === undefined) return undefined;
  return { ...(kernelSize !== undefined && { kernelSize }), ...(sigma !== undefined && { sigma }) };
}

/**
 * A moment option, `VIDEO@START-END` (`--like traffic@10-15`, `--like traffic@01:10-01:25`): times in seconds or
 * [h:]mm:ss, fractions allowed. `undefined` when absent, a usage error naming the option when malformed.
 */
export function momentOption(name: string, raw: string | undefined): { videoId: string; start: number; end: number } | undefined {
  if (raw === undefined) return undefined;
  const at = raw.lastIndexOf('@');
  const [start, end, ...rest] = raw.slice(at + 1).split('-').map(clockSeconds);
  const videoId = raw.slice(0, Math.max(at, 0)).trim();
  if (at < 1 || !videoId || rest.length > 0 || start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end)) {
    throw new UsageError(`--${name} must be VIDEO@START-END (seconds or mm:ss, e.g. traffic@10-15 or traffic@00:10-00:15), got "${raw}"`);
  }
  if (end < start) throw new UsageError(`--${name} ends before it starts: "${raw}"`);
  return { videoId, start, end };
}

/** "75.5", "01:15.5" or "1:01:15" → seconds; NaN for anything else. */
function clockSeconds(text: string): number {
  if (!/^(\d+:){0,2}\d+(\.\d+)?$/.test(text.trim())) return NaN;
  return text
    .trim()
    .split(':')
    .reduce((total, part) => total * 60 + Number(part), 0);
}
