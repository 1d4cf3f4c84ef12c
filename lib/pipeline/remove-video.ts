import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoCatalog } from '../aws/dynamo-catalog';
import { THUMBNAILS_PREFIX } from '../aws/s3-media-links';
import type { ObjectDeleted } from '../aws/s3-events';
import type { FrameIndex } from '../store/frame-index';
import type { TranscriptIndex } from '../store/transcripts';
import { acceptedEvent } from './video-item';
import { isSidecar } from './video-metadata';
import { videoIdForKey } from './video-key';
import { decideRemoved, type RemovedDecision } from './video-versions';

const MAX_CLAIMS = 3;

/**
 * Handles an "Object Deleted" event: marks the video deleted (a tombstone that supersedes any execution still
 * indexing it) and deletes its frames, its transcript segments and, given `s3`, its thumbnails (`thumbnails/<videoId>/` in the event's bucket).
 * Idempotent: a repeated event deletes again, which finds nothing left.
 */
export async function removeVideo(
  event: ObjectDeleted,
  deps: { catalog: DynamoCatalog; frames: FrameIndex; transcripts: Pick<TranscriptIndex, 'removeVideo'>; s3?: S3Client },
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
    await deps.transcripts.removeVideo(videoId);
    if (deps.s3) await deleteThumbnails(deps.s3, event.detail.bucket.name, videoId);
    return { videoId, decision };
  }
  throw new Error(`video ${videoId}: the catalog entry kept changing during ${MAX_CLAIMS} attempts to remove it`);
}

/** Deletes every object under `thumbnails/<videoId>/` (a page of up to 1,000 keys per request). */
async function deleteThumbnails(s3: S3Client, bucket: string, videoId: string): Promise<void> {
  const prefix = `${THUMBNAILS_PREFIX}${videoId}/`;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key ? [{ Key }] : []));
    if (keys.length > 0) {
      const { Errors } = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      if (Errors?.length) throw new Error(`could not delete ${Errors.length} thumbnails of ${videoId}: ${Errors[0].Code} ${Errors[0].Message}`);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
