import { toApiError } from './known-errors';
import { searchApi, type ApiDeps } from './search-api';
import { timelineApi } from './timeline-api';
import { getVideoApi, listVideosApi } from './videos-api';

type Resolver = (args: Record<string, unknown>, deps: ApiDeps) => Promise<unknown>;

/** GraphQL `Query` fields (resources/search.graphql), answered by the same functions as the REST routes. */
const FIELDS: Record<string, Resolver> = {
  search: (args, deps) => searchApi(withoutNulls(args.input), deps),
  videos: (_, deps) => listVideosApi(deps.catalog),
  video: (args, deps) => getVideoApi(String(args.id), deps.catalog),
  timeline: (args, deps) => timelineApi(withoutNulls(args.input), deps),
};

/**
 * An error AppSync shows as a GraphQL error: a Lambda error's name becomes its `errorType`, its message the
 * `message`. The type is the REST error code (`invalid_request`, `video_not_found`, …).
 */
export class GraphQLFieldError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

export async function resolveField(
  fieldName: string,
  args: Record<string, unknown>,
  deps: ApiDeps,
  onError: (error: unknown) => void,
): Promise<unknown> {
  const resolver = FIELDS[fieldName];
  if (!resolver) throw new GraphQLFieldError('not_found', `no resolver for field ${fieldName}`);
  try {
    return await resolver(args, deps);
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) onError(error);
    throw new GraphQLFieldError(apiError.code, apiError.message);
  }
}

/** GraphQL sends omitted optional input fields as null, at any depth; the API treats absent and null alike. */
function withoutNulls(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).flatMap(([key, value]) => (value === null ? [] : [[key, withoutNulls(value)]])),
  );
}
