import { DEFAULT_SMOOTHING, smoothFrames, type SmoothingOptions } from './core/smoothing';
import type { VideoRecord } from './core/types';
import type { FrameEmbeddingsHeader } from './frame-embeddings-format';
import type { IndexProgress } from './indexer';
import type { Catalog } from './store/catalog';
import { IndexMismatchError } from './store/errors';
import type { FrameIndex } from './store/frame-index';
import type { LocalRawEmbeddings } from './store/local-raw-embeddings';

/**
 * Rebuilding videos from their raw embeddings, without embedding anything again: each video's raw frame embeddings
 * (the source of truth) are smoothed again and made its frames, and its catalog record is written READY.
 *
 * The record comes from, in this order: the catalog as it was (when it could be read), the record kept beside the raw
 * embeddings when the video was indexed, or the raw embeddings' header alone (model, dimension, sampling rate,
 * duration): then the title is the id, there is no category, tag or source file, and the report says so.
 * The smoothing is the one the video was indexed with, unless `smoothing` says otherwise (the fields it gives replace
 * the video's); a video whose smoothing was never recorded gets the default, and the report says so too.
 * Rebuilding is idempotent: the same raw embeddings and settings give the same frames and records.
 */

export interface RebuildDeps {
  raw: LocalRawEmbeddings;
  /** The catalog's records as they were, when they could be read. */
  previous?: readonly VideoRecord[];
  /** Where the rebuilt videos go: a fresh store, or the one they are in (`inPlace`). */
  catalog: Catalog;
  frames: FrameIndex;
}

export interface RebuildOptions {
  /** Smoothing for every rebuilt video instead of its own: the fields given replace the video's; false stores raw. */
  smoothing?: SmoothingOptions | false;
  /** Only these videos; default: every video that has raw embeddings or a record in `previous`. */
  videoIds?: readonly string[];
  /**
   * The target is the store the videos are in now: a video that cannot be rebuilt is left as it is. Otherwise (a fresh
   * store) its record goes there as FAILED with the reason, as its frames do not.
   */
  inPlace?: boolean;
}

export interface RebuiltVideo {
  id: string;
  title: string;
  frames: number;
  smoothing: VideoRecord['smoothing'];
  /** What could not be recovered, in words; absent when the video is as it was. */
  note?: string;
}

export interface NotRebuilt {
  id: string;
  title?: string;
  source?: string;
  /** Why, and what to do. */
  reason: string;
}

export interface RebuildReport {
  rebuilt: RebuiltVideo[];
  /** Videos to index again from their files: no raw embeddings, unreadable ones, or ones the index refuses. */
  notRebuilt: NotRebuilt[];
}

export async function rebuildVideos(
  deps: RebuildDeps,
  options: RebuildOptions = {},
  onProgress?: (progress: IndexProgress) => void,
): Promise<RebuildReport> {
  const started = performance.now();
  const previous = new Map((deps.previous ?? []).map((video) => [video.id, video]));
  const ids = options.videoIds ?? [...new Set([...(await deps.raw.ids()), ...previous.keys()])].sort();
  // Headers first (a few hundred bytes each), for the progress bar's total.
  const headers = new Map<string, Awaited<ReturnType<LocalRawEmbeddings['header']>> | Error>();
  for (const id of ids) headers.set(id, await deps.raw.header(id).catch((error: Error) => error));
  const framesExpected = [...headers.values()].reduce((sum, header) => sum + (header && !(header instanceof Error) ? header.count : 0), 0);

  const report: RebuildReport = { rebuilt: [], notRebuilt: [] };
  let framesDone = 0;
  const notRebuilt = async (id: string, reason: string) => {
    const video = previous.get(id) ?? (await deps.raw.record(id));
    report.notRebuilt.push({ id, title: video?.title, source: video?.source, reason });
    if (video && !options.inPlace) await deps.catalog.put(failed(video, reason));
  };

  for (const id of ids) {
    const header = headers.get(id);
    const raw = header instanceof Error ? header : header && (await deps.raw.read(id).catch((error: Error) => error));
    if (!raw) {
      await notRebuilt(id, 'no raw embeddings: index its file again');
      continue;
    }
    if (raw instanceof Error) {
      await notRebuilt(id, `its raw embeddings are unreadable (${raw.message}): index its file again`);
      continue;
    }
    const kept = previous.get(id) ?? (await deps.raw.record(id));
    const notes: string[] = [];
    if (!kept) notes.push('record rebuilt from the raw embeddings: title = id, no category, tags or source file');
    const base = kept ?? fromHeader(raw.header);
    const smoothing = smoothingFor(base, options.smoothing);
    if (base.smoothing === undefined && options.smoothing === undefined) notes.push('its smoothing was not recorded: the default applied');

    const stored = smoothing ? smoothFrames(raw.frames, smoothing) : raw.frames;
    const { error: _error, runId: _runId, ...rest } = base;
    const ready: VideoRecord = {
      ...rest,
      ...pick(raw.header),
      frames: stored.length,
      smoothing,
      status: 'READY',
      updatedAt: new Date().toISOString(),
    };
    try {
      await deps.frames.replaceFrames(ready, stored);
    } catch (error) {
      if (!(error instanceof IndexMismatchError)) throw error;
      await notRebuilt(id, error.message);
      continue;
    }
    await deps.catalog.put(ready);
    await deps.raw.saveRecord(ready);
    report.rebuilt.push({ id, title: ready.title, frames: ready.frames, smoothing, ...(notes.length > 0 && { note: notes.join('; ') }) });
    framesDone += stored.length;
    onProgress?.({ videoId: id, title: ready.title, framesDone, framesExpected, elapsedSec: (performance.now() - started) / 1000 });
  }
  return report;
}

/** The smoothing a rebuilt video gets: `override`'s fields over the video's own (or the default when it has none). */
function smoothingFor(video: VideoRecord, override: SmoothingOptions | false | undefined): VideoRecord['smoothing'] {
  if (override === false) return null;
  if (override === undefined && video.smoothing !== undefined) return video.smoothing;
  return { ...DEFAULT_SMOOTHING, ...video.smoothing, ...override };
}

/** All that the raw embeddings tell of a video whose record is lost. */
function fromHeader(header: FrameEmbeddingsHeader): VideoRecord {
  const now = new Date().toISOString();
  return {
    id: header.videoId,
    title: header.videoId,
    source: '',
    tags: [],
    ...pick(header),
    frames: 0,
    status: 'READY',
    createdAt: now,
    updatedAt: now,
  };
}

function pick({ model, dim, fps, durationSec }: FrameEmbeddingsHeader) {
  return { model, dim, fps, durationSec };
}

function failed(video: VideoRecord, reason: string): VideoRecord {
  const { runId: _runId, ...rest } = video;
  return { ...rest, frames: 0, status: 'FAILED', error: reason, updatedAt: new Date().toISOString() };
}
