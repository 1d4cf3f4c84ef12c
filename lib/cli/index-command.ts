import type { SamplingPlan, SpeechRecord, VideoRecord } from '../core/types';
import { DEFAULT_SHOT_THRESHOLD } from '../core/shots';
import { DEFAULT_SMOOTHING } from '../core/smoothing';
import { indexVideo, type IndexOptions, type RecognizerSource } from '../indexer';
import { ASR_OPTIONS, asrOf, COMMON_OPTIONS, numberOption, parseCommand, SMOOTHING_OPTIONS, smoothingOf } from './options';
import { UsageError } from './usage-error';
import { collectVideoFiles } from './video-files';
import { loadEmbedder, openLocal, recognizerSource } from './local-context';
import { ModelLoadError } from '../embedder/errors';
import type { Embedder } from '../embedder/embedder';
import { LocalQueryEncoder } from '../embedder/local-query-encoder';
import type { LocalStore } from '../store/open-local-store';
import { progressReporter } from './progress';
import { assertDecoderTools } from '../decoder/ffmpeg-check';
import { DataDirError } from '../store/errors';
import { DATA_DIR_ADVICE } from './error-line';
import { StoreDamagedError } from '../store/errors';

export const INDEX_USAGE = `vsearch index <file|dir>... [--data DIR] [--model ID|DIR] [--dtype T] [--fps N | --every-nth N]
  [--title T] [--category C] [--tag T]... [--smoothing-kernel N] [--smoothing-sigma S] [--no-smoothing]
  [--shot-threshold T | --no-shots] [--asr MODEL|DIR|none] [--asr-language CODE] [--asr-always] [--json]`;

/** How a video is sampled and smoothed: `vsearch index` and `vsearch eval` (which indexes what it needs). */
export const SAMPLING_OPTIONS = {
  fps: { type: 'string' },
  ...SMOOTHING_OPTIONS,
  ...ASR_OPTIONS,
} as const;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...SAMPLING_OPTIONS,
  'every-nth': { type: 'string' },
  title: { type: 'string' },
  category: { type: 'string' },
  tag: { type: 'string', multiple: true },
  'shot-threshold': { type: 'string' },
  'no-shots': { type: 'boolean', default: false },
} as const;

export interface IndexReport {
  videos: { id: string; title: string; durationSec: number; frames: number; status: string; speech?: SpeechRecord }[];
  errors: { path: string; error: string }[];
}

/** `vsearch index`: indexes every file it can, reports each one it cannot, exit code 1 if any failed. */
export async function indexCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length === 0) throw new UsageError('give at least one video file or directory (see vsearch --help)');
  const options = indexOptionsOf(values);
  const files = await collectVideoFiles(positionals);
  if (files.length === 0) throw new UsageError(`no video files found in ${positionals.join(', ')}`);
  if (values.title !== undefined && files.length > 1) throw new UsageError('--title needs exactly one video');
  await assertDecoderTools(['ffmpeg', 'ffprobe']);

  // The store first: a data directory that cannot be created or opened is said before the model loads.
  const store = await openLocal(values);
  const embedder = await loadEmbedder(values, 'indexing');
  const report = await indexFiles(
    files,
    { title: values.title, category: values.category, tags: values.tag },
    { embedder, catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, raw: store.raw, speech: speechOf(values) },
    options,
    !values.json,
  );
  store.close();

  if (values.json) console.log(JSON.stringify(report));
  return report.errors.length > 0 ? 1 : 0;
}

/**
 * Indexes files one after the other, never letting one bad file stop the rest — except a data directory that cannot
 * be written, which every file after it would hit too, or a damaged store: those stop at once, in one line. Shared
 * with `vsearch demo`.
 */
