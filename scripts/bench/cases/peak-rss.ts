import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BenchCase } from '../bench-case';
import { runChild } from '../child';
import { entry } from '../entry';
import { fixtureModelDir } from '../fixture';
import { benchVideo } from '../videos';

interface Indexed {
  frames: number;
  seconds: number;
}

/**
 * Case 8: peak RSS of indexing a 1-hour video against a 2-minute one (low resolution, fixture model), each in a
 * fresh process. Memory must not grow with the video: frames stream through the decoder and embedder, and only the
 * vectors are kept.
 */
export const peakRssCase: BenchCase = {
  name: 'peak-rss',
  async run(ctx) {
    const [longSec, shortSec] = ctx.smoke ? [20, 4] : [3600, 120];
    const model = await fixtureModelDir(ctx.tmpDir);
    const scratch = await mkdtemp(path.join(ctx.tmpDir, 'peak-rss-'));
    try {
      const index = async (durationSec: number) => {
        const video = await benchVideo(ctx.tmpDir, { width: 160, height: 120, fps: 5, durationSec });
        ctx.log(`indexing ${video}`);
        return runChild<Indexed>('index-video.ts', [video, model, path.join(scratch, String(durationSec))]);
      };
      const long = await index(longSec);
      const short = await index(shortSec);
      return [
        entry({
          name: `peak RSS indexing a ${minutes(longSec)} video vs a ${minutes(shortSec)} one (160×120, fixture model)`,
          value: long.peakRssMiB,
          unit: 'MiB',
          baseline: short.peakRssMiB,
          target: { of: 'ratio', max: 1.5 },
          note: `${long.frames} vs ${short.frames} frames; the long one took ${long.seconds.toFixed(0)} s`,
        }),
      ];
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

function minutes(seconds: number): string {
  return seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}
