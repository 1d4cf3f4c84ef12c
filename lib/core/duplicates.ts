import type { Clip, Moment } from './types';
import { dot } from './vector';

/**
 * Near-duplicate results: content found more than once (an intro in every episode, a re-upload, a shot a video
 * repeats) is one result that lists where else it is, so a page of results is not ten copies of one thing.
 *
 * 1. Two clips are near-duplicates when the stored (smoothed) embeddings of their best frames have an inner product
 *    of at least DUPLICATE_SIMILARITY (0.97), whether they are in the same video or in two.
 * 2. The clips are taken in rank order. A clip that is a near-duplicate of a result taken before it joins the first
 *    such result's `duplicates` (`{videoId, start, end}`, in rank order); any other clip is a result. Clips are
 *    compared with results only, never with each other's duplicates, so a chain of gradually different clips does not
 *    collapse into one.
 * 3. A clip whose best frame has no stored vector (its video replaced meanwhile) is a result of its own.
 * So that collapsing still fills a page, a search that collapses duplicates considers DUPLICATE_CANDIDATES × size
 * clips (lib/search.ts).
 */

/** Least inner product of two clips' best-frame embeddings for them to be one result (rule 1). */
export const DUPLICATE_SIMILARITY = 0.97;
/** Clips a search considers per result it returns when collapsing duplicates. */
export const DUPLICATE_CANDIDATES = 2;

export type WithDuplicates<T extends Clip> = T & { duplicates: Moment[] };

/**
 * `clips` (ranked) collapsed by the rules at the top of this file; `bestVector(clip)` is the stored embedding of the
 * clip's best frame, undefined when it has none. The results keep the order of `clips`.
 */
export function collapseDuplicates<T extends Clip>(
  clips: readonly T[],
  bestVector: (clip: T) => Float32Array | undefined,
  similarity = DUPLICATE_SIMILARITY,
): WithDuplicates<T>[] {
  const results: { clip: WithDuplicates<T>; vector?: Float32Array }[] = [];
  for (const clip of clips) {
    const vector = bestVector(clip);
    const original = vector && results.find((result) => result.vector && dot(result.vector, vector) >= similarity);
    if (original) original.clip.duplicates.push({ videoId: clip.videoId, start: clip.start, end: clip.end });
    else results.push({ clip: { ...clip, duplicates: [] }, vector });
  }
  return results.map((result) => result.clip);
}
