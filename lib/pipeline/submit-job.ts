import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { DynamoCatalog } from '../aws/dynamo-catalog';
import { invokeAsync } from '../aws/sagemaker-async';
import { THUMBNAILS_PREFIX } from '../aws/s3-media-links';
import { putJson, s3Uri } from '../aws/s3-objects';
import type { TaskTokenStore } from '../aws/task-tokens';
import type { IndexingSettings } from './indexing-settings';
import type { VideoRef } from './schemas';

export interface SubmitRequest {
  /** The waiting task's token ($$.Task.Token). */
  token: string;
  video: VideoRef;
  settings: IndexingSettings;
  /** The time range to embed (seconds; the end may lie past the video's end). */
  range: { start: number; end: number };
}

export interface SubmitDeps {
  catalog: DynamoCatalog;
  tokens: TaskTokenStore;
  s3: S3Client;
  sagemaker: SageMakerRuntimeClient;
  endpointName: string;
  /** Where manifests go: `s3://<bucket>/<prefix><videoId>/<inferenceId>.json`. */
  jobsBucket: string;
  jobsPrefix: string;
  invocationTimeoutSec: number;
}

/** Longer than any execution waits for a job: the entry only has to outlive the wait. */
const TOKEN_TTL_SEC = 2 * 24 * 3600;

/**
 * Sends one embedding job to the async endpoint and leaves the execution waiting for it: marks the video INDEXING
 * (failing with `SupersededError` if a newer event owns it), writes the job manifest, stores the task token under a
 * fresh InferenceId (before invoking, so even an instant notification finds it), invokes the endpoint, and records
 * with the token where SageMaker will write the job's output or failure (so the reconciler can finish the task from
 * them if the notification is lost).
 */
export async function submitJob(request: SubmitRequest, deps: SubmitDeps): Promise<{ inferenceId: string }> {
  const { video, settings, range, token } = request;
  await deps.catalog.transition(video, 'INDEXING');
  const inferenceId = randomUUID();
  const manifest = { bucket: deps.jobsBucket, key: `${deps.jobsPrefix}${video.id}/${inferenceId}.json` };
  await putJson(deps.s3, manifest, {
    videoId: video.id,
    video: s3Uri(video),
    fps: settings.fps,
    startSec: range.start,
    endSec: range.end,
    // A JPEG per embedded frame, in the video's bucket, where S3MediaLinks.thumbnailUrl finds it.
    thumbnails: s3Uri({ bucket: video.bucket, key: THUMBNAILS_PREFIX }),
    // The first job (the one starting at 0) also reads the whole video's transcript: its output carries it to the
    // ingest step, and to every re-ingest after.
    ...(range.start === 0 && { speech: true }),
  });
  await deps.tokens.put({ inferenceId, token, videoId: video.id, expiresAt: Math.ceil(Date.now() / 1000) + TOKEN_TTL_SEC });
  const locations = await invokeAsync(deps.sagemaker, {
    endpointName: deps.endpointName,
    inputLocation: s3Uri(manifest),
    inferenceId,
    invocationTimeoutSec: deps.invocationTimeoutSec,
  });
  if (locations) await deps.tokens.locate(inferenceId, locations);
  return { inferenceId };
}
