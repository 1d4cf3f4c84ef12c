import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { parse } from 'yaml';
import { getObjectBytes, parseS3Uri } from '../../lib/aws/s3-objects';
import { smoothFrames } from '../../lib/core/smoothing';
import { stitchChunks } from '../../lib/core/stitching';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { decodeFrameEmbeddings } from '../../lib/frame-embeddings-format';
import { planJobs } from '../../lib/pipeline/indexing-settings';
import type { ReingestPage } from '../../lib/pipeline/plan-reingest';
import { videoIdForKey } from '../../lib/pipeline/video-key';
import { makeColourVideo } from '../../lib/sample-videos';
import { searchClips, type ClipResult } from '../../lib/search';
import { ensureFramesIndex } from '../../lib/store/opensearch-mapping';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import type { QueryEncoder } from '../../lib/query-encoder';
import { REPO_ROOT } from '../helpers/cli';
import { INDEX, STARTED_PARAMS, startHarness, type Harness } from './workflow/harness';

/**
 * The frames index refilled from the raw embeddings in S3 (statemachines/reingest-videos.asl.yml, run by the local
 * state machine over the real handlers): after the index is deleted and created again, every video's frames and search
 * results come back, exactly; with other smoothing, the catalog records it; a second run changes nothing.
 */

jest.setTimeout(180_000);

const DEFINITION = path.join(REPO_ROOT, 'statemachines', 'reingest-videos.asl.yml');
const definition = () => parse(readFileSync(DEFINITION, 'utf8')) as unknown;

let h: Harness;
let work: string;
let client: Client;
let frames: OpenSearchFrameIndex;
let encoder: QueryEncoder;
const ids = { six: videoIdForKey('videos/six.mp4'), four: videoIdForKey('videos/four.mp4'), long: videoIdForKey('videos/long.mp4') };
const QUERIES = ['red', 'green', 'blue'];
let before: ClipResult[][];
let framesBefore: Record<string, number>;

const search = async () => {
  h.aoss.makeVisible();
  return Promise.all(QUERIES.map((text) => searchClips({ text, size: 10 }, { encoder, catalog: h.catalog, frames })));
};

/** The same clips, in the same order, scores within 1e-6. */
function expectSameResults(actual: ClipResult[][], expected: ClipResult[][]): void {
  const shape = (results: ClipResult[][]) => results.map((clips) => clips.map(({ videoId, start, end, bestTime, hits }) => ({ videoId, start, end, bestTime, hits })));
  expect(shape(actual)).toEqual(shape(expected));
  actual.forEach((clips, i) => clips.forEach((clip, j) => expect(Math.abs(clip.score - expected[i][j].score)).toBeLessThanOrEqual(1e-6)));
}

async function run(input: unknown) {
  const execution = h.machine.start(input, STARTED_PARAMS, definition());
  return { ...(await execution.outcome), states: execution.states };
}

/** Every READY video: exactly its catalog frame count, all of the run the catalog names, each frame once. */
async function expectExactIndex(): Promise<void> {
  for (const id of Object.values(ids)) {
    const video = await h.catalog.get(id);
    const docs = h.frames(id);
    expect({ id, docs: docs.length, runs: [...new Set(docs.map((doc) => doc.run_id))] }).toEqual({ id, docs: video!.frames, runs: [video!.runId] });
    expect(new Set(docs.map((doc) => doc.time)).size).toBe(docs.length);
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'reingest-videos-'));
  const small = { fps: 10, width: 64, height: 48 };
  const file = (name: string) => path.join(work, `${name}.mp4`);
  [h] = await Promise.all([
    startHarness(),
    makeColourVideo(file('six'), [{ colour: 'red', durationSec: 3 }, { colour: 'blue', durationSec: 3 }], small),
    makeColourVideo(file('four'), [{ colour: 'green', durationSec: 4 }], small),
    makeColourVideo(file('long'), [{ colour: 'red', durationSec: 4 }, { colour: 'green', durationSec: 4 }, { colour: 'blue', durationSec: 4 }], small),
  ]);
  await writeFile(file('broken'), 'not a video');
  client = new Client({ node: h.aoss.url });
  frames = new OpenSearchFrameIndex(client, { index: INDEX, visibility: { pollMs: 10 } });
  const served = new LocalQueryEncoder(h.model.embedder);
  // The frames carry the served model's name.
  encoder = { model: h.model.name, dim: served.dim, encode: (query) => served.encode(query) };

  const index = async (name: string, settings: { fps: number; chunkSec: number }) => {
    h.configure(settings);
    h.endpoint.setMode('notify');
    const execution = h.machine.start(await h.upload(`videos/${name}.mp4`, file(name)), STARTED_PARAMS);
    return (await execution.outcome).status;
  };
  expect(await index('six', { fps: 1, chunkSec: 600 })).toBe('SUCCEEDED');
  expect(await index('four', { fps: 1, chunkSec: 600 })).toBe('SUCCEEDED');
  // Three chunk jobs, each with the margin of the stage's kernel of 11.
  expect(await index('long', { fps: 2, chunkSec: 4 })).toBe('SUCCEEDED');
  expect(await index('broken', { fps: 1, chunkSec: 600 })).toBe('FAILED');
  expect((await h.catalog.item(ids.long))?.embeddings).toHaveLength(3);

  before = await search();
  expect(before.every((clips) => clips.length > 0)).toBe(true);
  framesBefore = Object.fromEntries(Object.values(ids).map((id) => [id, h.frames(id).length]));
  expect(framesBefore).toEqual({ [ids.six]: 6, [ids.four]: 4, [ids.long]: 24 });
});

