/** Seeded pseudo-random numbers, so every run measures the same data. */

/** Uniform numbers in [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random unit vector (uniform components, normalised: direction enough for benchmarks, not exactly isotropic). */
export function randomUnitVector(next: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let sq = 0;
  for (let d = 0; d < dim; d++) {
    v[d] = next() - 0.5;
    sq += v[d] * v[d];
  }
  const inv = 1 / Math.sqrt(sq);
  for (let d = 0; d < dim; d++) v[d] *= inv;
  return v;
}
