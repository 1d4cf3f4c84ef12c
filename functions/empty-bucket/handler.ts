import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { s3Client } from '../../lib/aws/clients';
import { answerCustomResource, CUSTOM_RESOURCE_REQUEST } from '../../lib/aws/custom-resource';
import { S3VersionedBucket } from '../../lib/aws/s3-versioned-bucket';
import { logger } from '../../lib/logger';
import { emptierRequest, EMPTIER_PROPERTIES } from '../../lib/pipeline/videos-bucket-emptier';
import { parseInput } from '../../lib/pipeline/schemas';

/** Emptying stops with this much of the invocation left, to answer CloudFormation in time. */
const ANSWER_MARGIN_MS = 60_000;

/** CloudFormation custom resource: empties the videos bucket (every version and delete marker) when the stack is deleted. */
export const handler = middy(async (event: unknown, context: Context) => {
  const request = parseInput(CUSTOM_RESOURCE_REQUEST, event);
  let deleted = 0;
  const outcome = await answerCustomResource(request, async () => {
    const { Bucket } = parseInput(EMPTIER_PROPERTIES, request.ResourceProperties);
    const more = () => context.getRemainingTimeInMillis() > ANSWER_MARGIN_MS;
    const result = await emptierRequest(request, new S3VersionedBucket(s3Client(), Bucket), more);
    deleted = result.deleted;
    return result.physicalId;
  });
  logger.info('videos bucket emptier', { requestType: request.RequestType, deleted, ...outcome });
}).use(injectLambdaContext(logger));
