import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import type { EmbedderServer, EmbedderServerOptions } from '../../containers/embedder/app';
import type { ServedModel } from '../../containers/embedder/model';
import { fuseQuery } from '../../lib/core/query';
import type { FrameVector } from '../../lib/core/types';
import { embedVideo } from '../../lib/embed-video';
import { readImage } from '../../lib/embedder/image-file';
import { decodeFrameEmbeddings, FRAME_EMBEDDINGS_CONTENT_TYPE } from '../../lib/frame-embeddings-format';
import { indexVideo } from '../../lib/indexer';
import { MAX_IMAGE_BYTES, QUERY_ENDPOINT_MAX_BODY_BYTES } from '../../lib/query-encoder';
import { makeColourVideo } from '../../lib/sample-videos';
import { openLocalStore } from '../../lib/store/open-local-store';
import { REPO_ROOT } from '../helpers/cli';
import { startEmbedderApp } from '../helpers/embedder-app';
import { fixtureServedModel } from '../helpers/fixture-model';
import { httpRequest, postJson, type HttpAnswer } from '../helpers/http-request';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../helpers/local-s3';
import { losslessVideoOf, noisePng } from '../helpers/pictures';
import { startStaticServer, type StaticServer } from '../helpers/static-server';

jest.setTimeout(120_000);

const run = promisify(execFile);
const ffmpeg = (args: string[]) => run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);

let work: string;
let videos: string;
let served: ServedModel;
let modelDir: string;
let s3: LocalS3;
let web: StaticServer;
const servers: EmbedderServer[] = [];
/** The local server (ALLOW_LOCAL_SOURCES), as tests run it; `strict` refuses local sources, as deployed. */
let local: string;
let strict: string;
const logs: string[] = [];

async function start(options: Partial<EmbedderServerOptions> = {}): Promise<string> {
  const app = await startEmbedderApp({
    model: Promise.resolve(served),
    sources: { s3: s3.client, allowLocal: true },
    log: (line) => logs.push(line),
    ...options,
  });
  servers.push(app);
  return app.url;
}

const invoke = (base: string, body: unknown) => postJson(`${base}/invocations`, body);

function expectError(answer: HttpAnswer, status: number, code: string, message?: RegExp): void {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: 'application/json' });
  expect(answer.json).toEqual({ error: { code, message: expect.any(String) } });
  const text = (answer.json as { error: { message: string } }).error.message;
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
  if (message) expect(text).toMatch(message);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, v, i) => sum + v * b[i], 0);
const rows = (frames: FrameVector[]) => frames.map((frame) => Array.from(frame.vector));
const embedding = (answer: HttpAnswer) => (answer.json as { embedding: number[] }).embedding;

