import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startServeProcess, type ServeProcess } from '../../scripts/serve-process';
import { MAX_BODY_BYTES } from '../../lib/server/request-body';
import { BAD_SEARCH_REQUESTS, LARGEST_SEARCH } from '../helpers/bad-search-requests';
import { makeServedLibrary } from '../helpers/served-library';

jest.setTimeout(120_000);

let work: string;
let data: string;
let server: ServeProcess;
let trafficFile: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vsearch-serve-'));
  const library = await makeServedLibrary(work);
  ({ data, trafficFile } = library);
  server = await startServeProcess(['--data', data, '--model', library.model]);
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface ClipJson {
  videoId: string;
  start: number;
  end: number;
  bestTime: number;
  playbackUrl: string;
  thumbnailUrl: string;
}
interface ErrorJson {
  error: { code: string; message: string; field?: string };
}
const json = async <T>(response: Response) => (await response.json()) as T;

const post = (route: string, body: string) =>
  fetch(server.url + route, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

test('POST /search answers ranked clips with playable links', async () => {
  const response = await post('/search', JSON.stringify({ text: 'a red screen', size: 5 }));
  expect(response.status).toBe(200);
  const { clips } = await json<{ clips: ClipJson[] }>(response);
  expect(clips[0]).toMatchObject({ videoId: 'traffic', title: 'traffic', category: 'street', tags: [] });
  expect(Math.abs(clips[0].start - 0)).toBeLessThanOrEqual(1);
  expect(Math.abs(clips[0].end - 5)).toBeLessThanOrEqual(1);
  expect(clips[0].playbackUrl).toBe(`/media/traffic#t=${clips[0].start},${clips[0].end}`);
  expect(clips[0].thumbnailUrl).toBe(`/thumbnails/traffic/${clips[0].bestTime * 1000}.jpg`);
  expect(Object.keys(clips[0]).sort()).toEqual(
    ['videoId', 'title', 'category', 'tags', 'start', 'end', 'bestTime', 'score', 'hits', 'duplicates', 'playbackUrl', 'thumbnailUrl', 'matchedBy', 'transcript'].sort(),
  );
});

test('an image query and filters work over HTTP', async () => {
  const image = (await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0000ff' } }).png().toBuffer()).toString('base64');
  const byImage = await json<{ clips: ClipJson[] }>(await post('/search', JSON.stringify({ image })));
  expect(byImage.clips[0].videoId).toBe('sky');

  const filtered = await json<{ clips: ClipJson[] }>(await post('/search', JSON.stringify({ text: 'blue', categories: ['street'] })));
  expect(filtered.clips.length).toBeGreaterThan(0);
  expect(filtered.clips.every((clip) => clip.videoId === 'traffic')).toBe(true);
});

test('GET /videos and /videos/{id} list the catalog; an unknown id is a 404', async () => {
  const list = await json<{ videos: { id: string }[] }>(await fetch(`${server.url}/videos`));
  expect(list.videos.map((v) => v.id).sort()).toEqual(['sky', 'traffic']);
  expect(list.videos[0]).not.toHaveProperty('source');
  const one = await fetch(`${server.url}/videos/traffic`);
  expect(await one.json()).toMatchObject({ id: 'traffic', status: 'READY', frames: 15 });
  const missing = await fetch(`${server.url}/videos/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: { code: 'video_not_found', message: 'no video with id "nope"', field: 'id' } });
});

test.each(BAD_SEARCH_REQUESTS)('bad request: $name → $status $code', async (bad) => {
  const response = await post('/search', bad.body);
  expect(response.status).toBe(bad.status);
  const body = await json<ErrorJson>(response);
  expect(body.error.code).toBe(bad.code);
  expect(body.error.message).toMatch(bad.message);
  if (bad.field) expect(body.error.field).toBe(bad.field);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
});

test('the largest search the API takes (an image of exactly the limit) is answered', async () => {
  const response = await post('/search', LARGEST_SEARCH);
  expect(response.status).toBe(200);
  expect(Array.isArray((await json<{ clips: ClipJson[] }>(response)).clips)).toBe(true);
});

test('unknown routes and methods get JSON errors', async () => {
  expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  const wrongMethod = await fetch(`${server.url}/search`);
  expect(wrongMethod.status).toBe(405);
  expect((await json<ErrorJson>(wrongMethod)).error.code).toBe('method_not_allowed');
});

test('a body over the limit is refused with 413 naming the limit', async () => {
  const response = await post('/search', 'x'.repeat(MAX_BODY_BYTES + 1));
  expect(response.status).toBe(413);
  expect((await json<ErrorJson>(response)).error).toEqual({ code: 'payload_too_large', message: `request body is over ${MAX_BODY_BYTES} bytes` });
});

test('/media/{id} plays the video with HTTP range support', async () => {
  const { size } = await stat(trafficFile);
  const whole = await fetch(`${server.url}/media/traffic`);
  expect(whole.status).toBe(200);
  expect(whole.headers.get('accept-ranges')).toBe('bytes');
  expect((await whole.arrayBuffer()).byteLength).toBe(size);

  const part = await fetch(`${server.url}/media/traffic`, { headers: { range: 'bytes=100-199' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
  expect((await part.arrayBuffer()).byteLength).toBe(100);

  const beyond = await fetch(`${server.url}/media/traffic`, { headers: { range: `bytes=${size + 10}-` } });
  expect(beyond.status).toBe(416);
  expect((await fetch(`${server.url}/media/nope`)).status).toBe(404);
});

test('POST /timeline scores every frame of a video, in time order, with the search threshold', async () => {
  const response = await post('/timeline', JSON.stringify({ query: { text: 'yellow' }, videoId: 'traffic', search: { categories: ['street'] } }));
  expect(response.status).toBe(200);
  const body = await json<{ videoId: string; times: number[]; scores: number[]; rawScores: number[]; threshold: number }>(response);
  expect(body.videoId).toBe('traffic');
  expect(body.times).toEqual(Array.from({ length: 15 }, (_, i) => i));
  const peak = body.scores.indexOf(Math.max(...body.scores));
  expect(peak).toBeGreaterThanOrEqual(5);
  expect(peak).toBeLessThanOrEqual(9);
  expect(body.scores.filter((score) => score >= body.threshold).length).toBeGreaterThanOrEqual(4);
  // Local mode keeps the raw embeddings: the raw curve is sharp where the smoothed one ramps across the cuts.
  expect(body.rawScores).toHaveLength(15);
  expect(body.rawScores.slice(5, 10).every((score) => score > 0.99)).toBe(true);
  expect(body.rawScores[4]).toBeLessThan(0.1);
  expect(body.scores[4]).toBeGreaterThan(body.rawScores[4] + 0.2);

  expect((await post('/timeline', JSON.stringify({ query: { text: 'red' }, videoId: 'nope' }))).status).toBe(404);
  const bad = await post('/timeline', JSON.stringify({ query: {}, videoId: 'traffic' }));
  expect(bad.status).toBe(400);
  expect((await json<ErrorJson>(bad)).error.field).toBe('query.text');
});

test('/thumbnails/{id}/{ms}.jpg extracts a frame once, then serves it from the cache', async () => {
  const urls = ['/thumbnails/traffic/7000.jpg', '/thumbnails/traffic/7000.jpg', '/thumbnails/traffic/7000.jpg'];
  const answers = await Promise.all(urls.map((url) => fetch(server.url + url)));
  const bodies = await Promise.all(answers.map(async (answer) => Buffer.from(await answer.arrayBuffer())));
  for (const [i, answer] of answers.entries()) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect([...bodies[i].subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  }
  const cached = path.join(data, 'thumbnails', 'traffic', '7000.jpg');
  expect(await readFile(cached)).toEqual(bodies[0]);
  const { mtimeMs } = await stat(cached);
  const again = await fetch(`${server.url}/thumbnails/traffic/7000.jpg`);
  expect(Buffer.from(await again.arrayBuffer())).toEqual(bodies[0]);
  expect((await stat(cached)).mtimeMs).toBe(mtimeMs);

  const yellow = await sharp(bodies[0]).resize(1, 1).raw().toBuffer();
  expect(yellow[0]).toBeGreaterThan(200); // the frame at 7 s is yellow: red and green high, blue low
  expect(yellow[2]).toBeLessThan(60);
  expect((await sharp(bodies[0]).metadata()).width).toBe(320);

  const missing = await fetch(`${server.url}/thumbnails/nope/1000.jpg`);
  expect(missing.status).toBe(404);
  expect((await json<ErrorJson>(missing)).error.code).toBe('video_not_found');
  const pastTheEnd = await fetch(`${server.url}/thumbnails/traffic/15000.jpg`);
  expect(pastTheEnd.status).toBe(404);
  expect((await json<ErrorJson>(pastTheEnd)).error.code).toBe('no_frame');
  expect((await fetch(`${server.url}/thumbnails/traffic/-5.jpg`)).status).toBe(404);
});

test('the search page is served from / with its files, and nothing outside them', async () => {
  const page = await fetch(`${server.url}/`);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await page.text()).toContain('<title>Video search</title>');
  const script = await fetch(`${server.url}/app.js`);
  expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(await (await fetch(`${server.url}/config.json`)).json()).toMatchObject({ apiBase: '' });
  for (const outside of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/README.md', '/search']) {
    expect((await fetch(server.url + outside)).status).toBeGreaterThanOrEqual(404);
  }
});
