import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Context, SNSEvent } from 'aws-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { JobRecognizer, ServedModel } from '../../../containers/embedder/model';
import { DynamoCatalog } from '../../../lib/aws/dynamo-catalog';
import type { FrameDoc, SegmentDoc } from '../../../lib/store/opensearch-mapping';
import { startAossDouble, type AossDouble } from '../../doubles/aoss-server';
import { fixtureServedModel } from '../../helpers/fixture-model';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../helpers/local-dynamodb';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../helpers/local-s3';
import { fakeAsyncEndpoint, type FakeAsyncEndpoint } from './fake-async-endpoint';
import { localStateMachine, type LocalStateMachine, type TaskFunctions } from './local-state-machine';
import { declaredFunctions, importHandler } from './serverless-functions';

export const BUCKET = 'videos-bucket';
export const INDEX = 'frames';
export const TRANSCRIPTS_INDEX = 'transcripts';
export const MODEL_NAME = 'fixture-clip';
const VIDEOS_TABLE = 'videos';
const TASKS_TABLE = 'tasks';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:semantic-video-search-ci-index-video';
/** The stage parameters of executions the starter function starts. */
export const STARTED_PARAMS = { jobTimeoutSeconds: 60 };

type Handler<E = never> = (event: E, context: Context) => Promise<unknown>;

export interface Handlers {
  startIndexing: Handler;
  registerVideo: Handler;
  submitJob: Handler;
  jobCallback: Handler<SNSEvent>;
  planVideo: Handler;
  ingestFrames: Handler;
  markVideo: Handler;
  removeVideo: Handler;
  framesIndex: Handler;
}

export interface IndexingEnv {
  fps: number;
  chunkSec: number;
}

export interface Harness {
  s3: LocalS3;
  db: LocalDynamoDb;
  aoss: AossDouble;
  endpoint: FakeAsyncEndpoint;
  machine: LocalStateMachine;
  handlers: Handlers & TaskFunctions;
  catalog: DynamoCatalog;
  model: ServedModel;
  context: Context;
  /** Indexing settings the register function reads from now on. */
  configure(settings: IndexingEnv): void;
  /** Stores `body` at `key` and returns the "Object Created" event EventBridge would deliver for it. */
  put(key: string, body: Buffer | string): Promise<S3Event>;
  /** `put` of a file's content. */
  upload(key: string, file: string): Promise<S3Event>;
  /** The "Object Deleted" event of deleting `key` (a delete marker on the versioned bucket). */
  removal(key: string): S3Event;
  /** Every frame document of a video in the index (after a refresh: the double's writes all visible). */
  frames(videoId: string): FrameDoc[];
  /** Every transcript segment document of a video, the same way. */
  segments(videoId: string): SegmentDoc[];
  close(): Promise<void>;
}

