import {
  averagePrecisions,
  charadesScores,
  hullIou,
  inLengthBucket,
  iou,
  MAP_IOU_THRESHOLDS,
  momentScores,
  momentScoresByRange,
  recallAtOne,
  topWindowIous,
  type MomentTruth,
  type ScoredWindow,
} from '../../lib/core/moment-metrics';
import { inPredictionOrder, numpySum, percent2, sequentialSum } from '../../lib/core/reference-arithmetic';

const predictions = (entries: [string, ScoredWindow[]][]) => new Map(entries);

describe('IoU', () => {
  it('is overlap over union, 0 for windows apart', () => {
    expect(iou([0, 10], [5, 15])).toBeCloseTo(5 / 15, 12);
    expect(iou([0, 10], [2, 4])).toBeCloseTo(0.2, 12);
    expect(iou([0, 10], [10, 20])).toBe(0);
    expect(hullIou([0, 10], [5, 15])).toBeCloseTo(5 / 15, 12);
    expect(hullIou([30, 40], [0, 10])).toBe(0);
  });

  it('counts a zero-length predicted window as no overlap, and an empty span as 0', () => {
    expect(iou([5, 5], [0, 10])).toBe(0);
    expect(hullIou([5, 5], [5, 5])).toBe(0);
  });
});

describe('R1', () => {
  // Q1: top window [18, 30] against GT [0, 10] and [20, 30]: the best GT is [20, 30], IoU 10 / 12 = 0.83 → hit at 0.5 and 0.7.
  // Q2: top window [12, 22] against [10, 20]: IoU 8 / 12 = 0.67 → hit at 0.5, miss at 0.7.
  // Q3: the file's first window [0, 5] (score 0.1) counts, not the higher-scored [40, 50]: IoU with [0, 4] = 0.8 → hit.
  // Q4: no prediction → miss.   R1@0.5 = 3 / 4 = 75 %, R1@0.7 = 2 / 4 = 50 %.
  const truths: MomentTruth[] = [
    { key: 'q1', windows: [[0, 10], [20, 30]] },
    { key: 'q2', windows: [[10, 20]] },
    { key: 'q3', windows: [[0, 4]] },
    { key: 'q4', windows: [[0, 4]] },
  ];
  const predicted = predictions([
    ['q1', [[18, 30, 0.9]]],
    ['q2', [[12, 22, 0.8]]],
    ['q3', [[0, 5, 0.1], [40, 50, 0.9]]],
  ]);

  it('takes the first window of each query against its best-matching ground truth', () => {
    const ious = topWindowIous(truths, predicted);
    expect(ious[0]).toBeCloseTo(10 / 12, 12);
    expect(ious[1]).toBeCloseTo(8 / 12, 12);
    expect(ious[2]).toBeCloseTo(0.8, 12);
    expect(ious[3]).toBe(0);
    expect(recallAtOne(ious, [0.5, 0.7])).toEqual([75, 50]);
  });

  it('counts IoU equal to the threshold as a hit', () => {
    // [0, 10] against [0, 5]: IoU exactly 0.5.
    expect(recallAtOne(topWindowIous([{ key: 'a', windows: [[0, 5]] }], predictions([['a', [[0, 10, 1]]]])), [0.5])).toEqual([100]);
  });
});

