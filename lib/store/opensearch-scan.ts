import type { API, Client, Types } from '@opensearch-project/opensearch';
import type { FrameDoc } from './opensearch-mapping';
import { onIndex, type WakePolicy } from './opensearch-errors';

const PAGE_SIZE = 1_000;

/**
 * A unique order of a run index's documents (a retried send's copies differ in `attempt`), so `search_after` pages
 * skip none: by run, by the field that numbers the run's documents (`frame`, `segment`), by send.
 */
function scanSort(position: string): Types.Common.Sort {
  return [{ run_id: 'asc' }, { [position]: 'asc' }, { attempt: 'asc' }];
}

export interface ScannedDoc<D, K extends keyof D> {
  id: string;
  /** The document's number in its run (its `frame` or `segment`). */
  frame: number;
  source: Pick<D, K>;
}

export type ScannedFrame<K extends keyof FrameDoc> = ScannedDoc<FrameDoc, K>;

/**
 * Every searchable frame matching `query`, with the source fields `fields`, paged with `search_after` (plain
 * searches: scroll is not available on OpenSearch Serverless); each page waits for a waking collection as `wake` says.
 * Without a point in time, frames written or deleted while paging may or may not be seen; callers only page over
 * frames no one else is writing.
 */
export async function* scanFrames<K extends keyof FrameDoc>(
  client: Client,
  index: string,
  query: Types.Common_QueryDsl.QueryContainer,
  fields: K[],
  wake: WakePolicy,
): AsyncGenerator<ScannedFrame<K>> {
  yield* scanDocs<FrameDoc, K>(client, index, query, fields, wake, 'frame');
}

/** `scanFrames` for any index of runs, its documents numbered in their run by the field `position`. */
export async function* scanDocs<D, K extends keyof D & string>(
  client: Client,
  index: string,
  query: Types.Common_QueryDsl.QueryContainer,
  fields: K[],
  wake: WakePolicy,
  position: string,
): AsyncGenerator<ScannedDoc<D, K>> {
  let after: Types.Common.SortResults | undefined;
  for (;;) {
    const body: API.Search_RequestBody = {
      size: PAGE_SIZE,
      query,
      sort: scanSort(position),
      _source: fields.length > 0 ? { includes: fields } : false,
      ...(after && { search_after: after }),
    };
    const { body: answer } = await onIndex((options) => client.search({ index, body }, options), wake);
    const hits = answer.hits.hits;
    for (const hit of hits) yield { id: hit._id!, frame: Number(hit.sort![1]), source: hit._source as Pick<D, K> };
    if (hits.length < PAGE_SIZE) return;
    after = hits[hits.length - 1].sort;
  }
}
