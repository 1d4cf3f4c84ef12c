/** Domain types shared by the core, the adapters, the CLI, the Lambda functions and the container. No I/O here. */
import type { Shots } from './shots';

/** How frames are picked from a video: `fps` frames per second of video time, or every N-th decoded frame. */
export type SamplingPlan = { fps: number } | { everyNth: number };

/** One sampled frame's embedding at its true presentation time (seconds from the start of the video). */
export interface FrameVector {
  time: number;
  vector: Float32Array;
}

/** A frame returned by a k-NN search, scored against the query (inner product of unit vectors = cosine). */
export interface Hit {
  videoId: string;
  time: number;
  score: number;
}

/** A stretch of a video's time line, in seconds, bounds included. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** A stretch of one video, in seconds: what a clip plays, a 'more like this' query, a duplicate of a result. */
export interface Moment {
  videoId: string;
  start: number;
  end: number;
}

/** Hits close in time on one video, merged into one playable moment. */
export interface Clip extends Moment {
  bestTime: number;
  score: number;
  hits: number;
}

/** Where a video's transcript came from, most trusted first: a subtitle stream in the file, a sidecar file, speech recognition. */
export type SpeechSource = 'subtitles' | 'sidecar' | 'asr';

/** A stretch of what is said in a video, in seconds from its start. */
export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  source: SpeechSource;
}

/** A transcript segment found by a full-text search; `score` is the index's relevance (BM25: > 0, higher is better). */
export interface SpeechHit extends TranscriptSegment {
  videoId: string;
  score: number;
}

/**
 * What a video's transcript holds and where it came from (`source` null: none was found), recorded like the vision
 * model. `model` is the speech recognition model when `asr` ran; `notes` say why a source was passed over (a malformed
 * sidecar, no audio track) — reported for that video, never failing its frames.
 */
export interface SpeechRecord {
  source: SpeechSource | null;
  segments: number;
  model?: string;
  language?: string;
  notes: string[];
}

export type VideoStatus = 'PENDING' | 'INDEXING' | 'READY' | 'FAILED';

/** A video as the catalog knows it. */
export interface VideoRecord {
  id: string;
  title: string;
  source: string;
  category?: string;
  tags: string[];
  durationSec: number;
  /** Sampling rate actually used, in frames per second of video time (for `everyNth`, the native rate divided by N). */
  fps: number;
  /**
   * The temporal smoothing applied to the stored frames, counted in frames (kernel of `kernelSize` frames, Gaussian
   * of `sigma` frames), or null when the frames are stored raw. Absent in catalogs written before it was recorded.
   */
  smoothing?: { kernelSize: number; sigma: number } | null;
  /**
   * The video's shot boundaries and the threshold that found them (lib/core/shots.ts), or null when they were not
   * detected (`--no-shots`). Absent in catalogs written before shots were recorded: search then snaps nothing.
   */
  shots?: Shots | null;
  model: string;
  dim: number;
  frames: number;
  /**
   * AWS mode: the frame-index run (one `replaceFrames` call) that holds this video's current frames. Search keeps
   * to this run, which hides a replacement until it is complete (see `OpenSearchFrameIndex`). Absent locally.
   */
  runId?: string;
  /** The video's transcript; absent in catalogs written before speech was indexed. */
  speech?: SpeechRecord;
  status: VideoStatus;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

/** Restrictions applied inside the k-NN search (never after it). */
export interface SearchFilters {
  videoIds?: string[];
  categories?: string[];
  tags?: string[];
  /** Free words matched against title and tags. */
  keywords?: string;
}

/** An RGB image, 8 bits per channel, packed row by row (`data.length === width * height * 3`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}
