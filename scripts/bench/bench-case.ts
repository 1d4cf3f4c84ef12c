import type { BenchEntry } from './entry';

export interface BenchContext {
  /** Tiny sizes: checks that every case runs and reports, in seconds (the test's mode). */
  smoke: boolean;
  /** Generated videos, models and datasets are cached here between runs; scratch data goes here too. */
  tmpDir: string;
  /** Progress for the person watching (stderr); not part of the results. */
  log(message: string): void;
  /** Records that part of a case did not run, and why: listed with the results, never silently dropped. */
  skip(what: string, reason: string): void;
}

/** One case of `npm run bench`: measures itself against its baseline in the same run. */
export interface BenchCase {
  /** Short id for `--only`. */
  name: string;
  run(ctx: BenchContext): Promise<BenchEntry[]>;
}
