import type { IndexProgress } from '../indexer';
import { clock } from './format';

const BAR_WIDTH = 24;

export interface ProgressStep {
  /** What is being worked on (cut to 30 characters). */
  label: string;
  done: number;
  total: number;
  /** What is counted: "frames", "queries". */
  unit: string;
  elapsedSec: number;
}

/**
 * A live progress bar on stderr with the rate and ETA, on a terminal only; nothing otherwise (plain output gets one
 * line per finished piece of work from the command itself). cli-progress would do this, but it is not a dependency of
 * the project, and a bar that only redraws one line needs no more than this.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_: ProgressStep) => {}, done: () => {} };
  let active = false;
  return {
    update({ label, done, total, unit, elapsedSec }: ProgressStep) {
      const fraction = Math.min(1, done / total);
      const filled = Math.round(fraction * BAR_WIDTH);
      const rate = elapsedSec > 0 ? done / elapsedSec : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      stream.write(
        `\r${label.slice(0, 30).padEnd(30)} ${bar} ${done}/${total} ${unit} ${rate.toFixed(1)} ${unit}/s ETA ${clock(eta)} `,
      );
      active = true;
    },
    done() {
      if (active) stream.write('\r\x1b[K');
      active = false;
    },
  };
}

/** Indexing progress (frames of one video) on the bar above. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const bar = progressBar(stream);
  return {
    update: (p: IndexProgress) =>
      bar.update({ label: p.title, done: p.framesDone, total: p.framesExpected, unit: 'frames', elapsedSec: p.elapsedSec }),
    done: bar.done,
  };
}
