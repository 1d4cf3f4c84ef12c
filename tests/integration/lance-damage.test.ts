import { mkdtemp, rm, truncate, unlink, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IndexMismatchError, StoreDamagedError } from '../../lib/store/errors';
import { guardStore, tableDamage } from '../../lib/store/lance-damage';
import '../../lib/store/lance-env';
import { connect } from '@lancedb/lancedb';
import { openLocalStore } from '../../lib/store/open-local-store';
import type { VideoRecord } from '../../lib/core/types';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lance-damage-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = new Date().toISOString();
const video = (id: string): VideoRecord => ({
  id, title: id, source: `/videos/${id}.mp4`, tags: [], durationSec: 2, fps: 1, model: 'm', dim: 2, frames: 2,
  status: 'READY', createdAt: now, updatedAt: now,
});

async function library(name: string): Promise<string> {
  const data = path.join(dir, name);
  const store = await openLocalStore(data);
  for (const id of ['a', 'b']) {
    const frames = [0, 1].map((time) => ({ time, vector: Float32Array.of(0.6, 0.8) }));
    await store.frames.replaceFrames(video(id), frames);
    await store.catalog.put(video(id));
  }
  store.close();
  return data;
}

const files = async (data: string, folder: string) => (await readdir(path.join(data, 'frames.lance', folder))).map((name) => path.join(data, 'frames.lance', folder, name));

test('an intact table, or one not written yet, has no damage', async () => {
  const data = await library('intact');
  expect(await tableDamage(data, 'frames')).toBeUndefined();
  expect(await tableDamage(data, 'videos')).toBeUndefined();
  expect(await tableDamage(data, 'never-written')).toBeUndefined();
  expect(await tableDamage(path.join(dir, 'no-such-dir'), 'frames')).toBeUndefined();
});

test('truncated data, manifest and deletion files, a lost newest manifest and no manifest at all are named', async () => {
  const data = await library('damaged');
  const [dataFile] = await files(data, 'data');
  await truncate(dataFile, 1000);
  expect(await tableDamage(data, 'frames')).toBe(`data/${path.basename(dataFile)} is truncated or not a complete file`);

  const other = await library('manifests');
  const manifests = (await files(other, '_versions')).filter((file) => file.endsWith('.manifest')).sort();
  await truncate(manifests[manifests.length - 1], 3); // the oldest: names count down
  expect(await tableDamage(other, 'frames')).toMatch(/^_versions\/\d+\.manifest is truncated/);
  await unlink(manifests[0]); // the newest
  expect(await tableDamage(other, 'frames')).toBe(`the manifest of its version ${manifests.length} is missing, the newest left is ${manifests.length - 1}`);
  for (const manifest of manifests.slice(1)) await unlink(manifest);
  expect(await tableDamage(other, 'frames')).toBe('no version manifest in _versions/');

  // Deleting some of a data file's rows writes an Arrow file of them.
  const deletions = await library('deletions');
  const db = await connect(deletions);
  const table = await db.openTable('frames');
  await table.delete("video_id = 'a' AND time = 1");
  table.close();
  db.close();
  const [deletionFile] = await files(deletions, '_deletions');
  expect(await tableDamage(deletions, 'frames')).toBeUndefined();
  await writeFile(deletionFile, 'ARROW');
  expect(await tableDamage(deletions, 'frames')).toBe(`_deletions/${path.basename(deletionFile)} is truncated or not a complete file`);
});

test("guardStore: the engine's failures become StoreDamagedError; ours, and a full or read-only disk, pass unchanged", async () => {
  const engine = (message: string) => Object.assign(new Error(message), { code: 'GenericFailure' });
  const mismatch = new IndexMismatchError('another model');
  const target = {
    async fail(error: Error): Promise<void> {
      throw error;
    },
    failNow(error: Error): void {
      throw error;
    },
    value: 42,
  };
  const guarded = guardStore(target, 'frames', '/data dir');
  expect(guarded.value).toBe(42);

  const panic = await guarded.fail(engine('Panic in async function')).catch((error: unknown) => error);
  expect(panic).toBeInstanceOf(StoreDamagedError);
  expect(panic).toMatchObject({
    table: 'frames',
    dataDir: '/data dir',
    message:
      "the frames table in /data dir is damaged (the storage engine failed: Panic in async function): run `vsearch repair --data '/data dir'` " +
      'to rebuild it from the raw embeddings',
  });
  expect(() => guarded.failNow(engine('lance error: LanceError(IO): failed to decode Protobuf message  Caused by: x'))).toThrow(
    /\(the storage engine failed: lance error: LanceError\(IO\): failed to decode Protobuf message\)/,
  );
  for (const error of [mismatch, new RangeError('k'), engine('LanceError(IO): No space left on device (os error 28)'), engine('Read-only file system')]) {
    await expect(guarded.fail(error)).rejects.toBe(error);
  }
});
