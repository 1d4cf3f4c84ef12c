import { IndexMismatchError, IndexNotReadyError, IndexWakingError, StoreDamagedError } from '../store/errors';
import { EncoderUnavailableError, NotAnImageError, QueryRejectedError } from '../query-encoder';
import { SearchRequestError } from '../search';
import { ApiError } from './api-error';

/**
 * Maps what the library throws to what a caller is told. Anything unknown becomes a plain 500 "internal error":
 * the details go to the log, never to the caller.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SearchRequestError) return new ApiError(400, 'invalid_request', `${error.field}: ${error.message}`, error.field);
  if (error instanceof NotAnImageError) return new ApiError(400, 'invalid_query', error.message, 'image');
  if (error instanceof QueryRejectedError) return new ApiError(400, 'invalid_query', error.message);
  if (error instanceof IndexMismatchError) return new ApiError(409, 'model_mismatch', error.message);
  if (error instanceof IndexNotReadyError) return new ApiError(503, 'index_not_ready', 'index not ready: no video has been indexed yet', undefined, 30);
  if (error instanceof IndexWakingError) {
    return new ApiError(503, 'index_waking', 'the index is waking up after a quiet spell, or briefly unavailable; retry shortly', undefined, error.retryAfterSec);
  }
  // The data directory's path is the operator's to know (the server's log), not the caller's.
  if (error instanceof StoreDamagedError) return new ApiError(503, 'store_damaged', `the ${error.table} table of the local store is damaged: run vsearch repair`);
  if (error instanceof EncoderUnavailableError) {
    return new ApiError(503, 'encoder_unavailable', `query embedding is unavailable right now (${error.message}); retry shortly`, undefined, error.retryAfterSec);
  }
  return new ApiError(500, 'internal', 'internal error');
}