async function solidPng(rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'embedder-server-'));
  videos = path.join(work, 'videos');
  await mkdir(videos);
  const video = (name: string) => path.join(videos, name);
  await Promise.all([
    makeColourVideo(video('six.mp4'), [
      { colour: 'red', durationSec: 2 },
      { colour: 'blue', durationSec: 2 },
      { colour: 'green', durationSec: 2 },
    ]),
    ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', video('audio.m4a')]),
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=4', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', video('gop.mp4')]),
    writeFile(video('garbage.mp4'), 'not a video at all\n'),
  ]);
  // The index at the front still describes the whole video; the data stops at 60 %: probing works, decoding fails.
  const whole = await readFile(video('gop.mp4'));
  await writeFile(video('cut.mp4'), whole.subarray(0, Math.round(whole.length * 0.6)));

  let model: Awaited<ReturnType<typeof fixtureServedModel>>;
  [model, s3, web] = await Promise.all([
    fixtureServedModel(work),
    startLocalS3(path.join(work, 's3'), ['videos']),
    startStaticServer(videos),
  ]);
  ({ served, dir: modelDir } = model);
  for (const [key, file] of [
    ['six.mp4', 'six.mp4'],
    ['clips/my vidéo+1.mp4', 'six.mp4'],
    ['audio.m4a', 'audio.m4a'],
    ['garbage.mp4', 'garbage.mp4'],
    ['cut.mp4', 'cut.mp4'],
  ]) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'videos', Key: key, Body: await readFile(video(file)) }));
  }
  [local, strict] = await Promise.all([start(), start({ sources: { s3: s3.client, allowLocal: false } })]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.drain()));
  await Promise.all([s3?.close(), web?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('GET /ping', () => {
  it('answers 503 while the model loads and 200 once it is loaded; invocations wait for it too', async () => {
    let loaded!: (model: ServedModel) => void;
    const base = await start({ model: new Promise<ServedModel>((resolve) => (loaded = resolve)) });
    expectError(await httpRequest(`${base}/ping`), 503, 'not_ready', /loading/);
    expectError(await invoke(base, { text: 'red' }), 503, 'not_ready');
    loaded(served);
    await new Promise((resolve) => setImmediate(resolve));
    const ping = await httpRequest(`${base}/ping`);
    expect(ping.status).toBe(200);
    expect((await invoke(base, { text: 'red' })).status).toBe(200);
  });

  it('stays 503 with the reason when the model fails to load', async () => {
    const base = await start({ model: Promise.reject(new Error('Model directory "/x" is missing config.json.')) });
    expectError(await httpRequest(`${base}/ping`), 503, 'not_ready', /failed to load: Model directory "\/x" is missing config\.json/);
  });
});

describe('queries', () => {
  it('embeds a text as the unit-length vector of the embedder', async () => {
    const answer = await invoke(local, { text: 'red' });
    expect(answer.status).toBe(200);
    const [text] = await served.embedder.embedTexts(['red']);
    expect(answer.json).toEqual({ model: served.name, dim: 32, embedding: Array.from(fuseQuery({ text })), truncated: false });
    expect(dot(embedding(answer), embedding(answer))).toBeCloseTo(1, 6);
  });

  it('embeds an image (base64 PNG) close to the text of its colour', async () => {
    const png = await solidPng([0, 0, 255]);
    const answer = await invoke(local, { image: png.toString('base64') });
    expect(answer.status).toBe(200);
    const [image] = await served.embedder.embedImages([await readImage(png)]);
    expect(embedding(answer)).toEqual(Array.from(fuseQuery({ image })));
    const [blue, red] = await served.embedder.embedTexts(['blue', 'red']);
    expect(dot(embedding(answer), blue)).toBeGreaterThan(dot(embedding(answer), red));
  });

  it('embeds a wide image as it embeds a lossless video frame of it: one geometry for queries and frames', async () => {
    const png = path.join(work, 'noise.png');
    await writeFile(png, await noisePng(5));
    await losslessVideoOf(png, path.join(work, 'noise.mkv'));
    const [frame] = (await embedVideo(path.join(work, 'noise.mkv'), served.embedder, { sampling: { fps: 1 } })).frames;
    const answer = await invoke(local, { image: (await readFile(png)).toString('base64') });
    expect(answer.status).toBe(200);
    const worst = Math.max(...embedding(answer).map((v, i) => Math.abs(v - frame.vector[i])));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('fuses text and image with the image weight', async () => {
    const png = await solidPng([255, 0, 0]);
    const answer = await invoke(local, { text: 'green', image: png.toString('base64'), imageWeight: 0.25 });
    expect(answer.status).toBe(200);
    const [text] = await served.embedder.embedTexts(['green']);
    const [image] = await served.embedder.embedImages([await readImage(png)]);
    expect(embedding(answer)).toEqual(Array.from(fuseQuery({ text, image, imageWeight: 0.25 })));
  });

  it('embeds a text over the token limit truncated, and says so', async () => {
    const long = `red ${'blue '.repeat(100)}`;
    const answer = await invoke(local, { text: long });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ truncated: true, dim: 32 });
    expect(served.textTokens.limit).toBe(77);
  });
});

describe('video jobs', () => {
  let expected: FrameVector[];

  beforeAll(async () => {
    ({ frames: expected } = await embedVideo(path.join(videos, 'six.mp4'), served.embedder, { sampling: { fps: 1 } }));
  });

  const job = async (base: string, manifest: object) => {
    const answer = await invoke(base, manifest);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(FRAME_EMBEDDINGS_CONTENT_TYPE);
    return decodeFrameEmbeddings(answer.body);
  };

  it('reads a video from S3 and answers with the raw frame embeddings the local pipeline computes, and its shots', async () => {
    const { header, frames } = await job(local, { videoId: 'six', video: 's3://videos/six.mp4', fps: 1 });
    const cuts = [2, 4].map((time) => ({ time, kind: 'cut' }));
    expect(header).toEqual({ videoId: 'six', model: served.name, dim: 32, fps: 1, durationSec: 6, shots: { threshold: 10, boundaries: cuts } });
    expect(frames.map((frame) => frame.time)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(frames)).toEqual(rows(expected));
    // And the vectors mean what they should: red, red, blue, blue, green, green.
    const words = ['red', 'blue', 'green'];
    const texts = await served.embedder.embedTexts(words);
    const nearest = frames.map(({ vector }) => words[texts.reduce((best, t, i) => (dot(vector, t) > dot(vector, texts[best]) ? i : best), 0)]);
    expect(nearest).toEqual(['red', 'red', 'blue', 'blue', 'green', 'green']);
  });

  it('takes an S3 key as written, spaces and non-ASCII included; 1 fps is the default', async () => {
    const { frames } = await job(local, { videoId: 'spaces', video: 's3://videos/clips/my vidéo+1.mp4' });
    expect(rows(frames)).toEqual(rows(expected));
  });

  it('reads a video from an http URL when local sources are allowed, with the same vectors as the local indexer', async () => {
    const { frames } = await job(local, { videoId: 'six', video: `${web.url}/six.mp4` });
    expect(frames.map((frame) => frame.time)).toEqual([0, 1, 2, 3, 4, 5]);

    // What `vsearch index` keeps as raw embeddings for the same file: the indexer runs the same embedVideo.
    const store = await openLocalStore(path.join(videos, 'local-store'));
    const deps = { embedder: served.embedder, catalog: store.catalog, frames: store.frames, transcripts: store.transcripts, raw: store.raw };
    await indexVideo({ path: path.join(videos, 'six.mp4') }, deps, { sampling: { fps: 1 }, smoothing: false, shots: false });
    const stored = (await store.raw.get('six')) ?? [];
    store.close();
    expect(rows(frames)).toEqual(rows(stored));
  });

  it('embeds only a time range, on the whole video grid, and records the range', async () => {
    const { header, frames } = await job(local, { videoId: 'six', video: 's3://videos/six.mp4', fps: 1, startSec: 2, endSec: 4, shotThreshold: 20 });
    expect(header).toMatchObject({ startSec: 2, endSec: 4, durationSec: 6, shots: { threshold: 20, boundaries: [{ time: 2, kind: 'cut' }] } });
    expect(frames.map((frame) => frame.time)).toEqual([2, 3]);
    expect(rows(frames)).toEqual(rows(expected.slice(2, 4)));
  });

  it('samples every N-th frame and reports the resulting rate; an endSec past the end stops at the end', async () => {
    const { header, frames } = await job(local, { videoId: 'six', video: 's3://videos/six.mp4', everyNth: 50, startSec: 3.5, endSec: 60 });
    expect(header.fps).toBe(0.5);
    // Every 50th frame of 25 fps, counted from the first at or after 3.5 s (3.52 s).
    expect(frames.map((frame) => Math.round(frame.time * 100))).toEqual([352, 552]);
  });

  it('writes a JPEG of every embedded frame (the model input crop) to the thumbnails destination', async () => {
    const { frames } = await job(local, { videoId: 'six', video: 's3://videos/six.mp4', startSec: 1, endSec: 4, thumbnails: 's3://videos/thumbnails/' });
    expect(frames.map((frame) => frame.time)).toEqual([1, 2, 3]);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'videos', Prefix: 'thumbnails/' }));
    expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual(['thumbnails/six/1000.jpg', 'thumbnails/six/2000.jpg', 'thumbnails/six/3000.jpg']);
    const get = await s3.client.send(new GetObjectCommand({ Bucket: 'videos', Key: 'thumbnails/six/2000.jpg' }));
    const jpeg = Buffer.from(await get.Body!.transformToByteArray());
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const { info, data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([served.embedder.geometry.width, served.embedder.geometry.height]);
    // The frame at 2 s is blue.
    const mean = [0, 1, 2].map((c) => data.filter((_, i) => i % 3 === c).reduce((sum, v) => sum + v, 0) / (data.length / 3));
    expect(mean[2]).toBeGreaterThan(mean[0] + 100);
  });

  it('answers concurrent queries and jobs, each correctly', async () => {
    const words = ['red', 'green', 'blue', 'yellow', 'white', 'black'];
    const [answers, jobs] = await Promise.all([
      Promise.all(words.map((text) => invoke(local, { text }))),
      Promise.all([
        job(local, { videoId: 'a', video: 's3://videos/six.mp4' }),
        job(local, { videoId: 'b', video: `${web.url}/six.mp4`, startSec: 4 }),
      ]),
    ]);
    const texts = await served.embedder.embedTexts(words);
    answers.forEach((answer, i) => expect(embedding(answer)).toEqual(Array.from(fuseQuery({ text: texts[i] }))));
    expect(rows(jobs[0].frames)).toEqual(rows(expected));
    expect(jobs[1].header.videoId).toBe('b');
    expect(rows(jobs[1].frames)).toEqual(rows(expected.slice(4)));
  });
});

