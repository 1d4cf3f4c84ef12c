import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, s3Client } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { frameIndexFromEnv, transcriptsFromEnv } from '../../lib/aws/frame-index';
import { OBJECT_DELETED } from '../../lib/aws/s3-events';
import { logger } from '../../lib/logger';
import { removeVideo } from '../../lib/pipeline/remove-video';
import { parseInput } from '../../lib/pipeline/schemas';

const ENV = { VIDEOS_TABLE: z.string().min(1) };

/**
 * EventBridge target for "Object Deleted": the video is marked deleted, its frames and transcript segments leave the
 * collection and its thumbnails the bucket.
 */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const outcome = await removeVideo(parseInput(OBJECT_DELETED, event), {
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    frames: frameIndexFromEnv(),
    transcripts: transcriptsFromEnv(),
    s3: s3Client(),
  });
  logger.info('object removed', outcome);
  return outcome;
}).use(injectLambdaContext(logger));
