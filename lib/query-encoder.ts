/**
 * The largest body the query endpoint takes: SageMaker serverless inference carries a payload of at most 4 MB, read as
 * 4,000,000 bytes (the stricter of MB and MiB).
 */
export const QUERY_ENDPOINT_MAX_BODY_BYTES = 4_000_000;

/**
 * Room in the query endpoint's body for everything but the image's base64: the JSON around it
 * (`{"text":"","image":"","imageWeight":}`, 37 bytes), the weight (a number, at most 24 characters) and the text (at
 * most 1,000 UTF-16 units, lib/api/search-input.ts, each at most 6 bytes once JSON-escaped: 6,000 bytes).
 */
const QUERY_JSON_ALLOWANCE = 8 * 1024;

/**
 * Largest query image, once base64-decoded: the same limit on every surface (REST, GraphQL, `vsearch serve`, the
 * container), the most the whole deployed path carries. The path: API Gateway or AppSync → the search Lambda (a
 * synchronous invoke carries at most 6 MB: the event with the base64 image in it) → the query endpoint (base64 in a
 * JSON body of at most QUERY_ENDPOINT_MAX_BODY_BYTES), the narrowest step. Base64 makes n bytes 4·⌈n/3⌉ characters:
 * 4·⌈n/3⌉ ≤ 4,000,000 − 8,192 = 3,991,808 gives n ≤ 997,952 · 3 = 2,993,856 bytes (2.86 MiB); the REST event around
 * such a request stays near 4 MB, within Lambda's 6 MB.
 */
export const MAX_IMAGE_BYTES = Math.floor((QUERY_ENDPOINT_MAX_BODY_BYTES - QUERY_JSON_ALLOWANCE) / 4) * 3;

/** What every surface says of an image over MAX_IMAGE_BYTES (with a 413 `payload_too_large`). */
export function imageTooLargeMessage(bytes: number): string {
  return `image is ${bytes} bytes once decoded, over the limit of ${MAX_IMAGE_BYTES} bytes (${(MAX_IMAGE_BYTES / 2 ** 20).toFixed(2)} MiB)`;
}

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
