import { clusterHits, relevanceFloor } from '../../lib/core/clustering';
import { explainClip, fuseSpeech, MIN_SPEECH_SCALE } from '../../lib/core/speech-fusion';
import type { Hit, SpeechHit } from '../../lib/core/types';

const fpsOf = () => 1;
const frames = (videoId: string, scores: number[]): Hit[] => scores.map((score, time) => ({ videoId, time, score }));
const line = (videoId: string, start: number, end: number, score: number, text = 'the quick brown fox'): SpeechHit => ({
  videoId,
  start,
  end,
  text,
  source: 'subtitles',
  score,
});

// Video a: a red scene at 2–3 s (0.3) over a 0.2 background; video b: background only, speech at 10–14 s.
const seen = [...frames('a', [0.2, 0.2, 0.3, 0.3, 0.2]), ...frames('b', Array(16).fill(0.2))];

test('weight 0, visual mode or no matching line: the frame hits unchanged', () => {
  const speech = [line('b', 10, 14, 2)];
  expect(fuseSpeech(seen, speech, { weight: 0, mode: 'both', fpsOf }).hits).toEqual(seen);
  expect(fuseSpeech(seen, speech, { weight: 1, mode: 'visual', fpsOf }).hits).toEqual(seen);
  expect(fuseSpeech(seen, [], { weight: 1, mode: 'both', fpsOf }).hits).toEqual(seen);
});

test('a line lifts the grid times it covers by w · S · r; other videos keep their hits', () => {
  const { hits } = fuseSpeech(seen, [line('b', 10, 14, 2), line('b', 15, 15.4, 1, 'brown')], { weight: 1, mode: 'both', fpsOf });
  const b = hits.filter((hit) => hit.videoId === 'b').sort((x, y) => x.time - y.time);
  const lifted = b.filter((hit) => hit.score > 0.2 + 1e-9);
  // S = max(0.3 − 0.2, MIN_SPEECH_SCALE) = 0.1; the best line has r = 1, the second r = 0.5 (it covers t = 15).
  expect(lifted.map((hit) => [hit.time, +hit.score.toFixed(6)])).toEqual([
    [10, 0.3],
    [11, 0.3],
    [12, 0.3],
    [13, 0.3],
    [14, 0.3],
    [15, 0.25],
  ]);
  expect(hits.filter((hit) => hit.videoId === 'a')).toEqual(seen.filter((hit) => hit.videoId === 'a'));
});

test('a moment where nothing is seen gets the lowest frame score as its base; the clip spans the line', () => {
  const sparse = frames('a', [0.2, 0.25, 0.5]); // video b has no frame hits at all
  const fusion = fuseSpeech(sparse, [line('b', 10, 14, 3)], { weight: 1, mode: 'both', fpsOf });
  const b = fusion.hits.filter((hit) => hit.videoId === 'b');
  expect(b.map((hit) => hit.time)).toEqual([10, 11, 12, 13, 14]);
  expect(b[0].score).toBeCloseTo(0.2 + (0.5 - 0.2)); // the best frame's level at w = 1
  const floor = relevanceFloor(fusion.hits.map((hit) => hit.score));
  const clips = clusterHits(fusion.hits, { floor, timeOffset: 2 });
  const clip = clips.find((c) => c.videoId === 'b')!;
  expect([clip.start, clip.end]).toEqual([10, 14]);
  expect(explainClip(clip, fusion, sparse, floor)).toEqual({
    matchedBy: ['speech'],
    transcript: [{ start: 10, end: 14, text: 'the quick brown fox', source: 'subtitles', score: 1 }],
  });
  const seenClip = clips.find((c) => c.videoId === 'a')!;
  expect(explainClip(seenClip, fusion, sparse, floor)).toEqual({ matchedBy: ['visual'], transcript: [] });
});

test('seen and said: both sides named, scores add', () => {
  const fusion = fuseSpeech(seen, [line('a', 2, 3, 1, 'red')], { weight: 0.5, mode: 'both', fpsOf });
  const at2 = fusion.hits.find((hit) => hit.videoId === 'a' && hit.time === 2)!;
  expect(at2.score).toBeCloseTo(0.3 + 0.5 * MIN_SPEECH_SCALE);
  const floor = relevanceFloor(fusion.hits.map((hit) => hit.score));
  const clip = clusterHits(fusion.hits, { floor, timeOffset: 2 })[0];
  expect(clip).toMatchObject({ videoId: 'a', start: 2, end: 3 });
  expect(explainClip(clip, fusion, seen, floor).matchedBy).toEqual(['visual', 'speech']);
});

test('a line said twice (subtitles and ASR) counts once; a line shorter than a grid step keeps its nearest time', () => {
  const twice = [line('b', 10, 12, 2), { ...line('b', 10, 12, 2), source: 'asr' as const }, line('b', 20.2, 20.4, 2)];
  const { hits } = fuseSpeech(seen, twice, { weight: 1, mode: 'both', fpsOf });
  expect(hits.find((hit) => hit.videoId === 'b' && hit.time === 11)!.score).toBeCloseTo(0.3);
  expect(hits.find((hit) => hit.videoId === 'b' && hit.time === 20)!.score).toBeCloseTo(0.2 + 0.1);
});

test('speech mode: no frames, the lines relevance on their grid times', () => {
  const { hits } = fuseSpeech(seen, [line('b', 1, 2, 4), line('a', 0, 0.5, 2)], { weight: 1, mode: 'speech', fpsOf });
  expect(hits.map(({ videoId, time, score }) => [videoId, time, score]).sort()).toEqual([
    ['a', 0, 0.5],
    ['b', 1, 1],
    ['b', 2, 1],
  ]);
});

test('a negative or non-finite weight is refused, naming speechWeight', () => {
  expect(() => fuseSpeech(seen, [], { weight: -1, mode: 'both', fpsOf })).toThrow(/speechWeight must be a finite number >= 0/);
});
