import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoClient, sfnClient } from '../../lib/aws/clients';
import { readEnv } from '../../lib/aws/env';
import { parseJobNotification } from '../../lib/aws/sagemaker-notification';
import { TaskTokenStore } from '../../lib/aws/task-tokens';
import { logger } from '../../lib/logger';
import { deliverJobResult } from '../../lib/pipeline/job-callback';

const ENV = { TASKS_TABLE: z.string().min(1) };

/**
 * Subscribed to the async endpoint's success and error topics: resolves the task waiting for each job. A message
 * that is not a SageMaker notification is logged and dropped (retrying cannot fix it); a failure to resolve a task
 * throws, so Lambda retries the delivery.
 */
export const handler = middy(async (event: SNSEvent) => {
  const env = readEnv(ENV);
  const deps = { tokens: new TaskTokenStore(dynamoClient(), env.TASKS_TABLE), sfn: sfnClient() };
  for (const record of event.Records) {
    const notification = parseJobNotification(record.Sns.Message);
    if (!notification.ok) {
      logger.error('dropped an SNS message', { messageId: record.Sns.MessageId, problem: notification.error });
      continue;
    }
    const outcome = await deliverJobResult(notification.value, deps);
    const fields = { inferenceId: notification.value.inferenceId, status: notification.value.status, outcome };
    if (outcome === 'resolved') logger.info('job notification', fields);
    else logger.warn('job notification for no waiting task', fields);
  }
}).use(injectLambdaContext(logger));
