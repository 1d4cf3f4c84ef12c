import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoCatalog } from '../aws/dynamo-catalog';
import type { ObjectCreated } from '../aws/s3-events';
import { getOptionalText, headObjectMetadata } from '../aws/s3-objects';
import { firstJob, type IndexingSettings } from './indexing-settings';
import { isSidecar, sidecarKey, titleFromKey, videoMetadata, type VideoMetadata } from './video-metadata';
import type { VideoRef } from './schemas';
import { acceptedEvent, type VideoItem } from './video-item';
import { keyCandidates, videoIdForKey } from './video-key';
import { decideCreated } from './video-versions';

export type Registration =
  /** Index it: the first job's range is ready to send. */
  | { action: 'index'; video: VideoRef; settings: IndexingSettings; firstJob: { start: number; end: number } }
  /** Nothing to do: a sidecar, a repeated event, or an older one than the catalog has seen. */
  | { action: 'skip'; reason: string }
  /** Registered as FAILED at once (the object is gone, or its sidecar is malformed). */
  | { action: 'reject'; video: VideoRef; reason: string };

export interface RegisterDeps {
  catalog: DynamoCatalog;
  s3: S3Client;
  settings: IndexingSettings;
}

/** Claims that another write got in between are retried this often before the event is failed. */
const MAX_CLAIMS = 3;

/**
 * Registers an uploaded object as a PENDING video, idempotently: the event's sequencer decides against the catalog's
 * (a repeated event is skipped, an older one ignored, a newer one supersedes whatever an older execution is doing),
 * and the write is conditional on the item not having changed since it was read.
 */
export async function registerVideo(event: ObjectCreated, deps: RegisterDeps): Promise<Registration> {
  const { bucket, object } = event.detail;
  if (isSidecar(object.key)) return { action: 'skip', reason: 'a sidecar, not a video' };
  const id = videoIdForKey(object.key);
  const versionId = object['version-id'];
  let described: Described | undefined;
  for (let claim = 0; claim < MAX_CLAIMS; claim++) {
    const current = await deps.catalog.item(id);
    const decision = decideCreated(acceptedEvent(current), object.sequencer);
    if (decision !== 'index') return { action: 'skip', reason: `${decision} event (sequencer ${object.sequencer})` };

    described ??= await describe(deps.s3, bucket.name, object.key, versionId);
    const ref: VideoRef = { id, sequencer: object.sequencer, bucket: bucket.name, key: described.key, versionId };
    const now = new Date().toISOString();
    const item: VideoItem = {
      id,
      title: described.metadata.title,
      source: `s3://${bucket.name}/${described.key}`,
      ...(described.metadata.category && { category: described.metadata.category }),
      tags: described.metadata.tags,
      durationSec: 0,
      fps: deps.settings.fps,
      model: '',
      dim: 0,
      frames: 0,
      status: described.error ? 'FAILED' : 'PENDING',
      ...(described.error && { error: described.error }),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      sequencer: object.sequencer,
      s3: { bucket: bucket.name, key: described.key, versionId, size: object.size, etag: object.etag },
      settings: deps.settings,
      timings: { registeredAt: now },
    };
    if (!(await deps.catalog.replace(item, current?.sequencer))) continue;
    return described.error
      ? { action: 'reject', video: ref, reason: described.error }
      : { action: 'index', video: ref, settings: deps.settings, firstJob: firstJob(deps.settings) };
  }
  throw new Error(`video ${id}: the catalog entry kept changing during ${MAX_CLAIMS} attempts to register it`);
}

interface Described {
  /** The object's key as S3 names it (see keyCandidates). */
  key: string;
  metadata: VideoMetadata;
  /** Why the object cannot be indexed; `metadata` then holds the defaults. */
  error?: string;
}

async function describe(s3: S3Client, bucket: string, eventKey: string, versionId: string | undefined): Promise<Described> {
  const defaults = (key: string): VideoMetadata => ({ title: titleFromKey(key), tags: [] });
  for (const key of keyCandidates(eventKey)) {
    const objectMetadata = await headObjectMetadata(s3, { bucket, key, versionId });
    if (objectMetadata === undefined) continue;
    const sidecar = await getOptionalText(s3, { bucket, key: sidecarKey(key) });
    const metadata = videoMetadata(key, objectMetadata, sidecar);
    return metadata.ok ? { key, metadata: metadata.value } : { key, metadata: defaults(key), error: metadata.error };
  }
  const error = `s3://${bucket}/${eventKey} (version ${versionId ?? 'latest'}) no longer exists`;
  return { key: eventKey, metadata: defaults(eventKey), error };
}
