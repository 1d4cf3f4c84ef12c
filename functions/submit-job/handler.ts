import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, s3Client, sageMakerRuntimeClient } from '../../lib/aws/clients';
import { DynamoCatalog } from '../../lib/aws/dynamo-catalog';
import { readEnv } from '../../lib/aws/env';
import { TaskTokenStore } from '../../lib/aws/task-tokens';
import { logger } from '../../lib/logger';
import { parseInput, SUBMIT_REQUEST } from '../../lib/pipeline/schemas';
import { submitJob } from '../../lib/pipeline/submit-job';

const ENV = {
  VIDEOS_TABLE: z.string().min(1),
  TASKS_TABLE: z.string().min(1),
  ASYNC_ENDPOINT_NAME: z.string().min(1),
  JOBS_BUCKET: z.string().min(1),
  JOBS_PREFIX: z.string(),
  INVOCATION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600),
};

/** State machine task (`lambda:invoke.waitForTaskToken`): sends one embedding job; the execution waits for its notification. */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const db = dynamoClient();
  const { inferenceId } = await submitJob(parseInput(SUBMIT_REQUEST, event), {
    catalog: new DynamoCatalog(db, env.VIDEOS_TABLE),
    tokens: new TaskTokenStore(db, env.TASKS_TABLE),
    s3: s3Client(),
    sagemaker: sageMakerRuntimeClient(),
    endpointName: env.ASYNC_ENDPOINT_NAME,
    jobsBucket: env.JOBS_BUCKET,
    jobsPrefix: env.JOBS_PREFIX,
    invocationTimeoutSec: env.INVOCATION_TIMEOUT_SECONDS,
  });
  logger.info('job submitted', { inferenceId });
  return { inferenceId };
}).use(injectLambdaContext(logger));