describe('a caller that goes away', () => {
  it('stops its job', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = await startStaticServer(videos, () => released);
    const seen = (event: string) => logs.some((line) => (JSON.parse(line) as { event: string; videoId?: string }).event === event && line.includes('"gone"'));
    try {
      const request = http.request(`${local}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, agent: false });
      request.on('error', () => {});
      request.end(JSON.stringify({ videoId: 'gone', video: `${slow.url}/six.mp4` }));
      while (!seen('video_job_started')) await new Promise((resolve) => setTimeout(resolve, 20));
      const before = logs.length;
      request.destroy();
      release();
      while (!logs.slice(before).some((line) => line.includes('request_abandoned'))) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen('video_job_done')).toBe(false);
    } finally {
      release();
      await slow.close();
    }
  });
});

describe('sources a deployed container refuses', () => {
  it.each([
    ['an http URL (only https)', () => `${web.url}/six.mp4`],
    ['https to loopback', () => 'https://127.0.0.1/six.mp4'],
    ['https to a name resolving to loopback', () => 'https://localhost/six.mp4'],
    ['the metadata service', () => 'https://169.254.169.254/latest/meta-data/'],
    ['a private address', () => 'https://10.1.2.3/six.mp4'],
    ['an IPv4-mapped IPv6 private address', () => 'https://[::ffff:192.168.0.1]/six.mp4'],
    ['IPv6 loopback', () => 'https://[::1]/six.mp4'],
    ['a decimal-encoded loopback address', () => 'https://2130706433/six.mp4'],
    ['a local file', () => 'file:///etc/passwd'],
    ['another scheme', () => 'ftp://example.com/six.mp4'],
    ['credentials in the URL', () => 'https://user:secret@example.com/six.mp4'],
    ['something that is not a URL', () => 'six.mp4'],
  ])('%s', async (_, video) => {
    expectError(await invoke(strict, { videoId: 'x', video: video() }), 403, 'source_refused');
  });

  it('still reads S3 (its endpoint is configuration, not the request)', async () => {
    expect((await invoke(strict, { videoId: 'six', video: 's3://videos/six.mp4' })).status).toBe(200);
  });
});

describe('bad requests', () => {
  const post = (body: string | Buffer, type?: string) =>
    httpRequest(`${local}/invocations`, { headers: type ? { 'Content-Type': type } : {}, body });

  it.each([
    ['no Content-Type', () => post('{"text":"red"}'), 415, 'unsupported_media_type', /application\/json, got none/],
    ['another Content-Type', () => post('{"text":"red"}', 'text/plain'), 415, 'unsupported_media_type', /got text\/plain/],
    ['a body that is not JSON', () => post('{"text":', 'application/json; charset=utf-8'), 400, 'bad_request', /not valid JSON/],
    ['neither text nor image', () => invoke(local, {}), 400, 'bad_request', /give text, image or both/],
    ['an empty text', () => invoke(local, { text: '  ' }), 400, 'bad_request', /^text: must not be empty/],
    ['an unknown field', () => invoke(local, { text: 'red', k: 3 }), 400, 'bad_request', /^unknown field "k"$/],
    ['a text that is not a string', () => invoke(local, { text: 3 }), 400, 'bad_request', /^text: /],
    ['an image weight out of range', () => invoke(local, { text: 'red', image: '', imageWeight: 2 }), 400, 'bad_request', /^imageWeight: /],
    ['an image that is not base64', () => invoke(local, { image: 'data:image/png;base64,AAAA' }), 400, 'bad_request', /^image: must be standard base64/],
    ['an image that is not an image', () => invoke(local, { image: Buffer.from('hello').toString('base64') }), 400, 'bad_request', /^image: Not an image/],
    ['a job without videoId', () => invoke(local, { video: 's3://videos/six.mp4' }), 400, 'bad_request', /^videoId: /],
    ['a job with an unknown field', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', text: 'red' }), 400, 'bad_request', /^unknown field "text"$/],
    ['a job with fps and everyNth', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', fps: 1, everyNth: 2 }), 400, 'bad_request', /exactly one of fps or everyNth/],
    ['a job with fps 0', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', fps: 0 }), 400, 'bad_request', /fps must be a number > 0/],
    ['a job whose range ends before it starts', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', startSec: 3, endSec: 2 }), 400, 'bad_request', /^endSec: must be after startSec/],
    ['a job with thumbnails that are not an s3:// prefix', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', thumbnails: 'https://example.com/thumbs/' }), 400, 'bad_request', /^thumbnails: must be an s3:\/\/bucket\/prefix\//],
    ['a job with a thumbnails prefix not ending in /', () => invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', thumbnails: 's3://videos/thumbs' }), 400, 'bad_request', /^thumbnails: /],
    ['a method other than POST', () => httpRequest(`${local}/invocations`), 405, 'method_not_allowed', /POST/],
    ['an unknown path', () => httpRequest(`${local}/models`), 404, 'not_found', /\/ping or POST \/invocations/],
  ] as const)('%s', async (_, send, status, code, message) => {
    expectError(await send(), status, code, message);
  });

  it('an image one byte over the limit once decoded: 413 naming the limit', async () => {
    const image = Buffer.alloc(MAX_IMAGE_BYTES + 1, 1).toString('base64');
    expectError(await invoke(local, { image }), 413, 'payload_too_large', new RegExp(`image is ${MAX_IMAGE_BYTES + 1} bytes, over the limit of ${MAX_IMAGE_BYTES}`));
  });

  it('a body declared over the serverless endpoint\'s 4 MB: 413 before it is read, and the connection closes', async () => {
    const answer = await httpRequest(`${local}/invocations`, {
      headers: { 'Content-Type': 'application/json', 'Content-Length': QUERY_ENDPOINT_MAX_BODY_BYTES + 1 },
      body: '',
    }).catch((error: unknown) => error);
    expectError(answer as HttpAnswer, 413, 'payload_too_large', new RegExp(`over ${QUERY_ENDPOINT_MAX_BODY_BYTES} bytes`));
    expect((answer as HttpAnswer).headers.connection).toBe('close');
  });
});

describe('videos that cannot be embedded', () => {
  it.each([
    ['a missing S3 object', 's3://videos/missing.mp4', 422, 'video_unreadable', /not a readable video/],
    ['a missing http file', 'PLACEHOLDER/missing.mp4', 422, 'video_unreadable', /404/],
    ['a redirect (not followed)', 'PLACEHOLDER/redirect/six.mp4', 422, 'video_unreadable', /not a readable video/],
    ['a file that is not a video', 's3://videos/garbage.mp4', 422, 'video_unreadable', /not a readable video/],
    ['an audio-only file', 's3://videos/audio.m4a', 422, 'no_video_stream', /no video stream/],
    ['data cut off mid-stream', 's3://videos/cut.mp4', 422, 'video_corrupt', /corrupt|[Ii]nvalid/],
  ])('%s', async (_, video, status, code, message) => {
    const answer = await invoke(local, { videoId: 'x', video: video.replace('PLACEHOLDER', web.url) });
    expectError(answer, status, code, message);
    expect(answer.body.toString()).not.toMatch(/X-Amz-|Signature/); // a presigned URL's query never leaks
  });

  it('a range that starts after the end of the video', async () => {
    const answer = await invoke(local, { videoId: 'x', video: 's3://videos/six.mp4', startSec: 6 });
    expectError(answer, 422, 'range_outside_video', /range starts at 6 s, not before the end of the video \(6 s\)/);
  });

  it('logs each failed invocation as one JSON line', () => {
    const failures = logs.map((line) => JSON.parse(line) as { event: string; code?: string }).filter((e) => e.event === 'request_error');
    expect(failures.map((e) => e.code)).toEqual(expect.arrayContaining(['video_corrupt', 'no_video_stream', 'source_refused']));
  });
});

describe('the server process (npm run embedder / docker run <image> serve)', () => {
  it('takes its settings from the environment, and on SIGTERM finishes the job in flight, then exits 0', async () => {
    // A video host that holds every request until released: the job is surely in flight when the signal comes.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = await startStaticServer(videos, () => released);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'containers/embedder/server.ts'), 'serve'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        MODEL_ID: modelDir,
        MODEL_NAME: 'fixture-clip',
        BATCH_SIZE: '4',
        ALLOW_LOCAL_SOURCES: '1',
        S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events: { event: string; port?: number; videoId?: string }[] = [];
    let arrived = () => {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      events.push(JSON.parse(line));
      arrived();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const next = async (name: string, videoId?: string) => {
      const match = (e: (typeof events)[number]) => e.event === name && (videoId === undefined || e.videoId === videoId);
      while (!events.some(match)) await new Promise<void>((resolve) => (arrived = resolve));
      return events.find(match)!;
    };
    try {
      const base = `http://127.0.0.1:${(await next('listening')).port}`;
      await next('model_loaded');
      expect((await httpRequest(`${base}/ping`)).json).toEqual({ status: 'ok', model: 'fixture-clip' });
      const fromS3 = decodeFrameEmbeddings((await invoke(base, { videoId: 'six', video: 's3://videos/six.mp4' })).body);
      expect(fromS3.header.model).toBe('fixture-clip');
      expect(fromS3.frames).toHaveLength(6);

      const job = invoke(base, { videoId: 'held', video: `${slow.url}/six.mp4`, fps: 2 });
      await next('video_job_started', 'held');
      child.kill('SIGTERM');
      await next('draining');
      // New connections are refused (reset, when one reaches the backlog as the listening socket closes).
      await expect(httpRequest(`${base}/ping`)).rejects.toMatchObject({ code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/) });
      release();
      const answer = await job;
      expect(answer.status).toBe(200);
      expect(decodeFrameEmbeddings(answer.body).frames).toHaveLength(12);
      expect(await exited).toBe(0);
      expect(events.map((e) => e.event).slice(-3)).toEqual(['video_job_started', 'draining', 'video_job_done']);
    } finally {
      child.kill('SIGKILL');
      release();
      await slow.close();
    }
  });

  it('refuses a bad setting with one line and exit code 2', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'containers/embedder/server.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEVICE: 'tpu' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/^embedder: bad setting DEVICE: .*\n$/) });
  });

  // SageMaker does not tell a container its region reliably (the models pass AWS_REGION): without a region the server
  // stops at start, before /ping could say healthy, instead of failing every job at its first S3 call.
  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('refuses to start without an AWS region (AWS_REGION %s, no profile) with one line and exit code 2', async (_, region) => {
    const { AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE, ...inherited } = process.env;
    const env = {
      ...inherited,
      MODEL_ID: path.join(work, 'model'),
      AWS_CONFIG_FILE: path.join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'),
      ...(region === undefined ? {} : { AWS_REGION: region }),
    };
    const result = await run(process.execPath, ['--import', 'tsx', 'containers/embedder/server.ts', 'serve'], { cwd: REPO_ROOT, env })
      .catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'embedder: no AWS region: set AWS_REGION (the SageMaker models set it in their Environment)\n',
    });
  });
});
