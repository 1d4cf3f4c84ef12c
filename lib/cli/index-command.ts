import type { SamplingPlan, VideoRecord } from '../core/types';
import { DEFAULT_SHOT_THRESHOLD } from '../core/shots';
import { DEFAULT_SMOOTHING } from '../core/smoothing';
import { indexVideo, type IndexOptions } from '../indexer';
import { COMMON_OPTIONS, numberOption, parseCommand } from './options';
import { UsageError } from './usage-error';
import { collectVideoFiles } from './video-files';
import { loadEmbedder, openLocal } from './local-context';
import { progressReporter } from './progress';

export const INDEX_USAGE = `vsearch index <file|dir>... [--data DIR] [--model ID|DIR] [--fps N | --every-nth N]
  [--title T] [--category C] [--tag T]... [--smoothing-kernel N] [--smoothing-sigma S] [--no-smoothing]
  [--shot-threshold T | --no-shots] [--json]`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  fps: { type: 'string' },
  'every-nth': { type: 'string' },
  title: { type: 'string' },
  category: { type: 'string' },
  tag: { type: 'string', multiple: true },
  'smoothing-kernel': { type: 'string' },
  'smoothing-sigma': { type: 'string' },
  'no-smoothing': { type: 'boolean', default: false },
  'shot-threshold': { type: 'string' },
  'no-shots': { type: 'boolean', default: false },
} as const;

export interface IndexReport {
  videos: { id: string; title: string; durationSec: number; frames: number; status: string }[];
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

  const embedder = await loadEmbedder(values);
  const store = await openLocal(values);
  const report = await indexFiles(
    files,
    { title: values.title, category: values.category, tags: values.tag },
    { embedder, catalog: store.catalog, frames: store.frames, raw: store.raw },
    options,
    !values.json,
  );
  store.close();

  if (values.json) console.log(JSON.stringify(report));
  return report.errors.length > 0 ? 1 : 0;
}

/** Indexes files one after the other, never letting one bad file stop the rest. Shared with `vsearch demo`. */
export async function indexFiles(
  files: string[],
  meta: { title?: string; category?: string; tags?: string[] },
  deps: Parameters<typeof indexVideo>[1],
  options: IndexOptions,
  printLines: boolean,
): Promise<IndexReport> {
  const progress = progressReporter();
  const report: IndexReport = { videos: [], errors: [] };
  for (const file of files) {
    try {
      const video = await indexVideo({ path: file, ...meta }, deps, options, progress.update);
      progress.done();
      report.videos.push(summary(video));
      if (printLines) console.log(`indexed ${video.id} "${video.title}": ${video.frames} frames, ${video.durationSec.toFixed(1)} s`);
    } catch (error) {
      progress.done();
      const message = (error as Error).message;
      report.errors.push({ path: file, error: message });
      console.error(`error: ${file}: ${message}`);
    }
  }
  return report;
}

function summary(video: VideoRecord) {
  return { id: video.id, title: video.title, durationSec: video.durationSec, frames: video.frames, status: video.status };
}

function indexOptionsOf(values: {
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
  if (values['no-smoothing']) {
    if (values['smoothing-kernel'] !== undefined || values['smoothing-sigma'] !== undefined) {
      throw new UsageError('--no-smoothing cannot be combined with --smoothing-kernel or --smoothing-sigma');
    }
    return { sampling, smoothing: false, shots };
  }
  const kernelSize = numberOption('smoothing-kernel', values['smoothing-kernel'], { min: 1, max: 301, integer: true });
  if (kernelSize !== undefined && kernelSize % 2 === 0) throw new UsageError(`--smoothing-kernel must be odd, got ${kernelSize}`);
  const sigma = numberOption('smoothing-sigma', values['smoothing-sigma'], { min: 0.01 });
  return {
    sampling,
    smoothing: { kernelSize: kernelSize ?? DEFAULT_SMOOTHING.kernelSize, sigma: sigma ?? DEFAULT_SMOOTHING.sigma },
    shots,
  };
}
