/** Small vector helpers shared by the core (embeddings are compared by inner product of unit vectors). */

/** Inner product of two vectors of the same length. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Vector lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/**
 * Writes `v / |v|` into `out` (same length) and returns `out`; the norm is taken in double precision.
 * `squaredNorm` saves a pass when the caller summed the squares already. A zero or non-finite norm has no
 * direction, so it is an error rather than a silent NaN vector.
 */
export function normalizeInto(
  v: Float32Array | Float64Array,
  out: Float32Array,
  squaredNorm = squaredLength(v),
): Float32Array {
  if (v.length !== out.length) throw new Error(`Vector lengths differ: ${v.length} vs ${out.length}`);
  const norm = Math.sqrt(squaredNorm);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error(`Cannot normalise a vector of norm ${norm}`);
  const inv = 1 / norm;
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

function squaredLength(v: Float32Array | Float64Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return sq;
}

/** A new unit-length copy of `v`. */
export function normalize(v: Float32Array | Float64Array): Float32Array {
  return normalizeInto(v, new Float32Array(v.length));
}
