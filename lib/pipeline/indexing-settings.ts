import { z } from 'zod';
import { MAX_SAMPLING_FPS, planChunks, type Chunk } from '../core/sampling';
import { smoothingMargin } from '../core/smoothing';

/**
 * How one execution indexes its video. Read once, when the video is registered, and carried through the execution
 * (and kept in the catalog), so a deploy in the middle of an execution cannot mix two settings in one video.
 */
export const INDEXING_SETTINGS = z.strictObject({
  /** Frames per second of video time. */
  fps: z.number().positive().max(MAX_SAMPLING_FPS),
  /** Video seconds per embedding job: keeps every job well inside the async endpoint's 1-hour limit. */
  chunkSec: z.number().positive(),
  smoothing: z.strictObject({ kernelSize: z.int().positive(), sigma: z.number().positive() }),
});

export type IndexingSettings = z.infer<typeof INDEXING_SETTINGS>;

/** A job's time range, and the part of it whose frames it contributes (see `planChunks`). */
export type JobRange = Chunk;

/**
 * Context each side of a chunk needs for its kept frames to smooth exactly as in the whole video: the kernel's
 * half-width, plus one frame so that rounding at the boundary cannot cost a neighbour.
 */
function marginSec({ fps, smoothing }: IndexingSettings): number {
  return (smoothingMargin(smoothing) + 1) / fps;
}

/**
 * The first job, sent before the duration is known: the first chunk with its margin. It is also the probe: its output
 * carries the video's duration, which plans the rest. A video that fits in it needs no other job.
 */
export function firstJob(settings: IndexingSettings): { start: number; end: number } {
  return { start: 0, end: settings.chunkSec + marginSec(settings) };
}

/**
 * Every job of a video of `durationSec`, in time order; the first is the one `firstJob` already sent (clipped to the
 * video). Their keep ranges partition [0, durationSec).
 */
export function planJobs(durationSec: number, settings: IndexingSettings): JobRange[] {
  if (durationSec <= firstJob(settings).end) {
    return [{ start: 0, end: durationSec, keepStart: 0, keepEnd: durationSec }];
  }
  return planChunks(durationSec, { chunkSec: settings.chunkSec, marginSec: marginSec(settings) });
}
