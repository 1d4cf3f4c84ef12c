import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dispatch } from '../../lib/api/router';
import type { ApiDeps } from '../../lib/api/search-api';
import type { RawEmbeddings } from '../../lib/store/raw-embeddings';
import { relevanceFloor } from '../../lib/core/clustering';
import type { FrameVector } from '../../lib/core/types';
import { momentVector, withMoment } from '../../lib/core/more-like-this';
import { subtractNegatives } from '../../lib/core/negative-query';
import { fuseQuery } from '../../lib/core/query';
import { dot } from '../../lib/core/vector';
import type { Embedder } from '../../lib/embedder/embedder';
import { readImage } from '../../lib/embedder/image-file';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { openLocalStore, type LocalStore } from '../../lib/store/open-local-store';
import { colourPng, colourVector } from '../helpers/colour-frames';
import { fixtureServedModel } from '../helpers/fixture-model';
import { video } from '../helpers/frame-fixtures';

let dir: string;
let store: LocalStore;
let raw: Map<string, FrameVector[]>;
/** The fixture CLIP model's embedder, and the query encoder of local mode over it. */
let embedder: Embedder;
let encoder: LocalQueryEncoder;
/** Video "a": three red frames, then three blue ones, every half second; "b": blue, blue, green, every second. */
let framesA: FrameVector[];
let framesB: FrameVector[];
let png: Record<'blue' | 'green', string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'timeline-api-'));
  ({ embedder } = (await fixtureServedModel(dir)).served);
  encoder = new LocalQueryEncoder(embedder);
  const [red, blue, green] = await Promise.all(['red', 'blue', 'green'].map((colour) => colourVector(embedder, colour)));
  framesA = [red, red, red, blue, blue, blue].map((vector, i) => ({ time: i * 0.5, vector }));
  framesB = [blue, blue, green].map((vector, i) => ({ time: i, vector }));
  png = { blue: (await colourPng('#0000ff', 4)).toString('base64'), green: (await colourPng('#008000', 4)).toString('base64') };

  store = await openLocalStore(path.join(dir, 'store'));
  for (const [id, frames] of [['a', framesA], ['b', framesB]] as const) {
    const record = video(id, { frames: frames.length, model: embedder.model, dim: embedder.dim });
    await store.catalog.put(record);
    await store.frames.replaceFrames(record, [...frames].reverse()); // stored out of time order
  }
  await store.catalog.put(video('pending', { status: 'PENDING', model: embedder.model, dim: embedder.dim }));
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

/** The query vector, from the embedder's own outputs (lib/core/query.ts fuses them; tests/unit/query.test.ts tests that). */
async function queryVector({ text, image, imageWeight }: { text?: string; image?: string; imageWeight?: number }): Promise<Float32Array> {
  const [t] = text ? await embedder.embedTexts([text]) : [];
  const [i] = image ? await embedder.embedImages([await readImage(Buffer.from(image, 'base64'))]) : [];
  return fuseQuery({ text: t, image: i, imageWeight });
}

const scoresOf = (query: Float32Array, frames: FrameVector[]) => frames.map((frame) => dot(query, frame.vector));

function expectScores(actual: unknown, expected: number[]): void {
  expect((actual as number[]).length).toBe(expected.length);
  (actual as number[]).forEach((score, i) => expect(score).toBeCloseTo(expected[i], 5));
}

/** Every score of the first `n` frames above every score of the rest. */
function expectFirstAbove(scores: unknown, n: number): void {
  const list = scores as number[];
  expect(Math.min(...list.slice(0, n))).toBeGreaterThan(Math.max(...list.slice(n)));
}

test('scores are the inner products of the query with every stored frame of the video, in time order', async () => {
  const { status, body } = await timeline({ query: { text: 'red' }, videoId: 'a' });
  expect(status).toBe(200);
  expect(body.videoId).toBe('a');
  expect(body.times).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  expectScores(body.scores, scoresOf(await queryVector({ text: 'red' }), framesA));
  expectFirstAbove(body.scores, 3); // the red frames match "red"
  expect(body).not.toHaveProperty('rawScores');

  const blue = await timeline({ query: { text: 'blue' }, videoId: 'a' });
  expectFirstAbove((blue.body.scores as number[]).slice().reverse(), 3);
});

