import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, AppSyncResolverEvent, Context } from 'aws-lambda';
import type { ServedModel } from '../../containers/embedder/model';
import type { VideoRecord } from '../../lib/core/types';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import { ensureFramesIndex, ensureTranscriptsIndex } from '../../lib/store/opensearch-mapping';
import { Client } from '@opensearch-project/opensearch';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { startSageMakerRuntimeDouble, type SageMakerRuntimeDouble } from '../doubles/sagemaker-runtime-server';
import { colourFrames, colourPng } from '../helpers/colour-frames';
import { startEmbedderApp, type RunningEmbedder } from '../helpers/embedder-app';
import { fixtureServedModel } from '../helpers/fixture-model';
import { postJson } from '../helpers/http-request';
import { startLocalDynamoDb, type LocalDynamoDb } from '../helpers/local-dynamodb';
import { BAD_SEARCH_REQUESTS } from '../helpers/bad-search-requests';

jest.setTimeout(60_000);

const TABLE = 'videos';
const INDEX = 'frames';
/** The name the query endpoint's container answers with, and the deployment's EMBEDDING_MODEL. */
const MODEL = 'fixture-clip';
const ENDPOINT = 'query-endpoint';

let work: string;
let aoss: AossDouble;
let dynamo: LocalDynamoDb;
let served: ServedModel;
let frameIndex: OpenSearchFrameIndex;
let videoCatalog: DynamoCatalog;
/** The embedder container (containers/embedder/app.ts) with the fixture model, as the real-time endpoint runs it. */
const containers: RunningEmbedder[] = [];
/** SageMaker Runtime in front of it: the search function's real SageMakerRuntimeClient calls this. */
let runtime: SageMakerRuntimeDouble;
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;

async function container(model: Promise<ServedModel>): Promise<string> {
  // Queries never read a video: the S3 client is there because the app takes one.
  const app = await startEmbedderApp({ model, sources: { s3: new S3Client({ region: 'us-east-1' }), allowLocal: false }, log: () => {} });
  containers.push(app);
  return app.url;
}

function videoRecord(id: string, category: string, frames: number): VideoRecord {
  const now = new Date().toISOString();
  return {
    id,
    title: id.replace(/-/g, ' '),
    source: `s3://videos-bucket/videos/${id}.mp4`,
    category,
    tags: ['demo'],
    durationSec: frames,
    fps: 1,
    model: MODEL,
    dim: 32,
    frames,
    status: 'READY',
    createdAt: now,
    updatedAt: now,
  };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'search-fn-'));
  ({ served } = await fixtureServedModel(work, MODEL));
  const loading = new Promise<ServedModel>(() => {});
  runtime = await startSageMakerRuntimeDouble({
    endpoints: {
      [ENDPOINT]: await container(Promise.resolve(served)),
      // Its container has not loaded its model yet (it answers 503 not_ready).
      'waking-endpoint': await container(loading),
      // Its container serves another model than the deployment is configured for.
      'other-model-endpoint': await container(Promise.resolve({ ...served, name: 'another-model' })),
    },
  });

  aoss = await startAossDouble();
  dynamo = await startLocalDynamoDb({ [TABLE]: 'id' });
  const client = new Client({ node: aoss.url });
  await ensureFramesIndex(client, { index: INDEX, dim: 32 });
  await ensureTranscriptsIndex(client, { index: 'transcripts' });
  const index = (frameIndex = new OpenSearchFrameIndex(client, { index: INDEX, visibility: { pollMs: 10 } }));
  const catalog = (videoCatalog = new DynamoCatalog(dynamo.client, TABLE));
  const videos: [string, string, [string, number][]][] = [
    ['traffic-lights', 'street', [['red', 5], ['yellow', 5], ['green', 5]]],
    ['blue-sky', 'nature', [['blue', 6], ['white', 4]]],
  ];
  for (const [id, category, segments] of videos) {
    const frames = await colourFrames(served.embedder, segments);
    const record = videoRecord(id, category, frames.length);
    // As the pipeline does: the catalog names the run that holds the frames (search keeps to it).
    await catalog.put({ ...record, runId: await index.replaceRun(record, frames) });
  }

  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: runtime.url,
    QUERY_ENDPOINT_NAME: ENDPOINT,
    EMBEDDING_MODEL: MODEL,
    EMBEDDING_DIM: '32',
    VIDEOS_TABLE: TABLE,
    COLLECTION_ENDPOINT: aoss.url,
    FRAMES_INDEX: INDEX,
    TRANSCRIPTS_INDEX: 'transcripts',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  handler = (await import('../../functions/search/handler')).handler as unknown as Handler;
});

