import { errors } from '@opensearch-project/opensearch';
import { IndexNotReadyError } from './errors';

/** The `error.type` of an OpenSearch error response (`index_not_found_exception`, …), if `error` is one. */
export function errorType(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const type: unknown = (error.body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Awaits an OpenSearch call; a missing index becomes `IndexNotReadyError` instead of the raw 404. */
export async function onIndex<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (errorType(error) !== 'index_not_found_exception') throw error;
    throw new IndexNotReadyError('index not ready', { cause: error });
  }
}
