import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import { openSearchClient } from '../store/opensearch-client';

/**
 * The SDK clients of the Lambda functions, made once per container and reused across invocations. Region,
 * credentials and endpoints come from the environment (`AWS_ENDPOINT_URL_<SERVICE>` points them at local
 * stand-ins in tests).
 */

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Checksums only where S3 requires them: S3 stand-ins store streamed bodies with checksum framing corrupted. */
export const s3Client = once(() => new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' }));

/** Absent optional fields are left out of items rather than refused. */
export const dynamoClient = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);

export const sfnClient = once(() => new SFNClient({}));

export const sageMakerRuntimeClient = once(() => new SageMakerRuntimeClient({}));

const openSearchClients = new Map<string, Client>();

/** A SigV4-signing client for the collection at `endpoint`. */
export function collectionClient(endpoint: string, region: string): Client {
  let client = openSearchClients.get(endpoint);
  if (!client) openSearchClients.set(endpoint, (client = openSearchClient({ endpoint, region })));
  return client;
}
