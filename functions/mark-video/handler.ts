import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { logger } from '../../lib/logger';
import { markFailed, markReady } from '../../lib/pipeline/mark-video';
import { MARK_REQUEST, parseInput } from '../../lib/pipeline/schemas';

const ENV = { VIDEOS_TABLE: z.string().min(1) };

/** State machine task: the video's final status, READY with its counts or FAILED with the reason. */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const deps = { catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE) };
  const request = parseInput(MARK_REQUEST, event);
  if (request.status === 'READY') {
    await markReady(request, deps);
    logger.info('video ready', { videoId: request.video.id, frames: request.ingest.frames });
    return { status: 'READY' };
  }
  const failure = await markFailed(request, deps);
  logger.warn('video failed', { videoId: request.video.id, ...failure });
  return failure;
}).use(injectLambdaContext(logger));
