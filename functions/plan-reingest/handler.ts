import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { logger } from '../../lib/logger';
import { planReingest } from '../../lib/pipeline/plan-reingest';
import { parseInput, REINGEST_REQUEST } from '../../lib/pipeline/schemas';

const ENV = {
  VIDEOS_TABLE: z.string().min(1),
  /** Bytes of JSON a page may hold (default planReingest's). */
  REINGEST_PAGE_BYTES: z.coerce.number().int().positive().optional(),
};

/** Re-ingest state machine task: a page of videos to re-ingest from their raw embeddings, and the next page's request. */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const page = await planReingest(parseInput(REINGEST_REQUEST, event), {
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    pageBytes: env.REINGEST_PAGE_BYTES,
  });
  logger.info('re-ingest page', { videos: page.videos.length, skipped: page.skipped.length, more: page.next !== undefined });
  return page;
}).use(injectLambdaContext(logger));
