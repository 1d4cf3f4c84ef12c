import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { makeColourVideo } from '../../lib/sample-videos';
import { ThumbnailCache, thumbnailPath } from '../../lib/server/thumbnails';
import { video } from '../helpers/frame-fixtures';

let dir: string;
let source: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'thumbnails-'));
  source = path.join(dir, 'lights.mp4');
  await makeColourVideo(source, [
    { colour: 'red', durationSec: 2 },
    { colour: 'blue', durationSec: 2 },
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lights = (updatedAt = '2024-01-01T00:00:00.000Z') => video('lights', { source, durationSec: 4, updatedAt });

test('thumbnail paths are in whole milliseconds', () => {
  expect(thumbnailPath('a b', 2.0004)).toBe('/thumbnails/a%20b/2000.jpg');
});

test('concurrent requests for one thumbnail share one extraction; the file is the frame at that time', async () => {
  const cache = new ThumbnailCache(path.join(dir, 'cache-1'));
  const first = cache.file(lights(), 3000);
  expect(cache.file(lights(), 3000)).toBe(first);
  const file = await first;
  expect(file).toBe(path.join(dir, 'cache-1', 'lights', '3000.jpg'));
  expect(await readdir(path.dirname(file!))).toEqual(['3000.jpg']);
  const [r, g, b] = await sharp(file!).resize(1, 1).raw().toBuffer();
  expect(b).toBeGreaterThan(200);
  expect(r + g).toBeLessThan(60);
});

test('a thumbnail older than the video’s last indexing is extracted again', async () => {
  const cache = new ThumbnailCache(path.join(dir, 'cache-2'));
  const file = (await cache.file(lights(), 500))!;
  const old = new Date('2020-01-01T00:00:00Z');
  await utimes(file, old, old);
  await cache.file(lights('2021-01-01T00:00:00.000Z'), 500);
  expect((await stat(file)).mtime.getFullYear()).toBeGreaterThan(2021);
});

test('no thumbnail past the end of the video', async () => {
  const cache = new ThumbnailCache(path.join(dir, 'cache-3'));
  await expect(cache.file(lights(), 4000)).resolves.toBeUndefined();
});
