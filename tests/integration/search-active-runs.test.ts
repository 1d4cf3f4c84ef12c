import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import type { FrameVector, VideoRecord } from '../../lib/core/types';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import { DEFAULT_BULK_OPTIONS, indexDocuments } from '../../lib/store/opensearch-bulk';
import { ensureFramesIndex } from '../../lib/store/opensearch-mapping';
import { vectorJson } from '../../lib/store/opensearch-query';
import { searchClips, type SearchDeps } from '../../lib/search';
import { timelineApi } from '../../lib/api/timeline-api';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { startLocalDynamoDb, type LocalDynamoDb } from '../helpers/local-dynamodb';
import { colourFrames } from '../helpers/colour-frames';

/**
 * AWS search sees one run per video. A re-index writes the new run beside the old one and deletes the old one only
 * once the new one is searchable (OpenSearch Serverless assigns document ids and shows writes after a refresh, so a
 * replacement cannot be one step): meanwhile search and the timeline must keep to the run the catalog names.
 */

jest.setTimeout(60_000);

let work: string;
let aoss: AossDouble;
let dynamo: LocalDynamoDb;
let client: Client;
let deps: SearchDeps;
let embedder: TransformersEmbedder;
let index: OpenSearchFrameIndex;
let catalog: DynamoCatalog;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'active-runs-'));
  await makeFixtureModel(path.join(work, 'model'), 'clip');
  embedder = await TransformersEmbedder.from_pretrained(path.join(work, 'model'));
  aoss = await startAossDouble();
  dynamo = await startLocalDynamoDb({ videos: 'id' });
  client = new Client({ node: aoss.url });
  await ensureFramesIndex(client, { index: 'frames', dim: embedder.dim });
  index = new OpenSearchFrameIndex(client, { index: 'frames', visibility: { pollMs: 10 } });
  catalog = new DynamoCatalog(dynamo.client, 'videos');
  deps = { encoder: new LocalQueryEncoder(embedder), catalog, frames: index };
});

afterAll(async () => {
  await aoss?.close();
  await dynamo?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function record(id: string, frames: number, runId?: string): VideoRecord {
  const now = new Date().toISOString();
  return {
    id, title: id, source: `s3://b/videos/${id}.mp4`, tags: [], durationSec: frames, fps: 1, model: embedder.model,
    dim: embedder.dim, frames, runId, status: 'READY', createdAt: now, updatedAt: now,
  };
}

/** A run id that sorts after every real one (an ISO time): no replacement in this test deletes it. */
const IN_FLIGHT = '~in-flight';

/** The first half of a replacement: the new run's frames written and searchable, the old run not deleted yet. */
async function writeRunInFlight(video: VideoRecord, frames: FrameVector[]): Promise<void> {
  const docs = frames.map(({ time, vector }, frame) => ({
    video_id: video.id, run_id: IN_FLIGHT, frame, time, embedding: vectorJson(vector),
    model: video.model, title: video.title, tags: video.tags,
  }));
  await indexDocuments(client, 'frames', docs, DEFAULT_BULK_OPTIONS);
  aoss.makeVisible();
}

test('during a re-index, search and the timeline see only the run the catalog names, and k is not shared with the other', async () => {
  // Written first, so that on equal scores k-NN would return them first: a re-index in flight (30 s of red at the
  // same times as the current run, whose 10 s of red it will replace) and a video being indexed for the first time
  // (frames written, no run in the catalog yet).
  await writeRunInFlight(record('clip', 30), await colourFrames(embedder, [['red', 30]]));
  await catalog.put({ ...record('new', 0), status: 'INDEXING' });
  await writeRunInFlight(record('new', 8), await colourFrames(embedder, [['red', 8]]));
  const old = await colourFrames(embedder, [['red', 10]]);
  const runId = await index.replaceRun(record('clip', old.length), old);
  await catalog.put(record('clip', old.length, runId));
  const other = await colourFrames(embedder, [['red', 5]]);
  await catalog.put(record('other', other.length, await index.replaceRun(record('other', other.length), other)));
  expect(await index.countFrames('clip')).toBe(40);

  // Both red scenes are near-duplicates (lib/core/duplicates.ts): kept apart here to see each one's frames.
  const clips = await searchClips({ text: 'red', k: 15, dedupe: false }, deps);
  // Exactly the current run's red scene (0–9 s) and the other video's: no doubled frames, nothing of the new video.
  expect(clips.map(({ videoId, start, end }) => ({ videoId, start, end }))).toEqual([
    { videoId: 'clip', start: 0, end: 9 },
    { videoId: 'other', start: 0, end: 4 },
  ]);
  // All 15 k-NN hits are frames of the active runs (10 + 5), none spent on the runs in flight.
  expect(clips.map((clip) => clip.hits)).toEqual([10, 5]);
  // Collapsed, the other video's scene is listed with the first.
  const [collapsed, ...none] = await searchClips({ text: 'red', k: 15 }, deps);
  expect({ duplicates: collapsed.duplicates, rest: none.length }).toEqual({ duplicates: [{ videoId: 'other', start: 0, end: 4 }], rest: 0 });

  const timeline = await timelineApi({ query: { text: 'red' }, videoId: 'clip' }, { ...deps, media: { videoUrl: async () => '' } });
  expect(timeline.times).toEqual(old.map((frame) => frame.time));
});
