import type { IndexProgress } from '../indexer';
import { clock } from './format';

const BAR_WIDTH = 24;

/**
 * Indexing progress on stderr: a live bar with frames/s and ETA on a terminal; nothing per frame otherwise
 * (plain output gets one line per finished video from the command itself).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_: IndexProgress) => {}, done: () => {} };
  let active = false;
  return {
    update(p: IndexProgress) {
      const fraction = Math.min(1, p.framesDone / p.framesExpected);
      const filled = Math.round(fraction * BAR_WIDTH);
      const rate = p.elapsedSec > 0 ? p.framesDone / p.elapsedSec : 0;
      const eta = rate > 0 ? (p.framesExpected - p.framesDone) / rate : 0;
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      stream.write(
        `\r${p.title.slice(0, 30).padEnd(30)} ${bar} ${p.framesDone}/${p.framesExpected} frames ` +
          `${rate.toFixed(1)} frames/s ETA ${clock(eta)} `,
      );
      active = true;
    },
    done() {
      if (active) stream.write('\r\x1b[K');
      active = false;
    },
  };
}
