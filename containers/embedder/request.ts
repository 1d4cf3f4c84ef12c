import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './errors';

/** Largest request body: a 5 MiB image in base64 (6.7 MiB) with room for the rest of a query. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The request's JSON body. 415 for another Content-Type, 413 past `limit` bytes (declared or received; reading
 * stops there), 400 for a body that is not JSON.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got ${type ?? 'none'}`);
  }
  const tooLarge = () => new HttpError(413, 'payload_too_large', `request body is over ${limit} bytes`);
  if (Number(req.headers['content-length']) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}

/** `body` checked against `schema`; 400 naming the first problem (an unknown field, a wrong type, a missing value). */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = issue.path.join('.');
  throw new HttpError(400, 'bad_request', field ? `${field}: ${issue.message}` : issue.message);
}
