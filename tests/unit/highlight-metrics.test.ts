import { clipCount, clipLabels, highlightScores, rankingAp, type SaliencyTruth } from '../../lib/core/highlight-metrics';

describe('rankingAp', () => {
  it('averages the interpolated precision at each rank that adds a positive', () => {
    // Ranks: T F T F → precision 1, 1/2, 2/3, 1/2. Interpolated (best at or below): 1 at rank 1, 2/3 at rank 3.
    // AP = (1 + 2/3) / 2 = 5/6.
    expect(rankingAp([true, false, true, false], [0.9, 0.8, 0.7, 0.1])).toBeCloseTo(5 / 6, 12);
  });

  it('counts a group of equal scores once, however many positives it adds (the reference over scikit-learn)', () => {
    // Groups: {T, T} at 0.9 → precision 2/2; {F} → 2/3; {T} → 3/4. Contributions: 1 (first group), 3/4 (last).
    // AP = (1 + 3/4) / 2 = 0.875 — not the recall-weighted 2/3 · 1 + 1/3 · 3/4 = 0.9167.
    expect(rankingAp([true, true, false, true], [0.9, 0.9, 0.5, 0.1])).toBeCloseTo(0.875, 12);
  });

  it('is 0 with no positive clip and 1 when every clip is positive', () => {
    expect(rankingAp([false, false], [0.1, 0.9])).toBe(0);
    expect(rankingAp([true, true], [0.1, 0.9])).toBe(1);
  });
});

describe('clip labels', () => {
  it('gives a video ⌊duration / 2⌋ clips, unlisted ones 0 for every annotator', () => {
    expect(clipCount(150)).toBe(75);
    expect(clipCount(9)).toBe(4);
    expect(clipLabels({ key: 'q', duration: 6, clipIds: [1], scores: [[4, 2, 1]] })).toEqual([
      [0, 0, 0],
      [4, 2, 1],
      [0, 0, 0],
    ]);
  });
});

describe('highlightScores', () => {
  // q1: 4 clips; clip 1 scored [4, 2, 1], clip 2 [3, 3, 0]. Predicted [0.1, 0.9, 0.5, 0.2]: ranks clips 1, 2, 3, 0.
  //   Hit1: clip 1 → Fair (≥ 2: annotators 1, 2), Good (≥ 3: annotator 1), VeryGood (4: annotator 1): a hit for all.
  //   Fair AP: annotator 1 positives {1, 2} ranked first → 1; annotator 2 {1, 2} → 1; annotator 3 none → 0.
  //   Good AP: annotator 1 {1, 2} → 1; annotator 2 {2}, ranked 2nd → 1/2; annotator 3 none → 0.
  //   VeryGood AP: annotator 1 {1} ranked 1st → 1; others none → 0.
  // q2: 9 s → 4 clips; clip 3 scored [2, 2, 2]. Predicted 6 scores, the highest (5) at index 5, past the video's clips:
  //   Hit1 a miss. AP over the first 4 scores [0, 0, 0, 0.1]: clip 3 first → Fair 1 for each annotator; Good, VeryGood 0.
  // q3: no prediction → 0 everywhere.
  // Fair: mAP = (1 + 1 + 0 + 1 + 1 + 1) / 9 = 55.56, Hit1 = 1/3 = 33.33.
  // Good: mAP = (1 + 0.5) / 9 = 16.67, Hit1 33.33.   VeryGood: mAP = 1/9 = 11.11, Hit1 33.33.
  const truths: SaliencyTruth[] = [
    { key: 'q1', duration: 8, clipIds: [1, 2], scores: [[4, 2, 1], [3, 3, 0]] },
    { key: 'q2', duration: 9, clipIds: [3], scores: [[2, 2, 2]] },
    { key: 'q3', duration: 8, clipIds: [0], scores: [[4, 4, 4]] },
  ];
  const predicted = new Map([
    ['q1', [0.1, 0.9, 0.5, 0.2]],
    ['q2', [0, 0, 0, 0.1, 0, 5]],
  ]);

  it('scores mAP per annotator and Hit1 over annotators, for each minimum label', () => {
    expect(highlightScores(truths, predicted)).toEqual({
      Fair: { 'HL-mAP': 55.56, 'HL-Hit1': 33.33 },
      Good: { 'HL-mAP': 16.67, 'HL-Hit1': 33.33 },
      VeryGood: { 'HL-mAP': 11.11, 'HL-Hit1': 33.33 },
    });
  });

  it('takes the first of equal top scores for Hit1', () => {
    // Clips 1 and 2 tie at 0.9: clip 1 ([4, 2, 1]) is the top → a VeryGood hit; had clip 2 ([3, 3, 0]) been, a miss.
    const [q1] = truths;
    expect(highlightScores([q1], new Map([['q1', [0, 0.9, 0.9, 0]]])).VeryGood['HL-Hit1']).toBe(100);
    expect(highlightScores([q1], new Map([['q1', [0, 0.8, 0.9, 0]]])).VeryGood['HL-Hit1']).toBe(0);
  });
});
