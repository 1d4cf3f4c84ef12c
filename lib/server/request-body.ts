import type { IncomingMessage } from 'node:http';

/**
 * Largest API request body (`vsearch serve`): the base64 of the largest query image (MAX_IMAGE_BYTES, 3,991,808
 * characters) with about 1 MB for the rest of a search (text, filters), and still under the 6 MB of a synchronous
 * Lambda invoke, which carries the deployed API's body with headers and request context around it: a body served
 * locally is one the deployed API carries too.
 */
export const MAX_BODY_BYTES = 5_000_000;

/** A request body over the limit; each server answers it with a 413 in its own error format. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body is over ${limit} bytes`);
  }
}

/**
 * The whole request body, or BodyTooLargeError past `limit` bytes: at once when the declared length is over it,
 * otherwise after the rest is read and dropped (never buffered), so the client is done sending when the 413 comes.
 */
export async function readRequestBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  if (Number(req.headers['content-length']) > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new BodyTooLargeError(limit);
  return Buffer.concat(chunks);
}
