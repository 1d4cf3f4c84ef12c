/**
 * An error answer of the double, in OpenSearch's shape. `refused` marks what a classic AOSS collection does not
 * support (or the double does not emulate): the request log flags those, so tests can assert an adapter never
 * relies on them.
 */
export class AossError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly refused = false,
  ) {
    super(`${status} ${type}: ${reason}`);
  }

  body(): object {
    const { type, reason, status } = this;
    return { error: { root_cause: [{ type, reason }], type, reason }, status };
  }
}

/** An operation classic AOSS refuses (or the double does not emulate). */
export function refusal(status: number, type: string, reason: string): AossError {
  return new AossError(status, type, reason, true);
}

export function badRequest(reason: string, type = 'illegal_argument_exception'): AossError {
  return new AossError(400, type, reason);
}

export function indexNotFound(index: string): AossError {
  return new AossError(404, 'index_not_found_exception', `no such index [${index}]`);
}
