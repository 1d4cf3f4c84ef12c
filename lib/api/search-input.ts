import { z } from 'zod';
import { NO_QUERY_MESSAGE, SNAP_VALUES, type SearchRequest } from '../search';
import { imageTooLargeMessage, MAX_IMAGE_BYTES } from '../query-encoder';
import { ApiError } from './api-error';
import { isJpegPngOrWebp } from './image-bytes';
import { firstIssue } from './request-issue';
import { SEARCH_MODES } from '../core/speech-fusion';

export const LIMITS = { k: 1000, size: 100, text: 1000, timeOffset: 60, filterValues: 100, negatives: 10 } as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The issue params of a value too large to carry (an image over MAX_IMAGE_BYTES): a 413, where other issues are 400s. */
const PAYLOAD_TOO_LARGE = { status: 413, code: 'payload_too_large' } as const;

const names = (what: string) =>
  z.array(z.string().trim().min(1, `${what} must not be empty`).max(200), `expected a list of ${what}s`).max(LIMITS.filterValues);

/** A moment of a video, in seconds (`like`). */
const moment = z
  .strictObject({
    videoId: z.string().trim().min(1, 'videoId must not be empty').max(200),
    start: z.number().min(0),
    end: z.number().min(0),
  })
  .refine((m) => m.end >= m.start, { message: 'end must not be before start', path: ['end'] });

/**
 * What to look for — text, an image (base64 JPEG/PNG/WebP, data URL prefix allowed), a moment of an indexed video to
 * find more like, or several of them, less the negatives (`not`) — as every API takes it.
 */
export const queryFields = {
  text: z.string().trim().min(1, 'text must not be empty').max(LIMITS.text, `text is longer than ${LIMITS.text} characters`).optional(),
  image: z
    .string()
    .transform((s) => s.replace(/^data:image\/[a-z]+;base64,/, '').replace(/\s+/g, ''))
    .refine((s) => s.length > 0 && s.length % 4 === 0 && BASE64.test(s), 'image must be base64-encoded JPEG, PNG or WebP bytes')
    .transform((s) => new Uint8Array(Buffer.from(s, 'base64')))
    .refine((bytes) => bytes.length <= MAX_IMAGE_BYTES, {
      error: (issue) => imageTooLargeMessage((issue.input as Uint8Array).length),
      params: PAYLOAD_TOO_LARGE,
      abort: true,
    })
    .refine(isJpegPngOrWebp, 'image is not a JPEG, PNG or WebP image')
    .optional(),
  imageWeight: z.number().min(0).max(1).optional(),
  like: moment.optional(),
  not: z
    .array(z.string().trim().min(1, 'a negative query must not be empty').max(LIMITS.text), 'expected a list of texts')
    .max(LIMITS.negatives)
    .optional(),
};

/** The rule every query shares: at least one of text, image and like (reported on `text`). */
export function requireQuery<T extends z.ZodType<{ text?: string; image?: Uint8Array; like?: object }>>(schema: T): T {
  return schema.refine((query) => query.text !== undefined || query.image !== undefined || query.like !== undefined, {
    message: NO_QUERY_MESSAGE,
    path: ['text'],
  });
}

/** Where and how to search: filters, and the k-NN and clustering settings. */
export const searchSettingsFields = {
  videoIds: names('video id').optional(),
  categories: names('category').optional(),
  tags: names('tag').optional(),
  keywords: z.string().trim().min(1, 'keywords must not be empty').max(200).optional(),
  k: z.number().int().min(1).max(LIMITS.k).optional(),
  size: z.number().int().min(1).max(LIMITS.size).optional(),
  timeOffset: z.number().min(0).max(LIMITS.timeOffset).optional(),
  minScore: z.number().min(-1).max(1).optional(),
  /** How much what is said counts beside what is seen (lib/core/speech-fusion.ts); 0 = frames only. */
  speechWeight: z.number().min(0).max(100).optional(),
  mode: z.enum(SEARCH_MODES as ['both', 'visual', 'speech'], `mode must be one of ${SEARCH_MODES.join(', ')}`).optional(),
  snap: z.enum(SNAP_VALUES).optional(),
  dedupe: z.boolean().optional(),
};

/** The search request of REST `POST /search`, GraphQL `search(input)` and `vsearch serve`. Unknown fields are refused. */
export const searchInputSchema = requireQuery(z.strictObject({ ...queryFields, ...searchSettingsFields })).refine(
  (input) => input.mode !== 'speech' || input.text !== undefined,
  { message: "mode 'speech' searches what is said: give text", path: ['mode'] },
);

export type SearchInput = z.input<typeof searchInputSchema>;

/** Validates a decoded JSON body into a search request, or throws a 400 naming the first wrong field. */
export function parseSearchInput(body: unknown): SearchRequest {
  return toSearchRequest(parseOrThrow(searchInputSchema, body));
}

/** Validated search settings (and query) in the shape the search service takes: the filters gathered. */
export function toSearchRequest<T extends { videoIds?: string[]; categories?: string[]; tags?: string[]; keywords?: string }>(input: T) {
  const { videoIds, categories, tags, keywords, ...rest } = input;
  return { ...rest, filters: { videoIds, categories, tags, keywords } };
}

/**
 * zod parsing with the first issue turned into a 400 `{code: "invalid_request", field, message}`, or the 413
 * `payload_too_large` of a value too large to carry.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'the request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { field, message } = firstIssue(result.error);
  const [issue] = result.error.issues;
  const tooLarge = issue.code === 'custom' && issue.params?.code === PAYLOAD_TOO_LARGE.code;
  throw tooLarge ? new ApiError(PAYLOAD_TOO_LARGE.status, PAYLOAD_TOO_LARGE.code, message, field) : new ApiError(400, 'invalid_request', message, field);
}
