import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { getObjectBytes, parseS3Uri } from '../../lib/aws/s3-objects';
import { expectedFrameTimes } from '../../lib/core/sampling';
import { smoothFrames } from '../../lib/core/smoothing';
import { decodeFrameEmbeddings } from '../../lib/frame-embeddings-format';
import { executionName } from '../../lib/pipeline/execution-name';
import { videoIdForKey } from '../../lib/pipeline/video-key';
import { makeColourVideo } from '../../lib/sample-videos';
import { BUCKET, INDEX, MODEL_NAME, STARTED_PARAMS, startHarness, type Harness, type S3Event } from './workflow/harness';
import { sourceDefinition } from './workflow/local-state-machine';

jest.setTimeout(120_000);

let h: Harness;
let work: string;
const videos: Record<'six' | 'four' | 'five' | 'long' | 'broken', string> = {} as never;
/** One frame per second, one job per video unless a test says otherwise. */
const DEFAULTS = { fps: 1, chunkSec: 600 };
const PARAMS = STARTED_PARAMS;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'index-workflow-videos-'));
  const small = { fps: 10, width: 64, height: 48 };
  const make = async (name: keyof typeof videos, segments: { colour: string; durationSec: number }[]) => {
    videos[name] = path.join(work, `${name}.mp4`);
    await makeColourVideo(videos[name], segments, small);
  };
  [h] = await Promise.all([
    startHarness(),
    make('six', [{ colour: 'red', durationSec: 3 }, { colour: 'blue', durationSec: 3 }]),
    make('four', [{ colour: 'green', durationSec: 4 }]),
    make('five', [{ colour: 'yellow', durationSec: 5 }]),
    make('long', [{ colour: 'red', durationSec: 4 }, { colour: 'green', durationSec: 4 }, { colour: 'blue', durationSec: 4 }]),
  ]);
  videos.broken = path.join(work, 'broken.mp4');
  await writeFile(videos.broken, 'not a video at all');
});

afterAll(async () => {
  // Strict: nothing the pipeline sent was refused by the classic-AOSS double (own ids, refresh, _delete_by_query…).
  expect(h.aoss.requests.filter((request) => request.refused)).toEqual([]);
  await h?.close();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  h.configure(DEFAULTS);
  h.endpoint.setMode('notify');
});

async function run(event: S3Event, params = PARAMS, definition?: unknown) {
  const execution = h.machine.start(event, params, definition);
  return { ...(await execution.outcome), states: execution.states, invoked: execution.invoked };
}

/** The definition as written, with the Resources (the functions) of two Task states exchanged. */
function withSwappedResources(a: string, b: string): unknown {
  const definition = sourceDefinition() as { States: Record<string, { Type: string; Resource: unknown }> };
  const [first, second] = [definition.States[a], definition.States[b]];
  expect([first.Type, second.Type]).toEqual(['Task', 'Task']);
  [first.Resource, second.Resource] = [second.Resource, first.Resource];
  return definition;
}

/** The index holds exactly these frames of the video: one per time, all of the catalog's current run. */
async function expectFrames(videoId: string, times: number[]): Promise<void> {
  const docs = h.frames(videoId);
  expect(docs.map((doc) => doc.time).sort((a, b) => a - b)).toEqual(times);
  const video = await h.catalog.get(videoId);
  expect(new Set(docs.map((doc) => doc.run_id))).toEqual(new Set(times.length > 0 ? [video?.runId] : []));
}

const seconds = (n: number, fps = 1) => Array.from({ length: n * fps }, (_, i) => i / fps);
/** The keys of a video's thumbnails in the bucket, sorted. */
const thumbnails = async (id: string) => {
  const listed = await h.s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `thumbnails/${id}/` }));
  return (listed.Contents ?? []).map(({ Key }) => Key!).sort();
};
const invocationsFor = (videoId: string) => h.endpoint.jobs.filter((job) => job.manifest.videoId === videoId);

