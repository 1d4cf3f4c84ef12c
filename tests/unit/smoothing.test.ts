import { planChunks } from '../../lib/core/sampling';
import {
  DEFAULT_KERNEL_SIZE,
  DEFAULT_SIGMA,
  DEFAULT_SMOOTHING,
  smoothFrames,
  smoothingMargin,
  type SmoothingOptions,
} from '../../lib/core/smoothing';
import type { FrameVector } from '../../lib/core/types';
import { uniform } from '../../scripts/bench/random';

/** Deterministic pseudo-random numbers in [-1, 1). */
function rng(seed: number): () => number {
  const next = uniform(seed);
  return () => next() * 2 - 1;
}

/** `n` frames at 2 fps with random (not unit) vectors. */
function randomFrames(n: number, dim: number, seed = 1): FrameVector[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ time: i / 2, vector: Float32Array.from({ length: dim }, next) }));
}

/**
 * The definition, written plainly: Gaussian weights over the frames that exist within h of i, renormalised to
 * sum 1, weighted sum in doubles, then scaled to unit length.
 */
function reference(frames: FrameVector[], kernelSize: number, sigma: number): number[][] {
  const h = Math.floor(kernelSize / 2);
  return frames.map((_, i) => {
    const dim = frames[i].vector.length;
    let total = 0;
    for (let j = 0; j < frames.length; j++) if (Math.abs(j - i) <= h) total += Math.exp(-((j - i) ** 2) / (2 * sigma ** 2));
    const sum = new Array<number>(dim).fill(0);
    for (let j = 0; j < frames.length; j++) {
      if (Math.abs(j - i) > h) continue;
      const w = Math.exp(-((j - i) ** 2) / (2 * sigma ** 2)) / total;
      for (let d = 0; d < dim; d++) sum[d] += w * frames[j].vector[d];
    }
    const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
    return sum.map((x) => x / norm);
  });
}

function expectClose(actual: FrameVector[], expected: number[][], tolerance = 1e-6): void {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  actual.forEach((f, i) => f.vector.forEach((x, d) => (worst = Math.max(worst, Math.abs(x - expected[i][d])))));
  expect(worst).toBeLessThan(tolerance);
}

/** Index of the first frame whose time or vector bytes differ between `a` and `b` (-1 when bitwise equal). */
function firstDifference(a: FrameVector[], b: FrameVector[]): number {
  const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!a[i] || !b[i] || a[i].time !== b[i].time || !bytes(a[i].vector).equals(bytes(b[i].vector))) return i;
  }
  return -1;
}

