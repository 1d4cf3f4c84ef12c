import { rankClips, timeOffsetOf, type TimeOffset } from './clustering';
import type { Clip, Hit, TimeWindow } from './types';

/**
 * Growing clips over the frames k-NN did not return, so that a clip is the whole moment whatever k is.
 *
 * k-NN returns the k frames nearest the query. A scene longer than k frames (200 s of one scene at 1 fps, k = 100)
 * has more equally good frames than k: the clip would end where the returned ones end, and a bigger k would cost
 * every query. So each clip a search returns grows over its video's neighbouring frames:
 *
 * 1. Windows. Only [start − MAX_CLIP_GROWTH_SEC, start) and (end, end + MAX_CLIP_GROWTH_SEC] of each returned clip
 *    are read, merged per video: one read per video, bounded by the clips returned, never a scan of the index.
 * 2. Growth. From the clip's start backwards (and from its end forwards), a frame joins when its score is at least
 *    `floor` — the relevance floor the search applied to its hits — and it lies within timeOffset of the last frame
 *    that joined (the chaining rule of clustering.ts). A frame below the floor is passed over like a missing frame;
 *    growth stops at the first larger gap, or MAX_CLIP_GROWTH_SEC beyond the clip's hits. A frame scoring above the
 *    clip's best moves `score` and `bestTime` to it.
 * 3. Merging. Grown clips of one video that now overlap or lie within timeOffset of each other become one clip: its
 *    best score and bestTime (the earliest on a tie), `hits` summed.
 * 4. `hits` keeps counting k-NN hits only. The clips are ranked again (clustering.ts, rule 3).
 */

/** How far a clip may grow beyond its k-NN hits, on each side. */
export const MAX_CLIP_GROWTH_SEC = 300;

/** The stretches of each video to read for growing `clips` (rule 1), sorted and merged where they overlap. */
export function growthWindows(clips: readonly Clip[], maxGrowthSec = MAX_CLIP_GROWTH_SEC): Map<string, TimeWindow[]> {
  const byVideo = new Map<string, TimeWindow[]>();
  for (const { videoId, start, end } of clips) {
    const windows = byVideo.get(videoId) ?? [];
    windows.push({ start: Math.max(0, start - maxGrowthSec), end: start }, { start: end, end: end + maxGrowthSec });
    byVideo.set(videoId, windows);
  }
  for (const [videoId, windows] of byVideo) byVideo.set(videoId, mergeWindows(windows));
  return byVideo;
}

export interface GrowOptions {
  /** The relevance floor the search applied (`relevanceFloor`). */
  floor: number;
  timeOffset?: TimeOffset;
  /** Most clips to return after merging. */
  size?: number;
  maxGrowthSec?: number;
}

/**
 * `clips` grown over `frames` (each video's scored frames in its growth windows, in time order) and merged, then
 * ranked (rules 2–4 at the top of this file). A video without frames keeps its clips as they are.
 */
export function growClips(clips: readonly Clip[], frames: ReadonlyMap<string, readonly Hit[]>, options: GrowOptions): Clip[] {
  const { floor, size, maxGrowthSec = MAX_CLIP_GROWTH_SEC } = options;
  const offsetOf = timeOffsetOf(options.timeOffset);
  const byVideo = new Map<string, Clip[]>();
  for (const clip of clips) {
    const grown = growClip(clip, frames.get(clip.videoId) ?? [], floor, offsetOf(clip.videoId), maxGrowthSec);
    byVideo.set(clip.videoId, [...(byVideo.get(clip.videoId) ?? []), grown]);
  }
  const merged = [...byVideo].flatMap(([videoId, videoClips]) => mergeClips(videoClips, offsetOf(videoId)));
  return rankClips(merged, size);
}

function growClip(clip: Clip, frames: readonly Hit[], floor: number, timeOffset: number, maxGrowthSec: number): Clip {
  const grown = { ...clip };
  const join = (frame: Hit) => {
    if (frame.score > grown.score || (frame.score === grown.score && frame.time < grown.bestTime)) {
      grown.score = frame.score;
      grown.bestTime = frame.time;
    }
  };
  const first = lowerBound(frames, clip.start);
  for (let i = first - 1, last = clip.start; i >= 0; i--) {
    const frame = frames[i];
    if (last - frame.time > timeOffset || clip.start - frame.time > maxGrowthSec) break;
    if (frame.score < floor) continue;
    join(frame);
    grown.start = last = frame.time;
  }
  for (let i = lowerBound(frames, clip.end), last = clip.end; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.time <= clip.end) continue;
    if (frame.time - last > timeOffset || frame.time - clip.end > maxGrowthSec) break;
    if (frame.score < floor) continue;
    join(frame);
    grown.end = last = frame.time;
  }
  return grown;
}

/** One video's clips, merged where they overlap or lie within timeOffset (rule 3); new clips, the given ones untouched. */
export function mergeClips(clips: readonly Clip[], timeOffset: number): Clip[] {
  const sorted = [...clips].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Clip[] = [];
  for (const clip of sorted) {
    const last = out[out.length - 1];
    if (!last || clip.start - last.end > timeOffset) {
      out.push({ ...clip });
      continue;
    }
    last.end = Math.max(last.end, clip.end);
    last.hits += clip.hits;
    if (clip.score > last.score || (clip.score === last.score && clip.bestTime < last.bestTime)) {
      last.score = clip.score;
      last.bestTime = clip.bestTime;
    }
  }
  return out;
}

function mergeWindows(windows: TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const out: TimeWindow[] = [];
  for (const window of sorted) {
    const last = out[out.length - 1];
    if (last && window.start <= last.end) last.end = Math.max(last.end, window.end);
    else out.push({ ...window });
  }
  return out;
}

/** Index of the first frame at or after `time` (frames in time order). */
function lowerBound(frames: readonly Hit[], time: number): number {
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid].time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