test('success: a sidecar-described upload with spaces and accents in its key becomes READY with exact frames', async () => {
  const key = 'videos/Fête de la musique 1.mp4';
  const id = videoIdForKey(key);
  const sidecar = { title: 'Fête de la musique', category: 'music', tags: ['street', 'night'] };
  // The sidecar's own event starts an execution too, which skips it.
  expect(await run(await h.put(`${key}.json`, JSON.stringify(sidecar)))).toMatchObject({ status: 'SUCCEEDED', states: ['Register'] });

  const result = await run(await h.upload(key, videos.six));

  expect(result).toMatchObject({ status: 'SUCCEEDED', states: ['Register', 'EmbedFirstChunk', 'Plan', 'Ingest', 'MarkReady'] });
  expect(result.invoked).toEqual([
    'Register → registerVideo',
    'EmbedFirstChunk → submitJob',
    'Plan → planVideo',
    'Ingest → ingestFrames',
    'MarkReady → markVideo',
  ]);
  const video = await h.catalog.item(id);
  expect(video).toMatchObject({
    status: 'READY',
    frames: 6,
    model: MODEL_NAME,
    dim: 32,
    fps: 1,
    // The smoothing the stage applied, in frames, recorded with the video (the stage's default settings).
    smoothing: { kernelSize: 11, sigma: 1.8 },
    // The cut from red to blue, found by the job in the decode that sampled the frames, with the threshold used.
    shots: { threshold: 10, boundaries: [{ time: 3, kind: 'cut' }] },
    title: sidecar.title,
    category: 'music',
    tags: sidecar.tags,
    source: `s3://${BUCKET}/${key}`,
    s3: { bucket: BUCKET, key, versionId: expect.stringMatching(/^version-/) },
    settings: { fps: 1, chunkSec: 600, smoothing: { kernelSize: 11, sigma: 1.8 } },
    embeddings: [expect.stringMatching(new RegExp(`^s3://${BUCKET}/embeddings/`))],
    timings: { totalSec: expect.any(Number), ingestSec: expect.any(Number) },
  });
  expect(video?.durationSec).toBeCloseTo(6, 1);
  await expectFrames(id, seconds(6));
  expect(h.frames(id)[0]).toMatchObject({ title: sidecar.title, category: 'music', tags: sidecar.tags, model: MODEL_NAME });

  // The job: its manifest in S3, the fields SageMaker takes, and the token entry gone once resolved.
  const [job] = invocationsFor(id);
  expect(job.input).toMatchObject({
    EndpointName: 'embedder-async',
    InputLocation: expect.stringMatching(new RegExp(`^s3://${BUCKET}/jobs/${id}/[0-9a-f-]{36}\\.json$`)),
    ContentType: 'application/json',
    InvocationTimeoutSeconds: 3600,
  });
  expect(job.input.InferenceId!.length).toBeLessThanOrEqual(64);
  expect(job.manifest).toEqual({
    videoId: id,
    video: `s3://${BUCKET}/${key}`,
    fps: 1,
    startSec: 0,
    endSec: 606,
    thumbnails: `s3://${BUCKET}/thumbnails/`,
    // The first job also reads the whole video's transcript (none here: no subtitles, no sidecar).
    speech: true,
  });
  // The container wrote a thumbnail of every sampled frame.
  expect(await thumbnails(id)).toEqual(seconds(6).map((time) => `thumbnails/${id}/${Math.round(time * 1000)}.jpg`).sort());
  const token = await h.db.client.send(new GetCommand({ TableName: 'tasks', Key: { inferenceId: job.input.InferenceId } }));
  expect(token.Item).toBeUndefined();
});

test('endpoint failure: the job fails on SageMaker and the video ends FAILED with the reason', async () => {
  const key = 'videos/broken.mp4';
  const result = await run(await h.upload(key, videos.broken));

  expect(result).toMatchObject({ status: 'FAILED', error: 'EmbeddingJobFailed', states: ['Register', 'EmbedFirstChunk', 'MarkFailed'] });
  const video = await h.catalog.get(videoIdForKey(key));
  expect(video).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^EmbeddingJobFailed: ClientError: .*not a readable video/) });
  expect(result.status === 'FAILED' && result.cause).toBe(video?.error);
  await expectFrames(videoIdForKey(key), []);
});

test('timeout: a job that never reports back fails the video with a timeout', async () => {
  h.endpoint.setMode('silent');
  const key = 'videos/never.mp4';
  const result = await run(await h.upload(key, videos.four), { jobTimeoutSeconds: 1 });

  expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout', states: ['Register', 'EmbedFirstChunk', 'MarkFailed'] });
  expect(await h.catalog.get(videoIdForKey(key))).toMatchObject({
    status: 'FAILED',
    error: expect.stringMatching(/^States\.Timeout: the embedding job did not report back in time/),
  });
  await expectFrames(videoIdForKey(key), []);
});

test('throttled bulk requests are retried: every frame once, none lost, none duplicated', async () => {
  const key = 'videos/throttled.mp4';
  h.aoss.failNextBulk(3, 'throttle');
  const before = h.aoss.requests.length;

  expect(await run(await h.upload(key, videos.six))).toMatchObject({ status: 'SUCCEEDED' });

  const bulkStatuses = h.aoss.requests.slice(before).filter((request) => request.path.endsWith('_bulk')).map((r) => r.status);
  expect(bulkStatuses.slice(0, 4)).toEqual([429, 429, 429, 200]);
  await expectFrames(videoIdForKey(key), seconds(6));
});

