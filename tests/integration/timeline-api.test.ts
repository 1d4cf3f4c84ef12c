import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { dispatch } from '../../lib/api/router';
import type { ApiDeps } from '../../lib/api/search-api';
import type { RawEmbeddings } from '../../lib/store/raw-embeddings';
import { relevanceFloor } from '../../lib/core/clustering';
import type { FrameVector } from '../../lib/core/types';
import { dot } from '../../lib/core/vector';
import type { Query, QueryEncoder } from '../../lib/query-encoder';
import { openLocalStore, type LocalStore } from '../../lib/store/open-local-store';
import { axis, DIM, MODEL, unit, video } from '../helpers/frame-fixtures';

/** Texts the stand-in encoder knows; an image query points along axis 3. */
const QUERIES: Record<string, Float32Array> = { red: axis(0), blue: axis(1), mixed: unit(1, 1, 1) };

const encoder: QueryEncoder = {
  model: MODEL,
  dim: DIM,
  encode: async (query: Query) => (query.image ? axis(3) : QUERIES[query.text ?? '']),
};

/** Video "a": red fading to blue over 6 frames; "b": blue with a touch of red. Times stored out of order. */
const FRAMES_A: FrameVector[] = [0, 1, 2, 3, 4, 5].map((i) => ({ time: i * 0.5, vector: unit(5 - i, i, 0.3, 0.2 * i) }));
const FRAMES_B: FrameVector[] = [0, 1, 2].map((i) => ({ time: i, vector: unit(0.2, 1, 0.1 * i) }));

let dir: string;
let store: LocalStore;
let raw: Map<string, FrameVector[]>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'timeline-api-'));
  store = await openLocalStore(dir);
  for (const [id, frames] of [['a', FRAMES_A], ['b', FRAMES_B]] as const) {
    const record = video(id, { frames: frames.length });
    await store.catalog.put(record);
    await store.frames.replaceFrames(record, [...frames].reverse());
  }
  await store.catalog.put(video('pending', { status: 'PENDING' }));
});

afterAll(async () => {
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  raw = new Map();
});

const rawEmbeddings: RawEmbeddings = { get: async (id) => raw.get(id) };

async function timeline(body: unknown, withRaw = true) {
  const deps: ApiDeps = {
    encoder,
    catalog: store.catalog,
    frames: store.frames,
    media: { videoUrl: async () => '' },
    ...(withRaw ? { rawEmbeddings } : {}),
  };
  const onError = jest.fn();
  const answer = await dispatch('POST', '/timeline', async () => JSON.stringify(body), deps, onError);
  expect(onError).not.toHaveBeenCalled();
  return answer as { status: number; body: Record<string, unknown> & { error?: { code: string; field?: string; message: string } } };
}

const allScores = (query: Float32Array) => [...FRAMES_A, ...FRAMES_B].map((frame) => dot(query, frame.vector));

test('scores are the inner products of the query with every stored frame of the video, in time order', async () => {
  const { status, body } = await timeline({ query: { text: 'mixed' }, videoId: 'a' });
  expect(status).toBe(200);
  expect(body.videoId).toBe('a');
  expect(body.times).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  const expected = FRAMES_A.map((frame) => dot(QUERIES.mixed, frame.vector));
  (body.scores as number[]).forEach((score, i) => expect(score).toBeCloseTo(expected[i], 6));
  expect(body).not.toHaveProperty('rawScores');
});

test('the threshold is the relevance floor the same search applies, filters and minScore included', async () => {
  const plain = await timeline({ query: { text: 'red' }, videoId: 'a' });
  expect(plain.body.threshold).toBeCloseTo(relevanceFloor(allScores(QUERIES.red)), 6);

  const onlyB = await timeline({ query: { text: 'red' }, videoId: 'a', search: { videoIds: ['b'], size: 5 } });
  expect(onlyB.body.threshold).toBeCloseTo(relevanceFloor(FRAMES_B.map((frame) => dot(QUERIES.red, frame.vector))), 6);

  const floored = await timeline({ query: { text: 'red' }, videoId: 'a', search: { minScore: 0.99 } });
  expect(floored.body.threshold).toBeCloseTo(0.99, 6);
});

test('an image query is scored like a search by image', async () => {
  const image = (await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00f' } }).png().toBuffer()).toString('base64');
  const { status, body } = await timeline({ query: { image }, videoId: 'b' });
  expect(status).toBe(200);
  (body.scores as number[]).forEach((score, i) => expect(score).toBeCloseTo(dot(axis(3), FRAMES_B[i].vector), 6));
});

test('raw scores come from the raw embeddings when they match the stored frames', async () => {
  const rawA = FRAMES_A.map(({ time }, i) => ({ time, vector: axis(i % 2) }));
  raw.set('a', rawA);
  const { body } = await timeline({ query: { text: 'red' }, videoId: 'a' });
  expect(body.rawScores).toEqual([1, 0, 1, 0, 1, 0]);

  raw.set('a', rawA.map(({ time, vector }) => ({ time: time + 0.25, vector }))); // another run's frames
  expect((await timeline({ query: { text: 'red' }, videoId: 'a' })).body).not.toHaveProperty('rawScores');
});

test('a known video without frames has an empty signal', async () => {
  const { status, body } = await timeline({ query: { text: 'red' }, videoId: 'pending' });
  expect(status).toBe(200);
  expect(body).toMatchObject({ videoId: 'pending', times: [], scores: [] });
});

test('an unknown video is a 404', async () => {
  const { status, body } = await timeline({ query: { text: 'red' }, videoId: 'nope' });
  expect(status).toBe(404);
  expect(body.error).toEqual({ code: 'video_not_found', message: 'no video with id "nope"', field: 'videoId' });
});

test.each([
  { name: 'no query', body: { videoId: 'a' }, field: 'query', message: /query/ },
  { name: 'neither text nor image', body: { query: {}, videoId: 'a' }, field: 'query.text', message: /text, image, or both/ },
  { name: 'empty text', body: { query: { text: ' ' }, videoId: 'a' }, field: 'query.text', message: /empty/ },
  { name: 'image not base64', body: { query: { image: 'no!' }, videoId: 'a' }, field: 'query.image', message: /base64/ },
  { name: 'imageWeight out of range', body: { query: { text: 'red', imageWeight: 2 }, videoId: 'a' }, field: 'query.imageWeight', message: /imageWeight/ },
  { name: 'unknown query field', body: { query: { text: 'red', k: 5 }, videoId: 'a' }, field: 'query.k', message: /unknown field "k"/ },
  { name: 'no videoId', body: { query: { text: 'red' } }, field: 'videoId', message: /videoId/ },
  { name: 'empty videoId', body: { query: { text: 'red' }, videoId: '' }, field: 'videoId', message: /must not be empty/ },
  { name: 'bad search setting', body: { query: { text: 'red' }, videoId: 'a', search: { k: 0 } }, field: 'search.k', message: /k/ },
  { name: 'unknown top-level field', body: { query: { text: 'red' }, videoId: 'a', colour: 1 }, field: 'colour', message: /unknown field "colour"/ },
])('400 for $name', async ({ body, field, message }) => {
  const answer = await timeline(body);
  expect(answer.status).toBe(400);
  expect(answer.body.error).toMatchObject({ code: 'invalid_request', field });
  expect(answer.body.error?.message).toMatch(message);
});
