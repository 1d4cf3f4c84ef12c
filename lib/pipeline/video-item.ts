import type { VideoRecord, VideoStatus } from '../core/types';
import type { IndexingSettings } from './indexing-settings';
import type { VideoRef } from './schemas';
import type { AcceptedEvent } from './video-versions';

/**
 * A video as the AWS catalog stores it: the record search reads, plus what the pipeline needs — the S3 version and
 * event sequencer it belongs to, the settings it was indexed with, where its raw embeddings are (to re-smooth
 * without re-embedding) and how long it took. A deleted video stays as a tombstone, so older events are recognised.
 */
export interface VideoItem extends VideoRecord {
  sequencer: string;
  s3: { bucket: string; key: string; versionId?: string; size?: number; etag?: string };
  settings?: IndexingSettings;
  embeddings?: string[];
  timings?: Record<string, string | number>;
  deleted?: boolean;
}

/** The catalog as the pipeline's use cases read it (DynamoCatalog): whole items, tombstones included. */
export interface VideoItems {
  /** The whole item, read consistently. */
  item(id: string): Promise<VideoItem | undefined>;
  /** The item `ref` acts for; `SupersededError` when a newer event has taken the video over. */
  current(ref: VideoRef): Promise<VideoItem>;
  /**
   * Up to `limit` items in the catalog's own order, starting after the item with id `after` (from the start without
   * it), and the id to continue after; `next` is absent once every item was listed.
   */
  items(page: { after?: string; limit: number }): Promise<{ items: VideoItem[]; next?: string }>;
}

/** Status changes an execution may make, by target: the statuses it may come from (itself too, for retries). */
export const ALLOWED_FROM: Readonly<Record<VideoStatus, readonly VideoStatus[]>> = {
  PENDING: [],
  INDEXING: ['PENDING', 'INDEXING'],
  READY: ['INDEXING', 'READY'],
  FAILED: ['PENDING', 'INDEXING', 'FAILED'],
};

/** The record alone, as the `Catalog` interface returns it. */
export function toRecord(item: VideoItem): VideoRecord {
  const { sequencer, s3, settings, embeddings, timings, deleted, ...record } = item;
  return record;
}

/** The event the catalog last acted on for the video, as the version rules (video-versions.ts) see it. */
export function acceptedEvent(item: VideoItem | undefined): AcceptedEvent | undefined {
  // A tombstone of a video never registered holds only its sequencer.
  return item && { sequencer: item.sequencer, versionId: item.s3?.versionId, deleted: item.deleted ?? false };
}
