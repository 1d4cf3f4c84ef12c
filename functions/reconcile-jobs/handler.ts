import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoClient, s3Client, sfnClient } from '../../lib/aws/clients';
import { readEnv } from '../../lib/aws/env';
import { S3JobOutcomes } from '../../lib/aws/sagemaker-async';
import { TaskTokenStore } from '../../lib/aws/task-tokens';
import { logger } from '../../lib/logger';
import { reconcileJobs } from '../../lib/pipeline/reconcile-jobs';

const ENV = { TASKS_TABLE: z.string().min(1) };

/**
 * Every 15 minutes (EventBridge schedule), or on demand with any event: finishes the executions whose job ended but
 * whose notification never reached the job callback, from the job's output or failure object in S3. Answers what it
 * did; throws (after going through every entry) if some entry could not be handled, so the run counts as failed.
 */
export const handler = middy(async () => {
  const env = readEnv(ENV);
  const report = await reconcileJobs({
    tokens: new TaskTokenStore(dynamoClient(), env.TASKS_TABLE),
    sfn: sfnClient(),
    outcomes: new S3JobOutcomes(s3Client()),
  });
  for (const job of report.finished) logger.warn('finished a job whose notification was lost', job);
  for (const job of report.errors) logger.error('could not reconcile a job', job);
  logger.info('reconciled', { waiting: report.waiting, unlocated: report.unlocated, finished: report.finished.length });
  if (report.errors.length > 0) throw new Error(`${report.errors.length} job(s) could not be reconciled: ${report.errors[0].error}`);
  return report;
}).use(injectLambdaContext(logger));
