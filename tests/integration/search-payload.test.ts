import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Client } from '@opensearch-project/opensearch';
import { Uint8ArrayBlobAdapter } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { MAX_IMAGE_BYTES, QUERY_ENDPOINT_MAX_BODY_BYTES } from '../../lib/query-encoder';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import { ensureFramesIndex, ensureTranscriptsIndex } from '../../lib/store/opensearch-mapping';
import { startAossDouble, type AossDouble } from '../doubles/aoss-server';
import { LARGEST_SEARCH, pngOfSize } from '../helpers/bad-search-requests';
import { startLocalDynamoDb, type LocalDynamoDb } from '../helpers/local-dynamodb';

/**
 * The image limit end to end on the deployed path: API Gateway or AppSync → the search Lambda (a synchronous invoke
 * of at most 6 MB) → the serverless query endpoint (a body of at most 4 MB). Both limits are enforced by the stand-ins
 * below, as AWS enforces them; the bad-request corpus covers the 413 over REST (search-function.test.ts).
 */

jest.setTimeout(60_000);

/** Lambda: "6 MB each for request and response (synchronous)", read as 6,000,000 bytes (the stricter reading). */
const LAMBDA_SYNC_PAYLOAD_BYTES = 6_000_000;
const MODEL = 'stand-in-model';
const DIM = 4;

const sagemaker = mockClient(SageMakerRuntimeClient);
let aoss: AossDouble;
let dynamo: LocalDynamoDb;
let handler: (event: unknown, context: Context) => Promise<unknown>;
/** The bodies the query endpoint received, in bytes. */
let endpointBodies: number[];

beforeAll(async () => {
  aoss = await startAossDouble();
  dynamo = await startLocalDynamoDb({ videos: 'id' });
  const client = new Client({ node: aoss.url });
  await ensureFramesIndex(client, { index: 'frames', dim: DIM });
  await ensureTranscriptsIndex(client, { index: 'transcripts' });
  const now = new Date().toISOString();
  const video = { id: 'tiny', title: 'tiny', source: 's3://videos-bucket/videos/tiny.mp4', tags: [], durationSec: 3, fps: 1, model: MODEL, dim: DIM, frames: 3, status: 'READY' as const, createdAt: now, updatedAt: now };
  const frames = [0, 1, 2].map((time) => ({ time, vector: Float32Array.from([1, 0, 0, 0]) }));
  // As the pipeline does: the catalog names the run that holds the frames (search keeps to it).
  const runId = await new OpenSearchFrameIndex(client, { index: 'frames', visibility: { pollMs: 10 } }).replaceRun(video, frames);
  await new DynamoCatalog(dynamo.client, 'videos').put({ ...video, runId });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    QUERY_ENDPOINT_NAME: 'query-endpoint',
    EMBEDDING_MODEL: MODEL,
    EMBEDDING_DIM: String(DIM),
    VIDEOS_TABLE: 'videos',
    COLLECTION_ENDPOINT: aoss.url,
    FRAMES_INDEX: 'frames',
    TRANSCRIPTS_INDEX: 'transcripts',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  handler = (await import('../../functions/search/handler')).handler as never;
});

beforeEach(() => {
  endpointBodies = [];
  sagemaker.reset();
  // SageMaker serverless inference refuses a payload over 4 MB before the container sees it (error wording unverified).
  sagemaker.on(InvokeEndpointCommand).callsFake(async ({ Body }: { Body: string }) => {
    endpointBodies.push(Buffer.byteLength(Body));
    if (Buffer.byteLength(Body) > QUERY_ENDPOINT_MAX_BODY_BYTES) {
      throw Object.assign(new Error('payload over the serverless limit of 4 MB'), { name: 'ValidationError', $metadata: { httpStatusCode: 413 } });
    }
    return { Body: Uint8ArrayBlobAdapter.fromString(JSON.stringify({ model: MODEL, dim: DIM, embedding: [1, 0, 0, 0] })) };
  });
});

afterAll(async () => {
  sagemaker.restore();
  await aoss?.close();
  await dynamo?.close();
});

/** The function invoked as Lambda does: the event serialized, refused over the synchronous payload limit. */
async function invoke(event: object): Promise<unknown> {
  const payload = JSON.stringify(event);
  if (Buffer.byteLength(payload) > LAMBDA_SYNC_PAYLOAD_BYTES) {
    throw Object.assign(new Error(`request payload of ${Buffer.byteLength(payload)} bytes`), { name: 'RequestEntityTooLargeException' });
  }
  return handler(JSON.parse(payload), {} as Context);
}

/** POST /search as API Gateway's proxy integration hands it over, with the headers a browser sends. */
async function rest(body: string) {
  const headers = { 'content-type': 'application/json', 'x-api-key': 'k'.repeat(40), 'user-agent': 'Mozilla/5.0 '.repeat(20) };
  const event = { httpMethod: 'POST', path: '/search', resource: '/search', body, isBase64Encoded: false, headers, multiValueHeaders: headers, requestContext: { stage: 'dev', requestId: 'r' } };
  const result = (await invoke(event)) as APIGatewayProxyResult;
  return { status: result.statusCode, json: JSON.parse(result.body) };
}

const graphql = (input: unknown) => invoke({ arguments: { input }, info: { fieldName: 'search', parentTypeName: 'Query' } });

test('the largest search the API takes travels the whole path: REST and GraphQL answer, the endpoint body stays within 4 MB', async () => {
  const { status, json } = await rest(LARGEST_SEARCH);
  expect(status).toBe(200);
  expect(json.clips[0]).toMatchObject({ videoId: 'tiny' });
  expect(await graphql(JSON.parse(LARGEST_SEARCH))).toMatchObject({ clips: [expect.objectContaining({ videoId: 'tiny' })] });

  expect(endpointBodies).toHaveLength(2);
  for (const bytes of endpointBodies) {
    expect(bytes).toBeLessThanOrEqual(QUERY_ENDPOINT_MAX_BODY_BYTES);
    // Within the allowance of the limit: the limit is what the path carries, not a guess far below it.
    expect(bytes).toBeGreaterThan(QUERY_ENDPOINT_MAX_BODY_BYTES - 8 * 1024);
  }
});

test('an image one byte over the limit: 413 over REST, payload_too_large over GraphQL and for a timeline, the limit named, the endpoint not called', async () => {
  const image = pngOfSize(MAX_IMAGE_BYTES + 1).toString('base64');
  const limit = new RegExp(`over the limit of ${MAX_IMAGE_BYTES} bytes`);
  const { status, json } = await rest(JSON.stringify({ image }));
  expect(status).toBe(413);
  expect(json.error).toMatchObject({ code: 'payload_too_large', field: 'image', message: expect.stringMatching(limit) });
  await expect(graphql({ image })).rejects.toMatchObject({ name: 'payload_too_large', message: expect.stringMatching(limit) });
  const timeline = { arguments: { input: { query: { image }, videoId: 'tiny' } }, info: { fieldName: 'timeline', parentTypeName: 'Query' } };
  await expect(invoke(timeline)).rejects.toMatchObject({ name: 'payload_too_large', message: expect.stringMatching(limit) });
  expect(endpointBodies).toEqual([]);
});
