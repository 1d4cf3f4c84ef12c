import { defaultTimeOffset } from '../../lib/core/clustering';
import { collapseDuplicates, DUPLICATE_SIMILARITY } from '../../lib/core/duplicates';
import { inMoment, momentVector, overlapsMoment, withMoment } from '../../lib/core/more-like-this';
import { NEGATIVE_WEIGHT, subtractNegatives } from '../../lib/core/negative-query';
import { snapToShots, type SnapVideo } from '../../lib/core/shot-snap';
import type { ShotBoundary } from '../../lib/core/shots';
import type { Clip, Hit } from '../../lib/core/types';
import { dot, normalize } from '../../lib/core/vector';
import { axis, unit } from '../helpers/frame-fixtures';

const clip = (start: number, end: number, bestTime = start, score = 0.9, videoId = 'v'): Clip => ({ videoId, start, end, bestTime, score, hits: 1 });
const span = ({ videoId, start, end }: Clip) => ({ videoId, start, end });
const cut = (time: number): ShotBoundary => ({ time, kind: 'cut' });
const gradual = (time: number): ShotBoundary => ({ time, kind: 'gradual' });
/** A 60 s video sampled at 1 fps with these shot boundaries. */
const withShots = (...boundaries: ShotBoundary[]) => (): SnapVideo => ({ fps: 1, durationSec: 60, shots: { threshold: 10, boundaries } });
const hitsAt = (...times: number[]): Hit[] => times.map((time) => ({ videoId: 'v', time, score: 0.9 }));
const snap = (clips: Clip[], video: () => SnapVideo, hits: Hit[] = []) =>
  snapToShots(clips, video, { hits, timeOffset: defaultTimeOffset(1) });

describe('snapToShots', () => {
  it('a clip covering most of a shot plays the whole shot: its first frame to the next shot', () => {
    // Shot 10–20 s; sampled frames 11..18 found (8 of its 10 s).
    expect(snap([clip(11, 18, 14)], withShots(cut(10), cut(20))).map(span)).toEqual([{ videoId: 'v', start: 10, end: 20 }]);
    // The same at a dissolve: a gradual boundary bounds a shot as well.
    expect(snap([clip(11, 18, 14)], withShots(gradual(10.4), gradual(19.6))).map(span)).toEqual([{ videoId: 'v', start: 10.4, end: 19.6 }]);
  });

  it('a clip covering a small part of a long shot keeps its own bounds', () => {
    expect(snap([clip(30, 34, 32)], withShots(cut(10), cut(50))).map(span)).toEqual([{ videoId: 'v', start: 30, end: 34 }]);
  });

  it('never spans a hard cut into a shot that does not match; spills over a dissolve are left', () => {
    // Shot 10–20 found whole, plus 2 s of the next shot (smoothing blends frames across the cut).
    expect(snap([clip(10, 21, 15)], withShots(cut(10), cut(20), cut(40))).map(span)).toEqual([{ videoId: 'v', start: 10, end: 20 }]);
    expect(snap([clip(8, 19, 15)], withShots(cut(10), cut(20), cut(40))).map(span)).toEqual([{ videoId: 'v', start: 10, end: 20 }]);
    expect(snap([clip(10, 21, 15)], withShots(cut(10), gradual(20), cut(40))).map(span)).toEqual([{ videoId: 'v', start: 10, end: 21 }]);
    // The shot holding the best frame matches however little of it the clip covers.
    expect(snap([clip(10, 21, 21)], withShots(cut(10), cut(20), cut(40))).map(span)).toEqual([{ videoId: 'v', start: 10, end: 21 }]);
  });

  it('clips that now overlap merge, and hits count the given hits inside each snapped clip', () => {
    // Two shots of one scene, each mostly found; a cut between them, and frames 17–22 below the floor.
    const snapped = snap([clip(11, 16, 12, 0.9), clip(23, 28, 25, 0.8)], withShots(cut(10), cut(20), cut(30)), hitsAt(11, 12, 16, 23, 28, 35));
    expect(snapped).toEqual([{ videoId: 'v', start: 10, end: 30, bestTime: 12, score: 0.9, hits: 5 }]);
    // Each on its own where they stay apart.
    expect(snap([clip(11, 16, 12), clip(33, 38, 35)], withShots(cut(10), cut(20), cut(30), cut(40))).map(span)).toEqual([
      { videoId: 'v', start: 10, end: 20 },
      { videoId: 'v', start: 30, end: 40 },
    ]);
  });

  it('a video without recorded shots keeps its clips', () => {
    const none = () => ({ fps: 1, durationSec: 60, shots: null });
    expect(snap([clip(11, 18, 14)], none).map(span)).toEqual([{ videoId: 'v', start: 11, end: 18 }]);
  });
});

