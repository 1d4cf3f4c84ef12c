import type { SearchFilters, SpeechHit, TranscriptSegment, VideoRecord } from '../core/types';
import type { ActiveRuns } from './frame-index';

export interface TranscriptSearch {
  /** Words to match against what is said (full-text: any of the words, ranked by BM25). */
  text: string;
  /** Most segments to return (1..10 000). */
  k: number;
  /** The same restrictions as the frame search, applied inside the text search. */
  filters?: SearchFilters;
  activeRuns?: ActiveRuns;
}

/**
 * What is said in every video, as timed segments searchable by their words. Local mode: a LanceDB table with a
 * full-text index. AWS: an OpenSearch Serverless index with a text field.
 */
export interface TranscriptIndex {
  /**
   * Makes `segments` the video's only segments. Search sees either the old complete set or the new one, never a
   * part; a retried call leaves the same state; no segments removes the video's. `video` carries what filters need.
   */
  replaceSegments(video: VideoRecord, segments: TranscriptSegment[]): Promise<void>;
  /** The segments whose text matches, best first, each with its BM25 relevance (> 0). */
  search(query: TranscriptSearch): Promise<SpeechHit[]>;
  removeVideo(videoId: string): Promise<void>;
  /** Segments stored for a video (for checks and `vsearch videos`). */
  countSegments(videoId: string): Promise<number>;
}

/**
 * A transcript index whose segments belong to runs, as an OpenSearch frame index's frames do: the pipeline writes a
 * video's segments under the run id of its frames, so the catalog's `runId` (and search's `activeRuns`) names both.
 */
export interface RunTranscriptIndex extends TranscriptIndex {
  /** `replaceSegments` under `runId`, a run id never used before for the video (the frames' run just written). */
  replaceRun(video: VideoRecord, segments: TranscriptSegment[], runId: string): Promise<void>;
}
