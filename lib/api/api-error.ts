/** An answer to a caller that did something wrong, or a service problem worth telling them about. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Seconds after which a retry may succeed (503s). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/** The JSON body every API error has: `{"error":{"code","message","field"?}}`. */
export function errorBody(error: ApiError) {
  return { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
}
