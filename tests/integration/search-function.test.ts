import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Uint8ArrayBlobAdapter } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, AppSyncResolverEvent, Context } from 'aws-lambda';
import sharp from 'sharp';
import { makeFixtureModel } from '../../scripts/make-fixture-model';
import { TransformersEmbedder } from '../../lib/embedder/transformers-embedder';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { smoothFrames, DEFAULT_SMOOTHING } from '../../lib/core/smoothing';
import type { FrameVector, VideoRecord } from '../../lib/core/types';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import { ensureFramesIndex } from '../../lib/store/opensearch-mapping';
import { Client } from '@opensearch-project/opensearch';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { startLocalDynamoDb, type LocalDynamoDb } from '../helpers/local-dynamodb';
import { BAD_SEARCH_REQUESTS } from '../helpers/bad-search-requests';

jest.setTimeout(60_000);

const TABLE = 'videos';
const INDEX = 'frames';
const sagemaker = mockClient(SageMakerRuntimeClient);

let work: string;
let aoss: AossDouble;
let dynamo: LocalDynamoDb;
let encoder: LocalQueryEncoder;
let model: string;
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;

/** What the real-time endpoint answers: the container's query contract, computed with the fixture model. */
function endpointAnswersWithFixtureModel() {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).callsFake(async (input: { Body: string }) => {
    const body = JSON.parse(input.Body) as { text?: string; image?: string; imageWeight?: number };
    const embedding = await encoder
      .encode({ text: body.text, image: body.image ? Buffer.from(body.image, 'base64') : undefined, imageWeight: body.imageWeight })
      .catch((error: Error) => {
        // What SageMaker makes of the container's 400: a ModelError carrying the container's JSON error.
        const original = JSON.stringify({ error: { code: 'bad_request', message: `image: ${error.message}` } });
        throw Object.assign(new Error('Received client error (400)'), { name: 'ModelError', OriginalStatusCode: 400, OriginalMessage: original });
      });
    return { Body: Uint8ArrayBlobAdapter.fromString(JSON.stringify({ model, dim: embedding.length, embedding: Array.from(embedding) })) };
  });
}

async function colourFrames(embedder: TransformersEmbedder, segments: [string, number][]): Promise<FrameVector[]> {
  const frames: FrameVector[] = [];
  for (const [colour, seconds] of segments) {
    const { data, info } = await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } }).raw().toBuffer({ resolveWithObject: true });
    const [vector] = await embedder.embedImages([{ width: info.width, height: info.height, data: new Uint8Array(data) }]);
    for (let i = 0; i < seconds; i++) frames.push({ time: frames.length, vector });
  }
  return smoothFrames(frames, DEFAULT_SMOOTHING);
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
    model,
    dim: 32,
    frames,
    status: 'READY',
    createdAt: now,
    updatedAt: now,
  };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'search-fn-'));
  model = path.join(work, 'model');
  await makeFixtureModel(model, 'clip');
  const embedder = await TransformersEmbedder.from_pretrained(model);
  encoder = new LocalQueryEncoder(embedder);

  aoss = await startAossDouble();
  dynamo = await startLocalDynamoDb({ [TABLE]: 'id' });
  const client = new Client({ node: aoss.url });
  await ensureFramesIndex(client, { index: INDEX, dim: 32 });
  const index = new OpenSearchFrameIndex(client, { index: INDEX, visibility: { pollMs: 10 } });
  const catalog = new DynamoCatalog(dynamo.client, TABLE);
  const videos: [string, string, [string, number][]][] = [
    ['traffic-lights', 'street', [['red', 5], ['yellow', 5], ['green', 5]]],
    ['blue-sky', 'nature', [['blue', 6], ['white', 4]]],
  ];
  for (const [id, category, segments] of videos) {
    const frames = await colourFrames(embedder, segments);
    const record = videoRecord(id, category, frames.length);
    // As the pipeline does: the catalog names the run that holds the frames (search keeps to it).
    await catalog.put({ ...record, runId: await index.replaceRun(record, frames) });
  }

  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    QUERY_ENDPOINT_NAME: 'query-endpoint',
    EMBEDDING_MODEL: model,
    EMBEDDING_DIM: '32',
    VIDEOS_TABLE: TABLE,
    COLLECTION_ENDPOINT: aoss.url,
    FRAMES_INDEX: INDEX,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  handler = (await import('../../functions/search/handler')).handler as unknown as Handler;
});

beforeEach(endpointAnswersWithFixtureModel);

afterAll(async () => {
  await aoss?.close();
  await dynamo?.close();
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

async function rest(method: string, route: string, body?: unknown) {
  const result = (await handler(restEvent(method, route, body), context)) as APIGatewayProxyResult;
  return { ...result, json: JSON.parse(result.body) };
}

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

  const sent = JSON.parse(sagemaker.commandCalls(InvokeEndpointCommand)[0].args[0].input.Body as string);
  expect(sent).toEqual({ text: 'a red screen' });
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
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0000ff' } }).png().toBuffer();
  const { statusCode, json } = await rest('POST', '/search', { image: png.toString('base64') });
  expect(statusCode).toBe(200);
  expect(json.clips[0].videoId).toBe('blue-sky');
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

test('a throttled or unavailable endpoint → 503 with a retry hint', async () => {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  const throttled = await rest('POST', '/search', { text: 'red' });
  expect(throttled.statusCode).toBe(503);
  expect(throttled.headers?.['retry-after']).toBe('5');
  expect(throttled.json.error.code).toBe('encoder_unavailable');

  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).rejects(Object.assign(new Error('boom'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
  expect((await rest('POST', '/search', { text: 'red' })).statusCode).toBe(503);
});

test('a query the endpoint refuses → 400 with its reason', async () => {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).rejects(
    Object.assign(new Error('Received client error (400)'), {
      name: 'ModelError',
      OriginalStatusCode: 400,
      OriginalMessage: JSON.stringify({ error: { code: 'bad_request', message: 'image: Not an image' } }),
      $metadata: { httpStatusCode: 424 },
    }),
  );
  const refused = await rest('POST', '/search', { text: 'red' });
  expect(refused.statusCode).toBe(400);
  expect(refused.json.error).toEqual({ code: 'invalid_query', message: 'image: Not an image' });
});

test('an unexpected failure is a plain 500 with no details', async () => {
  sagemaker.reset();
  sagemaker.on(InvokeEndpointCommand).resolves({ Body: Uint8ArrayBlobAdapter.fromString('not json at all') });
  const failed = await rest('POST', '/search', { text: 'red' });
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
  await expect(graphql('search', { input: { k: 5 } })).rejects.toMatchObject({ name: 'invalid_request', message: expect.stringMatching(/text, image, or both/) });
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
  jest.resetModules();
  process.env.FRAMES_INDEX = 'no-such-index';
  const fresh = (await import('../../functions/search/handler')).handler as unknown as Handler;
  const result = (await fresh(restEvent('POST', '/search', { text: 'red' }), context)) as APIGatewayProxyResult;
  process.env.FRAMES_INDEX = INDEX;
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body).error).toMatchObject({ code: 'index_not_ready', message: expect.stringMatching(/index not ready/) });
});