export interface S3Event {
  version: '0';
  id: string;
  'detail-type': 'Object Created' | 'Object Deleted';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * The pipeline's world, offline: s3rver, dynalite and the AOSS double on 127.0.0.1, the functions' environment
 * pointing at them, the fixture CLIP model behind a fake async endpoint, and the real state machine over the real
 * handlers. The frames index is created through the custom resource handler, as a deploy would. `speech`: the
 * container's speech recognition (none by default, as with ASR_MODEL=none).
 */
export async function startHarness(options: { speech?: JobRecognizer } = {}): Promise<Harness> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'index-workflow-'));
  await mkdir(path.join(work, 's3'));
  const [s3, db, aoss, { served }] = await Promise.all([
    startLocalS3(path.join(work, 's3'), [BUCKET]),
    startLocalDynamoDb({ [VIDEOS_TABLE]: 'id', [TASKS_TABLE]: 'inferenceId' }),
    startAossDouble({ visibilityDelayMs: 200 }),
    fixtureServedModel(work, MODEL_NAME),
  ]);
  const model: ServedModel = { ...served, ...(options.speech && { speech: options.speech }) };

  const savedEnv = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    VIDEOS_TABLE,
    TASKS_TABLE,
    SMOOTHING_KERNEL: '11',
    SMOOTHING_SIGMA: '1.8',
    ASYNC_ENDPOINT_NAME: 'embedder-async',
    JOBS_BUCKET: BUCKET,
    JOBS_PREFIX: 'jobs/',
    INVOCATION_TIMEOUT_SECONDS: '3600',
    STATE_MACHINE_ARN,
    COLLECTION_ENDPOINT: aoss.url,
    FRAMES_INDEX: INDEX,
    TRANSCRIPTS_INDEX,
    // The double's refresh is 200 ms, not a collection's 10–60 s: poll, and wait out resent writes, to match.
    FRAMES_VISIBILITY_POLL_MS: '100',
    FRAMES_VISIBILITY_WINDOW_MS: '1000',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;

  // Every function serverless.yml declares, each from the module its `handler:` names; imported now: the clients
  // they make read the environment above.
  const loaded: TaskFunctions = {};
  for (const fn of declaredFunctions().values()) loaded[fn.key] = await importHandler(fn);
  const handlers = loaded as unknown as Handlers & TaskFunctions;
  const context = lambdaContext();

  await createFramesIndex(handlers.framesIndex, context);

  const endpoint = fakeAsyncEndpoint({ s3: s3.client, containerS3: s3.client, model, bucket: BUCKET, callback: handlers.jobCallback, context });
  const machine = localStateMachine(handlers, context, { stateMachineArn: STATE_MACHINE_ARN, params: STARTED_PARAMS });
  let sequencer = 0;
  const nextSequencer = () => (++sequencer).toString(16).toUpperCase().padStart(18, '0');

  const event = (type: S3Event['detail-type'], detail: Record<string, unknown>): S3Event => ({
    version: '0',
    id: `event-${sequencer}`,
    'detail-type': type,
    source: 'aws.s3',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: { version: '0', bucket: { name: BUCKET }, 'request-id': 'r', requester: '123456789012', ...detail },
  });

  async function put(key: string, body: Buffer | string): Promise<S3Event> {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const seq = nextSequencer();
    const object = { key, size: Buffer.byteLength(body), etag: 'etag', 'version-id': `version-${seq}`, sequencer: seq };
    return event('Object Created', { object, reason: 'PutObject' });
  }

  return {
    s3,
    db,
    aoss,
    endpoint,
    machine,
    handlers,
    catalog: new DynamoCatalog(db.client, VIDEOS_TABLE),
    model,
    context,
    configure({ fps, chunkSec }) {
      Object.assign(process.env, { SAMPLING_FPS: String(fps), CHUNK_SECONDS: String(chunkSec) });
    },
    put,
    async upload(key, file) {
      return put(key, await readFile(file));
    },
    removal(key) {
      const seq = nextSequencer();
      return event('Object Deleted', {
        object: { key, 'version-id': `marker-${seq}`, sequencer: seq },
        reason: 'DeleteObject',
        'deletion-type': 'Delete Marker Created',
      });
    },
    frames: (videoId) => videoDocs<FrameDoc>(aoss, INDEX, videoId),
    segments: (videoId) => videoDocs<SegmentDoc>(aoss, TRANSCRIPTS_INDEX, videoId),
    async close() {
      endpoint.restore();
      machine.restore();
      process.env = savedEnv;
      await Promise.all([s3.close(), db.close(), aoss.close()]);
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A video's documents in an index of the double, after a refresh (every write visible). */
function videoDocs<D extends { video_id: string }>(aoss: AossDouble, index: string, videoId: string): D[] {
  aoss.makeVisible();
  return aoss
    .docs(index)
    .map((doc) => doc.source as unknown as D)
    .filter((doc) => doc.video_id === videoId);
}

/** Runs the frames-index custom resource's Create as CloudFormation would, answering on a local response URL. */
async function createFramesIndex(handler: Handler, context: Context): Promise<void> {
  let answer = '';
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const request = {
      RequestType: 'Create',
      ResponseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
      RequestId: 'request-1',
      LogicalResourceId: 'FramesIndex',
      ResourceType: 'Custom::FramesIndex',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framesIndex', Index: INDEX, Dimension: '32', TranscriptsIndex: TRANSCRIPTS_INDEX },
    };
    await handler(request as never, context);
  } finally {
    server.close();
  }
  const response = JSON.parse(answer) as { Status: string; Reason: string };
  if (response.Status !== 'SUCCESS') throw new Error(`frames index custom resource failed: ${response.Reason}`);
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:local',
    memoryLimitInMB: '512',
    awsRequestId: 'local-request',
    logGroupName: '/aws/lambda/local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
