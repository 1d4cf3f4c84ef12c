import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiDeps } from '../../lib/api/search-api';
import { readEnv } from '../../lib/aws/env';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { S3MediaLinks } from '../../lib/aws/s3-media-links';
import { SageMakerQueryEncoder } from '../../lib/aws/sagemaker-query-encoder';
import { OpenSearchFrameIndex } from '../../lib/store/opensearch-frame-index';
import { openSearchClient } from '../../lib/store/opensearch-client';

const ENV = {
  AWS_REGION: z.string().min(1),
  QUERY_ENDPOINT_NAME: z.string().min(1),
  EMBEDDING_MODEL: z.string().min(1),
  EMBEDDING_DIM: z.coerce.number().int().positive(),
  CATALOG_TABLE: z.string().min(1),
  OPENSEARCH_ENDPOINT: z.url(),
  FRAMES_INDEX: z.string().min(1),
  PLAYBACK_URL_TTL_SEC: z.coerce.number().int().min(60).max(43_200).default(3600),
};

let deps: ApiDeps | undefined;

/** The search function's adapters, made once per container from its environment (see serverless.yml). */
export function searchDeps(): ApiDeps {
  if (deps) return deps;
  const env = readEnv(ENV);
  deps = {
    encoder: new SageMakerQueryEncoder(new SageMakerRuntimeClient({}), env.QUERY_ENDPOINT_NAME, env.EMBEDDING_MODEL, env.EMBEDDING_DIM),
    catalog: new DynamoCatalog(DynamoDBDocumentClient.from(new DynamoDBClient({})), env.CATALOG_TABLE),
    frames: new OpenSearchFrameIndex(openSearchClient({ endpoint: env.OPENSEARCH_ENDPOINT, region: env.AWS_REGION }), {
      index: env.FRAMES_INDEX,
    }),
    media: new S3MediaLinks(new S3Client({}), env.PLAYBACK_URL_TTL_SEC),
  };
  return deps;
}