beforeEach(() => runtime.reset());

afterAll(async () => {
  await Promise.all(containers.map((app) => app.drain()));
  await Promise.all([runtime?.close(), aoss?.close(), dynamo?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const context = {} as Context;

function restEvent(method: string, route: string, body?: unknown): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path: route,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    headers: { 'content-type': 'application/json' },
  } as unknown as APIGatewayProxyEvent;
}

async function rest(method: string, route: string, body?: unknown, fn = handler) {
  const result = (await fn(restEvent(method, route, body), context)) as APIGatewayProxyResult;
  return { ...result, json: JSON.parse(result.body) };
}

/** One request to a fresh instance of the function (a new Lambda container) deployed with `env` changed. */
async function restOnFreshFunction(env: Record<string, string>, method: string, route: string, body?: unknown) {
  jest.resetModules();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const fresh = (await import('../../functions/search/handler')).handler as unknown as Handler;
    return await rest(method, route, body, fresh);
  } finally {
    process.env = saved;
  }
}

/** What the endpoint's container got and answered, one entry per InvokeEndpoint call. */
const calls = () => runtime.invocations.map(({ endpointName, status, errorType, containerStatus }) => ({ endpointName, status, errorType, containerStatus }));

function appSyncEvent(fieldName: string, args: Record<string, unknown>): AppSyncResolverEvent<Record<string, unknown>> {
  return { arguments: args, info: { fieldName, parentTypeName: 'Query' } } as unknown as AppSyncResolverEvent<Record<string, unknown>>;
}

const graphql = (fieldName: string, args: Record<string, unknown> = {}) => handler(appSyncEvent(fieldName, args), context);

test('REST POST /search: clips ranked, playable through a presigned URL with a media fragment', async () => {
  const { statusCode, headers, json } = await rest('POST', '/search', { text: 'a red screen' });
  expect(statusCode).toBe(200);
  expect(headers?.['access-control-allow-origin']).toBe('*');
  const [top] = json.clips;
  expect(top).toMatchObject({ videoId: 'traffic-lights', title: 'traffic lights', category: 'street', tags: ['demo'] });
  expect(top.start).toBeLessThanOrEqual(1);
  expect(Math.abs(top.end - 5)).toBeLessThanOrEqual(1);
  const url = new URL(top.playbackUrl);
  expect(url.pathname).toBe('/videos/traffic-lights.mp4');
  expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
  expect(url.hash).toBe(`#t=${top.start},${top.end}`);
  // The thumbnail the embedder container wrote for the clip's best frame (a sampled frame), in the video's bucket.
  const thumbnail = new URL(top.thumbnailUrl);
  expect(thumbnail.origin).toBe(url.origin);
  expect(thumbnail.pathname).toBe(`/thumbnails/traffic-lights/${Math.round(top.bestTime * 1000)}.jpg`);
  expect(thumbnail.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  expect(thumbnail.searchParams.get('X-Amz-Expires')).toBe('3600');
  expect(json.clips.every((clip: { videoId: string; thumbnailUrl: string }) => new URL(clip.thumbnailUrl).pathname.startsWith(`/thumbnails/${clip.videoId}/`))).toBe(true);

  // One InvokeEndpoint call on the configured endpoint, the query as the container's contract has it.
  expect(calls()).toEqual([{ endpointName: ENDPOINT, status: 200, containerStatus: 200 }]);
  const [sent] = runtime.invocations;
  expect({ contentType: sent.contentType, accept: sent.accept }).toEqual({ contentType: 'application/json', accept: 'application/json' });
  expect(JSON.parse(sent.body.toString('utf8'))).toEqual({ text: 'a red screen' });
});

test('filters go inside the knn clause, so a filtered video far from the query still answers', async () => {
  const before = aoss.requests.length;
  const { json } = await rest('POST', '/search', { text: 'red', videoIds: ['blue-sky'], categories: ['nature'], k: 5 });
  expect(json.clips.length).toBeGreaterThan(0);
  expect(json.clips.every((clip: { videoId: string }) => clip.videoId === 'blue-sky')).toBe(true);

  // The search's k-NN request comes first; the clip growth's filtered reads follow it.
  const searches = aoss.requests.slice(before).filter((r) => r.path.endsWith('/_search') && JSON.stringify(r.body).includes('"knn"'));
  const body = searches[0].body as { query: Record<string, unknown> };
  expect(Object.keys(body.query)).toEqual(['knn']);
  const knn = (body.query.knn as { embedding: { k: number; filter: { bool: { filter: unknown[] } } } }).embedding;
  expect(knn.k).toBe(5);
  expect(knn.filter.bool.filter).toEqual(
    expect.arrayContaining([{ terms: { video_id: ['blue-sky'] } }, { terms: { category: ['nature'] } }]),
  );
});

test('an image query (base64) is sent to the endpoint and finds the right video', async () => {
  const png = await colourPng('#0000ff');
  const { statusCode, json } = await rest('POST', '/search', { image: png.toString('base64') });
  expect(statusCode).toBe(200);
  expect(json.clips[0].videoId).toBe('blue-sky');
  expect(JSON.parse(runtime.invocations[0].body.toString('utf8'))).toEqual({ image: png.toString('base64') });
});

test.each(BAD_SEARCH_REQUESTS)('REST bad request: $name → $status $code', async (bad) => {
  const { statusCode, json, body } = await rest('POST', '/search', bad.body);
  expect(statusCode).toBe(bad.status);
  expect(json.error.code).toBe(bad.code);
  expect(json.error.message).toMatch(bad.message);
  if (bad.field) expect(json.error.field).toBe(bad.field);
  expect(body).not.toMatch(/\n\s+at /);
});

test('GET /videos and /videos/{id}; unknown id → 404', async () => {
  const list = await rest('GET', '/videos');
  expect(list.json.videos.map((v: { id: string }) => v.id).sort()).toEqual(['blue-sky', 'traffic-lights']);
  expect(list.json.videos[0]).not.toHaveProperty('source');
  expect((await rest('GET', '/videos/blue-sky')).json).toMatchObject({ id: 'blue-sky', status: 'READY', frames: 10 });
  const missing = await rest('GET', '/videos/nope');
  expect(missing.statusCode).toBe(404);
  expect(missing.json.error.code).toBe('video_not_found');
});

test('a throttled call is retried by the SDK; throttled on every attempt, or unavailable → 503 with a retry hint', async () => {
  runtime.failNext(1, 'throttling');
  expect((await rest('POST', '/search', { text: 'red' })).statusCode).toBe(200);
  expect(calls().map((call) => call.errorType ?? call.status)).toEqual(['ThrottlingException', 200]);

  runtime.reset();
  runtime.failNext(10, 'throttling');
  const throttled = await rest('POST', '/search', { text: 'red' });
  expect(throttled.statusCode).toBe(503);
  expect(throttled.headers?.['retry-after']).toBe('5');
  expect(throttled.json.error.code).toBe('encoder_unavailable');
  expect(calls().length).toBeGreaterThan(1);
  expect(calls().every((call) => call.errorType === 'ThrottlingException')).toBe(true);

  for (const fault of ['service-unavailable', 'model-not-ready'] as const) {
    runtime.reset();
    runtime.failNext(10, fault);
    const unavailable = await rest('POST', '/search', { text: 'red' });
    expect({ fault, status: unavailable.statusCode, code: unavailable.json.error.code }).toEqual({ fault, status: 503, code: 'encoder_unavailable' });
  }
});

test("a container still loading its model (its 503, as SageMaker's ModelError) → 503 encoder_unavailable", async () => {
  const waking = await restOnFreshFunction({ QUERY_ENDPOINT_NAME: 'waking-endpoint' }, 'POST', '/search', { text: 'red' });
  expect(calls()).toEqual([{ endpointName: 'waking-endpoint', status: 424, errorType: 'ModelError', containerStatus: 503 }]);
  expect(waking.statusCode).toBe(503);
  expect(waking.json.error.code).toBe('encoder_unavailable');
});

test("a query the container refuses → 400 with the container's reason, passed on by SageMaker", async () => {
  const corrupt = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('garbage')]).toString('base64');
  const refused = await rest('POST', '/search', { image: corrupt });
  expect(calls()).toEqual([{ endpointName: ENDPOINT, status: 424, errorType: 'ModelError', containerStatus: 400 }]);
  // What the container itself answers the same body.
  const direct = await postJson(`${containers[0].url}/invocations`, { image: corrupt });
  expect(direct.status).toBe(400);
  const reason = (direct.json as { error: { message: string } }).error.message;
  expect(reason).toMatch(/^image: Not an image/);
  expect(refused.statusCode).toBe(400);
  expect(refused.json.error).toEqual({ code: 'invalid_query', message: reason });
});

