import type { FrameVector, Hit, SearchFilters, TimeWindow, VideoRecord } from '../core/types';

/**
 * Video id → the frame-index run that holds the video's current frames (`VideoRecord.runId`): a search keeps each
 * listed video to that run, so it never sees a replacement half-written beside the complete set it replaces. Videos
 * not listed are unrestricted; an empty map restricts nothing. An index whose replacements are one step (LanceDB) never
 * shows two runs and may ignore it, and `runId` below.
 */
export type ActiveRuns = ReadonlyMap<string, string>;

export interface FrameSearch {
  vector: Float32Array;
  /** Nearest frames to return (1..10 000). */
  k: number;
  filters?: SearchFilters;
  /** Part of the k-NN filter, like `filters`: it costs no results. */
  activeRuns?: ActiveRuns;
}

/** Frames of one video to read back: those in any of `windows` (bounds included), of run `runId` only when given. */
export interface FrameSelection {
  videoId: string;
  windows: readonly TimeWindow[];
  runId?: string;
}

/** A stored frame with its (stored, i.e. smoothed) vector. */
export interface StoredFrame {
  videoId: string;
  time: number;
  vector: Float32Array;
}

/**
 * The searchable frames of every video. Local mode: LanceDB on disk. AWS: OpenSearch Serverless.
 * Filters are applied inside the k-NN search, so a filter never empties a result that has matching frames.
 */
export interface FrameIndex {
  /**
   * Makes `frames` the video's only frames. Search sees either the old complete set or the new complete set,
   * never a part; a retried call leaves the same state. `video` carries the metadata that filters need.
   */
  replaceFrames(video: VideoRecord, frames: FrameVector[]): Promise<void>;
  /** Nearest frames by inner product, best first. Throws `IndexMismatchError` if the vector's dimension differs. */
  search(query: FrameSearch): Promise<Hit[]>;
  /**
   * Every stored frame of one video scored against `vector`, in time order (for the score-over-time chart); only
   * those of run `runId` when given (`VideoRecord.runId`).
   */
  scoreVideo(vector: Float32Array, videoId: string, runId?: string): Promise<Hit[]>;
  /**
   * The stored frames of one video that lie in any of `windows`, scored against `vector`, in time order: one filtered
   * read (on the video and the time ranges), for growing a clip over its neighbouring frames; only run `runId`'s
   * frames when given.
   */
  scoreFrames(vector: Float32Array, videoId: string, windows: readonly TimeWindow[], runId?: string): Promise<Hit[]>;
  /**
   * The stored vectors of the frames `selections` pick, each stored frame once, in no particular order: one filtered
   * read whatever the number of videos (a moment to search like, the best frames of a result's clips). At most
   * 10 000 frames.
   */
  frameVectors(selections: readonly FrameSelection[]): Promise<StoredFrame[]>;
  removeVideo(videoId: string): Promise<void>;
  /** The model and dimension every stored frame was embedded with; undefined while the index is empty. */
  embedding(): Promise<{ model: string; dim: number } | undefined>;
  /** Frames stored for a video (for checks and `vsearch videos`). */
  countFrames(videoId: string): Promise<number>;
}

/**
 * A frame index whose replacements are runs (OpenSearch Serverless: see `OpenSearchFrameIndex`): `replaceRun` is
 * `replaceFrames` returning the id of the run that now holds the video's frames, which the catalog must then name
 * (`VideoRecord.runId`) for search to show them.
 */
export interface RunFrameIndex extends FrameIndex {
  replaceRun(video: VideoRecord, frames: FrameVector[]): Promise<string>;
}