describe('AP of one query', () => {
  const truth = [[0, 10], [20, 30]] as const;

  it('matches each ground-truth window once, best IoU first', () => {
    // By score: [20, 30] matches GT 2 (IoU 1); [0, 6] matches GT 1 (IoU 0.6); [21, 30] finds GT 2 taken (IoU 0.9) → FP.
    // θ = 0.5: precision 1, 1, 2/3; recall 0.5, 1, 1 → AP = 0.5·1 + 0.5·1 = 1.
    // θ = 0.7: [0, 6] misses (0.6 < 0.7): precision 1, 1/2, 1/3; recall 0.5, 0.5, 0.5 → AP = 0.5·1 = 0.5.
    // θ = 0.95: only [20, 30] matches → 0.5 too.
    const aps = averagePrecisions(truth, [[0, 6, 0.8], [21, 30, 0.7], [20, 30, 0.9]]);
    expect(aps[MAP_IOU_THRESHOLDS.indexOf(0.5)]).toBe(1);
    expect(aps[MAP_IOU_THRESHOLDS.indexOf(0.55)]).toBe(1);
    expect(aps[MAP_IOU_THRESHOLDS.indexOf(0.6)]).toBe(1);
    expect(aps[MAP_IOU_THRESHOLDS.indexOf(0.65)]).toBe(0.5);
    expect(aps[MAP_IOU_THRESHOLDS.indexOf(0.95)]).toBe(0.5);
  });

  it('interpolates precision from the right (VOC 2011), not the raw precision at each recall', () => {
    // A false positive first: precision 0, 1/2, 2/3 at recall 0, 0.5, 1. Interpolated: 2/3 at both recall steps, so
    // AP = 0.5·(2/3) + 0.5·(2/3) = 2/3 (the raw precision would give 0.5·0.5 + 0.5·(2/3) = 0.583).
    const [ap] = averagePrecisions(truth, [[40, 50, 0.95], [20, 30, 0.9], [0, 10, 0.5]], [0.5]);
    expect(ap).toBeCloseTo(2 / 3, 12);
  });

  it('between ground-truth windows of equal IoU takes the later one first, as the reference does', () => {
    // [5, 15] overlaps [0, 10] and [10, 20] equally (1/3): it takes [10, 20], leaving [0, 10] for the next window
    // → two TPs, AP 1 at θ = 0.3 (taking [0, 10] first would leave the next window a FP: AP 0.5).
    expect(averagePrecisions([[0, 10], [10, 20]], [[5, 15, 0.9], [0, 10, 0.8]], [0.3])).toEqual([1]);
  });

  it('keeps the file order among equal scores', () => {
    // Equal scores: the FP listed first stays first (AP 2/3 as above); listed second, the TPs lead (AP 1).
    expect(averagePrecisions(truth, [[40, 50, 0.5], [20, 30, 0.5], [0, 10, 0.5]], [0.5])[0]).toBeCloseTo(2 / 3, 12);
    expect(averagePrecisions(truth, [[20, 30, 0.5], [40, 50, 0.5], [0, 10, 0.5]], [0.5])[0]).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
  });

  it('uses the first 10 windows of the file, before sorting by score', () => {
    const misses: ScoredWindow[] = Array.from({ length: 10 }, (_, i) => [60 + 2 * i, 61 + 2 * i, 0.1]);
    // The perfect window is 11th in the file: cut, though it has the best score.
    expect(averagePrecisions(truth, [...misses, [20, 30, 0.99]], [0.5])).toEqual([0]);
    expect(averagePrecisions(truth, [[20, 30, 0.99], ...misses], [0.5])).toEqual([0.5]);
  });

  it('is 0 for no prediction', () => {
    expect(averagePrecisions(truth, undefined)).toEqual(MAP_IOU_THRESHOLDS.map(() => 0));
    expect(averagePrecisions(truth, [])).toEqual(MAP_IOU_THRESHOLDS.map(() => 0));
  });
});