export async function indexFiles(
  files: string[],
  meta: { title?: string; category?: string; tags?: string[] },
  deps: Parameters<typeof indexVideo>[1],
  options: IndexOptions,
  printLines: boolean,
): Promise<IndexReport> {
  const progress = progressReporter();
  const report: IndexReport = { videos: [], errors: [] };
  for (const [i, file] of files.entries()) {
    try {
      const video = await indexVideo({ path: file, ...meta }, deps, options, progress.update);
      progress.done();
      report.videos.push(summary(video));
      if (printLines) console.log(`indexed ${video.id} "${video.title}": ${video.frames} frames, ${video.durationSec.toFixed(1)} s${spoken(video.speech)}`);
      for (const note of video.speech?.notes ?? []) console.error(`note: ${file}: ${note}`);
    } catch (error) {
      progress.done();
      if (error instanceof DataDirError) {
        const rest = files.length - i - 1;
        const untried = rest > 0 ? `, nor the ${rest === 1 ? 'file' : `${rest} files`} after it` : '';
        throw new Error(
          `${error.message}. Stopped at ${file}: it was not indexed${untried}; what was indexed before is kept. ${DATA_DIR_ADVICE[error.problem]}`,
          { cause: error },
        );
      }
      // A damaged store, or a speech recognition model that cannot load: the files after it would meet it too.
      if (error instanceof StoreDamagedError || error instanceof ModelLoadError) throw error;
      const message = (error as Error).message;
      report.errors.push({ path: file, error: message });
      console.error(`error: ${file}: ${message}`);
    }
  }
  return report;
}

function summary(video: VideoRecord) {
  return { id: video.id, title: video.title, durationSec: video.durationSec, frames: video.frames, status: video.status, speech: video.speech };
}

function spoken(speech: SpeechRecord | undefined): string {
  return speech?.source ? `, ${speech.segments} transcript segments (${speech.source}${speech.model ? ` ${speech.model}` : ''})` : '';
}

/**
 * The local adapters a command that indexes and then searches needs (`vsearch demo`, `vsearch eval`): the store's,
 * the embedder and its query encoder, and the speech recogniser the options ask for.
 */
export function indexAndSearchDeps(embedder: Embedder, store: LocalStore, values: Parameters<typeof asrOf>[0]) {
  const { catalog, frames, transcripts, raw } = store;
  return { embedder, encoder: new LocalQueryEncoder(embedder), catalog, frames, transcripts, raw, speech: speechOf(values) };
}

/** The speech recogniser the options ask for (loaded when a video first needs it), or undefined for `--asr none`. */
export function speechOf(values: Parameters<typeof asrOf>[0]): RecognizerSource | undefined {
  const asr = asrOf(values);
  return asr ? recognizerSource(asr.model, asr.settings) : undefined;
}

/** The sampling plan, smoothing and speech recognition the options ask for, or a usage error naming the wrong one. */
export function indexOptionsOf(values: {
  asr?: string;
  'asr-language'?: string;
  'asr-always'?: boolean;
  fps?: string;
  'every-nth'?: string;
  'smoothing-kernel'?: string;
  'smoothing-sigma'?: string;
  'no-smoothing'?: boolean;
  'shot-threshold'?: string;
  'no-shots'?: boolean;
}): IndexOptions {
  if (values.fps !== undefined && values['every-nth'] !== undefined) {
    throw new UsageError('use either --fps or --every-nth, not both');
  }
  const everyNth = numberOption('every-nth', values['every-nth'], { min: 1, integer: true });
  const sampling: SamplingPlan =
    everyNth !== undefined ? { everyNth } : { fps: numberOption('fps', values.fps, { min: 0.001, max: 120 }) ?? 1 };
  if (values['no-shots'] && values['shot-threshold'] !== undefined) {
    throw new UsageError('--no-shots cannot be combined with --shot-threshold');
  }
  const threshold = numberOption('shot-threshold', values['shot-threshold'], { min: 0.01, max: 100 });
  const shots = values['no-shots'] ? false : { threshold: threshold ?? DEFAULT_SHOT_THRESHOLD };
  const smoothing = smoothingOf(values);
  const asr = asrOf(values);
  return { sampling, smoothing: smoothing === false ? false : { ...DEFAULT_SMOOTHING, ...smoothing }, shots, asr: asr && asr.settings };
}
