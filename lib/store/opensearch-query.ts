import type { API, Types } from '@opensearch-project/opensearch';
import type { SearchFilters, TimeWindow } from '../core/types';
import type { ActiveRuns } from './frame-index';

type Query = Types.Common_QueryDsl.QueryContainer;

/** OpenSearch's bounds for `k` (and the default result window). */
export const MAX_K = 10_000;


/**
 * The one request of a frame search: the filter sits INSIDE the `knn` clause, which makes faiss search the k nearest
 * among the matching frames (efficient filtering). A filter beside the `knn` clause would be applied to the k nearest
 * of all frames afterwards and could leave far fewer than k, or none.
 */
export function knnSearchBody(
  vector: Float32Array,
  k: number,
  filters: SearchFilters | undefined,
  activeRuns: ActiveRuns | undefined,
  /** A further restriction, ANDed with the filters. */
  also?: Query,
): API.Search_RequestBody {
  const filter = frameFilter(filters, activeRuns, also);
  return {
    size: k,
    query: { knn: { embedding: { vector: vectorJson(vector), k, ...(filter && { filter }) } } },
    _source: { includes: ['video_id', 'time'] },
  };
}

/**
 * The restrictions of a search, ANDed, or undefined for none (on frames, and on transcript segments, which carry the
 * same fields). Empty lists and blank keywords do not restrict. Tags
 * match when a frame has any of them (exact); keywords as the catalog's `matchKeywords`: every word must occur in the
 * title or a tag, as a case-insensitive substring (a `wildcard` on the keyword fields; these are short, per-video
 * values, so the term dictionaries the wildcards walk stay small).
 */
export function frameFilter(filters: SearchFilters | undefined, activeRuns: ActiveRuns | undefined, also?: Query): Query | undefined {
  const clauses: Query[] = also ? [also] : [];
  if (filters?.videoIds?.length) clauses.push({ terms: { video_id: filters.videoIds } });
  if (filters?.categories?.length) clauses.push({ terms: { category: filters.categories } });
  if (filters?.tags?.length) clauses.push({ terms: { tags: filters.tags } });
  for (const word of filters?.keywords?.split(/\s+/).filter(Boolean) ?? []) {
    const pattern = { value: `*${escapeWildcard(word)}*`, case_insensitive: true };
    const inTitleOrTags: Query[] = [{ wildcard: { 'title.keyword': pattern } }, { wildcard: { tags: pattern } }];
    clauses.push({ bool: { should: inTitleOrTags, minimum_should_match: 1 } });
  }
  if (activeRuns?.size) clauses.push(activeRunClause(activeRuns));
  return clauses.length > 0 ? { bool: { filter: clauses } } : undefined;
}

/** Frames of an active run, or of a video `activeRuns` does not mention (left unrestricted). */
function activeRunClause(activeRuns: ActiveRuns): Query {
  return {
    bool: {
      should: [
        { terms: { run_id: [...activeRuns.values()] } },
        { bool: { must_not: [{ terms: { video_id: [...activeRuns.keys()] } }] } },
      ],
      minimum_should_match: 1,
    },
  };
}

/** `\`, `*` and `?` are the wildcard syntax; a backslash makes each literal. */
function escapeWildcard(text: string): string {
  return text.replace(/[\\*?]/g, '\\$&');
}

/** The frames of one video, or of one run of it. */
export function videoQuery(videoId: string, runId?: string): Query {
  return { bool: { filter: videoClauses(videoId, runId) } };
}

function videoClauses(videoId: string, runId: string | undefined): Query[] {
  const clauses: Query[] = [{ term: { video_id: videoId } }];
  if (runId !== undefined) clauses.push({ term: { run_id: runId } });
  return clauses;
}

/** The frames of one video (or one run of it) whose time lies in any of the windows (bounds included). */
export function windowsQuery(videoId: string, windows: readonly TimeWindow[], runId?: string): Query {
  const inWindows: Query[] = windows.map(({ start, end }) => ({ range: { time: { gte: start, lte: end } } }));
  return { bool: { filter: videoClauses(videoId, runId), should: inWindows, minimum_should_match: 1 } };
}

/** The frames of a video written by runs older than `runId` (run ids sort in time order). */
export function olderRunsQuery(videoId: string, runId: string): Query {
  return { bool: { filter: [{ term: { video_id: videoId } }, { range: { run_id: { lt: runId } } }] } };
}

/**
 * The inner product behind an OpenSearch k-NN score. For faiss `innerproduct` OpenSearch ranks by `d = -ip` and
 * scores `1 / (1 + d)` when `d >= 0`, else `1 - d`: so `ip + 1` for a positive ip, `1 / (1 - ip)` otherwise
 * (docs.opensearch.org, "Spaces"). Scores come back as 32-bit floats: the ip is exact to about 1e-7.
 */
export function innerProductFromScore(score: number): number {
  return score >= 1 ? score - 1 : 1 - 1 / score;
}

/**
 * A float32 vector as JSON numbers with 9 significant digits: enough to get exactly the same float32 back, and about
 * half the bytes of the float64 expansions `Array.from` would print.
 */
export function vectorJson(vector: Float32Array): number[] {
  return Array.from(vector, (x) => Number(x.toPrecision(9)));
}
