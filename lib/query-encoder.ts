/** Largest query image, once base64-decoded: the same limit on every surface (REST, GraphQL, local, the container). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** What a user searches with: text, an image (encoded JPEG/PNG/WebP bytes), or both. */
export interface Query {
  text?: string;
  image?: Uint8Array;
  /** Weight of the image in a text + image query, 0..1. */
  imageWeight?: number;
}

/**
 * Turns a query into one unit vector in the index's embedding space.
 * Local mode and the container run the model in process; the search Lambda asks the SageMaker real-time endpoint.
 */
export interface QueryEncoder {
  readonly model: string;
  readonly dim: number;
  encode(query: Query): Promise<Float32Array>;
}

/** The encoder cannot answer now (endpoint throttled, scaling, or down); the same query may succeed later. */
export class EncoderUnavailableError extends Error {
  override readonly name = 'EncoderUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSec = 5,
  ) {
    super(message);
  }
}

/** The encoder refused the query itself (e.g. the image could not be decoded): the caller must change it. */
export class QueryRejectedError extends Error {
  override readonly name: string = 'QueryRejectedError';
}

/** The bytes given as a query image are not a JPEG, PNG or WebP image. */
export class NotAnImageError extends QueryRejectedError {
  override readonly name = 'NotAnImageError';
}
