import type { VideoRecord } from '../core/types';
import type { ActiveRuns } from './frame-index';

/** What is known about every video: metadata, status, and the model its frames were embedded with. */
export interface Catalog {
  put(video: VideoRecord): Promise<void>;
  get(id: string): Promise<VideoRecord | undefined>;
  /** The known videos among `ids`, in one batched read: a search looks up every video of its hits at once. */
  getMany(ids: readonly string[]): Promise<Map<string, VideoRecord>>;
  list(): Promise<VideoRecord[]>;
  remove(id: string): Promise<void>;
  /**
   * The frame-index run each video's search may see (`FrameSearch.activeRuns`), or an empty map where the frame index
   * replaces a video's frames in one step and needs no restriction (local mode).
   */
  activeRuns(): Promise<ActiveRuns>;
  /** Ids of videos whose title or tags contain every word of `keywords` (case-insensitive). */
  matchKeywords(keywords: string): Promise<string[]>;
}
