import { AossError, badRequest, indexNotFound, refusal } from './errors';
import type { Source } from './fields';
import { singleEntry } from './query';
import type { AossStore } from './store';

/**
 * A fault the next bulk request meets: `throttle` answers 429 and `unavailable` 503 without writing anything;
 * `lost-response` writes everything, then answers 504 (the sender cannot tell it was written); `items` fails the
 * operations at those positions of the request (0-based) with `itemStatus` and writes the others.
 */
export type BulkFault = 'throttle' | 'unavailable' | 'lost-response' | { itemStatus: 429 | 500 | 503; items: number[] };

const ID_REFUSED = 'Document ID is not supported in create/index operation request';

interface Operation {
  action: string;
  meta: { _index?: string; _id?: string };
  source?: Source;
}

/**
 * `POST [<index>/]_bulk`: NDJSON `index`/`create` (ids assigned here; a given `_id` is refused as on classic AOSS)
 * and `delete` by id. Returns OpenSearch's response: `errors` and one result per operation, in order.
 */
export function bulk(
  store: AossStore,
  pathIndex: string | undefined,
  ndjson: string,
  fault: BulkFault | undefined,
  onRefusal: (reason: string) => void,
): object {
  const items = parse(ndjson).map((operation, position) => {
    const { action, meta } = operation;
    const index = meta._index ?? pathIndex;
    try {
      if (typeof fault === 'object' && fault.items.includes(position)) {
        const type = fault.itemStatus === 429 ? 'rejected_execution_exception' : 'unavailable_shards_exception';
        throw new AossError(fault.itemStatus, type, 'fault injected by the AOSS double');
      }
      if (index === undefined) throw badRequest('index is missing', 'action_request_validation_exception');
      if (!store.has(index)) throw indexNotFound(index);
      return { [action]: { _index: index, ...apply(store, index, operation), _primary_term: 1, _version: 1 } };
    } catch (error) {
      if (!(error instanceof AossError)) throw error;
      if (error.refused) onRefusal(error.reason);
      const { type, reason } = error;
      const id = meta._id !== undefined && { _id: meta._id };
      return { [action]: { _index: index, ...id, status: error.status, error: { type, reason } } };
    }
  });
  return { took: 1, errors: items.some((item) => 'error' in Object.values(item)[0]), items };
}

function apply(store: AossStore, index: string, { action, meta, source }: Operation): object {
  const stored = store.get(index);
  if (action === 'delete') {
    if (meta._id === undefined) throw badRequest('id is missing', 'action_request_validation_exception');
    const found = stored.remove(meta._id);
    return { _id: meta._id, result: found ? 'deleted' : 'not_found', status: found ? 200 : 404 };
  }
  if (action === 'update') throw refusal(400, 'illegal_argument_exception', 'update is not supported without document ids');
  if (meta._id !== undefined) throw refusal(400, 'illegal_argument_exception', ID_REFUSED);
  return { _id: stored.add(source!), result: 'created', status: 201 };
}

function parse(ndjson: string): Operation[] {
  const lines = ndjson.split('\n').filter((line) => line.trim() !== '');
  const operations: Operation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [action, meta] = singleEntry(json(lines[i]), 'bulk action');
    if (!['index', 'create', 'delete', 'update'].includes(action)) throw badRequest(`Malformed action/metadata line [${i + 1}]`);
    const operation: Operation = { action, meta: (meta ?? {}) as Operation['meta'] };
    if (action !== 'delete') {
      if (i + 1 >= lines.length) throw badRequest(`The bulk request must be terminated by a newline [\\n]`);
      operation.source = json(lines[++i]) as Source;
    }
    operations.push(operation);
  }
  if (operations.length === 0) throw badRequest('request body is required', 'action_request_validation_exception');
  return operations;
}

function json(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw badRequest(`could not parse bulk line: ${line.slice(0, 80)}`, 'parse_exception');
  }
}
