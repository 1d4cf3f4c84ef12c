import type { SearchFilters } from '../core/types';
import type { Catalog } from './catalog';
import { sqlString, sqlStringArray, sqlStringList } from './lance-sql';

/**
 * The `where` clauses (ANDed) that restrict a frame search, or `null` when the filters exclude every video (the
 * keywords matched none), in which case there is nothing to search. An empty list or blank keywords count as not
 * given: no restriction. Tags match when a frame's video has any of them; category and tags are read from the frame
 * rows (denormalised at write time) so the restriction runs as a prefilter inside the k-NN search.
 */
export async function frameFilterClauses(filters: SearchFilters | undefined, catalog: Catalog): Promise<string[] | null> {
  const clauses: string[] = [];
  if (filters?.videoIds?.length) clauses.push(`video_id IN ${sqlStringList(filters.videoIds)}`);
  if (filters?.categories?.length) clauses.push(`category IN ${sqlStringList(filters.categories)}`);
  if (filters?.tags?.length) clauses.push(`array_has_any(tags, ${sqlStringArray(filters.tags)})`);
  if (filters?.keywords?.trim()) {
    const ids = await catalog.matchKeywords(filters.keywords);
    if (ids.length === 0) return null;
    clauses.push(`video_id IN ${sqlStringList(ids)}`);
  }
  return clauses;
}

/** The clause selecting one video's frames. */
export function videoClause(videoId: string): string {
  return `video_id = ${sqlString(videoId)}`;
}
