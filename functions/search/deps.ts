import { z } from 'zod';
import type { ApiDeps } from '../../lib/api/search-api';
import { dynamoClient, s3Client, sageMakerRuntimeClient } from '../../lib/aws/clients';
import { readEnv } from '../../lib/aws/env';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { frameIndexFromEnv, transcriptsFromEnv } from '../../lib/aws/frame-index';
import { S3MediaLinks } from '../../lib/aws/s3-media-links';
import { SageMakerQueryEncoder } from '../../lib/aws/sagemaker-query-encoder';

const ENV = {
  QUERY_ENDPOINT_NAME: z.string().min(1),
  EMBEDDING_MODEL: z.string().min(1),
  EMBEDDING_DIM: z.coerce.number().int().positive(),
  VIDEOS_TABLE: z.string().min(1),
  PLAYBACK_URL_TTL_SEC: z.coerce.number().int().min(60).max(43_200).default(3600),
  /**
   * A collection read's time limit. A search answers within API Gateway's 29 s (the function's timeout too), a
   * collection waking from zero included: it asks the collection three times in a row at most (lib/search.ts), the
   * first beside the query's embedding, each read at most 8 s and never retried here: 24 s. A collection still waking
   * (its first request waits 10–30 s) is a 503 `index_waking` with Retry-After; the page retries once.
   */
  FRAMES_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000),
};

let deps: ApiDeps | undefined;

/** The search function's adapters, made once per container from its environment (resources/functions/search.yml). */
export function searchDeps(): ApiDeps {
  if (deps) return deps;
  const env = readEnv(ENV);
  deps = {
    encoder: new SageMakerQueryEncoder(sageMakerRuntimeClient(), env.QUERY_ENDPOINT_NAME, env.EMBEDDING_MODEL, env.EMBEDDING_DIM),
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    frames: frameIndexFromEnv({ requestTimeoutMs: env.FRAMES_REQUEST_TIMEOUT_MS, maxWaitMs: 0 }),
    // A text query's full-text search of what is said runs beside its k-NN search (lib/search.ts), with the same
    // filters and active runs, and the same time limit per read.
    transcripts: transcriptsFromEnv({ requestTimeoutMs: env.FRAMES_REQUEST_TIMEOUT_MS, maxWaitMs: 0 }),
    media: new S3MediaLinks(s3Client(), env.PLAYBACK_URL_TTL_SEC),
  };
  return deps;
}
