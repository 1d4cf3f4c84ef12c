import type { FrameVector } from './types';
import { normalizeInto } from './vector';

/**
 * Temporal Gaussian smoothing of frame embeddings: frame i becomes the Gaussian-weighted sum of the frames
 * i-h..i+h (h = floor(kernelSize / 2), weight exp(-j² / 2σ²) at distance j), scaled back to unit length.
 *
 * Edges: the reference design drops the first and last h frames. Here no frame is dropped: at the ends of the
 * video the kernel is truncated to the frames that exist and its weights renormalised over them. (That
 * renormalisation is a positive scale, which the final unit-length normalisation absorbs, so it is implicit.)
 *
 * Chunks: the ends of the `frames` array are taken as the ends of the video. A frame at least h frames away
 * from both ends of the array sees exactly the neighbours it has in the whole video, so smoothing a chunk
 * decoded with h (or more) extra frames on each inner side and keeping only its inner frames gives
 * bitwise the same vectors as smoothing the whole video. Pass the chunk's keep range as `keep`: only the
 * frames in it are computed and returned, the others serve as context. A chunk edge without margin
 * (keepStart = start, or keepEnd = end) must be a true video edge.
 */

export const DEFAULT_KERNEL_SIZE = 11;
export const DEFAULT_SIGMA = 1.8;

export interface SmoothingOptions {
  /** Odd number of frames in the window, ≥ 1 (1 = no smoothing beyond normalisation). */
  kernelSize?: number;
  /** Standard deviation of the Gaussian, in frames (> 0). */
  sigma?: number;
}

export const DEFAULT_SMOOTHING: Readonly<Required<SmoothingOptions>> = Object.freeze({
  kernelSize: DEFAULT_KERNEL_SIZE,
  sigma: DEFAULT_SIGMA,
});

/** Half-open time range [keepStart, keepEnd) of the frames to return (a `Chunk` from planChunks fits). */
export interface KeepRange {
  keepStart: number;
  keepEnd: number;
}

/** Frames of context a chunk needs on each inner side for its kept frames to match the whole video. */
export function smoothingMargin(options: SmoothingOptions = {}): number {
  return Math.floor(resolve(options).kernelSize / 2);
}

/**
 * Smooths `frames` (one video or chunk, in strictly increasing time, all the same dimension) and returns new
 * unit-length frames at the same times: all of them, or only those with keepStart ≤ time < keepEnd.
 * The returned vectors are views into one shared buffer (copy one before handing its `.buffer` on).
 */
export function smoothFrames(
  frames: readonly FrameVector[],
  options: SmoothingOptions = {},
  keep?: KeepRange,
): FrameVector[] {
  const { kernelSize, sigma } = resolve(options);
  const n = frames.length;
  if (n === 0) return [];
  const dim = frames[0].vector.length;
  for (let i = 0; i < n; i++) {
    const { time, vector } = frames[i];
    if (vector.length !== dim) throw new Error(`Frame ${i} has dimension ${vector.length}, expected ${dim}`);
    if (i > 0 && !(time > frames[i - 1].time)) {
      throw new Error(`Frame times must increase strictly: frame ${i} at ${time} after ${frames[i - 1].time}`);
    }
  }

  const [from, to] = keepIndices(frames, keep);
  if (from === to) return [];
  const h = Math.floor(kernelSize / 2);
  const weights = new Float64Array(h + 1); // by distance: weights[j] = exp(-j² / 2σ²)
  for (let j = 0; j <= h; j++) weights[j] = Math.exp(-(j * j) / (2 * sigma * sigma));

  // One allocation for all outputs: steadier and faster than thousands of separate small Float32Arrays.
  const y = new Float32Array((to - from) * dim);
  const acc = new Float64Array(dim);
  const out: FrameVector[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    // Which path depends only on whether the whole window exists, so a kept frame of a chunk with enough
    // margin takes the same path, with the same operations in the same order, as in the whole video.
    const sq =
      i >= h && i + h < n
        ? accumulateFull(frames, i, weights, acc)
        : accumulateTruncated(frames, i, weights, acc, Math.min(h, i), Math.min(h, n - 1 - i));
    const vector = normalizeInto(acc, y.subarray((i - from) * dim, (i - from + 1) * dim), sq);
    out[i - from] = { time: frames[i].time, vector };
  }
  return out;
}