test('a container serving another model than the deployment is configured for → 409 model_mismatch', async () => {
  const mismatch = await restOnFreshFunction({ QUERY_ENDPOINT_NAME: 'other-model-endpoint' }, 'POST', '/search', { text: 'red' });
  expect(calls()).toEqual([{ endpointName: 'other-model-endpoint', status: 200, containerStatus: 200 }]);
  expect(mismatch.statusCode).toBe(409);
  expect(mismatch.json.error).toMatchObject({ code: 'model_mismatch', message: expect.stringMatching(/another-model .*fixture-clip/) });
});

test('an unexpected failure (an endpoint name that does not exist) is a plain 500 with no details', async () => {
  const failed = await restOnFreshFunction({ QUERY_ENDPOINT_NAME: 'no-such-endpoint' }, 'POST', '/search', { text: 'red' });
  expect(calls()).toEqual([{ endpointName: 'no-such-endpoint', status: 400, errorType: 'ValidationError', containerStatus: undefined }]);
  expect(failed.statusCode).toBe(500);
  expect(failed.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
});

test('AppSync: search, videos and video fields answer like REST; errors carry the code as errorType', async () => {
  const result = (await graphql('search', { input: { text: 'yellow', image: null, videoIds: null, size: 3 } })) as {
    clips: { videoId: string; start: number; end: number; playbackUrl: string }[];
  };
  expect(result.clips[0].videoId).toBe('traffic-lights');
  expect(Math.abs(result.clips[0].start - 5)).toBeLessThanOrEqual(1);
  expect(result.clips.length).toBeLessThanOrEqual(3);

  const videos = (await graphql('videos')) as { videos: { id: string }[] };
  expect(videos.videos).toHaveLength(2);
  expect(await graphql('video', { id: 'blue-sky' })).toMatchObject({ id: 'blue-sky', frames: 10 });

  await expect(graphql('video', { id: 'nope' })).rejects.toMatchObject({ name: 'video_not_found' });
  await expect(graphql('search', { input: { k: 5 } })).rejects.toMatchObject({ name: 'invalid_request', message: expect.stringMatching(/give text, image, like/) });
  await expect(graphql('search', { input: { text: 'red', k: 5000 } })).rejects.toMatchObject({ name: 'invalid_request', message: expect.stringMatching(/^k:/) });
});

test('REST POST /timeline and GraphQL timeline: exact scores of one video over time', async () => {
  const { statusCode, json } = await rest('POST', '/timeline', { query: { text: 'yellow' }, videoId: 'traffic-lights' });
  expect(statusCode).toBe(200);
  expect(json.times).toEqual(Array.from({ length: 15 }, (_, i) => i));
  const peak = json.scores.indexOf(Math.max(...json.scores));
  expect(peak).toBeGreaterThanOrEqual(5);
  expect(peak).toBeLessThanOrEqual(9);

  const viaGraphql = (await graphql('timeline', { input: { query: { text: 'yellow', image: null }, videoId: 'traffic-lights', search: null } })) as { scores: number[] };
  expect(viaGraphql.scores).toEqual(json.scores);
  await expect(graphql('timeline', { input: { query: { text: 'red' }, videoId: 'nope' } })).rejects.toMatchObject({ name: 'video_not_found' });
});

test('a missing frames index → 503 "index not ready", not the raw OpenSearch error', async () => {
  const result = await restOnFreshFunction({ FRAMES_INDEX: 'no-such-index' }, 'POST', '/search', { text: 'red' });
  expect(result.statusCode).toBe(503);
  expect(result.json.error).toMatchObject({ code: 'index_not_ready', message: expect.stringMatching(/index not ready/) });
});

// A NextGen collection group at 0 OCU scales to zero after 10 idle minutes; the first request after that waits
// 10–30 s (search and indexing wake apart). API Gateway gives up after 29 s: the function answers before that, with
// clips or a 503 `index_waking` the page can wait out, never a 500. Read limit here 500 ms instead of 8 s.
describe('the first search after the collection scaled to zero', () => {
  const LIMIT = { FRAMES_REQUEST_TIMEOUT_MS: '500' };
  const timed = async <T>(call: () => Promise<T>) => {
    const started = Date.now();
    return { result: await call(), ms: Date.now() - started };
  };

  test('a wake within the read limit: answered, late', async () => {
    aoss.goCold({ mode: 'late', delayMs: 300 });
    const { result, ms } = await timed(() => restOnFreshFunction(LIMIT, 'POST', '/search', { text: 'red' }));
    expect(result.statusCode).toBe(200);
    expect(result.json.clips[0].videoId).toBe('traffic-lights');
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  test('a longer wake: 503 index_waking with Retry-After (readable by a page on another origin), in time; then answered', async () => {
    aoss.goCold({ mode: 'late', delayMs: 2000 });
    // Three reads in a row at most, each within the limit.
    const { result: waking, ms } = await timed(() => restOnFreshFunction(LIMIT, 'POST', '/search', { text: 'red' }));
    expect(ms).toBeLessThan(3 * 500 + 400);
    expect(waking.statusCode).toBe(503);
    expect(waking.json.error).toEqual({ code: 'index_waking', message: expect.stringMatching(/waking up/) });
    const retryAfter = Number(waking.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(waking.headers?.['access-control-expose-headers']).toBe('Retry-After');

    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await rest('POST', '/search', { text: 'red' })).statusCode).toBe(200);
  });

  test('a collection that answers 503 while it wakes: 503 index_waking, on REST and GraphQL', async () => {
    // Two for the fresh function's first reads (the index's width and model, at once), one for the GraphQL search.
    aoss.goCold({ mode: '503', requests: 3 }, ['search']);
    const waking = await restOnFreshFunction(LIMIT, 'POST', '/search', { text: 'red' });
    expect([waking.statusCode, waking.json.error.code, waking.headers?.['retry-after']]).toEqual([503, 'index_waking', '30']);
    await expect(graphql('search', { input: { text: 'red' } })).rejects.toMatchObject({ name: 'index_waking' });
    expect((await rest('POST', '/search', { text: 'red' })).statusCode).toBe(200);
  });
});

test('a 200 s scene searched with the default settings (k = 100) is one clip spanning it: clips grow over their scene', async () => {
  const frames = await colourFrames(served.embedder, [['magenta', 200]]);
  const record = videoRecord('long-scene', 'studio', frames.length);
  await videoCatalog.put({ ...record, runId: await frameIndex.replaceRun(record, frames) });
  try {
    const before = aoss.requests.length;
    const { statusCode, json } = await rest('POST', '/search', { text: 'magenta' });
    expect(statusCode).toBe(200);
    expect(json.clips[0]).toMatchObject({ videoId: 'long-scene', start: 0, end: 199, hits: 100 });
    // The growth is one k-NN request filtered to that video and the time windows around its clip, not a scan.
    const reads = aoss.requests.slice(before).filter((r) => JSON.stringify(r.body).includes('"range":{"time"'));
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].body)).toContain('{"term":{"video_id":"long-scene"}}');
  } finally {
    await frameIndex.removeVideo('long-scene');
    await videoCatalog.remove('long-scene');
  }
});
