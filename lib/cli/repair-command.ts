import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { VideoRecord } from '../core/types';
import { rebuildVideos, type RebuildReport } from '../repair';
import { StoreDamagedError } from '../store/errors';
import { CATALOG_TABLE } from '../store/lance-catalog';
import { guardStore, tableDamage } from '../store/lance-damage';
import { FRAMES_TABLE } from '../store/lance-frame-index';
import { lockForRebuild, openStagedStore } from '../store/local-store-rebuild';
import { localRawEmbeddings, openLocalStore } from '../store/open-local-store';
import { openLocal } from './local-context';
import { COMMON_OPTIONS, dataDirOf, parseCommand, SMOOTHING_OPTIONS, smoothingOf } from './options';
import { progressReporter } from './progress';
import { UsageError } from './usage-error';

export const REPAIR_USAGE = `vsearch repair [--data DIR] [--video ID]... [--smoothing-kernel N] [--smoothing-sigma S] [--no-smoothing] [--json]`;

const OPTIONS = { ...COMMON_OPTIONS, video: { type: 'string', multiple: true }, ...SMOOTHING_OPTIONS } as const;

/**
 * `vsearch repair`: rebuilds videos from their raw embeddings (rebuildVideos), each smoothed as it was indexed unless
 * the smoothing options say otherwise.
 * - An intact store (or --video, which needs one) is rebuilt in place: each video's frames replaced in one step, its
 *   record updated; a video without raw embeddings is left as it is.
 * - A damaged store (found by the file checks, or by the engine failing during an in-place rebuild) is rebuilt whole
 *   in `<data>/.repair/`, which then takes the place of the old tables; a damaged table is kept aside
 *   (`<table>.lance.damaged-<time>`). The catalog's records are kept where the catalog can be read.
 * Exit code 1 when some video could not be rebuilt (they are listed, to be indexed again from their files).
 */
export async function repairCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". Usage: ${REPAIR_USAGE}`);
  const smoothing = smoothingOf(values);
  const started = performance.now();
  const dataDir = path.resolve(dataDirOf(values));
  if (!(await stat(dataDir).then((found) => found.isDirectory(), () => false))) {
    throw new UsageError(`no data directory ${dataDir}: nothing to repair (see --data)`);
  }
  const progress = progressReporter();
  const update = values.json ? undefined : progress.update;

  const release = await lockForRebuild(dataDir);
  const { report, keptAside } = await rebuild(dataDir, values, smoothing, update).finally(release);
  progress.done();
  const seconds = (performance.now() - started) / 1000;

  if (values.json) console.log(JSON.stringify({ ...report, keptAside, seconds }));
  else printReport(dataDir, report, keptAside, seconds);
  return report.notRebuilt.length > 0 ? 1 : 0;
}

/** In place when the store is intact (or --video), else whole in a staged store (see repairCommand). */
async function rebuild(
  dataDir: string,
  values: { data?: string; video?: string[] },
  smoothing: ReturnType<typeof smoothingOf>,
  onProgress: Parameters<typeof rebuildVideos>[2],
): Promise<{ report: RebuildReport; keptAside: string[] }> {
  const damaged = new Set<string>();
  for (const table of [FRAMES_TABLE, CATALOG_TABLE]) if (await tableDamage(dataDir, table)) damaged.add(table);
  if (values.video || damaged.size === 0) {
    try {
      return { report: await rebuildInPlace(values, { smoothing, videoIds: values.video }, onProgress), keptAside: [] };
    } catch (error) {
      if (values.video || !(error instanceof StoreDamagedError)) throw error;
      damaged.add(error.table);
    }
  }
  const previous = damaged.has(CATALOG_TABLE) ? undefined : await readCatalog(dataDir);
  if (!previous) damaged.add(CATALOG_TABLE);
  const staged = await openStagedStore(dataDir);
  const report = await rebuildVideos(
    { raw: localRawEmbeddings(dataDir), previous, catalog: staged.catalog, frames: staged.frames },
    { smoothing },
    onProgress,
  );
  return { report, keptAside: await staged.commit(damaged) };
}

/** The chosen videos (default all) rebuilt in the store they are in; it must be intact (`openLocal`). */
async function rebuildInPlace(
  values: { data?: string },
  options: { smoothing: ReturnType<typeof smoothingOf>; videoIds?: string[] },
  onProgress: Parameters<typeof rebuildVideos>[2],
): Promise<RebuildReport> {
  const store = await openLocal(values, { deferVectorIndex: true });
  try {
    const previous = await store.catalog.list();
    const unknown = options.videoIds?.find((id) => !previous.some((video) => video.id === id));
    if (unknown !== undefined) throw new UsageError(`no video with id "${unknown}" (see vsearch videos)`);
    const report = await rebuildVideos({ ...store, previous }, { ...options, inPlace: true }, onProgress);
    await store.updateVectorIndex();
    return report;
  } finally {
    store.close();
  }
}

/** The catalog's records, or undefined when the catalog cannot be read (then it is rebuilt from the raw embeddings). */
async function readCatalog(dataDir: string): Promise<VideoRecord[] | undefined> {
  // Only the catalog is opened: the frames table may be the damaged one, and it is opened on first use only.
  const store = await openLocalStore(dataDir);
  try {
    return await guardStore(store.catalog, CATALOG_TABLE, dataDir).list();
  } catch (error) {
    if (error instanceof StoreDamagedError) return undefined;
    throw error;
  } finally {
    store.close();
  }
}

function printReport(dataDir: string, report: RebuildReport, keptAside: string[], seconds: number): void {
  for (const video of report.rebuilt) {
    const smoothing = video.smoothing ? `smoothing ${video.smoothing.kernelSize} frames σ ${video.smoothing.sigma}` : 'no smoothing';
    console.log(`rebuilt ${video.id} "${video.title}": ${video.frames} frames, ${smoothing}${video.note ? ` (${video.note})` : ''}`);
  }
  for (const video of report.notRebuilt) {
    const file = video.source ? ` ${video.source}` : '';
    console.error(`not rebuilt: ${video.id}${file}: ${video.reason}`);
  }
  const frames = report.rebuilt.reduce((sum, video) => sum + video.frames, 0);
  const count = report.rebuilt.length;
  console.log(`repaired ${dataDir}: ${count} video${count === 1 ? '' : 's'}, ${frames} frames in ${seconds.toFixed(1)} s`);
  for (const aside of keptAside) console.log(`the damaged table is kept at ${aside}: delete it once search works again`);
}
