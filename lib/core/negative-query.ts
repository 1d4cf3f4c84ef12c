import { normalize } from './vector';

/**
 * Negative queries ("not this"): frames that match a negative text rank lower.
 *
 * 1. The negative texts are embedded like a query text; n is the normalised mean of their embeddings.
 * 2. The query vector q (text, image and 'more like this' moment fused, unit length) becomes
 *    normalise(q − NEGATIVE_WEIGHT · n). Every stored frame f is then scored — by the k-NN, the relevance floor, clip
 *    growth and the search signal alike — by (q·f − NEGATIVE_WEIGHT · n·f) / |q − NEGATIVE_WEIGHT · n|: its similarity
 *    to the query less half its similarity to what it must not show. A frame as close to a negative as to the query
 *    loses half its score against one that shows the query alone.
 * 3. A negative must not be empty, nor repeat the query's text (it would only rescale the query: refused as a
 *    contradiction by the search).
 */

/** Weight of the negative embedding subtracted from the query (rule 2). */
export const NEGATIVE_WEIGHT = 0.5;

/** The query vector with the negatives' embeddings subtracted (rules 1 and 2); the query unchanged without any. */
export function subtractNegatives(query: Float32Array, negatives: readonly Float32Array[]): Float32Array {
  if (negatives.length === 0) return query;
  const mean = new Float64Array(query.length);
  for (const negative of negatives) {
    if (negative.length !== query.length) throw new Error(`Query and negative differ in dimension: ${query.length} vs ${negative.length}`);
    const unit = normalize(negative);
    for (let d = 0; d < mean.length; d++) mean[d] += unit[d];
  }
  const n = normalize(mean);
  const q = normalize(query);
  return normalize(Float64Array.from(q, (value, d) => value - NEGATIVE_WEIGHT * n[d]));
}
