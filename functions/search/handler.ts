import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, AppSyncResolverEvent } from 'aws-lambda';
import { dispatch } from '../../lib/api/router';
import { resolveField } from '../../lib/api/graphql';
import { logger } from '../../lib/logger';
import { searchDeps } from './deps';

type SearchEvent = APIGatewayProxyEvent | AppSyncResolverEvent<Record<string, unknown>>;

const logError = (error: unknown) => logger.error('search request failed', error as Error);

/**
 * The one search function behind both API Gateway (REST: POST /search, GET /videos, GET /videos/{id}) and AppSync
 * (GraphQL fields of resources/search.graphql). Thin: the routing, validation and errors live in lib/api.
 */
export const handler = middy<SearchEvent, APIGatewayProxyResult | unknown>().handler(async (event) => {
  const deps = searchDeps();
  if ('info' in event) return resolveField(event.info.fieldName, event.arguments, deps, logError);
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const response = await dispatch(event.httpMethod, event.path, async () => body ?? undefined, deps, logError);
  // A page on another origin reads only the CORS-safelisted response headers unless told it may read more: the page
  // waits out a 503 for as long as Retry-After says (lib/web/api.js).
  const cors = { 'access-control-allow-origin': process.env.CORS_ORIGIN ?? '*', 'access-control-expose-headers': 'Retry-After' };
  return { statusCode: response.status, headers: { ...response.headers, ...cors }, body: JSON.stringify(response.body) };
});
