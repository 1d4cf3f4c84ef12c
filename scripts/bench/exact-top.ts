/** Exact nearest neighbours by inner product, computed in the bench itself: the ground truth recall is measured on. */

/** The `k` best-scoring keys seen so far. */
export class TopK {
  private readonly scores: Float64Array;
  private readonly keys: string[] = [];
  private worst = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k).fill(-Infinity);
  }

  offer(score: number, key: () => string): void {
    if (!(score > this.scores[this.worst])) return;
    this.scores[this.worst] = score;
    this.keys[this.worst] = key();
    for (let i = 0; i < this.k; i++) if (this.scores[i] < this.scores[this.worst]) this.worst = i;
  }

  /** The keys, best first. */
  best(): string[] {
    return this.keys
      .map((key, i) => ({ key, score: this.scores[i] }))
      .sort((a, b) => b.score - a.score)
      .map(({ key }) => key);
  }
}

/**
 * Offers every row of `rows` (`dim` wide, row r keyed `keyOf(r)`) to each query's TopK. A row stays in cache while
 * every query passes over it, two queries at a time so each of its components is loaded once for both.
 */
export function scoreRows(rows: Float32Array, dim: number, queries: Float32Array[], tops: TopK[], keyOf: (row: number) => string): void {
  const count = rows.length / dim;
  for (let r = 0; r < count; r++) {
    const base = r * dim;
    const key = () => keyOf(r);
    for (let q = 0; q < queries.length; q += 2) {
      const a = queries[q];
      const b = queries[Math.min(q + 1, queries.length - 1)];
      let sa = 0;
      let sb = 0;
      for (let d = 0; d < dim; d++) {
        const x = rows[base + d];
        sa += x * a[d];
        sb += x * b[d];
      }
      tops[q].offer(sa, key);
      if (q + 1 < queries.length) tops[q + 1].offer(sb, key);
    }
  }
}

/** The frame key both the truth and the search results use. */
export function frameKey(videoId: string, time: number): string {
  return `${videoId}@${time}`;
}
