import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@lancedb/lancedb';
import { Field, Float64, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { Hit, VideoRecord } from '../../lib/core/types';
import { dot, normalize } from '../../lib/core/vector';
import { IndexMismatchError } from '../../lib/store/errors';
import { ANN_MIN_ROWS } from '../../lib/store/lance-vector-index';
import { openLocalStore, type LocalStore } from '../../lib/store/open-local-store';
import { axis, DIM, frames, MODEL, unit, video } from '../helpers/frame-fixtures';

const key = (hit: Hit) => `${hit.videoId}@${hit.time}`;

let dir: string;
let store: LocalStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lance-store-'));
  store = await openLocalStore(path.join(dir, 'data'));
});

afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('frames', () => {
  test('everything persists across close and reopen', async () => {
    // `error: undefined` as the indexer may pass it: it reads back absent.
    const sky = video('sky', { category: 'nature', tags: ['blue', 'outdoor'], error: undefined });
    await store.catalog.put(sky);
    await store.frames.replaceFrames(sky, frames(axis(0), axis(1)));
    store.close();

    store = await openLocalStore(path.join(dir, 'data'));
    expect(await store.catalog.get('sky')).toStrictEqual(stripUndefined(sky));
    expect(await store.frames.countFrames('sky')).toBe(2);
    expect(await store.frames.embedding()).toEqual({ model: MODEL, dim: DIM });
    expect((await store.frames.search({ vector: axis(1), k: 1 }))[0]).toEqual({ videoId: 'sky', time: 0.5, score: 1 });
  });

  test('replaceFrames replaces the whole set; a retry leaves one set; zero frames removes', async () => {
    const a = video('a');
    const other = video('other');
    await store.frames.replaceFrames(other, frames(axis(3)));
    await store.frames.replaceFrames(a, frames(axis(0), axis(1), axis(2)));
    const second = [
      { time: 0.25, vector: axis(4) },
      { time: 1 / 3, vector: axis(5) },
    ];
    await store.frames.replaceFrames(a, second);
    await store.frames.replaceFrames(a, second);
    expect(await store.frames.countFrames('a')).toBe(2);
    const hits = await store.frames.scoreVideo(axis(5), 'a');
    expect(hits.map((h) => h.time)).toEqual([0.25, 1 / 3]);
    expect(hits.map((h) => h.score)).toEqual([0, 1]);

    await store.frames.replaceFrames(a, []);
    expect(await store.frames.countFrames('a')).toBe(0);
    expect(await store.frames.countFrames('other')).toBe(1);
  });

  test('readers see the old set or the new one while a video is replaced, never a half-written or doubled one, and see both', async () => {
    const a = video('a');
    const small = frames(...Array.from({ length: 5 }, () => axis(0)));
    const large = frames(...Array.from({ length: 7 }, () => axis(1)));
    await store.frames.replaceFrames(a, small);
    const reader = await openLocalStore(path.join(dir, 'data'));
    let writing = 0;
    let stopped = false;
    try {
      /** What each reader saw, in order, and whether a write was in flight when it asked. */
      const seen: Record<'count' | 'search', { n: number; duringWrite: boolean }[]> = { count: [], search: [] };
      const poll = async (kind: keyof typeof seen, read: () => Promise<number>) => {
        while (!stopped) {
          const duringWrite = writing > 0;
          seen[kind].push({ n: await read(), duringWrite });
        }
      };
      const polling = Promise.all([
        poll('count', () => reader.frames.countFrames('a')),
        poll('search', async () => (await reader.frames.search({ vector: axis(0), k: 100 })).length),
      ]);
      polling.catch(() => {}); // awaited below; a failure before that must not also surface as an unhandled rejection
      /** Until both readers have seen `n` in a read issued after the write returned (a fresh read must see it). */
      const seenByBoth = async (n: number) => {
        const from = { count: seen.count.length, search: seen.search.length };
        const has = (kind: keyof typeof seen) => seen[kind].slice(from[kind]).some((read) => read.n === n);
        for (const started = Date.now(); !(has('count') && has('search')); ) {
          if (Date.now() - started > 10_000) throw new Error(`the readers did not see ${n} frames within 10 s of the write`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      for (let i = 0; i < 6; i++) {
        const next = i % 2 === 0 ? large : small;
        writing++;
        await store.frames.replaceFrames(a, next).finally(() => writing--);
        await seenByBoth(next.length);
      }
      stopped = true;
      await polling;

      for (const kind of ['count', 'search'] as const) {
        expect({ kind, values: [...new Set(seen[kind].map((read) => read.n))].sort((x, y) => x - y) }).toEqual({ kind, values: [5, 7] });
        // Some of its reads were asked while a replacement was being written: the guarantee was put to the test.
        expect({ kind, duringWrites: seen[kind].some((read) => read.duringWrite) }).toEqual({ kind, duringWrites: true });
      }
      expect(await reader.frames.countFrames('a')).toBe(5);
    } finally {
      stopped = true;
      reader.close();
    }
  });

  test('search ranks by inner product, scores are the inner product, k is respected', async () => {
    const vectors = [unit(1, 0), unit(1, 1), unit(0, 1), unit(-1, 0.2), unit(1, 0.3, 0.3), unit(0, 0, 1)];
    await store.frames.replaceFrames(video('a'), frames(...vectors.slice(0, 3)));
    await store.frames.replaceFrames(video('b'), frames(...vectors.slice(3)));
    const query = unit(0.9, 0.4, 0.1);
    const expected = [
      ...vectors.slice(0, 3).map((v, i) => ({ videoId: 'a', time: i * 0.5, score: dot(query, v) })),
      ...vectors.slice(3).map((v, i) => ({ videoId: 'b', time: i * 0.5, score: dot(query, v) })),
    ].sort((x, y) => y.score - x.score);

    const all = await store.frames.search({ vector: query, k: 100 });
    expect(all.map(key)).toEqual(expected.map(key));
    all.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 6));

    const top = await store.frames.search({ vector: query, k: 2 });
    expect(top.map(key)).toEqual(expected.slice(0, 2).map(key));
    await expect(store.frames.search({ vector: query, k: 0 })).rejects.toThrow(RangeError);
  });

  describe('filters run inside the k-NN search', () => {
    beforeEach(async () => {
      const near = video('near', { title: 'Red Sunset', category: 'nature', tags: ['sky'] });
      const far = video('far', { title: 'City traffic at night', category: 'urban', tags: ['cars', 'Night'] });
      const mid = video('mid', { title: 'Harbour', tags: ['boats', 'sky'] });
      for (const v of [near, far, mid]) await store.catalog.put(v);
      // `near` fills the top of every unfiltered result; `far` points the other way.
      await store.frames.replaceFrames(near, frames(...Array.from({ length: 5 }, (_, i) => unit(1, i * 0.01))));
      await store.frames.replaceFrames(far, frames(unit(-1, 0.1), unit(-1, 0.2)));
      await store.frames.replaceFrames(mid, frames(unit(0, 1)));
    });

    const ids = (hits: Hit[]) => [...new Set(hits.map((h) => h.videoId))].sort();
    const search = (filters: object, k = 3) => store.frames.search({ vector: axis(0), k, filters });

    test('videoIds: a far video still returns its frames', async () => {
      expect(ids(await search({}))).toEqual(['near']);
      const hits = await search({ videoIds: ['far'] });
      expect(hits.map(key)).toEqual(['far@0.5', 'far@0']);
      expect(hits[0].score).toBeCloseTo(dot(axis(0), unit(-1, 0.2)), 6);
      expect(ids(await search({ videoIds: ['far', 'mid'] }))).toEqual(['far', 'mid']);
    });

    test('categories', async () => {
      expect(ids(await search({ categories: ['urban'] }))).toEqual(['far']);
      expect(ids(await search({ categories: ['urban', 'nature'] }, 10))).toEqual(['far', 'near']);
    });

    test('tags: any of them', async () => {
      expect(ids(await search({ tags: ['Night'] }))).toEqual(['far']);
      expect(ids(await search({ tags: ['night'] }))).toEqual([]);
      expect(ids(await search({ tags: ['boats', 'cars'] }))).toEqual(['far', 'mid']);
    });

    test('keywords: every word, in title or tags, any case', async () => {
      expect(ids(await search({ keywords: 'city NIGHT' }))).toEqual(['far']);
      expect(ids(await search({ keywords: 'sky' }, 10))).toEqual(['mid', 'near']);
      expect(await search({ keywords: 'sky traffic' })).toEqual([]);
      expect(ids(await search({ keywords: '   ' }))).toEqual(['near']);
    });

    test('filters combine with AND; empty lists do not restrict', async () => {
      expect(ids(await search({ tags: ['sky'], categories: ['nature'] }, 10))).toEqual(['near']);
      expect(await search({ videoIds: ['mid'], categories: ['urban'] })).toEqual([]);
      expect(ids(await search({ videoIds: [], tags: [] }))).toEqual(['near']);
    });
  });

  test('scoreVideo scores every frame of one video, in time order', async () => {
    const v = video('v');
    const vectors = [unit(1, 2), unit(0, 1), unit(3, 1)];
    await store.frames.replaceFrames(v, [
      { time: 2, vector: vectors[0] },
      { time: 0, vector: vectors[1] },
      { time: 1, vector: vectors[2] },
    ]);
    await store.frames.replaceFrames(video('other'), frames(axis(0)));
    const query = unit(1, 1);
    const hits = await store.frames.scoreVideo(query, 'v');
    expect(hits.map((h) => [h.videoId, h.time])).toEqual([
      ['v', 0],
      ['v', 1],
      ['v', 2],
    ]);
    [vectors[1], vectors[2], vectors[0]].forEach((vec, i) => expect(hits[i].score).toBeCloseTo(dot(query, vec), 6));
    expect(await store.frames.scoreVideo(query, 'nobody')).toEqual([]);
  });

  test('scoreFrames scores the frames of one video inside the windows only, in time order', async () => {
    const v = video('v');
    const stored = Array.from({ length: 10 }, (_, i) => ({ time: i, vector: unit(1, i) }));
    await store.frames.replaceFrames(v, stored);
    await store.frames.replaceFrames(video('other'), frames(axis(0), axis(1), axis(2)));
    const query = unit(1, 1);
    const hits = await store.frames.scoreFrames(query, 'v', [{ start: 1, end: 2 }, { start: 4.5, end: 5 }, { start: 8, end: 20 }]);
    expect(hits.map((h) => [h.videoId, h.time])).toEqual([['v', 1], ['v', 2], ['v', 5], ['v', 8], ['v', 9]]);
    hits.forEach((hit) => expect(hit.score).toBeCloseTo(dot(query, stored[hit.time].vector), 6));
    expect(await store.frames.scoreFrames(query, 'v', [])).toEqual([]);
    expect(await store.frames.scoreFrames(query, 'other', [{ start: 0.5, end: 0.5 }])).toEqual([
      { videoId: 'other', time: 0.5, score: expect.closeTo(dot(query, axis(1)), 6) },
    ]);
  });

  test('frameVectors reads the stored vectors of the chosen frames of several videos in one read', async () => {
    const stored = Array.from({ length: 10 }, (_, i) => ({ time: i, vector: unit(1, i) }));
    await store.frames.replaceFrames(video('v'), stored);
    await store.frames.replaceFrames(video('other'), frames(axis(0), axis(1), axis(2)));
    const read = await store.frames.frameVectors([
      { videoId: 'v', windows: [{ start: 2, end: 3 }, { start: 7, end: 7 }] },
      { videoId: 'other', windows: [{ start: 0.5, end: 0.5 }] },
      { videoId: 'nobody', windows: [{ start: 0, end: 9 }] },
      { videoId: 'v', windows: [] },
    ]);
    const byKey = new Map(read.map((frame) => [`${frame.videoId}@${frame.time}`, Array.from(frame.vector)]));
    expect([...byKey.keys()].sort()).toEqual(['other@0.5', 'v@2', 'v@3', 'v@7']);
    expect(byKey.get('v@7')).toEqual(Array.from(stored[7].vector));
    expect(byKey.get('other@0.5')).toEqual(Array.from(axis(1)));
    expect(await store.frames.frameVectors([])).toEqual([]);
  });

  test('one model and one dimension per index', async () => {
    expect(await store.frames.embedding()).toBeUndefined();
    expect(await store.frames.search({ vector: axis(0, 4), k: 5 })).toEqual([]);
    await store.frames.replaceFrames(video('a'), frames(axis(0)));

    await expect(store.frames.search({ vector: axis(0, 4), k: 5 })).rejects.toThrow(IndexMismatchError);
    await expect(store.frames.scoreVideo(axis(0, 4), 'a')).rejects.toThrow(IndexMismatchError);
    const siglip = video('b', { model: 'test/siglip-8d' });
    await expect(store.frames.replaceFrames(siglip, frames(axis(0)))).rejects.toThrow(
      /test\/clip-8d.*test\/siglip-8d.*--data/,
    );
    const wide = video('c', { model: 'test/wide', dim: 4 });
    await expect(store.frames.replaceFrames(wide, frames(axis(0, 4)))).rejects.toThrow(IndexMismatchError);
    await expect(store.frames.replaceFrames(video('d'), frames(axis(0, 4)))).rejects.toThrow(IndexMismatchError);
    expect(await store.frames.countFrames('b')).toBe(0);

    // Once empty, the index takes any model and width again.
    await store.frames.removeVideo('a');
    expect(await store.frames.embedding()).toBeUndefined();
    await store.frames.replaceFrames(wide, frames(axis(1, 4)));
    expect(await store.frames.embedding()).toEqual({ model: 'test/wide', dim: 4 });
    expect(await store.frames.search({ vector: axis(1, 4), k: 5 })).toEqual([{ videoId: 'c', time: 0, score: 1 }]);
  });

  test('removeVideo removes the frames only; the catalog entry is removed separately', async () => {
    const a = video('a');
    await store.catalog.put(a);
    await store.frames.replaceFrames(a, frames(axis(0), axis(1)));
    await store.frames.replaceFrames(video('b'), frames(axis(0)));
    await store.frames.removeVideo('a');
    await store.frames.removeVideo('never-indexed');
    expect(await store.frames.countFrames('a')).toBe(0);
    expect(await store.frames.countFrames('b')).toBe(1);
    expect(await store.catalog.get('a')).toEqual(a);
  });

  test('a second store on the same directory sees the first one writes', async () => {
    const other = await openLocalStore(path.join(dir, 'data'));
    try {
      expect(await other.frames.embedding()).toBeUndefined();
      await store.catalog.put(video('a'));
      await store.frames.replaceFrames(video('a'), frames(axis(0)));
      expect(await other.catalog.get('a')).toEqual(video('a'));
      expect(await other.frames.countFrames('a')).toBe(1);
      await other.frames.replaceFrames(video('a'), frames(axis(0), axis(1)));
      expect(await store.frames.countFrames('a')).toBe(2);
    } finally {
      other.close();
    }
  });
});

describe('catalog', () => {
  test('put upserts, get, list in createdAt then id order, remove', async () => {
    const b = video('b', { createdAt: '2024-01-02T00:00:00.000Z' });
    const a2 = video('a2', { createdAt: '2024-01-02T00:00:00.000Z', category: 'x', error: 'boom', status: 'FAILED' });
    const z = video('z', { createdAt: '2023-12-31T23:59:59.000Z', tags: ['one', 'two'] });
    for (const v of [b, a2, z]) await store.catalog.put(v);
    expect((await store.catalog.list()).map((v) => v.id)).toEqual(['z', 'a2', 'b']);
    expect(await store.catalog.get('a2')).toStrictEqual(a2);
    expect(await store.catalog.get('z')).toStrictEqual(z);
    expect(await store.catalog.get('nope')).toBeUndefined();

    const updated = { ...b, title: 'New title', frames: 42, status: 'READY' as const, updatedAt: '2024-02-01T00:00:00.000Z' };
    await store.catalog.put(updated);
    expect(await store.catalog.get('b')).toStrictEqual(updated);
    expect(await store.catalog.list()).toHaveLength(3);

    await store.catalog.remove('a2');
    await store.catalog.remove('nope');
    expect((await store.catalog.list()).map((v) => v.id)).toEqual(['z', 'b']);
  });

  test('getMany reads the known videos among many ids; smoothing and shots read back as put', async () => {
    const shots = { threshold: 12.5, boundaries: [{ time: 4.04, kind: 'gradual' as const }, { time: 9, kind: 'cut' as const }] };
    const smoothed = video('s', { smoothing: { kernelSize: 21, sigma: 3 }, shots });
    const raw = video('r', { smoothing: null, shots: null });
    const unrecorded = video('u');
    for (const v of [smoothed, raw, unrecorded]) await store.catalog.put(v);
    const videos = await store.catalog.getMany(['s', 'r', 'u', 'nope', "it's"]);
    expect([...videos.keys()].sort()).toEqual(['r', 's', 'u']);
    expect(videos.get('s')).toStrictEqual(smoothed);
    expect(videos.get('r')).toStrictEqual(raw);
    expect(videos.get('u')).toStrictEqual(unrecorded);
    expect(await store.catalog.getMany([])).toEqual(new Map());
  });

  test('a catalog written before smoothing and shots were recorded opens, reads and takes the new fields', async () => {
    store.close();
    const db = await connect(path.join(dir, 'old'));
    const old = video('old', { category: 'street', tags: ['night'] });
    // The videos table as the first release created it: no smoothing or shot columns.
    const utf8 = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
    const schema = new Schema([
      utf8('id'), utf8('title'), utf8('source'), utf8('category', true), new Field('tags', new List(utf8('item', true)), false),
      new Field('duration_sec', new Float64(), false), new Field('fps', new Float64(), false), utf8('model'),
      new Field('dim', new Int32(), false), new Field('frames', new Int32(), false), utf8('status'), utf8('error', true),
      utf8('created_at'), utf8('updated_at'),
    ]);
    const table = await db.createEmptyTable('videos', schema);
    await table.add([
      {
        id: old.id, title: old.title, source: old.source, category: old.category, tags: old.tags, duration_sec: old.durationSec,
        fps: old.fps, model: old.model, dim: old.dim, frames: old.frames, status: old.status, error: null,
        created_at: old.createdAt, updated_at: old.updatedAt,
      },
    ]);
    db.close();
    store = await openLocalStore(path.join(dir, 'old'));
    expect(await store.catalog.get('old')).toStrictEqual(old);
    const shots = { threshold: 10, boundaries: [{ time: 3, kind: 'cut' as const }] };
    await store.catalog.put({ ...old, smoothing: { kernelSize: 11, sigma: 1.8 }, shots });
    expect(await store.catalog.get('old')).toMatchObject({ smoothing: { kernelSize: 11, sigma: 1.8 }, shots });
  });

  test('matchKeywords: every word, in the title or a tag, case-insensitive', async () => {
    await store.catalog.put(video('a', { title: 'Red Car Chase', tags: ['Action'] }));
    await store.catalog.put(video('b', { title: 'Red sky', tags: ['nature', 'sunset'] }));
    expect((await store.catalog.matchKeywords('red')).sort()).toEqual(['a', 'b']);
    expect(await store.catalog.matchKeywords('RED action')).toEqual(['a']);
    expect(await store.catalog.matchKeywords('red  sunset ')).toEqual(['b']);
    expect(await store.catalog.matchKeywords('red ocean')).toEqual([]);
  });
});

test('ids with quotes, backslashes and SQL are only ever data', async () => {
  const nasty = [`it's`, `x' OR '1'='1`, `back\\slash'`, `"; DROP TABLE videos; --`];
  for (const [i, id] of nasty.entries()) {
    const v = video(id, { title: `o'clock ${i}`, category: `cat'${i}`, tags: [`tag'${i}`] });
    await store.catalog.put(v);
    await store.frames.replaceFrames(v, frames(axis(i), axis(i + 1)));
  }
  for (const [i, id] of nasty.entries()) {
    expect((await store.catalog.get(id))?.id).toBe(id);
    expect(await store.frames.countFrames(id)).toBe(2);
    const filters = { videoIds: [id], categories: [`cat'${i}`], tags: [`tag'${i}`], keywords: `O'CLOCK ${i}` };
    const hits = await store.frames.search({ vector: axis(0), k: 10, filters });
    expect(hits.map((h) => h.videoId)).toEqual([id, id]);
  }
  await store.frames.removeVideo(nasty[1]);
  await store.catalog.remove(nasty[1]);
  expect(await store.frames.countFrames(nasty[0])).toBe(2);
  expect((await store.catalog.list()).map((v) => v.id).sort()).toEqual([nasty[0], nasty[2], nasty[3]].sort());
});

test(`past ${ANN_MIN_ROWS} frames an ANN index is built and search stays exact`, async () => {
  // Clustered data like real videos: each video's frames drift around the video's own direction.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const perVideo = 5_000;
  const stored: { videoId: string; time: number; vector: Float32Array }[] = [];
  for (let v = 0; v < ANN_MIN_ROWS / perVideo; v++) {
    const centre = Float32Array.from({ length: DIM }, random);
    const videoFrames = Array.from({ length: perVideo }, (_, i) => ({
      time: i,
      vector: normalize(centre.map((c) => c + 0.6 * random())),
    }));
    await store.frames.replaceFrames(video(`v${v}`), videoFrames);
    stored.push(...videoFrames.map((f) => ({ videoId: `v${v}`, ...f })));
  }
  const table = await (await connect(path.join(dir, 'data'))).openTable('frames');
  expect((await table.listIndices()).map((index) => index.columns[0]).sort()).toEqual(['vector', 'video_id']);
  table.close();

  let found = 0;
  const queries = 10;
  for (let q = 0; q < queries; q++) {
    const query = normalize(Float32Array.from({ length: DIM }, random));
    const truth = stored
      .map((f) => ({ key: `${f.videoId}@${f.time}`, score: dot(query, f.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 20);
    const hits = await store.frames.search({ vector: query, k: 20 });
    const scores = new Map(truth.map((t) => [t.key, t.score]));
    for (const hit of hits) {
      if (!scores.has(key(hit))) continue;
      found++;
      expect(hit.score).toBeCloseTo(scores.get(key(hit))!, 5);
    }
  }
  expect(found / (20 * queries)).toBeGreaterThanOrEqual(0.98);
  // A narrow filter far from the query still fills k.
  const filtered = await store.frames.search({ vector: axis(0), k: 50, filters: { videoIds: ['v3'] } });
  expect(filtered).toHaveLength(50);
  expect(new Set(filtered.map((h) => h.videoId))).toEqual(new Set(['v3']));

  // Replacing an indexed video: its old rows must not surface from the index, the new (unindexed) ones must.
  await store.frames.replaceFrames(video('v0'), frames(axis(7), axis(7), axis(7)));
  expect(await store.frames.countFrames('v0')).toBe(3);
  expect(await store.frames.search({ vector: axis(0), k: 10, filters: { videoIds: ['v0'] } })).toHaveLength(3);
  expect((await store.frames.search({ vector: axis(7), k: 3 })).map((h) => [h.videoId, h.score])).toEqual([
    ['v0', 1],
    ['v0', 1],
    ['v0', 1],
  ]);
}, 30_000);

/** The record as the catalog returns it: optional fields absent, not `undefined`. */
function stripUndefined(v: VideoRecord): VideoRecord {
  return Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined)) as unknown as VideoRecord;
}
