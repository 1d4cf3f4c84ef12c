/**
 * Random unit vectors with the structure of a video's frame embeddings, fast and seeded (xorshift32: a 1M-frame
 * dataset has half a billion components). A video is a random unit centre; its frames follow scenes of 3–60 frames
 * (a random unit direction each) plus a slow AR(1) walk (ρ 0.9, norm about 0.35), so neighbouring frames are close,
 * a video's scenes are related and different videos are not. Every video has its own seed, so any one of them can be
 * generated again on its own.
 */
export function videoVectors(seed: number, dim: number, count: number): Float32Array {
  const random = new XorShift(seed);
  const centre = random.unitVector(dim);
  const scene = new Float32Array(dim);
  const walk = new Float32Array(dim);
  // Each walk step is uniform in ±step per component: stationary variance (step² / 3) / (1 − ρ²) per component.
  const step = 0.35 * Math.sqrt((3 * (1 - 0.81)) / dim);
  const out = new Float32Array(count * dim);
  let sceneLeft = 0;
  for (let f = 0; f < count; f++) {
    if (sceneLeft-- === 0) {
      random.fillUnit(scene);
      sceneLeft = 2 + (random.next() >>> 0) % 58;
    }
    const base = f * dim;
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      walk[d] = 0.9 * walk[d] + step * random.signed();
      const x = 0.6 * centre[d] + 0.6 * scene[d] + walk[d];
      out[base + d] = x;
      sq += x * x;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let d = 0; d < dim; d++) out[base + d] *= inv;
  }
  return out;
}

/** A unit copy of `v` moved by a random vector of norm 0.3: cosine about 0.95 to `v` (a query close to a frame). */
export function perturbed(v: Float32Array, seed: number): Float32Array {
  const noise = new XorShift(seed).unitVector(v.length);
  const out = v.map((x, d) => x + 0.3 * noise[d]);
  const inv = 1 / Math.hypot(...out);
  return out.map((x) => x * inv);
}

class XorShift {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0 || 1;
  }

  next(): number {
    let s = this.state;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (this.state = s);
  }

  /** Uniform in [-1, 1). */
  signed(): number {
    return this.next() / 2147483648;
  }

  unitVector(dim: number): Float32Array {
    const v = new Float32Array(dim);
    this.fillUnit(v);
    return v;
  }

  /** Uniform components, normalised: a direction good enough for a benchmark, if not exactly isotropic. */
  fillUnit(out: Float32Array): void {
    let sq = 0;
    for (let d = 0; d < out.length; d++) {
      out[d] = this.signed();
      sq += out[d] * out[d];
    }
    const inv = 1 / Math.sqrt(sq);
    for (let d = 0; d < out.length; d++) out[d] *= inv;
  }
}
