import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { firstIssue } from '../../lib/api/request-issue';
import { QUERY_ENDPOINT_MAX_BODY_BYTES } from '../../lib/query-encoder';
import { BodyTooLargeError, readRequestBody } from '../../lib/server/request-body';
import { HttpError } from './errors';

/**
 * The request's JSON body. 415 for another Content-Type, 413 past the query endpoint's 4 MB (declared, or received:
 * SageMaker serverless forwards no more, and a job manifest is far smaller), 400 for a body that is not JSON.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got ${type ?? 'none'}`);
  }
  const body = await readRequestBody(req, QUERY_ENDPOINT_MAX_BODY_BYTES).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? new HttpError(413, 'payload_too_large', error.message) : error;
  });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}

/** `body` checked against `schema`; 400 naming the first problem (an unknown field, a wrong type, a missing value). */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new HttpError(400, 'bad_request', firstIssue(parsed.error).message);
}
