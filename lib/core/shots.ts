import type { FrameVector } from './types';
import { dot } from './vector';

/**
 * Shot boundaries, found while a video is decoded for its frames (lib/decoder/frames.ts: one ffmpeg pass), and the
 * shots they cut the video into.
 *
 * Input: for every decoded frame, not only the sampled ones, its difference from the frame before it as ffmpeg's
 * `scdet` filter measures it on a 64×36 RGB copy of the stream (`SceneScore`):
 *   mafd   the mean absolute difference of the two pictures, in % of full scale (0: identical, 100: black ↔ white);
 *   score  scdet's scene score, min(mafd, |mafd − the previous frame's mafd|): high only where the difference jumps,
 *          so steady motion scores low even where its mafd is high;
 * and the raw embeddings of the sampled frames.
 *
 * 1. Hard cut: a frame whose score ≥ `threshold` starts a new shot at its time. Default 10, scdet's own default.
 * 2. Gradual transition (fade, dissolve): a run of consecutive frames that each differ from the one before by
 *    mafd ≥ GRADUAL_MIN_MAFD, hold no hard cut, number at least two and span at most GRADUAL_MAX_SEC (first to last
 *    frame), and whose mafds sum to ≥ `threshold` — the picture changed as much as at a cut, in steps — provided the
 *    content changed across it: the raw embeddings of the last sampled frame at or before the run and the first one at
 *    or after it have a cosine below GRADUAL_MAX_SIMILARITY. The boundary is the first frame of the run at which the
 *    running sum of its mafds reaches half the run's total (the middle of a linear fade). A longer run is motion (a
 *    pan, a crowd) and gives no boundary, so a dissolve inside continuous motion is missed; a short burst of motion
 *    within one scene keeps its embeddings alike and gives none either.
 * 3. Boundaries are in time order. Shot i spans [boundary i − 1, boundary i): from 0 for the first shot, to the end of
 *    the video for the last.
 */

/** The scene score (rule 1) at or above which a frame is a hard cut, when none is given. */
export const DEFAULT_SHOT_THRESHOLD = 10;
/** Least mafd of each frame of a gradual transition (rule 2). */
export const GRADUAL_MIN_MAFD = 0.25;
/** Longest gradual transition, first to last frame (rule 2). */
export const GRADUAL_MAX_SEC = 3;
/** Embeddings either side of a gradual transition must be less alike than this (rule 2). */
export const GRADUAL_MAX_SIMILARITY = 0.9;

/** One decoded frame's difference from the frame before it (see the top of this file). */
export interface SceneScore {
  time: number;
  mafd: number;
  score: number;
}

export type ShotBoundaryKind = 'cut' | 'gradual';

/** Where a shot starts: the time of the first frame of the new shot (a cut) or of the middle of the transition. */
export interface ShotBoundary {
  time: number;
  kind: ShotBoundaryKind;
}

/** A video's shots as the catalog records them (`VideoRecord.shots`): its boundaries and the threshold that found them. */
export interface Shots {
  threshold: number;
  boundaries: ShotBoundary[];
}

/** One shot: [start, end) and the kind of boundary at each end (none at the video's own start and end). */
export interface Shot {
  start: number;
  end: number;
  startKind?: ShotBoundaryKind;
  endKind?: ShotBoundaryKind;
}

/** Checks a threshold from any source (CLI, manifest); throws an Error naming it. */
export function validateShotThreshold(threshold: number): number {
  if (!(threshold > 0 && threshold <= 100)) throw new Error(`shot threshold must be a number > 0 and <= 100, got ${threshold}`);
  return threshold;
}

/**
 * The boundaries `scores` (every decoded frame, in time order) and `sampled` (the raw embeddings of the sampled
 * frames, in time order) show, by the rules at the top of this file.
 */
export function detectShots(
  scores: readonly SceneScore[],
  sampled: readonly FrameVector[],
  threshold = DEFAULT_SHOT_THRESHOLD,
): ShotBoundary[] {
  validateShotThreshold(threshold);
  const boundaries: ShotBoundary[] = [];
  let run: SceneScore[] = [];
  const endRun = () => {
    const gradual = gradualBoundary(run, sampled, threshold);
    if (gradual !== undefined) boundaries.push({ time: gradual, kind: 'gradual' });
    run = [];
  };
  for (const frame of scores) {
    if (frame.score >= threshold) {
      endRun();
      boundaries.push({ time: frame.time, kind: 'cut' });
    } else if (frame.mafd >= GRADUAL_MIN_MAFD) {
      run.push(frame);
    } else {
      endRun();
    }
  }
  endRun();
  return boundaries;
}

/** The time of the gradual transition `run` is (rule 2), or undefined when it is none. */
function gradualBoundary(run: readonly SceneScore[], sampled: readonly FrameVector[], threshold: number): number | undefined {
  if (run.length < 2 || run[run.length - 1].time - run[0].time > GRADUAL_MAX_SEC) return undefined;
  const total = run.reduce((sum, frame) => sum + frame.mafd, 0);
  if (total < threshold) return undefined;
  const before = sampled.findLast((frame) => frame.time <= run[0].time);
  const after = sampled.find((frame) => frame.time >= run[run.length - 1].time);
  if (!before || !after || dot(before.vector, after.vector) >= GRADUAL_MAX_SIMILARITY) return undefined;
  let sum = 0;
  for (const frame of run) {
    sum += frame.mafd;
    if (sum >= total / 2) return frame.time;
  }
  return undefined;
}

/** The shots `boundaries` (in time order) cut a video of `durationSec` into (rule 3); boundaries at 0 or past the end start none. */
export function shotList(boundaries: readonly ShotBoundary[], durationSec: number): Shot[] {
  const inside = boundaries.filter((boundary) => boundary.time > 0 && boundary.time < durationSec);
  const shots: Shot[] = [];
  let start = 0;
  let startKind: ShotBoundaryKind | undefined;
  for (const boundary of inside) {
    if (boundary.time <= start) continue;
    shots.push({ start, end: boundary.time, ...(startKind && { startKind }), endKind: boundary.kind });
    start = boundary.time;
    startKind = boundary.kind;
  }
  shots.push({ start, end: durationSec, ...(startKind && { startKind }) });
  return shots;
}
