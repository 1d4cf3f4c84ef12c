/**
 * Timing helpers. The bench machine is shared and noisy, and interference only ever adds time, so a fixed piece
 * of work is timed as the best of a few runs, and a comparison alternates the two sides so both see the same load.
 */

/** Milliseconds `fn` takes. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Best of `runs` timings of `fn`, in milliseconds, after `warmup` untimed runs. */
export async function bestOfMs(fn: () => unknown, runs: number, warmup = 0): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, await timeMs(fn));
  return best;
}

/** One round of a comparison, in milliseconds. */
export interface Round {
  ours: number;
  baseline: number;
}

/**
 * Rounds of a comparison (compareMs): three, one in a smoke run. Five kept a ratio at 1.14 against a target of 1.15
 * off the noise, but with the real-size and speech cases the whole run passed ten minutes (660 s on 2026-12-02): the
 * decode and index-pipeline cases' 40 runs of 60 s videos were 154 s of it.
 */
export function comparisonRounds(smoke: boolean): number {
  return smoke ? 1 : 3;
}

/**
 * Alternates `ours` and `baseline` for `rounds` rounds (odd) and returns the round whose ratio ours / baseline is
 * the median. The two runs of a round are adjacent in time, so they see about the same load from other work on the
 * machine; the median round discards the rounds a burst of that load hit unevenly.
 */
export async function compareMs(ours: () => unknown, baseline: () => unknown, rounds: number): Promise<Round> {
  const results: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    // The baseline goes first in every round, so neither side always runs on a cache the other warmed.
    const baselineMs = await timeMs(baseline);
    results.push({ baseline: baselineMs, ours: await timeMs(ours) });
  }
  results.sort((a, b) => a.ours / a.baseline - b.ours / b.baseline);
  return results[(results.length - 1) >> 1];
}

/** The p-th percentile (0 < p ≤ 100) by nearest rank: a value that was observed. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
