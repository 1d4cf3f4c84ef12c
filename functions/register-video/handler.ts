import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, s3Client } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { OBJECT_CREATED } from '../../lib/aws/s3-events';
import { logger } from '../../lib/logger';
import { INDEXING_SETTINGS } from '../../lib/pipeline/indexing-settings';
import { registerVideo } from '../../lib/pipeline/register-video';
import { parseInput } from '../../lib/pipeline/schemas';

const ENV = {
  VIDEOS_TABLE: z.string().min(1),
  SAMPLING_FPS: z.coerce.number(),
  CHUNK_SECONDS: z.coerce.number(),
  SMOOTHING_KERNEL: z.coerce.number(),
  SMOOTHING_SIGMA: z.coerce.number(),
};

/** State machine task: the EventBridge "Object Created" event in, the registration (index / skip / reject) out. */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const settings = parseInput(INDEXING_SETTINGS, {
    fps: env.SAMPLING_FPS,
    chunkSec: env.CHUNK_SECONDS,
    smoothing: { kernelSize: env.SMOOTHING_KERNEL, sigma: env.SMOOTHING_SIGMA },
  });
  const registration = await registerVideo(parseInput(OBJECT_CREATED, event), {
    catalog: new DynamoCatalog(dynamoClient(), env.VIDEOS_TABLE),
    s3: s3Client(),
    settings,
  });
  logger.info('registration', { registration });
  return registration;
}).use(injectLambdaContext(logger));
