import type { IncomingMessage } from 'node:http';

/** Largest request body: a 5 MiB image in base64 (6.7 MiB) with room for the rest of a query. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

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