// A NextGen collection group at 0 OCU scales to zero after 10 idle minutes; the first request after that waits
// 10–30 s (here 1.5 s), search and indexing each on their own first request.
test('the collection scaled to zero: the video is indexed once it wakes, every frame once', async () => {
  const key = 'videos/after a quiet spell.mp4';
  const before = h.aoss.requests.length;
  h.aoss.goCold({ mode: 'late', delayMs: 1500 });

  expect(await run(await h.upload(key, videos.six))).toMatchObject({ status: 'SUCCEEDED' });

  const met = h.aoss.requests.slice(before).filter((request) => request.cold);
  expect(new Set(met.map((request) => request.cold))).toEqual(new Set(['late']));
  expect(met.some((request) => request.path.endsWith('_bulk'))).toBe(true);
  await expectFrames(videoIdForKey(key), seconds(6));
  expect(await h.catalog.get(videoIdForKey(key))).toMatchObject({ status: 'READY', frames: 6 });
});

test('a duplicate event is indexed once, even when both executions run at the same time', async () => {
  const key = 'videos/duplicate.mp4';
  const event = await h.upload(key, videos.four);

  const results = await Promise.all([run(event), run(event)]);

  expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(results.map((r) => r.states.length).sort()).toEqual([1, 5]);
  expect(invocationsFor(videoIdForKey(key))).toHaveLength(1);
  await expectFrames(videoIdForKey(key), seconds(4));
  expect(await run(event)).toMatchObject({ status: 'SUCCEEDED', states: ['Register'] });
});

