import type { API, Client, Types } from '@opensearch-project/opensearch';
import type { FrameDoc } from './opensearch-mapping';
import { onIndex, type WakePolicy } from './opensearch-errors';

const PAGE_SIZE = 1_000;

/** A unique order of frames (a retried send's copies differ in `attempt`), so `search_after` pages skip none. */
const SCAN_SORT: Types.Common.Sort = [{ run_id: 'asc' }, { frame: 'asc' }, { attempt: 'asc' }];

export interface ScannedFrame<K extends keyof FrameDoc> {
  id: string;
  frame: number;
  source: Pick<FrameDoc, K>;
}

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
  let after: Types.Common.SortResults | undefined;
  for (;;) {
    const body: API.Search_RequestBody = {
      size: PAGE_SIZE,
      query,
      sort: SCAN_SORT,
      _source: fields.length > 0 ? { includes: fields } : false,
      ...(after && { search_after: after }),
    };
    const { body: answer } = await onIndex((options) => client.search({ index, body }, options), wake);
    const hits = answer.hits.hits;
    for (const hit of hits) yield { id: hit._id!, frame: Number(hit.sort![1]), source: hit._source };
    if (hits.length < PAGE_SIZE) return;
    after = hits[hits.length - 1].sort;
  }
}
