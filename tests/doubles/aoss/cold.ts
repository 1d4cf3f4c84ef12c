import { AossError } from './errors';

/**
 * How a cold collection answers its first requests. Both forms stand for one rule of NextGen collection groups with a
 * minimum of 0 OCU (AWS's "Scale to zero for Amazon OpenSearch Serverless"; the project's AWS notes): after 10
 * minutes without requests the group's search and indexing workers scale to zero, and the first request after that
 * waits 10–30 s while they come back. AWS documents the wait; whether a waking collection ever answers 503 instead is
 * not documented, so code must survive both.
 * - `late`: the first request of a side starts its wake; that side answers nothing until `delayMs` later, and then
 *   answers every request that came meanwhile (a caller that stopped waiting may still see its write applied).
 * - `503`: the first `requests` requests of a side are answered 503 (the body's shape is the double's own: rely on the
 *   status); then the side is awake.
 */
export type Cold = { mode: 'late'; delayMs: number } | { mode: '503'; requests: number };

/** "Search and indexing scale to zero and wake independently": reads wake the search side, writes the indexing side. */
export type Side = 'search' | 'indexing';

export const SIDES: readonly Side[] = ['search', 'indexing'];

/** The side a request needs: searches, counts, mappings and existence checks read; everything else writes. */
export function sideOf(method: string, action: string | undefined): Side {
  return method === 'GET' || method === 'HEAD' || action === '_search' || action === '_count' ? 'search' : 'indexing';
}

/** The answer of a side in `503` mode. */
export function scalingUp(side: Side): AossError {
  return new AossError(503, 'service_unavailable', `the collection's ${side} capacity is scaling up from zero`);
}

/** The cold state of each side, and what a request meets. */
export class ColdSides {
  private readonly cold = new Map<Side, Cold>();
  /** A waking side: when its wake ends, and the timer that ends it. */
  private readonly waking = new Map<Side, { ready: Promise<void>; timer: NodeJS.Timeout; end: () => void }>();

  goCold(cold: Cold, sides: readonly Side[]): void {
    for (const side of sides) {
      this.endWake(side);
      this.cold.set(side, { ...cold });
    }
  }

  /**
   * How a request meets its side: undefined when the side is warm; `late` once the wake it waited for has ended;
   * `503` when it must be turned away (`scalingUp`).
   */
  async admit(side: Side): Promise<Cold['mode'] | undefined> {
    const cold = this.cold.get(side);
    if (!cold) return undefined;
    if (cold.mode === '503') {
      if (--cold.requests <= 0) this.cold.delete(side);
      return '503';
    }
    let wake = this.waking.get(side);
    if (!wake) {
      let end!: () => void;
      const ready = new Promise<void>((resolve) => (end = resolve));
      const timer = setTimeout(() => this.endWake(side), cold.delayMs);
      this.waking.set(side, (wake = { ready, timer, end }));
    }
    await wake.ready;
    return 'late';
  }

  /** Ends every wake at once (the double is closing): held requests are answered. */
  endAll(): void {
    for (const side of SIDES) this.endWake(side);
  }

  private endWake(side: Side): void {
    const wake = this.waking.get(side);
    this.waking.delete(side);
    if (wake) {
      this.cold.delete(side);
      clearTimeout(wake.timer);
      wake.end();
    }
  }
}
