import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@opensearch-project/opensearch';
import type { Hit } from '../../lib/core/types';
import { dot } from '../../lib/core/vector';
import { IndexMismatchError, IndexNotReadyError, IndexWakingError, IndexWriteError } from '../../lib/store/errors';
import { createFramesIndex } from '../../lib/pipeline/frames-index-resource';
import { openSearchClient } from '../../lib/store/opensearch-client';
import { OpenSearchFrameIndex, type OpenSearchFrameIndexOptions } from '../../lib/store/opensearch-frame-index';
import { ensureFramesIndex, framesIndexBody, transcriptsIndexBody, type FrameDoc } from '../../lib/store/opensearch-mapping';
import { startAossDouble, type AossDouble, type BulkFault, type LoggedRequest } from '../doubles/aoss-server';
import { axis, DIM, frames, MODEL, unit, video } from '../helpers/frame-fixtures';

const INDEX = 'frames';

let double: AossDouble;
let client: Client;
/** Every wait the adapter asked for (retry backoff, visibility polls); each is cut to at most 20 ms. */
let sleeps: number[];

beforeEach(async () => {
  double = await startAossDouble();
  client = new Client({ node: double.url });
  sleeps = [];
});

afterEach(async () => {
  const refused = double.requests.filter((request) => request.refused);
  await client.close();
  await double.close();
  // Strict mode: the adapter never sends what classic AOSS refuses (own ids, refresh, _delete_by_query, GET /, …).
  expect(refused).toEqual([]);
});

function frameIndex(options: Partial<OpenSearchFrameIndexOptions> = {}): OpenSearchFrameIndex {
  return new OpenSearchFrameIndex(client, {
    index: INDEX,
    // The double shows writes at once unless a test sets a delay: such a test passes its own window.
    visibility: { pollMs: 20, windowMs: 0 },
    ...options,
    bulk: {
      sleep: async (ms) => {
        sleeps.push(ms);
        await delay(Math.min(ms, 20));
      },
      ...options.bulk,
    },
  });
}

async function readyIndex(options: Partial<OpenSearchFrameIndexOptions> = {}): Promise<OpenSearchFrameIndex> {
  await ensureFramesIndex(client, { index: INDEX, dim: DIM });
  return frameIndex(options);
}

const bulkRequests = () => double.requests.filter((request) => request.path.endsWith('_bulk'));
const sentFrames = (request: LoggedRequest) =>
  (request.body as object[]).filter((line): line is FrameDoc => 'video_id' in line);
const storedFrames = (videoId: string) =>
  double.docs(INDEX).map((doc) => doc.source as unknown as FrameDoc).filter((doc) => doc.video_id === videoId);
const frameNumbers = (docs: { frame: number }[]) => docs.map((doc) => doc.frame).sort((a, b) => a - b);
const key = (hit: Hit) => `${hit.videoId}@${hit.time}`;

test('openSearchClient signs requests for the aoss service', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  const signed = openSearchClient({ endpoint: double.url, region: 'eu-west-1' });
  try {
    await signed.indices.exists({ index: INDEX });
  } finally {
    process.env = saved;
    await signed.close();
  }
  const { authorization } = double.requests[0].headers;
  expect(authorization).toMatch(/Credential=AKIDTEST\/\d{8}\/eu-west-1\/aoss\/aws4_request/);
});

