import { decodeFrames, decodeThreads } from '../../../lib/decoder/frames';
import type { BenchCase } from '../bench-case';
import { type BenchEntry, entry } from '../entry';
import { ffmpegDecode, SAMPLE } from '../ffmpeg-baseline';
import { compareMs, comparisonRounds } from '../timing';
import { type BenchVideo, benchVideo } from '../videos';

const FULL: (BenchVideo & { label: string })[] = [
  { label: '720p', width: 1280, height: 720, fps: 30, durationSec: 60 },
  { label: '1080p', width: 1920, height: 1080, fps: 30, durationSec: 60 },
];
const SMOKE: typeof FULL = [{ label: '240p', width: 320, height: 240, fps: 10, durationSec: 3 }];

/**
 * Case 1: our decoder against ffmpeg alone producing the same frames, on generated H.264 videos. Ours is
 * `decodeFrames` as a caller without a probe result runs it: ffprobe first, then ffmpeg with timestamp logging, every
 * frame read into its own buffer.
 */
export const decodeCase: BenchCase = {
  name: 'decode',
  async run(ctx) {
    const entries: BenchEntry[] = [];
    for (const video of ctx.smoke ? SMOKE : FULL) {
      const file = await benchVideo(ctx.tmpDir, video);
      ctx.log(`${video.label}: ${file}`);
      const threads = decodeThreads();
      const rounds = comparisonRounds(ctx.smoke);
      let ours = 0;
      let theirs = 0;
      const median = await compareMs(
        async () => (ours = await countDecoded(file, threads)),
        async () => (theirs = await ffmpegDecode(file, threads)),
        rounds,
      );
      if (ours !== theirs) throw new Error(`${video.label}: our decoder gave ${ours} frames, ffmpeg ${theirs}`);
      const name = `${video.label} ${video.durationSec} s H.264 → ${ours} frames (${SAMPLE.fps} fps, ${SAMPLE.size}² cover)`;
      entries.push(
        entry({
          name: `decode ${name} vs ffmpeg alone`,
          value: median.ours / 1000,
          unit: 's',
          baseline: median.baseline / 1000,
          target: { of: 'ratio', max: 1.1 },
          note: `median of ${rounds} alternating rounds`,
        }),
        entry({ name: `decode ${video.label} speed`, value: (video.durationSec * 1000) / median.ours, unit: '× real time' }),
      );
    }
    return entries;
  },
};

async function countDecoded(file: string, threads: number): Promise<number> {
  let frames = 0;
  const plan = { fps: SAMPLE.fps };
  for await (const _ of decodeFrames(file, { plan, width: SAMPLE.size, height: SAMPLE.size, fit: 'cover', threads })) frames++;
  return frames;
}
