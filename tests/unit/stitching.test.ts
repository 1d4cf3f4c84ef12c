import { planChunks } from '../../lib/core/sampling';
import { smoothFrames } from '../../lib/core/smoothing';
import { stitchChunks } from '../../lib/core/stitching';
import type { FrameVector } from '../../lib/core/types';

const frame = (time: number): FrameVector => ({ time, vector: Float32Array.of(Math.cos(time), Math.sin(time)) });
/** A video of `durationSec` at `fps`, decoded chunk by chunk as the jobs of planChunks decode it. */
function chunked(durationSec: number, fps: number, chunkSec: number, marginSec: number) {
  const times = Array.from({ length: Math.ceil(durationSec * fps) }, (_, i) => i / fps);
  const chunks = planChunks(durationSec, { chunkSec, marginSec }).map((keep) => ({
    frames: times.filter((t) => t >= keep.start && t < keep.end).map(frame),
    keep,
  }));
  return { whole: times.map(frame), chunks };
}

test('each frame once, from the chunk that keeps it, in time order', () => {
  const { whole, chunks } = chunked(12, 2, 4, 3);
  const stitched = stitchChunks(chunks);
  expect(stitched.map((f) => f.time)).toEqual(whole.map((f) => f.time));
  // Frames of the overlaps are taken from their owner: the first chunk's frame at 3.5 s, the second's at 4 s.
  expect(stitched[7]).toBe(chunks[0].frames[7]);
  expect(stitched[8]).toBe(chunks[1].frames.find((f) => f.time === 4));
});

test('smoothing the stitched video with a kernel wider than the margins is smoothing the whole video', () => {
  const { whole, chunks } = chunked(30, 2, 6, 1);
  const options = { kernelSize: 21, sigma: 4 };
  expect(smoothFrames(stitchChunks(chunks), options)).toEqual(smoothFrames(whole, options));
});

test('keep ranges that leave a gap or overlap are refused', () => {
  const { chunks } = chunked(12, 1, 4, 1);
  expect(() => stitchChunks([chunks[0], chunks[2]])).toThrow('chunk 1 keeps from 8 s, but chunk 0 keeps up to 4 s');
  expect(stitchChunks([])).toEqual([]);
});