/** Indices [from, to) of the frames with keepStart ≤ time < keepEnd (all frames without a keep range). */
function keepIndices(frames: readonly FrameVector[], keep: KeepRange | undefined): [number, number] {
  if (!keep) return [0, frames.length];
  let from = 0;
  while (from < frames.length && frames[from].time < keep.keepStart) from++;
  let to = from;
  while (to < frames.length && frames[to].time < keep.keepEnd) to++;
  return [from, to];
}

/**
 * acc = Σ_{|j|≤h} w[|j|]·frames[i + j]; returns |acc|². A pass over acc costs about as much as its arithmetic,
 * so one pass takes the centre and up to five distances (the default kernel's h), the frames at ±j added before
 * weighting; a longer kernel takes further passes of five. A distance past h (filling the last pass) gets
 * weight 0 and the centre frame on both sides: it adds exact zeros. Only the last pass's sum of squares is kept.
 */
function accumulateFull(frames: readonly FrameVector[], i: number, w: Float64Array, acc: Float64Array): number {
  const h = w.length - 1;
  const dim = acc.length;
  const centre = frames[i].vector;
  const before = (j: number) => (j <= h ? frames[i - j].vector : centre);
  const after = (j: number) => (j <= h ? frames[i + j].vector : centre);
  const weight = (j: number) => (j <= h ? w[j] : 0);
  let sq = 0;
  for (let j = 1; j === 1 || j <= h; j += 5) {
    const [a1, a2, a3, a4, a5] = [before(j), before(j + 1), before(j + 2), before(j + 3), before(j + 4)];
    const [b1, b2, b3, b4, b5] = [after(j), after(j + 1), after(j + 2), after(j + 3), after(j + 4)];
    const [w1, w2, w3, w4, w5] = [weight(j), weight(j + 1), weight(j + 2), weight(j + 3), weight(j + 4)];
    // The first pass starts from the centre frame, later ones from acc; the 0/1 factors keep one loop for
    // both at no measurable cost (acc holds finite values: a non-finite sum fails normalisation first).
    const w0 = j === 1 ? w[0] : 0;
    const keep = j === 1 ? 0 : 1;
    sq = 0;
    for (let d = 0; d < dim; d++) {
      const s =
        keep * acc[d] +
        w0 * centre[d] +
        w1 * (a1[d] + b1[d]) +
        w2 * (a2[d] + b2[d]) +
        w3 * (a3[d] + b3[d]) +
        w4 * (a4[d] + b4[d]) +
        w5 * (a5[d] + b5[d]);
      acc[d] = s;
      sq += s * s;
    }
  }
  return sq;
}

/**
 * acc = Σ_{-left≤j≤right} w[|j|]·frames[i + j], returns |acc|²: the window cut at a video edge
 * (only the first and last h frames of a video take this path).
 */
function accumulateTruncated(
  frames: readonly FrameVector[],
  i: number,
  w: Float64Array,
  acc: Float64Array,
  left: number,
  right: number,
): number {
  const dim = acc.length;
  acc.fill(0);
  for (let k = 0; k <= left + right; k++) {
    const j = k - left; // not a loop from -left: that starts at -0 when left is 0, and V8 deoptimises on -0
    const wj = w[Math.abs(j)];
    const v = frames[i + j].vector;
    for (let d = 0; d < dim; d++) acc[d] += wj * v[d];
  }
  let sq = 0;
  for (let d = 0; d < dim; d++) sq += acc[d] * acc[d];
  return sq;
}

function resolve(options: SmoothingOptions): Required<SmoothingOptions> {
  const kernelSize = options.kernelSize ?? DEFAULT_KERNEL_SIZE;
  const sigma = options.sigma ?? DEFAULT_SIGMA;
  if (!Number.isSafeInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
    throw new Error(`kernelSize must be an odd integer >= 1, got ${kernelSize}`);
  }
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new Error(`sigma must be a finite number > 0, got ${sigma}`);
  return { kernelSize, sigma };
}
