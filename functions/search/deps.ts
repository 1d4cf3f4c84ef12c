import { z } from 'zod';
import type { ApiDeps } from '../../lib/api/search-api';
import { dynamoClient, s3Client, sageMakerRuntimeClient } from '../../lib/aws/clients';
import { readEnv } from '../../lib/aws/env';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { frameIndexFromEnv } from '../../lib/aws/frame-index';
import { S3MediaLinks } from '../../lib/aws/s3-media-links';
import { SageMakerQueryEncoder } from '../../lib/aws/sagemaker-query-encoder';

const ENV = {
  QUERY_ENDPOINT_NAME: z.string().min(1),
  EMBEDDING_MODEL: z.string().min(1),
  EMBEDDING_DIM: z.coerce.number().int().positive(),
  VIDEOS_TABLE: z.string().min(1),
  PLAYBACK_URL_TTL_SEC: z.coerce.number().int().min(60).max(43_200).default(3600),
};

let deps: ApiDeps | undefined;

/** The search function's adapters, made once per container from its environment (resources/functions/search.yml). */
export function searchDeps(): ApiDeps {
  if (deps) return deps;
  const env = readEnv(ENV);
  deps = {
    encoder: new SageMakerQueryEncoder(sageMakerRuntimeClient(), env.QUERY_ENDPOINT_NAME, env.EMBEDDING_MODEL, env.EMBEDDING_DIM),
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    frames: frameIndexFromEnv(),
    media: new S3MediaLinks(s3Client(), env.PLAYBACK_URL_TTL_SEC),
  };
  return deps;
}
