import { growClips, growthWindows, MAX_CLIP_GROWTH_SEC } from '../../lib/core/clip-growth';
import { clusterHits, defaultTimeOffset } from '../../lib/core/clustering';
import type { Clip, Hit } from '../../lib/core/types';

const hit = (time: number, score: number, videoId = 'v'): Hit => ({ videoId, time, score });
const clip = (start: number, end: number, score = 0.9, videoId = 'v', hits = 1): Clip => ({
  videoId,
  start,
  end,
  bestTime: start,
  score,
  hits,
});
/** Frames of video `videoId` at every second of [from, to], scored by `score(t)`. */
const frames = (from: number, to: number, score: (t: number) => number, videoId = 'v'): Hit[] =>
  Array.from({ length: to - from + 1 }, (_, i) => hit(from + i, score(from + i), videoId));
const span = ({ videoId, start, end }: Clip) => ({ videoId, start, end });

describe('growthWindows', () => {
  it('reads only around each clip, up to the cap, merged per video', () => {
    const windows = growthWindows([clip(1000, 1010), clip(100, 120), clip(2400, 2410), clip(2000, 2001), clip(0, 3, 0.9, 'w')]);
    expect(windows.get('v')).toEqual([
      { start: 0, end: 100 },
      { start: 120, end: 420 },
      { start: 700, end: 1000 },
      { start: 1010, end: 1310 },
      { start: 1700, end: 2000 },
      { start: 2001, end: 2400 }, // after 2000–2001 and before 2400–2410: one window
      { start: 2410, end: 2710 },
    ]);
    expect(windows.get('w')).toEqual([{ start: 0, end: 0 }, { start: 3, end: 303 }]);
    expect(MAX_CLIP_GROWTH_SEC).toBe(300);
  });
});

describe('growClips', () => {
  const timeOffset = defaultTimeOffset(1);

  it('grows a clip over the neighbouring frames above the floor, so k does not cut the scene', () => {
    // A 200 s scene (0–199) of equal scores; k-NN returned only frames 0–99.
    const scene = frames(0, 260, (t) => (t < 200 ? 0.9 : 0.2));
    const clips = clusterHits(scene.slice(0, 100), { timeOffset, floor: 0.8 });
    expect(clips.map(span)).toEqual([{ videoId: 'v', start: 0, end: 99 }]);
    const grown = growClips(clips, new Map([['v', scene]]), { floor: 0.8, timeOffset });
    expect(grown).toEqual([{ videoId: 'v', start: 0, end: 199, bestTime: 0, score: 0.9, hits: 100 }]);
  });

  it('passes over one frame below the floor but stops at two, and never beyond the cap', () => {
    const dip = new Set([20, 40, 41]);
    const scene = frames(0, 100, (t) => (dip.has(t) ? 0.1 : 0.9));
    const grown = growClips([clip(10, 12)], new Map([['v', scene]]), { floor: 0.8, timeOffset });
    expect(grown.map(span)).toEqual([{ videoId: 'v', start: 0, end: 39 }]);
    const capped = growClips([clip(50, 50)], new Map([['v', frames(0, 100, () => 0.9)]]), { floor: 0.8, timeOffset, maxGrowthSec: 5 });
    expect(capped.map(span)).toEqual([{ videoId: 'v', start: 45, end: 55 }]);
  });

  it('merges clips that grow into each other and keeps the best frame and the k-NN hit count', () => {
    const scene = frames(0, 30, (t) => (t === 25 ? 0.95 : 0.9));
    const grown = growClips([clip(2, 4, 0.9, 'v', 3), clip(20, 21, 0.9, 'v', 2)], new Map([['v', scene]]), {
      floor: 0.8,
      timeOffset,
    });
    expect(grown).toEqual([{ videoId: 'v', start: 0, end: 30, bestTime: 25, score: 0.95, hits: 5 }]);
  });

  it('keeps clips of videos without frames as they are, and ranks and cuts the result', () => {
    const grown = growClips([clip(5, 5, 0.7, 'a'), clip(1, 1, 0.9, 'b')], new Map([['a', frames(0, 9, () => 0.95, 'a')]]), {
      floor: 0.5,
      timeOffset,
      size: 1,
    });
    expect(grown).toEqual([{ videoId: 'a', start: 0, end: 9, bestTime: 0, score: 0.95, hits: 1 }]);
  });

  it('uses each video\'s own gap', () => {
    // b sampled every 4 s: its frames 4 s apart chain at its default offset, a's 1 s frames at theirs.
    const b = [0, 4, 8, 12].map((t) => hit(t, 0.9, 'b'));
    const offsets: Record<string, number> = { a: defaultTimeOffset(1), b: defaultTimeOffset(0.25) };
    const grown = growClips([clip(12, 12, 0.9, 'b'), clip(3, 3, 0.9, 'a')], new Map([['b', b], ['a', frames(0, 9, () => 0.9, 'a')]]), {
      floor: 0.8,
      timeOffset: (id) => offsets[id],
    });
    expect(grown.map(span)).toEqual([
      { videoId: 'a', start: 0, end: 9 },
      { videoId: 'b', start: 0, end: 12 },
    ]);
  });
});
