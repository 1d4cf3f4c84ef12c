import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { s3Client } from '../../lib/aws/clients';
import { S3JobOutputs } from '../../lib/aws/s3-job-outputs';
import { logger } from '../../lib/logger';
import { planVideo } from '../../lib/pipeline/plan-video';
import { parseInput, PLAN_REQUEST } from '../../lib/pipeline/schemas';

/** State machine task: the first job's output in, the video's duration and remaining jobs out. */
export const handler = middy(async (event: unknown) => {
  const plan = await planVideo(parseInput(PLAN_REQUEST, event), { outputs: new S3JobOutputs(s3Client()) });
  logger.info('plan', { durationSec: plan.durationSec, jobs: plan.jobs.length });
  return plan;
}).use(injectLambdaContext(logger));
