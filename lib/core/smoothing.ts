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
 * bitwise the same vectors as smoothing the whole video (but for the sign of a component that sums to exactly
 * zero, when h is not a multiple of 5: see accumulatePair). Pass the chunk's keep range as `keep`: only the
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
  const out: FrameVector[] = new Array(to - from);
  const emit = (i: number, acc: Float64Array, sq: number) => {
    out[i - from] = { time: frames[i].time, vector: normalizeInto(acc, y.subarray((i - from) * dim, (i - from + 1) * dim), sq) };
  };
  const acc = new Float64Array(dim);
  const next = new Float64Array(dim);
  const sums = new Float64Array(2);
  // Frames whose whole window exists, [h, n − h), take the full path, the others the truncated one. Which path depends
  // only on that, so a kept frame of a chunk with enough margin is computed as in the whole video.
  for (let i = from; i < to; i++) {
    if (i < h || i >= n - h) {
      emit(i, acc, accumulateTruncated(frames, i, weights, acc, Math.min(h, i), Math.min(h, n - 1 - i)));
      continue;
    }
    accumulatePair(frames, i, weights, acc, next, sums);
    emit(i, acc, sums[0]);
    // The pair's second frame is kept when it takes the full path too; otherwise it was computed for nothing.
    if (i + 1 < to && i + 1 < n - h) emit(++i, next, sums[1]);
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
 * Frames i and i + 1 at once: acc = Σ_{|j|≤h} w[|j|]·frames[i + j] and next = the same around i + 1, their squared
 * norms in sums[0] and sums[1]. Neighbouring frames share all but one operand, so doing two at once halves the loads,
 * which cost more than the arithmetic. A pass over the accumulators costs about as much as its arithmetic too, so one
 * pass takes the centre and up to five distances (the default kernel's h) and a longer kernel takes further passes of
 * five. Each frame's sum has the same terms in the same order whichever of the pair it is.
 *
 * Frame i must have its whole window; frame i + 1 need not (the caller drops its result then). Operands past the
 * array are clamped to it, and distances past h (filling the last pass) get weight 0: they add zeros, so a frame's
 * vector is the same in a chunk as in the whole video (up to the sign of a component that sums to exactly zero).
 */
function accumulatePair(
  frames: readonly FrameVector[],
  i: number,
  w: Float64Array,
  acc: Float64Array,
  next: Float64Array,
  sums: Float64Array,
): void {
  const h = w.length - 1;
  const dim = acc.length;
  const last = frames.length - 1;
  const at = (k: number) => frames[Math.min(last, Math.max(0, k))].vector;
  const weight = (j: number) => (j <= h ? w[j] : 0);
  for (let j = 1; j === 1 || j <= h; j += 5) {
    // At distances j..j+4 frame i takes (l[m+1], r[m]) and frame i+1 takes (l[m], r[m+1]), for m = 0..4;
    // in the first pass l[0] is frame i, the centre of i, and r[0] is frame i + 1, the centre of i + 1.
    const [l0, l1, l2, l3, l4, l5] = [at(i + 1 - j), at(i - j), at(i - j - 1), at(i - j - 2), at(i - j - 3), at(i - j - 4)];
    const [r0, r1, r2, r3, r4, r5] = [at(i + j), at(i + j + 1), at(i + j + 2), at(i + j + 3), at(i + j + 4), at(i + j + 5)];
    const [w1, w2, w3, w4, w5] = [weight(j), weight(j + 1), weight(j + 2), weight(j + 3), weight(j + 4)];
    let sqA = 0;
    let sqB = 0;
    if (j === 1) {
      const w0 = w[0];
      for (let d = 0; d < dim; d++) {
        const a0 = l0[d], a1 = l1[d], a2 = l2[d], a3 = l3[d], a4 = l4[d], a5 = l5[d];
        const b0 = r0[d], b1 = r1[d], b2 = r2[d], b3 = r3[d], b4 = r4[d], b5 = r5[d];
        const s = w0 * a0 + w1 * (a1 + b0) + w2 * (a2 + b1) + w3 * (a3 + b2) + w4 * (a4 + b3) + w5 * (a5 + b4);
        const t = w0 * b0 + w1 * (a0 + b1) + w2 * (a1 + b2) + w3 * (a2 + b3) + w4 * (a3 + b4) + w5 * (a4 + b5);
        acc[d] = s;
        next[d] = t;
        sqA += s * s;
        sqB += t * t;
      }
    } else {
      for (let d = 0; d < dim; d++) {
        const a0 = l0[d], a1 = l1[d], a2 = l2[d], a3 = l3[d], a4 = l4[d], a5 = l5[d];
        const b0 = r0[d], b1 = r1[d], b2 = r2[d], b3 = r3[d], b4 = r4[d], b5 = r5[d];
        const s = acc[d] + w1 * (a1 + b0) + w2 * (a2 + b1) + w3 * (a3 + b2) + w4 * (a4 + b3) + w5 * (a5 + b4);
        const t = next[d] + w1 * (a0 + b1) + w2 * (a1 + b2) + w3 * (a2 + b3) + w4 * (a3 + b4) + w5 * (a4 + b5);
        acc[d] = s;
        next[d] = t;
        sqA += s * s;
        sqB += t * t;
      }
    }
    // Only the last pass's sums of squares are the norms.
    sums[0] = sqA;
    sums[1] = sqB;
  }
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