describe('mAP', () => {
  it('averages AP over queries, a missing query counting 0, and over the ten thresholds', () => {
    // Query a: [0, 10] exactly → AP 1 at every threshold. Query b: [0, 8] against [0, 10], IoU 0.8 → AP 1 up to 0.8,
    // 0 above. Query c: no prediction → 0.  mAP@0.5 = 2/3, mAP@0.85 = 1/3; average = (7 · 2/3 + 3 · 1/3) / 10 = 56.67 %.
    const truths: MomentTruth[] = [
      { key: 'a', windows: [[0, 10]] },
      { key: 'b', windows: [[0, 10]] },
      { key: 'c', windows: [[0, 10]] },
    ];
    const scores = momentScores(truths, predictions([['a', [[0, 10, 1]]], ['b', [[0, 8, 1]]]]));
    expect(scores['MR-mAP']).toEqual({
      '0.5': 66.67, '0.55': 66.67, '0.6': 66.67, '0.65': 66.67, '0.7': 66.67, '0.75': 66.67, '0.8': 66.67,
      '0.85': 33.33, '0.9': 33.33, '0.95': 33.33, average: 56.67,
    });
    expect(scores['MR-R1']['0.5']).toBe(66.67);
    expect(scores['MR-R1']['0.85']).toBe(33.33);
  });

  it('puts a query into a length bucket with only its windows of that length', () => {
    // (0, 10], (10, 30], (30, 150]: a 10 s window is short, a 30 s one middle, a 31 s one long.
    const truths: MomentTruth[] = [
      { key: 'a', windows: [[0, 8], [20, 50]] },
      { key: 'b', windows: [[0, 10]] },
      { key: 'c', windows: [[0, 31]] },
    ];
    expect(inLengthBucket(truths, 'short')).toEqual([
      { key: 'a', windows: [[0, 8]] },
      { key: 'b', windows: [[0, 10]] },
    ]);
    expect(inLengthBucket(truths, 'middle')).toEqual([{ key: 'a', windows: [[20, 50]] }]);
    expect(inLengthBucket(truths, 'long')).toEqual([{ key: 'c', windows: [[0, 31]] }]);
  });

  it('scores a bucket on its windows only, and leaves an empty bucket NaN', () => {
    // Query a predicts its 30 s window exactly: AP 1 in "middle"; in "short" its 8 s window is missed → 0.
    const truths: MomentTruth[] = [{ key: 'a', windows: [[0, 8], [20, 50]] }];
    const ranges = momentScoresByRange(truths, predictions([['a', [[20, 50, 1]]]]));
    expect(ranges.middle['MR-mAP'].average).toBe(100);
    expect(ranges.short['MR-mAP'].average).toBe(0);
    // Full: GT [0, 8] and [20, 50], one exact TP → recall 0.5 at precision 1 → AP 0.5.
    expect(ranges.full['MR-mAP'].average).toBe(50);
    expect(ranges.long['MR-mAP'].average).toBeNaN();
    expect(ranges.long['MR-R1']['0.5']).toBeNaN();
  });
});

describe('Charades-STA', () => {
  it('reports R1 at 0.3 / 0.5 / 0.7 and the mean IoU of the top window', () => {
    // IoUs: [0, 10] vs [0, 10] = 1; [5, 15] vs [0, 10] = 5 / 15 = 0.333; [0, 4] vs [0, 10] = 0.4; missing = 0.
    // R1@0.3 = 3/4, R1@0.5 = 1/4, R1@0.7 = 1/4; mIoU = (1 + 1/3 + 0.4 + 0) / 4 = 43.33 %.
    const truths: MomentTruth[] = ['a', 'b', 'c', 'd'].map((key) => ({ key, windows: [[0, 10]] }));
    const scores = charadesScores(truths, predictions([['a', [[0, 10, 1]]], ['b', [[5, 15, 1]]], ['c', [[0, 4, 1]]]]));
    expect(scores).toEqual({ 'R1@0.3': 75, 'R1@0.5': 25, 'R1@0.7': 25, mIoU: 43.33 });
  });
});

describe('reference arithmetic', () => {
  it('rounds to two decimals as Python formats: ties (exact in binary) to even', () => {
    // 1 hit in 800 queries: 0.125 %, exactly halfway; Python prints 0.12 where toFixed gives 0.13.
    expect(percent2((1 / 800) * 100)).toBe(0.12);
    expect(percent2(0.375)).toBe(0.38);
    expect(percent2(68.75)).toBe(68.75);
    expect(percent2(12.345)).toBe(12.35); // stored as 12.3450000000000006…: not a tie
    expect(percent2(2.675)).toBe(2.67); // stored as 2.67499999…
    expect(percent2(NaN)).toBeNaN();
  });

  it('sums as numpy does (pairwise), which can differ from left to right in the last bit', () => {
    const tenths = new Array(10).fill(0.1);
    expect(numpySum(tenths)).toBe(1);
    expect(sequentialSum(tenths)).toBe(0.9999999999999999);
  });

  it('orders queries as the prediction file lists them, those without a prediction last', () => {
    const queries = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];
    expect(inPredictionOrder(queries, new Map([['c', 1], ['a', 2]])).map((q) => q.key)).toEqual(['c', 'a', 'b']);
  });
});
