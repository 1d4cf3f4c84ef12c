import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseS3Uri } from '../../lib/aws/s3-objects';
import type { WaitingTask } from '../../lib/aws/task-tokens';
import type { ReconcileReport } from '../../lib/pipeline/reconcile-jobs';
import { videoIdForKey } from '../../lib/pipeline/video-key';
import { makeColourVideo } from '../../lib/sample-videos';
import { BUCKET, startHarness, type Harness } from './workflow/harness';
import type { FakeJob } from './workflow/fake-async-endpoint';
import type { LocalExecution } from './workflow/local-state-machine';

/**
 * A job notification that never reaches the job callback (Lambda drops an asynchronous event after its retries, SNS
 * gives up a delivery): the reconciler finishes the waiting execution from what the job left in S3. The pipeline's
 * world of tests/integration/workflow (s3rver, dynalite, the container's job code, the state machine run locally).
 */

jest.setTimeout(120_000);

let h: Harness;
let work: string;
let reconcile: () => Promise<ReconcileReport>;
const videos = { four: '', broken: '' };
const PARAMS = { jobTimeoutSeconds: 60 };

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'reconcile-workflow-videos-'));
  videos.four = path.join(work, 'four.mp4');
  videos.broken = path.join(work, 'broken.mp4');
  [h] = await Promise.all([
    startHarness(),
    makeColourVideo(videos.four, [{ colour: 'green', durationSec: 4 }], { fps: 10, width: 64, height: 48 }),
    writeFile(videos.broken, 'not a video at all'),
  ]);
  h.configure({ fps: 1, chunkSec: 600 });
  // Imported once the harness has pointed the environment at the stand-ins.
  const { handler } = await import('../../functions/reconcile-jobs/handler');
  reconcile = () => handler({}, h.context) as Promise<ReconcileReport>;
});

afterAll(async () => {
  expect(h.aoss.requests.filter((request) => request.refused)).toEqual([]);
  await h?.close();
  await rm(work, { recursive: true, force: true });
});

const tokenEntry = async (inferenceId: string) =>
  (await h.db.client.send(new GetCommand({ TableName: 'tasks', Key: { inferenceId } }))).Item as WaitingTask | undefined;

/**
 * Uploads `file` and starts its execution with the endpoint in `mode`; resolves once the job is submitted (its token
 * entry records where SageMaker will write) and, unless silent, has run.
 */
async function start(key: string, file: string, mode: 'hold' | 'silent', params = PARAMS) {
  h.endpoint.setMode(mode);
  const execution: LocalExecution = h.machine.start(await h.upload(key, file), params);
  const videoId = videoIdForKey(key);
  const job = await eventually(async () => h.endpoint.jobs.find((candidate) => candidate.manifest.videoId === videoId));
  const inferenceId = job.input.InferenceId!;
  const entry = await eventually(async () => {
    const item = await tokenEntry(inferenceId);
    return item?.outputLocation ? item : undefined;
  });
  await h.endpoint.settled();
  return { execution, job: job as FakeJob, inferenceId, videoId, entry };
}

test('a lost success notification: the reconciler finishes the execution from the output object, the video is READY', async () => {
  const { execution, job, inferenceId, videoId, entry } = await start('videos/lost success.mp4', videos.four, 'hold');
  expect(entry).toMatchObject({
    videoId,
    outputLocation: expect.stringMatching(new RegExp(`^s3://${BUCKET}/embeddings/`)),
    failureLocation: expect.stringMatching(new RegExp(`^s3://${BUCKET}/failures/`)),
  });

  const report = await reconcile();

  expect(report.finished).toEqual([{ inferenceId, videoId, status: 'Completed', outcome: 'resolved' }]);
  expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.states).toEqual(['Register', 'EmbedFirstChunk', 'Plan', 'Ingest', 'MarkReady']);
  expect(await h.catalog.item(videoId)).toMatchObject({ status: 'READY', frames: 4, embeddings: [entry.outputLocation] });
  expect(h.frames(videoId)).toHaveLength(4);
  expect(await tokenEntry(inferenceId)).toBeUndefined();

  // The notification turns up after all: nothing waits for it any more, and nothing changes.
  await job.release();
  expect((await reconcile()).finished).toEqual([]);
  expect(await h.catalog.item(videoId)).toMatchObject({ status: 'READY', frames: 4 });
});

test('a lost failure notification: the reconciler fails the execution with the reason in the failure object', async () => {
  const { execution, inferenceId, videoId } = await start('videos/lost failure.mp4', videos.broken, 'hold');

  const report = await reconcile();

  expect(report.finished).toEqual([{ inferenceId, videoId, status: 'Failed', outcome: 'resolved' }]);
  expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'EmbeddingJobFailed' });
  expect(execution.states).toEqual(['Register', 'EmbedFirstChunk', 'MarkFailed']);
  expect(await h.catalog.get(videoId)).toMatchObject({
    status: 'FAILED',
    error: expect.stringMatching(/^EmbeddingJobFailed: ClientError: .*not a readable video/),
  });
  expect(await tokenEntry(inferenceId)).toBeUndefined();
});

test('a job still running is left waiting; its output landing after the wait timed out only clears the entry', async () => {
  const { execution, inferenceId, videoId, entry } = await start('videos/slow.mp4', videos.four, 'silent', { jobTimeoutSeconds: 3 });

  expect(await reconcile()).toMatchObject({ waiting: 1, finished: [], errors: [] });
  expect(await tokenEntry(inferenceId)).toBeDefined();

  expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  const { bucket, key } = parseS3Uri(entry.outputLocation!);
  await h.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'late' }));

  // Step Functions answers the closed task's token with TaskTimedOut: no success after the failure.
  expect((await reconcile()).finished).toEqual([{ inferenceId, videoId, status: 'Completed', outcome: 'no-longer-waiting' }]);
  expect(await tokenEntry(inferenceId)).toBeUndefined();
  expect(await h.catalog.get(videoId)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^States\.Timeout/) });
});

test('two reconcilers and the late notification race for one ended job: one answer, the others find the task closed', async () => {
  const { execution, job, inferenceId, videoId } = await start('videos/raced.mp4', videos.four, 'hold');

  const [first, second] = await Promise.all([reconcile(), reconcile(), job.release()]);

  const resolved = [first, second].flatMap((report) => report.finished).filter((finished) => finished.outcome === 'resolved');
  expect(resolved.length).toBeLessThanOrEqual(1);
  expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.states.filter((state) => state === 'Ingest')).toHaveLength(1);
  expect(await h.catalog.get(videoId)).toMatchObject({ status: 'READY', frames: 4 });
  expect(await tokenEntry(inferenceId)).toBeUndefined();
});

/** Polls `probe` until it gives a value. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  for (const started = Date.now(); ; ) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('not seen in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