describe('ensureFramesIndex', () => {
  test('creates the index once, whether called twice or concurrently; another width is refused', async () => {
    await Promise.all([1, 2, 3].map(() => ensureFramesIndex(client, { index: INDEX, dim: DIM })));
    await ensureFramesIndex(client, { index: INDEX, dim: DIM });
    const creates = double.requests.filter((request) => request.method === 'PUT' && request.path === `/${INDEX}`);
    expect(creates.filter((request) => request.status === 200)).toHaveLength(1);
    expect(creates.filter((request) => request.status !== 200).every((request) => request.status === 400)).toBe(true);
    expect(creates.length).toBeLessThanOrEqual(3);

    const { body } = await client.indices.getMapping({ index: INDEX });
    expect(body[INDEX].mappings).toEqual(framesIndexBody(DIM).mappings);
    await expect(ensureFramesIndex(client, { index: INDEX, dim: 4 })).rejects.toThrow(IndexMismatchError);
  });

  test('while the collection wakes from zero it is IndexWakingError; the index custom resource waits that out', async () => {
    // The client sends a request answered 503 four times (its own retries) before it gives up.
    double.goCold({ mode: '503', requests: 4 }, ['search']);
    await expect(ensureFramesIndex(client, { index: INDEX, dim: DIM })).rejects.toThrow(IndexWakingError);

    double.goCold({ mode: '503', requests: 6 });
    const properties = { Index: INDEX, Dimension: DIM, TranscriptsIndex: 'transcripts' };
    expect(await createFramesIndex(client, properties, { timeoutMs: 1000, pollMs: 50 })).toBe(INDEX);
    // Four above, then six of each side: the existence check reads, the create writes.
    expect(double.requests.filter((request) => request.cold === '503')).toHaveLength(4 + 6 + 6);
    const { body } = await client.indices.getMapping({ index: INDEX });
    expect(body[INDEX].mappings).toEqual(framesIndexBody(DIM).mappings);
    // The transcripts index beside it, by the same resource.
    const transcripts = (await client.indices.getMapping({ index: 'transcripts' })).body.transcripts;
    expect(transcripts.mappings).toEqual(transcriptsIndexBody().mappings);
  });
});

describe('replaceFrames', () => {
  test('stores exactly the frames, and returns once all of them are searchable', async () => {
    double.setVisibilityDelay(200);
    const index = await readyIndex();
    const times = [0, 1 / 3, 2 / 3, 1, 4 / 3];
    const vectors = [unit(1, 0), unit(0, 1), unit(1, 1), unit(1, 2), unit(2, 1)];
    const started = Date.now();
    const run = await index.replaceRun(video('a'), vectors.map((vector, i) => ({ time: times[i], vector })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    expect(await index.countFrames('a')).toBe(5);
    const stored = storedFrames('a');
    expect(frameNumbers(stored)).toEqual([0, 1, 2, 3, 4]);
    expect(stored.every((doc) => doc.run_id === run && doc.model === MODEL)).toBe(true);
    expect((await index.scoreVideo(axis(0), 'a')).map((hit) => hit.time)).toEqual(times);
  });

  test('a re-replace leaves only the new run; activeRuns hides the old one until its deletes show', async () => {
    double.setVisibilityDelay(200);
    const index = await readyIndex();
    const first = await index.replaceRun(video('a'), frames(axis(0), axis(0), axis(0)));
    const second = await index.replaceRun(video('a'), frames(axis(1), axis(1)));
    expect(second > first).toBe(true);

    expect(storedFrames('a').map((doc) => doc.run_id)).toEqual([second, second]);
    // Deleted, but searchable for one more refresh interval, as on AOSS:
    expect(await index.search({ vector: axis(0), k: 10 })).toHaveLength(5);
    expect(await index.search({ vector: axis(0), k: 10, activeRuns: new Map([['a', second]]) })).toHaveLength(2);
    expect(await index.countFrames('a', second)).toBe(2);

    double.makeVisible();
    expect(await index.search({ vector: axis(0), k: 10 })).toHaveLength(2);
    expect(await index.countFrames('a')).toBe(2);
  });

  test('with activeRuns from the catalog, a reader sees one complete run at every moment', async () => {
    double.setVisibilityDelay(100);
    const index = await readyIndex();
    await index.replaceFrames(video('other'), frames(axis(0)));
    let activeRuns = new Map([['a', await index.replaceRun(video('a'), frames(...Array(5).fill(axis(0))))]]);
    const seen = new Set<number>();
    let polls = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const hits = await index.search({ vector: axis(0), k: 100, activeRuns });
        seen.add(hits.filter((hit) => hit.videoId === 'a').length);
        polls++;
        await delay(5);
      }
    })();
    const next = await index.replaceRun(video('a'), frames(...Array(7).fill(axis(1))));
    activeRuns = new Map([['a', next]]); // the catalog now names the new run
    const switchedAt = polls;
    while (polls < switchedAt + 3) await delay(5);
    reading = false;
    await reader;
    expect([...seen].sort()).toEqual([5, 7]);
  });

  test('run ids sort in the order the runs were made, even within one millisecond', async () => {
    const index = await readyIndex();
    const runs: string[] = [];
    for (let i = 0; i < 10; i++) runs.push(await index.replaceRun(video('a'), []));
    expect([...runs].sort()).toEqual(runs);
    expect(new Set(runs).size).toBe(10);
  });

  test('no frames removes the video; other videos keep theirs', async () => {
    const index = await readyIndex();
    await index.replaceFrames(video('a'), frames(axis(0), axis(1)));
    await index.replaceFrames(video('b'), frames(axis(2)));
    await index.replaceFrames(video('a'), []);
    expect(await index.countFrames('a')).toBe(0);
    expect(await index.countFrames('b')).toBe(1);
  });
});

