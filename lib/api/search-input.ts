import { z } from 'zod';
import type { SearchRequest } from '../search';
import { ApiError } from './api-error';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const LIMITS = { k: 1000, size: 100, text: 1000, timeOffset: 60, filterValues: 100 } as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const names = (what: string) =>
  z.array(z.string().trim().min(1, `${what} must not be empty`).max(200), `expected a list of ${what}s`).max(LIMITS.filterValues);

/** The search request of REST `POST /search`, GraphQL `search(input)` and `vsearch serve`. Unknown fields are refused. */
export const searchInputSchema = z
  .strictObject({
    text: z.string().trim().min(1, 'text must not be empty').max(LIMITS.text, `text is longer than ${LIMITS.text} characters`).optional(),
    image: z
      .string()
      .transform((s) => s.replace(/^data:image\/[a-z]+;base64,/, '').replace(/\s+/g, ''))
      .refine((s) => s.length > 0 && s.length % 4 === 0 && BASE64.test(s), 'image must be base64-encoded JPEG, PNG or WebP bytes')
      .transform((s) => new Uint8Array(Buffer.from(s, 'base64')))
      .refine((bytes) => bytes.length <= MAX_IMAGE_BYTES, `image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`)
      .optional(),
    imageWeight: z.number().min(0).max(1).optional(),
    videoIds: names('video id').optional(),
    categories: names('category').optional(),
    tags: names('tag').optional(),
    keywords: z.string().trim().min(1, 'keywords must not be empty').max(200).optional(),
    k: z.number().int().min(1).max(LIMITS.k).optional(),
    size: z.number().int().min(1).max(LIMITS.size).optional(),
    timeOffset: z.number().min(0).max(LIMITS.timeOffset).optional(),
    minScore: z.number().min(-1).max(1).optional(),
  })
  .refine((input) => input.text !== undefined || input.image !== undefined, {
    message: 'give text, image, or both',
    path: ['text'],
  });

export type SearchInput = z.input<typeof searchInputSchema>;

/** Validates a decoded JSON body into a search request, or throws a 400 naming the first wrong field. */
export function parseSearchInput(body: unknown): SearchRequest {
  const input = parseOrThrow(searchInputSchema, body);
  const { videoIds, categories, tags, keywords, ...rest } = input;
  return { ...rest, filters: { videoIds, categories, tags, keywords } };
}

/** zod parsing with the first issue turned into a 400 `{code: "invalid_request", field, message}`. */
export function parseOrThrow<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'the request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  throw new ApiError(400, 'invalid_request', field && !message.includes(field) ? `${field}: ${message}` : message, field || undefined);
}
