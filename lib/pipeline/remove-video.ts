import type { DynamoCatalog } from '../aws/dynamo-catalog';
import type { ObjectRemoved } from '../aws/s3-events';
import type { FrameIndex } from '../store/frame-index';
import { acceptedEvent } from './video-item';
import { isSidecar } from './video-metadata';
import { videoIdForKey } from './video-key';
import { decideRemoved, type RemovedDecision } from './video-versions';

const MAX_CLAIMS = 3;

/**
 * Handles an "Object Removed" event: marks the video deleted (a tombstone that supersedes any execution still
 * indexing it) and deletes its frames. Idempotent: a repeated event deletes again, which finds nothing left.
 */
export async function removeVideo(
  event: ObjectRemoved,
  deps: { catalog: DynamoCatalog; frames: FrameIndex },
): Promise<{ videoId: string; decision: RemovedDecision | 'sidecar' }> {
  const { object } = event.detail;
  const videoId = videoIdForKey(object.key);
  if (isSidecar(object.key)) return { videoId, decision: 'sidecar' };
  const removal = {
    sequencer: object.sequencer,
    versionId: object['version-id'],
    permanent: event.detail['deletion-type'] === 'Permanently Deleted',
  };
  for (let claim = 0; claim < MAX_CLAIMS; claim++) {
    const current = await deps.catalog.item(videoId);
    const decision = decideRemoved(acceptedEvent(current), removal);
    if (decision !== 'remove') return { videoId, decision };
    const buried = current?.deleted && current.sequencer === removal.sequencer;
    if (!buried && !(await deps.catalog.bury(videoId, removal.sequencer, current?.sequencer))) continue;
    await deps.frames.removeVideo(videoId);
    return { videoId, decision };
  }
  throw new Error(`video ${videoId}: the catalog entry kept changing during ${MAX_CLAIMS} attempts to remove it`);
}
