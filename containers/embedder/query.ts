import { z } from 'zod';
import { LocalQueryEncoder } from '../../lib/embedder/local-query-encoder';
import { MAX_IMAGE_BYTES, NotAnImageError } from '../../lib/query-encoder';
import { HttpError } from './errors';
import type { ServedModel } from './model';
import { parseRequest } from './request';

const QUERY = z
  .strictObject({
    text: z.string().trim().min(1, 'must not be empty').optional(),
    /** Encoded JPEG, PNG or WebP bytes. */
    image: z.base64('must be standard base64 (no data: URL prefix)').optional(),
    /** Share of the image in a text + image query, as in lib/core/query.ts. */
    imageWeight: z.number().min(0).max(1).optional(),
  })
  .refine((query) => query.text !== undefined || query.image !== undefined, 'give text, image or both');

export interface QueryAnswer {
  model: string;
  dim: number;
  /** Unit length. */
  embedding: number[];
  /**
   * The text was longer than the model's token limit (77 tokens for CLIP, 64 for SigLIP) and only its start was
   * embedded. Such a text is embedded truncated rather than refused: a search still finds what its start describes.
   */
  truncated: boolean;
}

/** A query request (`{"text"?, "image"?, "imageWeight"?}`) answered with its unit-length query vector. */
export async function answerQuery(body: unknown, model: ServedModel): Promise<QueryAnswer> {
  const query = parseRequest(QUERY, body);
  const image = query.image === undefined ? undefined : Buffer.from(query.image, 'base64');
  if (image && image.length > MAX_IMAGE_BYTES) {
    throw new HttpError(413, 'payload_too_large', `image is ${image.length} bytes, over the limit of ${MAX_IMAGE_BYTES}`);
  }
  const embedding = await new LocalQueryEncoder(model.embedder)
    .encode({ text: query.text, image, imageWeight: query.imageWeight })
    .catch((error: unknown) => {
      throw error instanceof NotAnImageError ? new HttpError(400, 'bad_request', `image: ${error.message}`) : error;
    });
  return {
    model: model.name,
    dim: embedding.length,
    embedding: Array.from(embedding),
    truncated: query.text !== undefined && model.textTokens.count(query.text) > model.textTokens.limit,
  };
}
