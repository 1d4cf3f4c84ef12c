import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { sfnClient } from '../../lib/aws/clients';
import { readEnv } from '../../lib/aws/env';
import { StepFunctionsExecutions } from '../../lib/aws/step-functions';
import { logger } from '../../lib/logger';
import { startIndexing } from '../../lib/pipeline/start-indexing';

const ENV = { STATE_MACHINE_ARN: z.string().startsWith('arn:') };

/**
 * EventBridge target for "Object Created" under videos/: starts the indexing execution named after the upload. A
 * failure throws, so Lambda retries the (asynchronous) event, then hands it to the failure queue.
 */
export const handler = middy(async (event: unknown) => {
  const env = readEnv(ENV);
  const started = await startIndexing(event, { executions: new StepFunctionsExecutions(sfnClient(), env.STATE_MACHINE_ARN) });
  logger.info(started.outcome === 'started' ? 'execution started' : 'execution already started', { execution: started.name });
  return started;
}).use(injectLambdaContext(logger));
