/**
 * Which S3 event wins for a video. S3 delivers events at least once and in any order; its `sequencer` (a hex string,
 * larger = later, for one key) orders them. The catalog keeps the sequencer of the last event it acted on, so a
 * repeated event is recognised, an older one ignored, and a newer upload supersedes whatever the older one is doing.
 */

/** The catalog's view of a video's last accepted event. */
export interface AcceptedEvent {
  sequencer: string;
  versionId?: string;
  deleted: boolean;
}

/** Compares two S3 sequencers: pad the shorter with leading zeros, then compare as strings (AWS's rule). */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const [x, y] = [a.toUpperCase().padStart(width, '0'), b.toUpperCase().padStart(width, '0')];
  return x < y ? -1 : x > y ? 1 : 0;
}

export type CreatedDecision = 'index' | 'duplicate' | 'stale';

/** What to do with an "Object Created" event given the catalog's current entry. */
export function decideCreated(current: AcceptedEvent | undefined, sequencer: string): CreatedDecision {
  if (!current) return 'index';
  const order = compareSequencers(sequencer, current.sequencer);
  return order > 0 ? 'index' : order === 0 ? 'duplicate' : 'stale';
}

export type RemovedDecision = 'remove' | 'stale' | 'other-version';

export interface Removal {
  sequencer: string;
  /** The version that was deleted (`Permanently Deleted`) or the delete marker's id (`Delete Marker Created`). */
  versionId?: string;
  permanent: boolean;
}

/**
 * What to do with an "Object Deleted" event. A delete marker hides the key: the video goes. A permanent delete of a
 * version other than the indexed one leaves the indexed video as it is. A removal of a video the catalog does not
 * know yet still counts (it leaves a tombstone, so the late "Object Created" event is recognised as older), and a
 * repeated removal is `remove` again, so a retry finishes deleting the frames.
 */
export function decideRemoved(current: AcceptedEvent | undefined, removal: Removal): RemovedDecision {
  if (!current) return 'remove';
  const order = compareSequencers(removal.sequencer, current.sequencer);
  if (current.deleted) return order >= 0 ? 'remove' : 'stale';
  if (order <= 0) return 'stale';
  const otherVersion = removal.permanent && removal.versionId !== undefined && removal.versionId !== current.versionId;
  return otherVersion ? 'other-version' : 'remove';
}