describe('smoothFrames', () => {
  it('uses the reference design defaults', () => {
    expect(DEFAULT_KERNEL_SIZE).toBe(11);
    expect(DEFAULT_SIGMA).toBe(1.8);
    expect(DEFAULT_SMOOTHING).toEqual({ kernelSize: 11, sigma: 1.8 });
    expect(smoothingMargin()).toBe(5);
    expect(smoothingMargin({ kernelSize: 3 })).toBe(1);
    expect(smoothingMargin({ kernelSize: 1 })).toBe(0);
  });

  it('matches the plain definition with the default kernel, edge frames included', () => {
    const frames = randomFrames(40, 16);
    const smoothed = smoothFrames(frames);
    expect(smoothed.map((f) => f.time)).toEqual(frames.map((f) => f.time));
    expectClose(smoothed, reference(frames, 11, 1.8));
  });

  it.each([
    [3, 1],
    [5, 0.7],
    [7, 2],
    [9, 3],
    [13, 2.5],
    [15, 4],
    [21, 5],
  ])('matches the plain definition with kernel %i, sigma %p', (kernelSize, sigma) => {
    const frames = randomFrames(50, 9, kernelSize);
    expectClose(smoothFrames(frames, { kernelSize, sigma }), reference(frames, kernelSize, sigma));
  });

  it('truncates and renormalises the kernel at the edges: frame 0 with kernel 3 is v0 + e^-1/2·v1, normalised', () => {
    const frames: FrameVector[] = [
      { time: 0, vector: Float32Array.from([1, 0]) },
      { time: 1, vector: Float32Array.from([0, 1]) },
      { time: 2, vector: Float32Array.from([0, 1]) },
    ];
    const [first] = smoothFrames(frames, { kernelSize: 3, sigma: 1 });
    const w = Math.exp(-0.5);
    const norm = Math.hypot(1, w);
    expect(first.vector[0]).toBeCloseTo(1 / norm, 6);
    expect(first.vector[1]).toBeCloseTo(w / norm, 6);
  });

  it('handles a video shorter than the kernel', () => {
    const frames = randomFrames(3, 5);
    expectClose(smoothFrames(frames), reference(frames, 11, 1.8));
    const single = randomFrames(1, 5);
    expectClose(smoothFrames(single), reference(single, 11, 1.8));
  });

  it('returns unit vectors', () => {
    for (const f of smoothFrames(randomFrames(30, 64))) {
      expect(Math.hypot(...f.vector)).toBeCloseTo(1, 6);
    }
  });

  it('is the identity (after normalisation) with kernel 1', () => {
    const frames = randomFrames(10, 8);
    const smoothed = smoothFrames(frames, { kernelSize: 1 });
    smoothed.forEach((f, i) => {
      const v = frames[i].vector;
      const norm = Math.hypot(...v);
      f.vector.forEach((x, d) => expect(x).toBeCloseTo(v[d] / norm, 6));
    });
  });

  it('does not modify its input', () => {
    const frames = randomFrames(20, 8);
    const before = frames.map((f) => Float32Array.from(f.vector));
    smoothFrames(frames);
    frames.forEach((f, i) => expect(f.vector).toEqual(before[i]));
  });

  it('returns only the frames of the keep range', () => {
    const frames = randomFrames(20, 4); // times 0, 0.5, …, 9.5
    const whole = smoothFrames(frames);
    const kept = smoothFrames(frames, {}, { keepStart: 2, keepEnd: 4 });
    expect(kept.map((f) => f.time)).toEqual([2, 2.5, 3, 3.5]);
    expect(firstDifference(kept, whole.slice(4, 8))).toBe(-1);
    expect(smoothFrames(frames, {}, { keepStart: 20, keepEnd: 30 })).toEqual([]);
  });

  describe('in chunks', () => {
    const fps = 2;
    const frames = randomFrames(123, 24, 7); // 61.5 s at 2 fps
    const duration = frames.length / fps;

    function chunked(options: SmoothingOptions, chunkSec: number, marginFrames: number): FrameVector[] {
      return planChunks(duration, { chunkSec, marginSec: marginFrames / fps }).flatMap((chunk) => {
        const decoded = frames.filter((f) => f.time >= chunk.start && f.time < chunk.end);
        return smoothFrames(decoded, options, chunk);
      });
    }

    it.each([0.5, 1, 2.5, 3, 7, 10, 30.5, 61, 100])('gives bitwise the whole-video vectors with %p s chunks', (chunkSec) => {
      for (const options of [{}, { kernelSize: 5, sigma: 1 }, { kernelSize: 15, sigma: 3 }]) {
        const whole = smoothFrames(frames, options);
        const margin = smoothingMargin(options);
        for (const marginFrames of [margin, margin + 2]) {
          expect(firstDifference(chunked(options, chunkSec, marginFrames), whole)).toBe(-1);
        }
      }
    });

    it('differs from the whole video when the margin is short (so the test above can fail)', () => {
      const whole = smoothFrames(frames);
      const pieces = chunked({}, 10, smoothingMargin() - 1);
      expect(pieces.map((f) => f.time)).toEqual(whole.map((f) => f.time));
      expect(firstDifference(pieces, whole)).toBeGreaterThanOrEqual(0);
    });
  });

  it('rejects bad options and inputs', () => {
    const frames = randomFrames(5, 3);
    expect(() => smoothFrames(frames, { kernelSize: 4 })).toThrow(/kernelSize .*got 4/);
    expect(() => smoothFrames(frames, { kernelSize: 0 })).toThrow(/kernelSize/);
    expect(() => smoothFrames(frames, { kernelSize: 2.5 })).toThrow(/kernelSize/);
    expect(() => smoothFrames(frames, { sigma: 0 })).toThrow(/sigma .*got 0/);
    expect(() => smoothingMargin({ kernelSize: 6 })).toThrow(/kernelSize/);
    expect(() => smoothFrames([frames[1], frames[0]])).toThrow(/increase strictly/);
    expect(() => smoothFrames([frames[0], { time: 1, vector: new Float32Array(4) }])).toThrow(/dimension 4, expected 3/);
    expect(() => smoothFrames([{ time: 0, vector: new Float32Array(3) }])).toThrow(/norm 0/);
    expect(smoothFrames([])).toEqual([]);
  });
});
