/**
 * Arithmetic in the order the benchmarks' reference evaluations (Python and numpy) do it, so that a metric lying on a
 * rounding boundary (a mean of a few APs can be exactly 12.345 %) rounds the way the published number does.
 *
 * - `numpySum`: numpy's pairwise summation of a contiguous float64 array (`np.sum`, `np.mean` over a whole array):
 *   fewer than 8 values are added left to right; 8 to 128 values go into eight running sums (values i, i + 8, i + 16…
 *   into sum i mod 8), combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), and the values left over after
 *   the last full row of eight are then added left to right; more than 128 values are split in two (the first part
 *   half the values, rounded down to a multiple of 8), each part summed so, and the two sums added.
 * - `sequentialSum`: left to right (Python's `sum`, numpy's `mean(axis=0)` down the rows of a table).
 * - `inPredictionOrder`: the reference builds its tables of per-query values from the prediction file, so sums over
 *   queries run in that file's order; queries without a prediction (which add 0) come last.
 * - `percent2`: Python's `float(f"{x:.2f}")`: the nearest number with two decimals, a tie (a value exactly halfway,
 *   which a binary number can only be when 8·x is an odd integer) going to the even last digit.
 */

const PAIRWISE_BLOCK = 128;

/** numpy's pairwise sum (see the top of this file). */
export function numpySum(values: readonly number[]): number {
  return pairwise(values, 0, values.length);
}

function pairwise(values: readonly number[], from: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[from + i];
    return sum;
  }
  if (count <= PAIRWISE_BLOCK) {
    const s = values.slice(from, from + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let j = 0; j < 8; j++) s[j] += values[from + i + j];
    }
    let sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < count; i++) sum += values[from + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwise(values, from, half) + pairwise(values, from + half, count - half);
}

/** Left to right, from 0. */
export function sequentialSum(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/** The queries in the order of the predictions' keys (the prediction file's order), those without one last. */
export function inPredictionOrder<T extends { key: string }>(queries: readonly T[], predictions: ReadonlyMap<string, unknown>): T[] {
  const rank = new Map([...predictions.keys()].map((key, i) => [key, i]));
  const position = (query: T) => rank.get(query.key) ?? Infinity;
  return [...queries].sort((a, b) => position(a) - position(b));
}

/** `float(f"{x:.2f}")` in Python; NaN stays NaN. */
export function percent2(x: number): number {
  if (!Number.isFinite(x)) return x;
  const eighths = x * 8; // exact: a power of two
  if (Number.isInteger(eighths) && eighths % 2 !== 0) {
    const hundredths = Math.floor(x * 100); // x · 100 = n + 0.5 exactly here
    return (hundredths % 2 === 0 ? hundredths : hundredths + 1) / 100;
  }
  return Number(x.toFixed(2));
}
