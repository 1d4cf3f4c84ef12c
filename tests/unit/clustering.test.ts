import {
  AUTO_MARGIN_MIN_FRACTION,
  AUTO_MARGIN_SPREAD_FRACTION,
  clusterHits,
  DEFAULT_RELEVANCE_MARGIN,
  DEFAULT_GAP_FRAMES,
  defaultTimeOffset,
  rankClips,
  relevanceFloor,
} from '../../lib/core/clustering';
import type { Clip, Hit } from '../../lib/core/types';

const hit = (time: number, score: number, videoId = 'v1'): Hit => ({ videoId, time, score });

/** Deterministic shuffle (a fixed permutation per seed). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('clusterHits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_GAP_FRAMES).toBe(2);
    expect(DEFAULT_RELEVANCE_MARGIN).toBe('auto');
    expect(AUTO_MARGIN_SPREAD_FRACTION).toBe(0.5);
    expect(AUTO_MARGIN_MIN_FRACTION).toBe(0.1);
  });

  it('returns no clips for no hits', () => {
    expect(clusterHits([])).toEqual([]);
  });

  it('makes isolated hits separate clips, ranked by score', () => {
    const clips = clusterHits([hit(10, 0.9), hit(0, 0.95), hit(20, 0.92)]);
    expect(clips).toEqual<Clip[]>([
      { videoId: 'v1', start: 0, end: 0, bestTime: 0, score: 0.95, hits: 1 },
      { videoId: 'v1', start: 20, end: 20, bestTime: 20, score: 0.92, hits: 1 },
      { videoId: 'v1', start: 10, end: 10, bestTime: 10, score: 0.9, hits: 1 },
    ]);
  });

  it('chains hits whose gaps are at most timeOffset and splits at a larger gap', () => {
    const hits = [hit(0, 0.9), hit(1, 0.95), hit(2, 0.92), hit(3.5, 0.93), hit(4, 0.91)];
    expect(clusterHits(hits, { timeOffset: 1 })).toEqual<Clip[]>([
      { videoId: 'v1', start: 0, end: 2, bestTime: 1, score: 0.95, hits: 3 },
      { videoId: 'v1', start: 3.5, end: 4, bestTime: 3.5, score: 0.93, hits: 2 },
    ]);
    expect(clusterHits(hits, { timeOffset: 1.5 })).toEqual<Clip[]>([
      { videoId: 'v1', start: 0, end: 4, bestTime: 1, score: 0.95, hits: 5 },
    ]);
    expect(clusterHits(hits, { timeOffset: 0 })).toHaveLength(5);
  });

  it('by default joins a clip over one missing frame but not two, at each video\'s own sampling rate', () => {
    // Video a sampled at 1 fps, b at 0.5 fps (a frame every 2 s): one frame missing inside each, then two.
    const fps: Record<string, number> = { a: 1, b: 0.5 };
    const timeOffset = (videoId: string) => defaultTimeOffset(fps[videoId]);
    const hits = [
      ...[0, 1, 3, 4, 7].map((t) => hit(t, 0.9, 'a')),
      ...[0, 2, 6, 8, 14].map((t) => hit(t, 0.9, 'b')),
    ];
    const clips = clusterHits(hits, { timeOffset }).map(({ videoId, start, end }) => ({ videoId, start, end }));
    expect(clips).toEqual([
      { videoId: 'a', start: 0, end: 4 },
      { videoId: 'a', start: 7, end: 7 },
      { videoId: 'b', start: 0, end: 8 },
      { videoId: 'b', start: 14, end: 14 },
    ]);
    // Times k / fps as the decoder gives them: two intervals apart always join, whatever the float rounding.
    const third = [30, 32].map((k) => hit(k / 3, 0.9, 'c'));
    expect(clusterHits(third, { timeOffset: defaultTimeOffset(3) })).toHaveLength(1);
    // An explicit offset applies to every video.
    expect(clusterHits(hits, { timeOffset: 1 })).toHaveLength(8); // a: 0–1, 3–4, 7; b: every hit alone
  });

  it('never merges two videos, even at the same times', () => {
    const clips = clusterHits([hit(0, 0.9, 'a'), hit(0.5, 0.92, 'b'), hit(1, 0.91, 'a'), hit(1.5, 0.9, 'b')]);
    expect(clips).toEqual<Clip[]>([
      { videoId: 'b', start: 0.5, end: 1.5, bestTime: 0.5, score: 0.92, hits: 2 },
      { videoId: 'a', start: 0, end: 1, bestTime: 1, score: 0.91, hits: 2 },
    ]);
  });

  it('breaks score ties by videoId then start, and places a tied best hit at its earliest time', () => {
    const clips = clusterHits([hit(5, 0.9, 'b'), hit(9, 0.9, 'a'), hit(1, 0.9, 'a'), hit(1.5, 0.9, 'a')]);
    expect(clips.map((c) => [c.videoId, c.start, c.bestTime])).toEqual([
      ['a', 1, 1],
      ['a', 9, 9],
      ['b', 5, 5],
    ]);
  });

  it('gives the same clips for any input order', () => {
    const hits = [
      ...Array.from({ length: 30 }, (_, i) => hit(i * 0.5, 0.8 + ((i * 7) % 11) / 100, 'x')),
      ...Array.from({ length: 20 }, (_, i) => hit(i * 2, 0.85 + ((i * 3) % 5) / 100, 'y')),
      hit(3, 0.88, 'x'), // a duplicated time
    ];
    const expected = clusterHits(hits);
    expect(expected.length).toBeGreaterThan(1);
    for (let seed = 1; seed <= 10; seed++) expect(clusterHits(shuffled(hits, seed))).toEqual(expected);
  });

  it('keeps a clip to its content when k brings back the neighbouring scenes', () => {
    // 15 s at 2 fps: red 0–5 s, blue 5–10 s, green 10–15 s, queried with "red" and k large enough for all.
    const hits: Hit[] = [];
    for (let t = 0; t < 15; t += 0.5) {
      if (t < 5) hits.push(hit(t, 0.95 + ((t * 2) % 6) / 100)); // red: 0.95–1.0
      else if (t === 5) hits.push(hit(t, 0.4)); // red/blue boundary frame
      else if (t < 10) hits.push(hit(t, 0.3 - (t - 5) / 25)); // blue: 0.3 falling to 0.12
      else if (t === 10) hits.push(hit(t, 0.2)); // blue/green boundary frame
      else hits.push(hit(t, ((t * 2) % 7) / 50)); // green: 0.0–0.12
    }
    const clips = clusterHits(hits, { timeOffset: 1 });
    expect(clips).toHaveLength(1);
    expect(clips[0]).toMatchObject({ start: 0, end: 4.5, hits: 10 });
    expect(clips[0].score).toBeCloseTo(1, 10);
  });

  it('keeps one clip when every hit is relevant and the score spread is tiny', () => {
    const hits = Array.from({ length: 11 }, (_, i) => hit(i, 0.99 + (((i * 7) % 11) / 10) * 0.01));
    const clips = clusterHits(hits);
    expect(clips).toHaveLength(1);
    expect(clips[0]).toMatchObject({ start: 0, end: 10, hits: 11 });
  });

  it('separates content at real CLIP score scale, whether background or matches are the majority', () => {
    const relevant = (t: number) => hit(t, 0.3 + ((t * 3) % 5) / 250); // 0.300–0.316
    const background = (t: number) => hit(t, 0.18 + ((t * 7) % 9) / 200); // 0.180–0.220
    // Few matches, many background frames around them.
    const seconds = (n: number) => Array.from({ length: n }, (_, i) => i);
    const few = [...[20, 21, 22].map(relevant), ...seconds(40).filter((t) => t < 20 || t > 22).map(background)];
    expect(clusterHits(few)).toEqual([expect.objectContaining({ start: 20, end: 22, hits: 3 })]);
    // Mostly matches, a few background frames in between.
    const many = [...seconds(20).map(relevant), ...[20, 21, 22].map(background), ...[23, 24].map(relevant)];
    expect(clusterHits(many)).toEqual([
      expect.objectContaining({ start: 0, end: 19, hits: 20 }),
      expect.objectContaining({ start: 23, end: 24, hits: 2 }),
    ]);
  });

  it('applies minScore as an absolute floor', () => {
    const hits = [hit(0, 0.5), hit(1, 0.49), hit(2, 0.5)];
    expect(clusterHits(hits, { relevanceMargin: 1 })).toEqual([expect.objectContaining({ start: 0, end: 2, hits: 3 })]);
    expect(clusterHits(hits, { relevanceMargin: 1, minScore: 0.495, timeOffset: 1 })).toEqual([
      expect.objectContaining({ start: 0, end: 0, hits: 1 }),
      expect.objectContaining({ start: 2, end: 2, hits: 1 }),
    ]);
    expect(clusterHits(hits, { minScore: 0.6 })).toEqual([]);
  });

  it('uses a fixed relevanceMargin when given one', () => {
    const hits = [hit(0, 1), hit(1, 0.7), hit(2, 0.5)];
    expect(clusterHits(hits, { relevanceMargin: 0 })).toEqual([expect.objectContaining({ start: 0, end: 0 })]);
    expect(clusterHits(hits, { relevanceMargin: 0.3 })).toEqual([expect.objectContaining({ start: 0, end: 1 })]);
    expect(clusterHits(hits, { relevanceMargin: 0.5 })).toEqual([expect.objectContaining({ start: 0, end: 2 })]);
  });

  it('returns at most size clips, the best ones', () => {
    const hits = [hit(0, 0.9), hit(10, 0.95), hit(20, 0.92)];
    expect(clusterHits(hits, { size: 2 }).map((c) => c.start)).toEqual([10, 20]);
  });

  it('rejects bad options and hits', () => {
    expect(() => clusterHits([hit(0, 1)], { timeOffset: -1 })).toThrow(/timeOffset .*got -1/);
    expect(() => clusterHits([hit(0, 1)], { size: 0 })).toThrow(/size .*got 0/);
    expect(() => clusterHits([hit(0, 1)], { relevanceMargin: -0.1 })).toThrow(/relevanceMargin/);
    expect(() => clusterHits([hit(0, 1)], { minScore: Number.NaN })).toThrow(/minScore/);
    expect(() => clusterHits([hit(Number.NaN, 1)])).toThrow(/non-finite/);
  });
});

describe('relevanceFloor', () => {
  it('is best − max(0.5 × (best − median), 0.1 × |best|) by default', () => {
    expect(relevanceFloor([0, 0.2, 0.2, 0.2, 1])).toBeCloseTo(1 - 0.4, 12); // spread term
    expect(relevanceFloor([0.98, 0.99, 1])).toBeCloseTo(0.9, 12); // 10 % term
    expect(relevanceFloor([-0.5, -0.2, -0.1, 0])).toBeCloseTo(0 - 0.5 * 0.15, 12); // even count: mean of the middle two
  });

  it('is the larger of minScore and the relative floor', () => {
    expect(relevanceFloor([0.2, 1], { minScore: 0.9 })).toBe(0.9);
    expect(relevanceFloor([0.2, 1], { minScore: 0.1, relevanceMargin: 0.25 })).toBe(0.75);
    expect(relevanceFloor([], { minScore: 0.3 })).toBe(0.3);
    expect(relevanceFloor([])).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('rankClips', () => {
  const clip = (videoId: string, start: number, score: number): Clip => ({
    videoId,
    start,
    end: start,
    bestTime: start,
    score,
    hits: 1,
  });

  it('orders by score, videoId, start and limits to size', () => {
    const clips = [clip('b', 0, 0.5), clip('a', 5, 0.5), clip('a', 1, 0.5), clip('c', 0, 0.9)];
    expect(rankClips(clips).map((c) => `${c.videoId}@${c.start}`)).toEqual(['c@0', 'a@1', 'a@5', 'b@0']);
    expect(rankClips(clips, 2).map((c) => `${c.videoId}@${c.start}`)).toEqual(['c@0', 'a@1']);
  });
});
