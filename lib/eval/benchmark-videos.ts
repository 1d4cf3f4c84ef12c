import path from 'node:path';
import { DEFAULT_SMOOTHING } from '../core/smoothing';
import type { VideoRecord } from '../core/types';
import { indexVideo, type IndexDeps, type IndexOptions, type IndexProgress } from '../indexer';

/**
 * The indexed videos a benchmark's queries need, by the benchmark's video id (`vid`).
 *
 * A vid's file is the one among `files` named vid plus an extension (the first when several are). A video already indexed from that file with the same sampling rate and
 * smoothing is used as it is; otherwise the file is indexed now (replacing what was indexed from it before). With no
 * file, a video indexed with those settings from a file of that name elsewhere is used. Otherwise the vid is
 * skipped, with the reason: no file, indexed with other settings and no file to index again, or indexing failed.
 */

export interface BenchmarkVideos {
  byVid: Map<string, VideoRecord>;
  indexed: string[];
  reused: string[];
  skipped: { vid: string; reason: string }[];
}

export async function prepareVideos(
  vids: readonly string[],
  /** The video files found where the videos are (`--videos DIR`), if anywhere. */
  files: readonly string[],
  deps: IndexDeps,
  options: IndexOptions,
  onProgress?: (progress: IndexProgress) => void,
): Promise<BenchmarkVideos> {
  const byName = new Map<string, string>();
  for (const file of files) if (!byName.has(nameOf(file))) byName.set(nameOf(file), file);
  const ready = (await deps.catalog.list()).filter((video) => video.status === 'READY');
  const result: BenchmarkVideos = { byVid: new Map(), indexed: [], reused: [], skipped: [] };
  for (const vid of new Set(vids)) {
    const file = byName.get(vid);
    const candidates = ready.filter((video) => (file ? video.source === path.resolve(file) : nameOf(video.source) === vid));
    const reusable = candidates.find((video) => sameSettings(video, options));
    if (reusable) {
      result.byVid.set(vid, reusable);
      result.reused.push(vid);
    } else if (file) {
      try {
        result.byVid.set(vid, await indexVideo({ path: file, title: vid }, deps, options, onProgress));
        result.indexed.push(vid);
      } catch (error) {
        result.skipped.push({ vid, reason: `indexing ${file} failed: ${(error as Error).message}` });
      }
    } else {
      const reason =
        candidates.length > 0
          ? 'indexed with other sampling or smoothing, and no file to index it again from (give --videos)'
          : `no video file named ${vid} (any video extension), and not indexed`;
      result.skipped.push({ vid, reason });
    }
  }
  return result;
}

function nameOf(file: string): string {
  return path.basename(file, path.extname(file));
}

/** Indexed as `options` ask: the same rate (an every-N-th plan's rate is not known before decoding) and smoothing. */
function sameSettings(video: VideoRecord, { sampling, smoothing }: IndexOptions): boolean {
  if (!('fps' in sampling) || video.fps !== sampling.fps || video.smoothing === undefined) return false;
  if (smoothing === false || video.smoothing === null) return smoothing === false && video.smoothing === null;
  const wanted = { ...DEFAULT_SMOOTHING, ...smoothing };
  return video.smoothing.kernelSize === wanted.kernelSize && video.smoothing.sigma === wanted.sigma;
}
