import { z } from 'zod';
import { SHOTS } from '../frame-embeddings-format';
import { INDEXING_SETTINGS } from './indexing-settings';

/**
 * The shapes the state machine passes between its states (statemachines/index-video.asl.yml), checked by each
 * function on the way in. They mirror the TypeScript types the pipeline functions take.
 */

/** Which version of which object an execution indexes: what its conditional writes are keyed on. */
export const VIDEO_REF = z.object({
  id: z.string().min(1),
  sequencer: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
});
export type VideoRef = z.infer<typeof VIDEO_REF>;

export const RANGE = z.object({ start: z.number().nonnegative(), end: z.number().positive() });

export const JOB_RANGE = z.object({
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  keepStart: z.number().nonnegative(),
  keepEnd: z.number().nonnegative(),
});

/** What a finished job hands the waiting task: where its raw frame embeddings are. */
export const JOB_RESULT = z.object({ inferenceId: z.string().min(1), output: z.string().min(1) });
export type JobResult = z.infer<typeof JOB_RESULT>;

/** What ingesting a video's frames produced, for its READY record. */
export const INGESTED = z.object({
  frames: z.int().nonnegative(),
  /** The frame-index run holding the frames (`VideoRecord.runId`). */
  runId: z.string().min(1),
  durationSec: z.number().nonnegative(),
  fps: z.number().positive(),
  model: z.string().min(1),
  dim: z.int().positive(),
  /** The smoothing applied to the stored frames (`VideoRecord.smoothing`). */
  smoothing: z.object({ kernelSize: z.int().positive(), sigma: z.number().positive() }),
  /** The shot boundaries the jobs found (`VideoRecord.shots`); null when a job's container detected none. */
  shots: SHOTS.nullable(),
  /**
   * What the video's transcript holds and where it came from (`VideoRecord.speech`, ingest-frames.ts jobsTranscript);
   * absent when no job's output carries one (written by a container from before speech).
   */
  speech: z
    .object({
      source: z.enum(['subtitles', 'sidecar', 'asr']).nullable(),
      segments: z.int().nonnegative(),
      notes: z.array(z.string()),
      model: z.string().optional(),
      language: z.string().optional(),
    })
    .optional(),
  /** The raw embeddings, kept in S3: the video can be smoothed again without embedding it again. */
  embeddings: z.array(z.string().min(1)),
  ingestSec: z.number().nonnegative(),
});
export type Ingested = z.infer<typeof INGESTED>;

/** A state's error as Step Functions hands it to a Catch (`ResultPath: $.error`). */
const STATE_ERROR = z.object({ Error: z.string(), Cause: z.string().optional() });
export type StateError = z.infer<typeof STATE_ERROR>;

export const SUBMIT_REQUEST = z.object({ token: z.string().min(1), video: VIDEO_REF, settings: INDEXING_SETTINGS, range: RANGE });

export const PLAN_REQUEST = z.object({ video: VIDEO_REF, settings: INDEXING_SETTINGS, first: JOB_RESULT });

export const INGEST_REQUEST = z.object({
  video: VIDEO_REF,
  settings: INDEXING_SETTINGS,
  jobs: z.array(JOB_RANGE).min(1),
  first: JOB_RESULT,
  rest: z.array(JOB_RESULT),
});

export const MARK_REQUEST = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('READY'),
    video: VIDEO_REF,
    startedAt: z.string().min(1),
    ingest: INGESTED,
  }),
  z.object({ status: z.literal('FAILED'), video: VIDEO_REF, error: STATE_ERROR }),
]);

/**
 * A re-ingest execution's input (statemachines/reingest-videos.asl.yml), and each page's request to planReingest:
 * one video or all of them, and smoothing settings to use instead of each video's own (the fields given replace the
 * video's). `after` is where the previous page ended.
 */
export const REINGEST_REQUEST = z.strictObject({
  videoId: z.string().min(1).optional(),
  smoothing: z
    .strictObject({
      kernelSize: z.int().positive().refine((n) => n % 2 === 1, 'must be odd'),
      sigma: z.number().positive(),
    })
    .partial()
    .optional(),
  after: z.string().min(1).optional(),
});
export type ReingestRequest = z.infer<typeof REINGEST_REQUEST>;

/** The input, checked against `schema`; a TypeError naming the first problem otherwise (a bug in the wiring). */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new TypeError(`bad input: ${issue.path.join('.') || 'input'}: ${issue.message}`);
}