describe('bulk writes', () => {
  test('requests stay within the byte and operation bounds', async () => {
    const maxBytes = 1_500;
    const index = await readyIndex({ bulk: { maxBytes, maxOperations: 4 } });
    await index.replaceFrames(video('a'), frames(...Array.from({ length: 10 }, (_, i) => unit(1, i))));
    const requests = bulkRequests();
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      const lines = request.body as object[];
      expect(sentFrames(request).length).toBeLessThanOrEqual(4);
      expect(lines.reduce((bytes, line) => bytes + JSON.stringify(line).length + 1, 0)).toBeLessThanOrEqual(maxBytes);
    }
    expect(frameNumbers(storedFrames('a'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('throttled and failed requests are resent until written: nothing lost, nothing doubled', async () => {
    const index = await readyIndex();
    double.failNextBulk(2, 'throttle');
    double.failNextBulk(1, 'unavailable');
    await index.replaceFrames(video('a'), frames(axis(0), axis(1), axis(2), axis(3), axis(4), axis(5)));
    expect(bulkRequests().map((request) => request.status)).toEqual([429, 429, 503, 200]);
    expect(bulkRequests().every((request) => sentFrames(request).length === 6)).toBe(true);
    expect(frameNumbers(storedFrames('a'))).toEqual([0, 1, 2, 3, 4, 5]);
    // Exponential backoff with jitter: the n-th wait is at most 250 ms · 2^(n-1).
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(250 * 2 ** i));
  });

  test('only the throttled items of a partly failed request are resent', async () => {
    const index = await readyIndex();
    double.failNextBulk(1, { itemStatus: 429, items: [1, 3] });
    await index.replaceFrames(video('a'), frames(axis(0), axis(1), axis(2), axis(3), axis(4)));
    const [first, second, ...rest] = bulkRequests();
    expect(rest).toEqual([]);
    expect(sentFrames(first).map((doc) => [doc.frame, doc.attempt])).toEqual([[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);
    expect(sentFrames(second).map((doc) => [doc.frame, doc.attempt])).toEqual([[1, 2], [3, 2]]);
    expect(frameNumbers(storedFrames('a'))).toEqual([0, 1, 2, 3, 4]);
  });

  test('copies left by a written request whose answer was lost are deleted', async () => {
    const index = await readyIndex();
    double.failNextBulk(1, 'lost-response');
    await index.replaceFrames(video('a'), frames(axis(0), axis(1), axis(2), axis(3)));
    expect(bulkRequests().map((request) => request.status).slice(0, 2)).toEqual([504, 200]);
    const stored = storedFrames('a');
    expect(frameNumbers(stored)).toEqual([0, 1, 2, 3]);
    expect(stored.every((doc) => doc.attempt === 1)).toBe(true); // the first copy of each frame is kept
    double.makeVisible();
    expect(await index.search({ vector: axis(0), k: 100 })).toHaveLength(4);
  });

  test('gives up after maxAttempts with a clear error', async () => {
    const index = await readyIndex({ bulk: { maxAttempts: 3 } });
    double.failNextBulk(10, 'throttle');
    const error = await index.replaceFrames(video('a'), frames(axis(0), axis(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexWriteError);
    expect((error as Error).message).toMatch(/2 of 2 operations still failing after 3 attempts \(last: 429/);
    expect(bulkRequests()).toHaveLength(3);
    expect(storedFrames('a')).toEqual([]);
  });

  test('a run not searchable in time fails clearly, and a retry cleans it up', async () => {
    double.setVisibilityDelay(60_000);
    const index = await readyIndex({ visibility: { pollMs: 20, timeoutMs: 100 } });
    await expect(index.replaceFrames(video('a'), frames(axis(0), axis(1)))).rejects.toThrow(
      /run .* of video a: 0 of 2 frames searchable after 100 ms/,
    );
    double.setVisibilityDelay(0);
    double.makeVisible();
    const run = await index.replaceRun(video('a'), frames(axis(2)));
    expect(storedFrames('a').map((doc) => doc.run_id)).toEqual([run]);
  });
});

describe('resent requests with delayed visibility', () => {
  // The double shows writes after DELAY_MS; the adapter is told they show within WINDOW_MS.
  const DELAY_MS = 150;
  const WINDOW_MS = 200;
  /** A fault that fails nothing: the request it meets goes through (to reach a later request with the next one). */
  const PASS: BulkFault = { itemStatus: 429, items: [] };
  const FRAMES = 8;
  const times = Array.from({ length: FRAMES }, (_, i) => i / 4);
  const framesToWrite = () => times.map((time, i) => ({ time, vector: unit(1, i) }));

  /** Exactly one copy of each frame of `run` is stored, and nothing else of the video. */
  function expectOneCopyEach(run: string): void {
    const stored = storedFrames('a');
    expect(stored.every((doc) => doc.run_id === run)).toBe(true);
    expect(frameNumbers(stored)).toEqual(times.map((_, i) => i));
    expect(stored.map((doc) => doc.time).sort((a, b) => a - b)).toEqual(times);
  }

  // Each case runs 5 times, to catch the race: the copies of a resent request may show after the first copies (a lost
  // answer to the only or the last request: the dedupe used to look as soon as each frame showed once, and missed them).
  test.each<[string, BulkFault[], number]>([
    ['the only request', ['lost-response'], 1_000],
    ['the first of several requests', ['lost-response'], 3],
    ['a middle request', [PASS, 'lost-response'], 3],
    ['the last request', [PASS, PASS, 'lost-response'], 3],
    ['a request and its resend', ['lost-response', 'lost-response'], 3],
    ['the resend of a throttled request', ['throttle', 'lost-response'], 3],
    // Then not every request of unknown outcome was applied: the count never reaches its bound, the window decides.
    ['a request whose resend fails unapplied', ['lost-response', 'unavailable'], 1_000],
    ['a middle request, and a later one fails unapplied', [PASS, 'lost-response', 'unavailable'], 3],
  ])('a lost answer to %s leaves one copy of each frame', async (_, faults, maxOperations) => {
    double.setVisibilityDelay(DELAY_MS);
    const index = await readyIndex({ bulk: { maxOperations }, visibility: { pollMs: 20, windowMs: WINDOW_MS } });
    let run = '';
    for (let round = 0; round < 5; round++) {
      for (const fault of faults) double.failNextBulk(1, fault);
      run = await index.replaceRun(video('a'), framesToWrite());
      expectOneCopyEach(run);
    }
    const lost = faults.filter((fault) => fault === 'lost-response').length;
    expect(bulkRequests().filter((request) => request.status === 504)).toHaveLength(5 * lost);
    await delay(DELAY_MS + 50); // the deletes show too
    expect(await index.countFrames('a')).toBe(FRAMES);
    const hits = await index.search({ vector: unit(1, 1), k: 100 });
    expect(hits.map((hit) => hit.time).sort((a, b) => a - b)).toEqual(times);
    expect(await index.scoreVideo(axis(0), 'a', run)).toHaveLength(FRAMES);
  });

  test('once every possible copy shows, it does not wait out the window', async () => {
    double.setVisibilityDelay(DELAY_MS);
    const index = await readyIndex({ bulk: { maxOperations: 3 }, visibility: { pollMs: 20, windowMs: 60_000 } });
    double.failNextBulk(1, PASS);
    double.failNextBulk(1, 'lost-response');
    const started = Date.now();
    const run = await index.replaceRun(video('a'), framesToWrite());
    expect(Date.now() - started).toBeLessThan(5_000);
    expectOneCopyEach(run);
  });

  test('when a request of unknown outcome was not applied, it waits the window before it dedupes', async () => {
    double.setVisibilityDelay(DELAY_MS);
    const index = await readyIndex({ visibility: { pollMs: 20, windowMs: 400 } });
    double.failNextBulk(1, 'unavailable');
    const started = Date.now();
    const run = await index.replaceRun(video('a'), framesToWrite());
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expectOneCopyEach(run);
  });

  test('a window longer than the timeout fails clearly', async () => {
    const index = await readyIndex({ visibility: { pollMs: 20, timeoutMs: 100, windowMs: 1_000 } });
    double.failNextBulk(1, 'unavailable');
    await expect(index.replaceFrames(video('a'), frames(axis(0), axis(1)))).rejects.toThrow(
      /run .* of video a: 2 documents for 2 frames, .*up to 1000 ms to show\) after 100 ms/,
    );
  });
});

describe('search', () => {
  let index: OpenSearchFrameIndex;
  beforeEach(async () => {
    index = await readyIndex();
    const near = video('near', { title: 'Red Sunset', category: 'nature', tags: ['sky'] });
    const far = video('far', { title: 'City traffic at night', category: 'urban', tags: ['cars', 'Night'] });
    const mid = video('mid', { title: 'Harbour? 100%', tags: ['boats', 'sky'] });
    // `near` fills the top of every unfiltered result; `far` points the other way.
    await index.replaceFrames(near, frames(...Array.from({ length: 5 }, (_, i) => unit(1, i * 0.01))));
    await index.replaceFrames(far, frames(unit(-1, 0.1), unit(-1, 0.2)));
    await index.replaceFrames(mid, frames(unit(0, 1)));
  });

  const ids = (hits: Hit[]) => [...new Set(hits.map((hit) => hit.videoId))].sort();
  const search = (filters: object, k = 3) => index.search({ vector: axis(0), k, filters });

  test('is one request, with the filters inside the knn clause', async () => {
    const before = double.requests.length;
    await search({ videoIds: ['far'], categories: ['urban'], tags: ['cars'], keywords: 'city' });
    const requests = double.requests.slice(before);
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([`POST /${INDEX}/_search`]);
    const wildcard = { value: '*city*', case_insensitive: true };
    const inTitleOrTags = [{ wildcard: { 'title.keyword': wildcard } }, { wildcard: { tags: wildcard } }];
    expect(requests[0].body).toEqual({
      size: 3,
      query: {
        knn: {
          embedding: {
            vector: Array.from(axis(0)),
            k: 3,
            filter: {
              bool: {
                filter: [
                  { terms: { video_id: ['far'] } },
                  { terms: { category: ['urban'] } },
                  { terms: { tags: ['cars'] } },
                  { bool: { should: inTitleOrTags, minimum_should_match: 1 } },
                ],
              },
            },
          },
        },
      },
      _source: { includes: ['video_id', 'time'] },
    });
  });

  test('videoIds: a far video still returns its frames, scored by inner product', async () => {
    expect(ids(await search({}))).toEqual(['near']);
    const hits = await search({ videoIds: ['far'] });
    expect(hits.map(key)).toEqual(['far@0.5', 'far@0']);
    expect(hits[0].score).toBeCloseTo(dot(axis(0), unit(-1, 0.2)), 6);
    expect(ids(await search({ videoIds: ['far', 'mid'] }))).toEqual(['far', 'mid']);
  });

  test('categories, and tags: any of them, exact', async () => {
    expect(ids(await search({ categories: ['urban'] }))).toEqual(['far']);
    expect(ids(await search({ categories: ['urban', 'nature'] }, 10))).toEqual(['far', 'near']);
    expect(ids(await search({ tags: ['Night'] }))).toEqual(['far']);
    expect(ids(await search({ tags: ['night'] }))).toEqual([]);
    expect(ids(await search({ tags: ['boats', 'cars'] }))).toEqual(['far', 'mid']);
  });

  test('keywords: every word, inside the title or a tag, any case', async () => {
    expect(ids(await search({ keywords: 'city NIGHT' }))).toEqual(['far']);
    expect(ids(await search({ keywords: 'sky' }, 10))).toEqual(['mid', 'near']);
    expect(ids(await search({ keywords: 'SUN' }))).toEqual(['near']);
    expect(await search({ keywords: 'sky traffic' })).toEqual([]);
    expect(ids(await search({ keywords: '   ' }))).toEqual(['near']);
    // Wildcard characters are only text.
    expect(ids(await search({ keywords: 'r?' }))).toEqual(['mid']);
    expect(ids(await search({ keywords: '0%' }))).toEqual(['mid']);
    expect(await search({ keywords: 'r*t' })).toEqual([]);
  });

  test('filters combine with AND; empty lists do not restrict', async () => {
    expect(ids(await search({ tags: ['sky'], categories: ['nature'] }, 10))).toEqual(['near']);
    expect(await search({ videoIds: ['mid'], categories: ['urban'] })).toEqual([]);
    expect(ids(await search({ videoIds: [], tags: [] }))).toEqual(['near']);
  });

  test('scores are the inner products, best first, k hits at most', async () => {
    const query = unit(0.3, 1, 0.2);
    const all = await index.search({ vector: query, k: 100 });
    expect(all).toHaveLength(8);
    const stored = double.docs(INDEX).map((doc) => doc.source as unknown as FrameDoc);
    for (const hit of all) {
      const doc = stored.find((d) => d.video_id === hit.videoId && d.time === hit.time)!;
      expect(hit.score).toBeCloseTo(dot(query, Float32Array.from(doc.embedding)), 6);
    }
    expect(all.map((hit) => hit.score)).toEqual([...all.map((hit) => hit.score)].sort((a, b) => b - a));
    expect(all.some((hit) => hit.score < 0)).toBe(true);
    expect((await index.search({ vector: query, k: 2 })).map(key)).toEqual(all.slice(0, 2).map(key));
    await expect(index.search({ vector: query, k: 0 })).rejects.toThrow(RangeError);
    await expect(index.search({ vector: query, k: 10_001 })).rejects.toThrow(RangeError);
  });
});

test('scoreVideo scores every frame of one video (or of one run), in time order', async () => {
  const index = await readyIndex();
  const vectors = [unit(1, 2), unit(0, 1), unit(3, 1)];
  const run = await index.replaceRun(video('v'), [
    { time: 2, vector: vectors[0] },
    { time: 0, vector: vectors[1] },
    { time: 1, vector: vectors[2] },
  ]);
  await index.replaceFrames(video('other'), frames(axis(0)));
  const query = unit(1, 1);
  const hits = await index.scoreVideo(query, 'v');
  expect(hits.map((hit) => [hit.videoId, hit.time])).toEqual([['v', 0], ['v', 1], ['v', 2]]);
  [vectors[1], vectors[2], vectors[0]].forEach((vector, i) => expect(hits[i].score).toBeCloseTo(dot(query, vector), 6));
  expect(await index.scoreVideo(query, 'v', run)).toEqual(hits);
  expect(await index.scoreVideo(query, 'v', 'another-run')).toEqual([]);
  expect(await index.scoreVideo(query, 'nobody')).toEqual([]);
});

test('scoreFrames scores one video\'s frames inside the windows with one filtered k-NN request', async () => {
  const index = await readyIndex();
  const stored = Array.from({ length: 10 }, (_, i) => ({ time: i, vector: unit(1, i) }));
  const run = await index.replaceRun(video('v'), stored);
  await index.replaceFrames(video('other'), frames(axis(0), axis(1), axis(2)));
  const query = unit(1, 1);
  const windows = [{ start: 1, end: 2 }, { start: 4.5, end: 5 }, { start: 8, end: 20 }];
  const hits = await index.scoreFrames(query, 'v', windows);
  expect(hits.map((hit) => [hit.videoId, hit.time])).toEqual([['v', 1], ['v', 2], ['v', 5], ['v', 8], ['v', 9]]);
  hits.forEach((hit) => expect(hit.score).toBeCloseTo(dot(query, stored[hit.time].vector), 6));
  expect(await index.scoreFrames(query, 'v', windows, run)).toEqual(hits);
  expect(await index.scoreFrames(query, 'v', windows, 'another-run')).toEqual([]);
  expect(await index.scoreFrames(query, 'v', [])).toEqual([]);
});

test('frameVectors reads the stored vectors of the chosen frames of several videos in one scan, of their runs only', async () => {
  const index = await readyIndex();
  const stored = Array.from({ length: 10 }, (_, i) => ({ time: i, vector: unit(1, i) }));
  const run = await index.replaceRun(video('v'), stored);
  await index.replaceFrames(video('other'), frames(axis(0), axis(1), axis(2)));
  const searches = () => double.requests.filter((request) => request.path.endsWith('_search')).length;
  const before = searches();
  const read = await index.frameVectors([
    { videoId: 'v', windows: [{ start: 2, end: 3 }, { start: 7, end: 7 }], runId: run },
    { videoId: 'other', windows: [{ start: 0.5, end: 0.5 }] },
    { videoId: 'v', windows: [] },
  ]);
  expect(searches() - before).toBe(1);
  const byKey = new Map(read.map((frame) => [`${frame.videoId}@${frame.time}`, Array.from(frame.vector)]));
  expect([...byKey.keys()].sort()).toEqual(['other@0.5', 'v@2', 'v@3', 'v@7']);
  byKey.forEach((vector, key) => expect(vector).toEqual(Array.from(key === 'other@0.5' ? axis(1) : stored[Number(key.slice(2))].vector)));
  expect(await index.frameVectors([{ videoId: 'v', windows: [{ start: 0, end: 9 }], runId: 'another-run' }])).toEqual([]);
  expect(await index.frameVectors([])).toEqual([]);
});

test('removeVideo removes that video only; an unknown video is fine', async () => {
  const index = await readyIndex();
  await index.replaceFrames(video('a'), frames(axis(0), axis(1)));
  await index.replaceFrames(video('b'), frames(axis(0)));
  await index.removeVideo('a');
  await index.removeVideo('never-indexed');
  expect(storedFrames('a')).toEqual([]);
  expect(await index.countFrames('a')).toBe(0);
  expect(await index.countFrames('b')).toBe(1);
});

test('one model and one width per index', async () => {
  const index = await readyIndex();
  expect(await index.embedding()).toBeUndefined();
  await index.replaceFrames(video('a'), frames(axis(0)));
  expect(await index.embedding()).toEqual({ model: MODEL, dim: DIM });

  await expect(index.search({ vector: axis(0, 4), k: 5 })).rejects.toThrow(IndexMismatchError);
  await expect(index.scoreVideo(axis(0, 4), 'a')).rejects.toThrow(/test\/clip-8d \(8-d\) embeddings, not 4-d/);
  await expect(index.replaceFrames(video('b', { model: 'test/siglip-8d' }), frames(axis(0)))).rejects.toThrow(
    /test\/clip-8d.*test\/siglip-8d/,
  );
  await expect(index.replaceFrames(video('c', { model: 'test/wide', dim: 4 }), frames(axis(0, 4)))).rejects.toThrow(
    IndexMismatchError,
  );
  await expect(index.replaceFrames(video('d'), frames(axis(0, 4)))).rejects.toThrow(IndexMismatchError);
  expect(double.docs(INDEX)).toHaveLength(1);
});

// A NextGen collection group at 0 OCU scales to zero after 10 idle minutes; the first request after that waits
// 10–30 s while workers come back, search and indexing each on their own requests (the double's cold mode).
describe('a collection waking from zero', () => {
  test('reads are retried with backoff until it is awake', async () => {
    // With a time limit per request the client's own (immediate) retries are off: only the backoff retries.
    const index = await readyIndex({ waking: { requestTimeoutMs: 5000 } });
    await index.replaceFrames(video('a'), frames(axis(0), axis(1)));
    sleeps = [];
    double.goCold({ mode: '503', requests: 3 }, ['search']);
    expect(await index.countFrames('a')).toBe(2);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect((await index.search({ vector: axis(0), k: 5 })).length).toBe(2);
  });

  test('with no wait allowed, a read that meets it is IndexWakingError, retryable once it must be awake', async () => {
    const index = await readyIndex({ waking: { requestTimeoutMs: 200, maxWaitMs: 0 } });
    await index.replaceFrames(video('a'), frames(axis(0)));
    double.goCold({ mode: '503', requests: 1 }, ['search']);
    const refused = await index.search({ vector: axis(0), k: 5 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IndexWakingError);
    // Answered at once: the wake may take all of its 30 s from now.
    expect((refused as IndexWakingError).retryAfterSec).toBe(30);

    double.goCold({ mode: 'late', delayMs: 1000 }, ['search']);
    const started = Date.now();
    const late = await index.search({ vector: axis(0), k: 5 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(900);
    expect(late).toBeInstanceOf(IndexWakingError);
    expect((late as IndexWakingError).retryAfterSec).toBeLessThanOrEqual(30);
    expect(sleeps).toEqual([]);
    await delay(1000);
    expect(await index.search({ vector: axis(0), k: 5 })).toHaveLength(1);
  });

  test('a replacement completes once it is awake, each frame once, though a write it gave up on was applied', async () => {
    // The client gives up on a request after 300 ms; the collection answers 600 ms after the first request of each
    // side, and then applies the bulk request the client gave up on, as well as the one it sent again.
    const impatient = new Client({ node: double.url, requestTimeout: 300 });
    await ensureFramesIndex(client, { index: INDEX, dim: DIM });
    const index = new OpenSearchFrameIndex(impatient, {
      index: INDEX,
      visibility: { pollMs: 20, windowMs: 1000 },
      bulk: { sleep: (ms) => delay(Math.min(ms, 20)) },
    });
    double.goCold({ mode: 'late', delayMs: 600 });
    const run = await index.replaceRun(video('a'), frames(axis(0), axis(1), axis(2)));
    await impatient.close();

    const bulks = bulkRequests();
    expect(bulks.length).toBeGreaterThan(1);
    expect(bulks[0].cold).toBe('late');
    const stored = storedFrames('a');
    expect(frameNumbers(stored)).toEqual([0, 1, 2]);
    expect(stored.every((doc) => doc.run_id === run)).toBe(true);
  });

  test('a replacement completes when the collection turns its first requests away (503)', async () => {
    const index = await readyIndex();
    double.goCold({ mode: '503', requests: 2 });
    const run = await index.replaceRun(video('a'), frames(axis(0), axis(1)));
    expect(bulkRequests().map((request) => request.status)).toEqual([503, 503, 200]);
    expect(storedFrames('a').map((doc) => [doc.frame, doc.run_id])).toEqual([[0, run], [1, run]]);
  });
});

test('without the index, every operation says it is not ready', async () => {
  const index = frameIndex();
  const calls: (() => Promise<unknown>)[] = [
    () => index.search({ vector: axis(0), k: 5 }),
    () => index.scoreVideo(axis(0), 'a'),
    () => index.replaceFrames(video('a'), frames(axis(0))),
    () => index.replaceFrames(video('a'), []),
    () => index.removeVideo('a'),
    () => index.countFrames('a'),
    () => index.embedding(),
  ];
  for (const call of calls) {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexNotReadyError);
    expect((error as Error).message).toBe('index not ready');
  }
});