test('the threshold is the relevance floor the same search applies, filters and minScore included', async () => {
  const red = await queryVector({ text: 'red' });
  const plain = await timeline({ query: { text: 'red' }, videoId: 'a' });
  expect(plain.body.threshold).toBeCloseTo(relevanceFloor(scoresOf(red, [...framesA, ...framesB])), 5);

  const onlyB = await timeline({ query: { text: 'red' }, videoId: 'a', search: { videoIds: ['b'], size: 5 } });
  expect(onlyB.body.threshold).toBeCloseTo(relevanceFloor(scoresOf(red, framesB)), 5);

  const floored = await timeline({ query: { text: 'red' }, videoId: 'a', search: { minScore: 0.99 } });
  expect(floored.body.threshold).toBeCloseTo(0.99, 6);
});

test('an image query is scored like a search by image', async () => {
  const { status, body } = await timeline({ query: { image: png.blue }, videoId: 'b' });
  expect(status).toBe(200);
  expectScores(body.scores, scoresOf(await queryVector({ image: png.blue }), framesB));
  expectFirstAbove(body.scores, 2); // the blue frames match a blue picture

  const green = await timeline({ query: { image: png.green }, videoId: 'b' });
  expectFirstAbove((green.body.scores as number[]).slice().reverse(), 1);
});

test('a text and image query mixes them by imageWeight', async () => {
  for (const imageWeight of [0.2, 0.8]) {
    const query = { text: 'red', image: png.blue, imageWeight };
    const { body } = await timeline({ query, videoId: 'a' });
    expectScores(body.scores, scoresOf(await queryVector(query), framesA));
    // Mostly text: the red frames lead; mostly image: the blue ones do.
    const scores = body.scores as number[];
    expectFirstAbove(imageWeight < 0.5 ? scores : scores.slice().reverse(), 3);
  }
});

test('raw scores come from the raw embeddings when they match the stored frames', async () => {
  const [red, blue] = [framesA[0].vector, framesA[5].vector];
  const rawA = framesA.map(({ time }, i) => ({ time, vector: i % 2 === 0 ? red : blue }));
  raw.set('a', rawA);
  const { body } = await timeline({ query: { text: 'red' }, videoId: 'a' });
  expectScores(body.rawScores, scoresOf(await queryVector({ text: 'red' }), rawA));
  const rawScores = body.rawScores as number[];
  expect(rawScores.every((score, i) => (i % 2 === 0 ? score > rawScores[1] : score < rawScores[0]))).toBe(true);

  raw.set('a', rawA.map(({ time, vector }) => ({ time: time + 0.25, vector }))); // another run's frames
  expect((await timeline({ query: { text: 'red' }, videoId: 'a' })).body).not.toHaveProperty('rawScores');
});

test('a negative query and a moment to search like are scored as the search ranks them', async () => {
  const red = await queryVector({ text: 'red' });
  const [blue] = await embedder.embedTexts(['blue']);
  const negative = await timeline({ query: { text: 'red', not: ['blue'] }, videoId: 'a' });
  expectScores(negative.body.scores, scoresOf(subtractNegatives(red, [blue]), framesA));

  // The moment 1–2 s of "a": its frames at 1 (red), 1.5 and 2 (blue), as stored; with a text, an equal part.
  const moment = momentVector(framesA.slice(2, 5));
  const like = await timeline({ query: { like: { videoId: 'a', start: 1, end: 2 } }, videoId: 'b' });
  expectScores(like.body.scores, scoresOf(moment, framesB));
  const both = await timeline({ query: { text: 'red', like: { videoId: 'a', start: 1, end: 2 } }, videoId: 'b' });
  expectScores(both.body.scores, scoresOf(withMoment(red, moment), framesB));

  const unknown = await timeline({ query: { like: { videoId: 'nope', start: 0, end: 1 } }, videoId: 'a' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error).toMatchObject({ code: 'invalid_request', field: 'query.like.videoId', message: expect.stringMatching(/no video with id "nope"/) });
});

test('the video\'s shots come with its signal, where they were detected', async () => {
  const shots = { threshold: 10, boundaries: [{ time: 1.5, kind: 'cut' as const }] };
  const record = (await store.catalog.get('a'))!;
  await store.catalog.put({ ...record, shots });
  try {
    expect((await timeline({ query: { text: 'red' }, videoId: 'a' })).body.shots).toEqual(shots);
  } finally {
    await store.catalog.put(record);
  }
  expect((await timeline({ query: { text: 'red' }, videoId: 'a' })).body).not.toHaveProperty('shots');
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
  { name: 'neither text nor image nor like', body: { query: {}, videoId: 'a' }, field: 'query.text', message: /give text, image, like/ },
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
