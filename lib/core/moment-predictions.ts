import type { ScoredWindow } from './moment-metrics';
import { CLIP_SEC, clipCount } from './highlight-metrics';

/**
 * A search's answer to a benchmark query, in the benchmark's submission format.
 *
 * Windows. A clip spans the sampled frames from its first to its last; each frame stands for the time until the next
 * sample, 1 / fps, so the clip's window is [start, end + 1 / fps], cut to the video's [0, duration] (a window left
 * empty is dropped). The clips come ranked, best first, and keep their score; at most MAX_PREDICTED_WINDOWS of them,
 * the number the benchmark's AP reads.
 * Saliency. One score per 2 s clip of the video, as many as the benchmark labels (⌊duration / 2⌋): the highest score
 * of the frames whose time lies in [2i, 2i + 2) — a 2 s clip is as salient as its best frame. A clip holding no
 * frame (sampling sparser than one frame per 2 s) takes the score of the frame nearest its middle (the earlier of
 * two equally near).
 */

export const MAX_PREDICTED_WINDOWS = 10;

export interface RankedClip {
  start: number;
  end: number;
  score: number;
}

export interface ScoredFrame {
  time: number;
  score: number;
}

/** Submission windows from ranked clips of a video sampled at `fps` (see the top of this file). */
export function clipWindows(clips: readonly RankedClip[], video: { fps: number; duration: number }): ScoredWindow[] {
  const frameSec = 1 / video.fps;
  return clips
    .map(({ start, end, score }): ScoredWindow => [Math.max(0, start), Math.min(video.duration, end + frameSec), score])
    .filter(([start, end]) => end > start)
    .slice(0, MAX_PREDICTED_WINDOWS);
}

/** One saliency score per 2 s clip from the scores of a video's frames, in time order (see the top of this file). */
export function clipSaliency(frames: readonly ScoredFrame[], duration: number): number[] {
  if (frames.length === 0) return [];
  const best = new Array<number>(clipCount(duration)).fill(-Infinity);
  for (const { time, score } of frames) {
    const clip = Math.floor(time / CLIP_SEC);
    if (clip >= 0 && clip < best.length) best[clip] = Math.max(best[clip], score);
  }
  return best.map((score, clip) => (score > -Infinity ? score : nearestFrame(frames, (clip + 0.5) * CLIP_SEC).score));
}

function nearestFrame(frames: readonly ScoredFrame[], time: number): ScoredFrame {
  let nearest = frames[0];
  for (const frame of frames) if (Math.abs(frame.time - time) < Math.abs(nearest.time - time)) nearest = frame;
  return nearest;
}
