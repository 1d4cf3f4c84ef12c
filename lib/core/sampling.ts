import type { SamplingPlan } from './types';

/** Highest `fps` a plan may ask for; beyond it the decoder only duplicates frames. */
export const MAX_SAMPLING_FPS = 120;

/** A video as far as sampling needs to know it. */
export interface VideoTiming {
  durationSec: number;
  /** The container's frame rate (may be fractional, e.g. 30000/1001). */
  nativeFps: number;
}

/** One piece of a chunked pass: decode and smooth [start, end), keep only the frames in [keepStart, keepEnd). */
export interface Chunk {
  start: number;
  end: number;
  keepStart: number;
  keepEnd: number;
}

/**
 * Checks a plan from any source (CLI, JSON, API) and returns a clean copy.
 * Throws an Error naming the bad field and value.
 */
export function validateSamplingPlan(plan: unknown): SamplingPlan {
  if (typeof plan !== 'object' || plan === null) {
    throw new Error(`Invalid sampling plan: expected an object, got ${String(plan)}`);
  }
  if ('fps' in plan && !('everyNth' in plan)) {
    const { fps } = plan;
    if (typeof fps !== 'number' || !(fps > 0) || !(fps <= MAX_SAMPLING_FPS)) {
      throw new Error(`Invalid sampling plan: fps must be a number > 0 and <= ${MAX_SAMPLING_FPS}, got ${String(fps)}`);
    }
    return { fps };
  }
  if ('everyNth' in plan && !('fps' in plan)) {
    const { everyNth } = plan;
    if (typeof everyNth !== 'number' || !Number.isSafeInteger(everyNth) || everyNth < 1) {
      throw new Error(`Invalid sampling plan: everyNth must be an integer >= 1, got ${String(everyNth)}`);
    }
    return { everyNth };
  }
  throw new Error('Invalid sampling plan: give exactly one of fps or everyNth');
}

/**
 * Frames per second of video time the plan yields. For `fps` it is the plan's rate whatever the native rate
 * (the decoder's fps filter drops or duplicates frames to hit it); for `everyNth` it is nativeFps / N.
 */
export function effectiveFps(plan: SamplingPlan, nativeFps: number): number {
  const valid = validateSamplingPlan(plan);
  checkNativeFps(nativeFps);
  return 'fps' in valid ? valid.fps : nativeFps / valid.everyNth;
}

/**
 * The presentation times (seconds) of the frames a plan samples in [startSec, endSec) ∩ [0, durationSec).
 * `fps` N: t = k / N for integer k ≥ 0 (what ffmpeg's `fps=N:round=up` emits).
 * `everyNth` N: the native frame times n / nativeFps for n a multiple of N.
 * Each time is computed as one division of integers by the rate, so equal frames get bitwise-equal times
 * whatever range they are asked for in (chunks agree with the whole video).
 */
export function expectedFrameTimes(
  plan: SamplingPlan,
  video: VideoTiming,
  range: { startSec?: number; endSec?: number } = {},
): number[] {
  const valid = validateSamplingPlan(plan);
  checkNativeFps(video.nativeFps);
  checkNonNegative('durationSec', video.durationSec);
  const startSec = range.startSec ?? 0;
  const endSec = range.endSec ?? video.durationSec;
  checkNonNegative('startSec', startSec);
  if (!Number.isFinite(endSec) || endSec < startSec) {
    throw new Error(`endSec must be finite and >= startSec (${startSec}), got ${endSec}`);
  }

  const rate = 'fps' in valid ? valid.fps : video.nativeFps / valid.everyNth;
  const time = 'fps' in valid ? (i: number) => i / valid.fps : (i: number) => (i * valid.everyNth) / video.nativeFps;
  const stop = Math.min(endSec, video.durationSec);
  // Start one index early and step, so float rounding of startSec * rate cannot skip the first frame.
  let i = Math.max(0, Math.floor(startSec * rate) - 1);
  while (time(i) < startSec) i++;
  const times: number[] = [];
  for (let t = time(i); t < stop; t = time(++i)) times.push(t);
  return times;
}

/**
 * Splits [0, durationSec) into chunks of `chunkSec` (the keep ranges partition the video, the last one is shorter),
 * each widened by `marginSec` on its inner sides (clipped to the video), so a chunk can be smoothed on its own:
 * the kept frames see the same neighbours as in the whole video. Use marginSec ≥ smoothing margin (frames) / fps;
 * add one frame's worth to be safe from rounding at the boundary — extra context never changes the kept frames.
 */
export function planChunks(durationSec: number, options: { chunkSec: number; marginSec: number }): Chunk[] {
  checkNonNegative('durationSec', durationSec);
  const { chunkSec, marginSec } = options;
  if (!(chunkSec > 0) || !Number.isFinite(chunkSec)) {
    throw new Error(`chunkSec must be a finite number > 0, got ${chunkSec}`);
  }
  checkNonNegative('marginSec', marginSec);
  const chunks: Chunk[] = [];
  // keepEnd of chunk i and keepStart of chunk i+1 are the same expression, so the keep ranges meet exactly.
  for (let i = 0; i * chunkSec < durationSec; i++) {
    const keepStart = i * chunkSec;
    const keepEnd = Math.min((i + 1) * chunkSec, durationSec);
    chunks.push({
      start: Math.max(0, keepStart - marginSec),
      end: Math.min(durationSec, keepEnd + marginSec),
      keepStart,
      keepEnd,
    });
  }
  return chunks;
}

function checkNativeFps(nativeFps: number): void {
  if (!(nativeFps > 0) || !Number.isFinite(nativeFps)) {
    throw new Error(`nativeFps must be a finite number > 0, got ${nativeFps}`);
  }
}

function checkNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name} must be a finite number >= 0, got ${value}`);
}