describe('collapseDuplicates', () => {
  const vectors: Record<string, Float32Array> = {
    intro: unit(1, 0.01),
    introAgain: unit(1, 0.02),
    other: axis(1),
  };
  const named = (name: string, videoId: string, start: number) => ({ ...clip(start, start + 10, start, 0.9, videoId), name });

  it('near-identical best frames, in the same or another video, are one result listing the others in rank order', () => {
    const ranked = [named('intro', 'ep1', 0), named('other', 'ep1', 30), named('introAgain', 'ep2', 0), named('intro', 'ep1', 100)];
    const results = collapseDuplicates(ranked, (c) => vectors[c.name]);
    expect(results.map((r) => [r.videoId, r.start, r.duplicates])).toEqual([
      ['ep1', 0, [{ videoId: 'ep2', start: 0, end: 10 }, { videoId: 'ep1', start: 100, end: 110 }]],
      ['ep1', 30, []],
    ]);
  });

  it('the threshold is on the inner product of the best frames; clips without a vector stay results', () => {
    const a = normalize(Float32Array.of(1, 0));
    const justBelow = normalize(Float32Array.of(DUPLICATE_SIMILARITY - 0.001, Math.sqrt(1 - (DUPLICATE_SIMILARITY - 0.001) ** 2)));
    expect(dot(a, justBelow)).toBeLessThan(DUPLICATE_SIMILARITY);
    const pair = [named('a', 'x', 0), named('b', 'y', 0), named('c', 'z', 0)];
    const results = collapseDuplicates(pair, (c) => ({ a, b: justBelow })[c.name]);
    expect(results.map((r) => r.duplicates.length)).toEqual([0, 0, 0]);
  });
});

describe('more like this', () => {
  it('a moment is the normalised mean of its frames, and an equal part beside the text and image', () => {
    const moment = momentVector([{ vector: axis(0) }, { vector: axis(0) }, { vector: axis(1) }]);
    expect(Array.from(moment).slice(0, 2).map((x) => x.toFixed(4))).toEqual([(2 / Math.sqrt(5)).toFixed(4), (1 / Math.sqrt(5)).toFixed(4)]);
    const query = withMoment(axis(2), axis(0));
    expect(dot(query, axis(2))).toBeCloseTo(dot(query, axis(0)), 6);
    expect(Array.from(withMoment(undefined, axis(3)))).toEqual(Array.from(axis(3)));
  });

  it('the moment itself: its frames and the clips that overlap it', () => {
    const moment = { videoId: 'v', start: 10, end: 20 };
    expect([9, 10, 20, 21].map((t) => inMoment(moment, 'v', t))).toEqual([false, true, true, false]);
    expect(inMoment(moment, 'w', 15)).toBe(false);
    expect([clip(0, 9), clip(0, 10), clip(20, 30), clip(21, 30), clip(12, 14, 12, 0.9, 'w')].map((c) => overlapsMoment(moment, c))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('negative queries', () => {
  it('frames are scored by their similarity to the query less half their similarity to the negatives', () => {
    const query = unit(1, 1); // "red yellow"
    const negative = axis(1); // "yellow"
    const ranked = subtractNegatives(query, [negative]);
    const red = axis(0);
    const yellow = axis(1);
    expect(dot(query, red)).toBeCloseTo(dot(query, yellow), 6);
    expect(dot(ranked, red)).toBeGreaterThan(dot(ranked, yellow));
    // The rule: (q·f − w n·f) up to one positive factor, the same for every frame.
    const ratio = dot(ranked, red) / (dot(query, red) - NEGATIVE_WEIGHT * dot(negative, red));
    expect(dot(ranked, yellow) / (dot(query, yellow) - NEGATIVE_WEIGHT * dot(negative, yellow))).toBeCloseTo(ratio, 6);
    expect(subtractNegatives(query, [])).toBe(query);
  });

  it('several negatives count as their mean', () => {
    const twice = subtractNegatives(unit(1, 1, 1), [axis(1), axis(2)]);
    const mean = subtractNegatives(unit(1, 1, 1), [unit(0, 1, 1)]);
    Array.from(twice).forEach((x, d) => expect(x).toBeCloseTo(mean[d], 6));
  });
});
