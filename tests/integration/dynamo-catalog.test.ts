import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { InvalidTransitionError, SupersededError } from '../../lib/pipeline/errors';
import type { VideoRef } from '../../lib/pipeline/schemas';
import type { VideoItem } from '../../lib/pipeline/video-item';
import { startLocalDynamoDb, type LocalDynamoDb } from '../helpers/local-dynamodb';

let db: LocalDynamoDb;
let catalog: DynamoCatalog;
/** A fresh table for each test. */
const TABLES = Array.from({ length: 6 }, (_, i) => `videos${i}`);
const unused = [...TABLES];

beforeAll(async () => {
  db = await startLocalDynamoDb(Object.fromEntries(TABLES.map((name) => [name, 'id'])));
});
afterAll(() => db.close());
beforeEach(() => {
  catalog = new DynamoCatalog(db.client, unused.shift()!);
});

const ref = (id: string, sequencer: string): VideoRef => ({ id, sequencer, bucket: 'b', key: `videos/${id}.mp4` });

function item(id: string, sequencer: string, overrides: Partial<VideoItem> = {}): VideoItem {
  return {
    id,
    title: `Title ${id}`,
    source: `s3://b/videos/${id}.mp4`,
    tags: ['red'],
    durationSec: 0,
    fps: 1,
    model: '',
    dim: 0,
    frames: 0,
    status: 'PENDING',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    sequencer,
    s3: { bucket: 'b', key: `videos/${id}.mp4`, versionId: 'v1' },
    ...overrides,
  };
}

test('replace writes only over the item it read (or over none)', async () => {
  expect(await catalog.replace(item('a', '01'), undefined)).toBe(true);
  expect(await catalog.replace(item('a', '02'), undefined)).toBe(false);
  expect(await catalog.replace(item('a', '02'), '00')).toBe(false);
  expect(await catalog.replace(item('a', '02'), '01')).toBe(true);
  expect((await catalog.item('a'))?.sequencer).toBe('02');
});

test('status moves follow the allowed transitions, for the sequencer that owns the video', async () => {
  await catalog.replace(item('a', '01'), undefined);
  await expect(catalog.transition(ref('a', '01'), 'READY')).rejects.toThrow(InvalidTransitionError);
  await catalog.transition(ref('a', '01'), 'INDEXING');
  await catalog.transition(ref('a', '01'), 'INDEXING');
  await catalog.transition(ref('a', '01'), 'READY', { frames: 12, runId: 'run-1', model: 'm', dim: 4 });
  expect(await catalog.get('a')).toMatchObject({ status: 'READY', frames: 12, runId: 'run-1', model: 'm', dim: 4 });
  await expect(catalog.transition(ref('a', '01'), 'FAILED', { error: 'late' })).rejects.toThrow(/is READY: it cannot become FAILED/);
});

test('a newer upload supersedes the older execution: its writes fail with SupersededError', async () => {
  await catalog.replace(item('a', '01'), undefined);
  await catalog.transition(ref('a', '01'), 'INDEXING');
  await catalog.replace(item('a', '02'), '01');
  await expect(catalog.transition(ref('a', '01'), 'READY')).rejects.toThrow(SupersededError);
  await expect(catalog.current(ref('a', '01'))).rejects.toThrow(/superseded by a newer upload \(sequencer 02\)/);
  expect((await catalog.current(ref('a', '02'))).status).toBe('PENDING');
});

test('a tombstone hides the video from get, list and keywords, and supersedes executions', async () => {
  await catalog.replace(item('a', '01'), undefined);
  await catalog.replace(item('b', '01', { title: 'Red car', createdAt: '2026-01-02T00:00:00.000Z' }), undefined);
  expect((await catalog.list()).map((v) => v.id)).toEqual(['a', 'b']);
  expect(await catalog.bury('a', '02', '01')).toBe(true);
  expect(await catalog.bury('a', '03', '01')).toBe(false);
  expect(await catalog.get('a')).toBeUndefined();
  expect((await catalog.list()).map((v) => v.id)).toEqual(['b']);
  expect(await catalog.matchKeywords('red')).toEqual(['b']);
  await expect(catalog.transition(ref('a', '01'), 'FAILED')).rejects.toThrow(/superseded by a deletion/);
  expect(await catalog.bury('c', '05', undefined)).toBe(true);
  expect(await catalog.item('c')).toMatchObject({ id: 'c', sequencer: '05', deleted: true });
});

test('get returns the record without the pipeline attributes; put merges a record in', async () => {
  await catalog.replace(item('a', '01', { embeddings: ['s3://b/e/1.out'] }), undefined);
  const record = await catalog.get('a');
  expect(record).not.toHaveProperty('sequencer');
  expect(record).not.toHaveProperty('s3');
  await catalog.put({ ...record!, title: 'Renamed' });
  expect(await catalog.item('a')).toMatchObject({ title: 'Renamed', sequencer: '01', embeddings: ['s3://b/e/1.out'] });
  await catalog.remove('a');
  expect(await catalog.item('a')).toBeUndefined();
});

test('getMany reads many videos at once, past the 100 keys of one BatchGetItem, tombstones and unknown ids left out', async () => {
  const ids = Array.from({ length: 130 }, (_, i) => `v${i}`);
  for (const id of ids) await catalog.replace(item(id, '01'), undefined);
  await catalog.bury('v7', '02', '01');
  const videos = await catalog.getMany([...ids, 'v3', 'unknown']);
  expect(videos.size).toBe(129);
  expect(videos.has('v7')).toBe(false);
  expect(videos.get('v129')).toEqual(await catalog.get('v129'));
  expect(await catalog.getMany([])).toEqual(new Map());
});
