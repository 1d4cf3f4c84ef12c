import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { EMPTY_ON_DELETE_TAG } from '../../lib/pipeline/videos-bucket-emptier';
import { versionedBucket, type VersionedBucketDouble } from '../doubles/versioned-s3';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../helpers/local-s3';

/**
 * The videos bucket's emptier as CloudFormation runs it: a custom resource request whose ResponseURL is a presigned
 * S3 PUT (here to s3rver, where the test reads the answer back). s3rver has no versioning, so the emptier's own S3
 * client meets the versioned-bucket double (ListObjectVersions, DeleteObjects, GetBucketTagging by S3's rules).
 */

const BUCKET = 'videos-bucket';
const RESPONSES = 'cfn-responses';

let s3: LocalS3;
let work: string;
let videos: VersionedBucketDouble;
let handler: (event: unknown, context: Context) => Promise<void>;
let emptierClient: S3Client;
let requests = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'bucket-emptier-'));
  s3 = await startLocalS3(work, [RESPONSES]);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler } = await import('../../functions/empty-bucket/handler'));
  emptierClient = (await import('../../lib/aws/clients')).s3Client();
});

beforeEach(() => {
  videos = versionedBucket(emptierClient, BUCKET);
});

afterEach(() => videos.restore());

afterAll(async () => {
  await s3.close();
  await rm(work, { recursive: true, force: true });
});

/** The versions, delete markers and tags of a bucket that has seen uploads, re-uploads and deletions. */
function fill(keys: number, tags: Record<string, string> = { [EMPTY_ON_DELETE_TAG]: 'true' }): void {
  for (let i = 0; i < keys; i++) {
    const key = `videos/clip ${i}.mp4`;
    videos.put(key);
    if (i % 2 === 0) videos.put(key);
    if (i % 3 === 0) videos.markDeleted(key);
  }
  videos.setTags(tags);
}

/** Sends a request as CloudFormation does and returns the response it finds at the presigned URL. */
async function send(requestType: 'Create' | 'Update' | 'Delete', remainingMs: () => number = () => 600_000) {
  const key = `responses/${++requests}`;
  const ResponseURL = await getSignedUrl(s3.client, new PutObjectCommand({ Bucket: RESPONSES, Key: key }), { expiresIn: 7200 });
  const request = {
    RequestType: requestType,
    ResponseURL,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/semantic-video-search-dev/1',
    RequestId: `request-${requests}`,
    LogicalResourceId: 'VideosBucketEmptier',
    ResourceType: 'Custom::EmptyBucketOnDelete',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: BUCKET }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:emptyBucket', ServiceTimeout: '960', Bucket: BUCKET },
  };
  await handler(request, lambdaContext(remainingMs));
  const { Body } = await s3.client.send(new GetObjectCommand({ Bucket: RESPONSES, Key: key }));
  return JSON.parse(await Body!.transformToString()) as Record<string, string>;
}

test('stack delete: every version and delete marker goes, 1,000 at most per request, then SUCCESS is PUT to the URL', async () => {
  fill(1500);
  const before = videos.count();
  expect(before).toBe(1500 + 750 + 500);

  const response = await send('Delete');

  expect(response).toEqual({
    Status: 'SUCCESS',
    Reason: 'done',
    PhysicalResourceId: BUCKET,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/semantic-video-search-dev/1',
    RequestId: expect.stringMatching(/^request-/),
    LogicalResourceId: 'VideosBucketEmptier',
  });
  expect(videos.count()).toBe(0);
  expect(videos.deletes.map((d) => d.Delete!.Objects!.length)).toEqual([1000, 1000, 750]);
  expect(videos.deletes.every((d) => d.Delete!.Quiet && d.Delete!.Objects!.every((o) => o.VersionId))).toBe(true);
});

test('a bucket whose tag says keep (retainVideos switched on by an update) keeps every version', async () => {
  fill(10, { [EMPTY_ON_DELETE_TAG]: 'false' });
  const before = videos.count();

  expect(await send('Delete')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BUCKET });

  expect(videos.count()).toBe(before);
  expect(videos.deletes).toEqual([]);
});

test('Create and Update touch nothing and answer the bucket name as the physical id', async () => {
  fill(3);
  const before = videos.count();
  for (const type of ['Create', 'Update'] as const) {
    expect(await send(type)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BUCKET, LogicalResourceId: 'VideosBucketEmptier' });
  }
  expect(videos.count()).toBe(before);
});

test('time running out: FAILED with what was done, before the function times out; the next delete finishes', async () => {
  fill(1500);
  // Ten minutes left until the first page is deleted, then less than the minute kept to answer.
  const response = await send('Delete', () => (videos.deletes.length === 0 ? 600_000 : 30_000));

  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: BUCKET });
  expect(response.Reason).toMatch(/^deleted 1000 object versions of s3:\/\/videos-bucket .*delete the stack again/);
  expect(videos.count()).toBe(1750);

  expect(await send('Delete')).toMatchObject({ Status: 'SUCCESS' });
  expect(videos.count()).toBe(0);
});

test('an object S3 refuses to delete fails the request, naming it', async () => {
  fill(5);
  videos.refuse('videos/clip 3.mp4');

  const response = await send('Delete');

  expect(response).toMatchObject({ Status: 'FAILED' });
  expect(response.Reason).toMatch(/^S3 refused to delete s3:\/\/videos-bucket\/videos\/clip 3\.mp4 \(version v\d+\): AccessDenied/);
});

test('a bucket already deleted needs nothing', async () => {
  videos.restore();
  videos = versionedBucket(emptierClient, 'some-other-bucket');

  expect(await send('Delete')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BUCKET });
  expect(videos.deletes).toEqual([]);
});

function lambdaContext(remainingMs: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'emptyBucket',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:emptyBucket',
    memoryLimitInMB: '512',
    awsRequestId: 'local-request',
    logGroupName: '/aws/lambda/emptyBucket',
    logStreamName: 'local',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
