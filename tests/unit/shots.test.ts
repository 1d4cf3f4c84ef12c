import { detectShots, GRADUAL_MAX_SEC, shotList, type SceneScore } from '../../lib/core/shots';
import type { FrameVector } from '../../lib/core/types';
import { axis } from '../helpers/frame-fixtures';

const FPS = 25;

/** Scene scores of a video at 25 fps: still frames (mafd 0) except where `at` says otherwise. */
function scores(durationSec: number, at: (time: number) => Partial<SceneScore> = () => ({})): SceneScore[] {
  return Array.from({ length: Math.round(durationSec * FPS) }, (_, n) => {
    const time = n / FPS;
    return { time, mafd: 0, score: 0, ...at(time) };
  });
}

/** Sampled frames at 1 fps: `colour(time)` picks each one's embedding. */
function sampled(durationSec: number, colour: (time: number) => number): FrameVector[] {
  return Array.from({ length: durationSec }, (_, time) => ({ time, vector: axis(colour(time)) }));
}

/** A linear dissolve over [from, to): each frame differs from the last by the same amount, summing to `total`. */
const dissolve = (from: number, to: number, total = 60) => (time: number) =>
  time >= from && time < to ? { mafd: total / ((to - from) * FPS), score: time === from ? total / ((to - from) * FPS) : 0.1 } : {};

test('a frame whose scene score reaches the threshold is a hard cut at its own time', () => {
  const at = (time: number) => (time === 4 ? { mafd: 40, score: 40 } : time === 7 ? { mafd: 9.9, score: 9.9 } : {});
  expect(detectShots(scores(10, at), sampled(10, (t) => (t < 4 ? 0 : 1)))).toEqual([{ time: 4, kind: 'cut' }]);
  expect(detectShots(scores(10, at), sampled(10, (t) => (t < 4 ? 0 : 1)), 9.5)).toEqual([
    { time: 4, kind: 'cut' },
    { time: 7, kind: 'cut' },
  ]);
});

test('a dissolve is one gradual boundary, at its middle', () => {
  const [boundary, ...others] = detectShots(scores(12, dissolve(5, 6)), sampled(12, (t) => (t < 5.5 ? 0 : 1)));
  expect(others).toEqual([]);
  expect(boundary.kind).toBe('gradual');
  expect(Math.abs(boundary.time - 5.5)).toBeLessThanOrEqual(1 / FPS);
});

test('a burst of motion that leaves the picture alike is no boundary; the same change to other content is', () => {
  const burst = scores(12, dissolve(5, 7));
  expect(detectShots(burst, sampled(12, () => 0))).toEqual([]);
  expect(detectShots(burst, sampled(12, (t) => (t < 6 ? 0 : 1)))).toHaveLength(1);
});

test('a run longer than GRADUAL_MAX_SEC is motion, and one summing under the threshold is no transition', () => {
  const other = (t: number) => (t < 6 ? 0 : 1);
  expect(detectShots(scores(20, dissolve(4, 4 + GRADUAL_MAX_SEC + 0.5)), sampled(20, other))).toEqual([]);
  expect(detectShots(scores(12, dissolve(5, 6, 9)), sampled(12, other))).toEqual([]);
  expect(detectShots(scores(12, dissolve(5, 6, 9)), sampled(12, other), 8)).toHaveLength(1);
});

test('a fast fade whose first frame is a cut is that cut only', () => {
  const fast = (time: number) => (time >= 5 && time < 5.12 ? { mafd: 22, score: time === 5 ? 22 : 0 } : {});
  expect(detectShots(scores(10, fast), sampled(10, (t) => (t < 5 ? 0 : 1)))).toEqual([{ time: 5, kind: 'cut' }]);
});

test('shots run from boundary to boundary, the first from 0 and the last to the end', () => {
  const boundaries = [
    { time: 0, kind: 'cut' as const },
    { time: 4, kind: 'cut' as const },
    { time: 9.5, kind: 'gradual' as const },
    { time: 12, kind: 'cut' as const },
  ];
  expect(shotList(boundaries, 12)).toEqual([
    { start: 0, end: 4, endKind: 'cut' },
    { start: 4, end: 9.5, startKind: 'cut', endKind: 'gradual' },
    { start: 9.5, end: 12, startKind: 'gradual' },
  ]);
  expect(shotList([], 7)).toEqual([{ start: 0, end: 7 }]);
});
