import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { startSageMakerRuntimeDouble, type SageMakerRuntimeDouble } from '../doubles/sagemaker-runtime-server';
import { startEmbedderApp, type RunningEmbedder } from '../helpers/embedder-app';
import { fixtureServedModel } from '../helpers/fixture-model';
import { httpRequest, postJson } from '../helpers/http-request';

/**
 * The SageMaker Runtime double (tests/doubles/sagemaker-runtime-server.ts) through the real SDK client, in front of
 * the real embedder container: what it passes through, how it maps the container's errors, and what it refuses.
 */

let work: string;
let app: RunningEmbedder;
let loading: RunningEmbedder;
let runtime: SageMakerRuntimeDouble;

const client = (region = 'us-east-1') =>
  new SageMakerRuntimeClient({ endpoint: runtime.url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const invoke = (EndpointName: string, Body: string | Uint8Array, sdk = client()) =>
  sdk.send(new InvokeEndpointCommand({ EndpointName, Body, ContentType: 'application/json', Accept: 'application/json' }));
/** The error a call is refused with (never a success). */
const refusal = (call: Promise<unknown>) => call.then(() => new Error('the call succeeded'), (error: Error) => error);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'sagemaker-runtime-'));
  const { served } = await fixtureServedModel(work, 'fixture-clip');
  const container = (model: Promise<typeof served>) =>
    startEmbedderApp({ model, sources: { s3: new S3Client({ region: 'us-east-1' }), allowLocal: false }, log: () => {} });
  [app, loading] = await Promise.all([container(Promise.resolve(served)), container(new Promise(() => {}))]);
  runtime = await startSageMakerRuntimeDouble({ endpoints: { query: app.url, loading: loading.url, gone: await closedPort() } });
});

beforeEach(() => runtime.reset());

/** The URL of a port that was just free and is closed again: nothing listens there. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

afterAll(async () => {
  await Promise.all([app?.drain(), loading?.drain(), runtime?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

test("a container's answer comes back byte for byte, with its content type and the variant that served it", async () => {
  const body = JSON.stringify({ text: 'red' });
  const answer = await invoke('query', body);
  const direct = await postJson(`${app.url}/invocations`, body);
  expect(Buffer.from(answer.Body!)).toEqual(direct.body);
  expect({ type: answer.ContentType, variant: answer.InvokedProductionVariant }).toEqual({ type: 'application/json', variant: 'AllTraffic' });
  expect(runtime.invocations).toEqual([
    { endpointName: 'query', contentType: 'application/json', accept: 'application/json', body: Buffer.from(body), status: 200, containerStatus: 200 },
  ]);
});

test("a container's 4xx is a ModelError (424) with its status and body as OriginalStatusCode and OriginalMessage", async () => {
  const body = JSON.stringify({ text: 'red', k: 3 });
  const direct = await postJson(`${app.url}/invocations`, body);
  expect(direct.status).toBe(400);
  const error = (await refusal(invoke('query', body))) as ModelError;
  expect(error).toBeInstanceOf(ModelError);
  expect(error).toMatchObject({ $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 400, OriginalMessage: direct.body.toString('utf8') });
  expect(error.message).toMatch(/^Received client error \(400\) from primary with message "\{"error":/);
});

test("a container's 5xx is a ModelError too: a container still loading its model answers 503", async () => {
  const error = (await refusal(invoke('loading', '{"text":"red"}'))) as ModelError;
  expect(error).toMatchObject({ name: 'ModelError', $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 503 });
  expect(JSON.parse(error.OriginalMessage!)).toMatchObject({ error: { code: 'not_ready' } });
  expect(error.message).toMatch(/^Received server error \(503\) from primary/);
});

test('a container that cannot be reached is a ModelError without an original status', async () => {
  const error = (await refusal(invoke('gone', '{"text":"red"}'))) as ModelError;
  expect(error).toMatchObject({ name: 'ModelError', $metadata: { httpStatusCode: 424 } });
  expect(error.OriginalStatusCode).toBeUndefined();
});

test('refused: an endpoint that does not exist, and a body over the serverless 4 MB limit (the container never sees it)', async () => {
  expect(await refusal(invoke('nope', '{"text":"red"}'))).toMatchObject({
    name: 'ValidationError',
    message: 'Endpoint nope of account 123456789012 not found.',
    $metadata: { httpStatusCode: 400 },
  });
  const large = JSON.stringify({ image: Buffer.alloc(3.2 * 1024 * 1024).toString('base64') });
  expect(await refusal(invoke('query', large))).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/over the limit of 4194304 bytes/) });
  expect(runtime.invocations.map((call) => call.containerStatus)).toEqual([undefined, undefined]);
});

test('refused: an unsigned request, one signed for another region, another path', async () => {
  const unsigned = await httpRequest(`${runtime.url}/endpoints/query/invocations`, { headers: { 'Content-Type': 'application/json' }, body: '{"text":"red"}' });
  expect({ status: unsigned.status, type: unsigned.headers['x-amzn-errortype'] }).toEqual({ status: 403, type: 'MissingAuthenticationTokenException' });
  expect(await refusal(invoke('query', '{"text":"red"}', client('eu-west-1')))).toMatchObject({ name: 'InvalidSignatureException' });
  const ping = await httpRequest(`${runtime.url}/ping`);
  expect(ping.status).toBe(404);
  expect(runtime.invocations).toEqual([]);
});

test('injected faults meet the calls in turn, before the container', async () => {
  runtime.failNext(1, 'throttling');
  runtime.failNext(1, 'model-not-ready');
  expect(await refusal(invoke('query', '{"text":"red"}'))).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  expect(await refusal(invoke('query', '{"text":"red"}'))).toMatchObject({ name: 'ModelNotReadyException', $metadata: { httpStatusCode: 429 } });
  expect((await invoke('query', '{"text":"red"}')).Body).toBeDefined();
  expect(runtime.invocations.map((call) => call.errorType ?? call.status)).toEqual(['ThrottlingException', 'ModelNotReadyException', 200]);
});
