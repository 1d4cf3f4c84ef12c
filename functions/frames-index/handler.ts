import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { answerCustomResource, CUSTOM_RESOURCE_REQUEST } from '../../lib/aws/custom-resource';
import { collectionFromEnv } from '../../lib/aws/frame-index';
import { logger } from '../../lib/logger';
import { createFramesIndex, FRAMES_INDEX_PROPERTIES } from '../../lib/pipeline/frames-index-resource';
import { parseInput } from '../../lib/pipeline/schemas';

/** Three minutes for a new data access policy to apply; the function's timeout leaves room beyond it. */
const PATIENCE = { timeoutMs: 180_000, pollMs: 10_000 };

/**
 * CloudFormation custom resource: creates the frames index and the transcripts index when the stack is deployed (and
 * on every update: an existing index is kept). Deleting the resource keeps both (the videos' only searchable copy; the
 * collection's own deletion removes them).
 */
export const handler = middy(async (event: unknown) => {
  const request = parseInput(CUSTOM_RESOURCE_REQUEST, event);
  const outcome = await answerCustomResource(request, async () => {
    if (request.RequestType === 'Delete') return request.PhysicalResourceId ?? request.LogicalResourceId;
    const { client } = collectionFromEnv();
    return createFramesIndex(client, parseInput(FRAMES_INDEX_PROPERTIES, request.ResourceProperties), PATIENCE);
  });
  logger.info('frames index resource', { requestType: request.RequestType, ...outcome });
}).use(injectLambdaContext(logger));