test('the starter function starts the execution, named after the upload, with the event as its input; repeated deliveries start nothing more', async () => {
  const key = 'videos/Démo à la plage 2.mp4';
  const id = videoIdForKey(key);
  const event = await h.upload(key, videos.four);
  const name = executionName(key, (event.detail.object as { sequencer: string }).sequencer);
  const start = () => h.handlers.startIndexing(event as never, h.context);

  // EventBridge delivers at least once: twice while the execution runs is the same execution (Step Functions' answer).
  expect(await Promise.all([start(), start()])).toEqual([{ name, outcome: 'started' }, { name, outcome: 'started' }]);
  expect([...h.machine.named.keys()]).toEqual([name]);
  const execution = h.machine.named.get(name)!;
  expect(await execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
  expect(execution.states).toEqual(['Register', 'EmbedFirstChunk', 'Plan', 'Ingest', 'MarkReady']);
  expect(await h.catalog.get(id)).toMatchObject({ status: 'READY', title: 'Démo à la plage 2' });
  await expectFrames(id, seconds(4));

  // Once it has closed, ExecutionAlreadyExists: done, nothing indexed again.
  expect(await start()).toEqual({ name, outcome: 'already-started' });
  expect(h.machine.named.size).toBe(1);
  expect(invocationsFor(id)).toHaveLength(1);
});

test('re-upload: the newest version wins, an older execution still running stops, only the new frames remain', async () => {
  const key = 'videos/reupload.mp4';
  const id = videoIdForKey(key);
  expect(await run(await h.upload(key, videos.six))).toMatchObject({ status: 'SUCCEEDED' });
  await expectFrames(id, seconds(6));

  // Version 2's job runs, but its notification is held while version 3 is uploaded and indexed.
  h.endpoint.setMode('hold');
  const second = h.machine.start(await h.upload(key, videos.four), PARAMS);
  await waitFor(() => invocationsFor(id).length === 2);
  await h.endpoint.settled();
  h.endpoint.setMode('notify');
  const third = await run(await h.upload(key, videos.five));
  expect(third).toMatchObject({ status: 'SUCCEEDED' });

  await invocationsFor(id)[1].release();
  const superseded = await second.outcome;
  expect(superseded).toMatchObject({ status: 'SUCCEEDED', output: { error: { Error: 'SupersededError' } } });
  expect(second.states).not.toContain('MarkReady');

  expect(await h.catalog.get(id)).toMatchObject({ status: 'READY', frames: 5 });
  await expectFrames(id, seconds(5));
});

test('delete: the video is marked deleted, its frames leave the index, and a late older event is ignored', async () => {
  const key = 'videos/deleted.mp4';
  const id = videoIdForKey(key);
  const created = await h.upload(key, videos.four);
  expect(await run(created)).toMatchObject({ status: 'SUCCEEDED' });
  await expectFrames(id, seconds(4));
  expect(await thumbnails(id)).toHaveLength(4);

  expect(await h.handlers.removeVideo(h.removal(key) as never, h.context)).toEqual({ videoId: id, decision: 'remove' });

  expect(h.frames(id)).toEqual([]);
  expect(await thumbnails(id)).toEqual([]);
  expect(await h.catalog.get(id)).toBeUndefined();
  expect(await h.catalog.item(id)).toMatchObject({ deleted: true, frames: 0 });
  expect(await run(created)).toMatchObject({ status: 'SUCCEEDED', states: ['Register'] });
  expect(h.frames(id)).toEqual([]);
});

test('long video: chunk jobs overlapping by the smoothing margin, seams exactly as smoothing the whole video', async () => {
  const fps = 2;
  h.configure({ ...DEFAULTS, fps, chunkSec: 4 });
  const key = 'videos/long.mp4';
  const id = videoIdForKey(key);

  const result = await run(await h.upload(key, videos.long));

  expect(result).toMatchObject({ status: 'SUCCEEDED' });
  expect(result.states).toEqual(['Register', 'EmbedFirstChunk', 'Plan', 'EmbedChunk', 'EmbedChunk', 'Ingest', 'MarkReady']);
  // Margin: 5 frames of kernel + 1 = 3 s at 2 fps. The first job is sent before the duration is known.
  const ranges = invocationsFor(id).map(({ manifest }) => [manifest.startSec, manifest.endSec]);
  expect(ranges.sort(([a], [b]) => Number(a) - Number(b))).toEqual([
    [0, 7],
    [1, 11],
    [5, 12],
  ]);
  const video = await h.catalog.item(id);
  expect(video).toMatchObject({ status: 'READY', frames: 24, fps });
  expect(video?.embeddings).toHaveLength(3);
  // Both cuts once, though each lies in two jobs' ranges: every job keeps the boundaries of its own keep range.
  expect(video?.shots).toEqual({ threshold: 10, boundaries: [4, 8].map((time) => ({ time, kind: 'cut' })) });
  await expectFrames(id, seconds(12, fps));

  // Each frame's raw embedding is the same in every chunk that decoded it; smoothing the whole raw sequence at once
  // gives bitwise the vectors the chunks were smoothed to (stored as JSON numbers, read back to float32).
  const raw = new Map<number, Float32Array>();
  for (const output of video!.embeddings!) {
    for (const frame of decodeFrameEmbeddings(await getObjectBytes(h.s3.client, parseS3Uri(output))).frames) {
      if (raw.has(frame.time)) expect(frame.vector).toEqual(raw.get(frame.time));
      raw.set(frame.time, frame.vector);
    }
  }
  const whole = [...raw].sort(([a], [b]) => a - b).map(([time, vector]) => ({ time, vector }));
  expect(whole.map((frame) => frame.time)).toEqual(expectedFrameTimes({ fps }, { durationSec: video!.durationSec, nativeFps: 10 }));
  const stored = new Map(h.frames(id).map((doc) => [doc.time, doc.embedding]));
  for (const frame of smoothFrames(whole, { kernelSize: 11, sigma: 1.8 })) {
    expect(Float32Array.from(stored.get(frame.time)!)).toEqual(frame.vector);
  }
});

test('each task runs the function its definition names: with Plan and Ingest swapped, the video fails instead of becoming READY', async () => {
  const key = 'videos/miswired.mp4';
  const id = videoIdForKey(key);

  const result = await run(await h.upload(key, videos.four), PARAMS, withSwappedResources('Plan', 'Ingest'));

  expect(result.invoked.slice(0, 3)).toEqual(['Register → registerVideo', 'EmbedFirstChunk → submitJob', 'Plan → ingestFrames']);
  expect(result).toMatchObject({ status: 'FAILED', states: ['Register', 'EmbedFirstChunk', 'Plan', 'MarkFailed'] });
  // The ingest function refused the plan function's input.
  expect(await h.catalog.get(id)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/bad input: jobs/) });
  await expectFrames(id, []);
});

test('a task naming a function serverless.yml does not declare fails the binding, before anything runs', async () => {
  const definition = sourceDefinition() as { States: Record<string, { Resource: unknown }> };
  definition.States.Plan.Resource = { 'Fn::GetAtt': ['planVideos', 'Arn'] };
  const event = await h.upload('videos/unbound.mp4', videos.four);
  expect(() => h.machine.start(event, PARAMS, definition)).toThrow(/planVideos/);
  expect(await h.catalog.item(videoIdForKey('videos/unbound.mp4'))).toBeUndefined();
});

test('the frames index was created by the custom resource with the mapping search needs', async () => {
  const create = h.aoss.requests.find((request) => request.method === 'PUT' && request.path === `/${INDEX}`);
  expect(create?.body).toMatchObject({
    settings: { index: { knn: true } },
    mappings: {
      properties: {
        embedding: { type: 'knn_vector', dimension: 32, method: { engine: 'faiss', space_type: 'innerproduct' } },
        video_id: { type: 'keyword' },
        category: { type: 'keyword' },
        tags: { type: 'keyword' },
        time: { type: 'double' },
        title: { type: 'text' },
      },
    },
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
