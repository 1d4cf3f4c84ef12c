import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, s3Client } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { S3JobOutputs } from '../../lib/aws/s3-job-outputs';
import { frameIndexFromEnv, transcriptsFromEnv } from '../../lib/aws/frame-index';
import { logger } from '../../lib/logger';
import { ingestFrames } from '../../lib/pipeline/ingest-frames';
import { INGEST_REQUEST, parseInput } from '../../lib/pipeline/schemas';

const ENV = { VIDEOS_TABLE: z.string().min(1) };

/**
 * State machine task: the jobs' outputs in, the video's smoothed frames and its transcript segments written to the
 * collection, its counts out.
 */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const ingested = await ingestFrames(parseInput(INGEST_REQUEST, event), {
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    outputs: new S3JobOutputs(s3Client()),
    frames: frameIndexFromEnv(),
    transcripts: transcriptsFromEnv(),
  });
  logger.info('frames ingested', { frames: ingested.frames, runId: ingested.runId, seconds: ingested.ingestSec });
  return ingested;
}).use(injectLambdaContext(logger));