afterAll(async () => {
  expect(h.aoss.requests.filter((request) => request.refused)).toEqual([]);
  await h?.close();
  await rm(work, { recursive: true, force: true });
});

test('after the frames index is deleted and created again, re-ingesting every video restores its frames and the search results', async () => {
  await client.indices.delete({ index: INDEX });
  await ensureFramesIndex(client, { index: INDEX, dim: 32 });
  expect((await search()).flat()).toEqual([]);
  const runsBefore = await Promise.all(Object.values(ids).map(async (id) => (await h.catalog.get(id))!.runId));

  // Small pages: one video each, so the execution loops through PlanPage.
  process.env.REINGEST_PAGE_BYTES = '500';
  try {
    const result = await run({});
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.filter((state) => state === 'PlanPage').length).toBeGreaterThanOrEqual(3);
    expect(result.states.filter((state) => state === 'Ingest')).toHaveLength(3);
  } finally {
    delete process.env.REINGEST_PAGE_BYTES;
  }

  await expectExactIndex();
  expect(Object.fromEntries(Object.values(ids).map((id) => [id, h.frames(id).length]))).toEqual(framesBefore);
  expectSameResults(await search(), before);
  // New runs, named by the catalog; the settings the videos were embedded with are unchanged.
  const runsAfter = await Promise.all(Object.values(ids).map(async (id) => (await h.catalog.get(id))!.runId));
  runsAfter.forEach((runId, i) => expect(runId).not.toBe(runsBefore[i]));
  expect(await h.catalog.item(ids.long)).toMatchObject({
    status: 'READY',
    smoothing: { kernelSize: 11, sigma: 1.8 },
    settings: { fps: 2, chunkSec: 4, smoothing: { kernelSize: 11, sigma: 1.8 } },
  });
});

test('a second re-ingest leaves the same frames: old runs removed, no duplicates', async () => {
  expect((await run({})).status).toBe('SUCCEEDED');
  await expectExactIndex();
  expectSameResults(await search(), before);
});

test('what is not READY is skipped with the reason; an unknown video fails the execution', async () => {
  const page = (await h.handlers.planReingest({} as never, h.context)) as ReingestPage;
  expect(page.videos.map((video) => video.video.id).sort()).toEqual(Object.values(ids).sort());
  expect(page.skipped).toEqual([{ videoId: videoIdForKey('videos/broken.mp4'), reason: 'FAILED: upload it again' }]);
  expect(page.next).toBeUndefined();
  const long = page.videos.find((video) => video.video.id === ids.long)!;
  const item = (await h.catalog.item(ids.long))!;
  expect(long).toMatchObject({ jobs: planJobs(item.durationSec, item.settings!), first: { output: item.embeddings![0] } });
  expect(long.rest.map((job) => job.output)).toEqual(item.embeddings!.slice(1));

  expect(await run({ videoId: 'no-such-video' })).toMatchObject({ status: 'FAILED', error: 'VideoNotFoundError' });
});

test('re-smoothing one chunked video with a kernel wider than its jobs\' margins: exact, and recorded', async () => {
  const others = await Promise.all([ids.six, ids.four].map(async (id) => (await h.catalog.get(id))!.runId));
  expect((await run({ videoId: ids.long, smoothing: { kernelSize: 21 } })).status).toBe('SUCCEEDED');

  const item = (await h.catalog.item(ids.long))!;
  expect(item).toMatchObject({ status: 'READY', frames: 24, smoothing: { kernelSize: 21, sigma: 1.8 } });
  // The jobs were planned with the kernel of 11, and the item keeps saying so: the next re-ingest plans them alike.
  expect(item.settings?.smoothing).toEqual({ kernelSize: 11, sigma: 1.8 });
  // Every stored frame is the whole video's raw frame smoothed with the new kernel.
  const jobs = planJobs(item.durationSec, item.settings!);
  const chunks = await Promise.all(
    item.embeddings!.map(async (output, i) => ({
      frames: decodeFrameEmbeddings(await getObjectBytes(h.s3.client, parseS3Uri(output))).frames,
      keep: jobs[i],
    })),
  );
  const expected = smoothFrames(stitchChunks(chunks), { kernelSize: 21, sigma: 1.8 });
  const stored = new Map(h.frames(ids.long).map((doc) => [doc.time, doc.embedding]));
  expect([...stored.keys()].sort((a, b) => a - b)).toEqual(expected.map((frame) => frame.time));
  for (const frame of expected) expect(Float32Array.from(stored.get(frame.time)!)).toEqual(frame.vector);
  await expectExactIndex();
  // The other videos were not touched.
  expect(await Promise.all([ids.six, ids.four].map(async (id) => (await h.catalog.get(id))!.runId))).toEqual(others);
});
