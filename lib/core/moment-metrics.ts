import { inPredictionOrder, numpySum, percent2, sequentialSum } from './reference-arithmetic';

/**
 * Moment-retrieval metrics as the benchmarks define them: QVHighlights' (the reference evaluation,
 * moment_detr standalone_eval) and Charades-STA's. A window is [start, end] in seconds; a predicted one also has a
 * score, and a query's predicted windows come best first (the submission format's order).
 *
 * IoU. overlap = max(0, min(end₁, end₂) − max(start₁, start₂)). The reference computes it two ways, each where it
 * uses it, and so do we (they are equal for overlapping windows, except in the last bit of a fraction):
 *   iou     = overlap / (length₁ + length₂ − overlap)          matching in AP, choosing R1's ground-truth window
 *   hullIou = overlap / (max(end₁, end₂) − min(start₁, start₂))  the value R1 and mIoU compare (0 when that is 0)
 * R1@θ: a query's first predicted window against its ground-truth window of highest iou (the first of equals); a hit
 *   when their hullIou ≥ θ; the percentage of queries hit.
 * AP@θ of one query (ActivityNet style): its first 10 predicted windows (file order), sorted by score, highest first
 *   (equal scores keep file order). In that order each window matches, of the ground-truth windows not matched yet,
 *   the one of highest iou, if that iou ≥ θ (equal iou: the later window in the annotation first), and is a true
 *   positive; otherwise a false positive. After the i-th window, precisionᵢ = TPs / i and recallᵢ = TPs / #windows
 *   in the ground truth. Precision is made non-increasing from the right (pᵢ = max of p at i and after, with 0 after
 *   the last), and AP = Σ (recallᵢ − recallᵢ₋₁) · pᵢ over the windows where recall rises (recall₀ = 0).
 * mAP@θ: the mean of AP@θ over queries. MR-full-mAP: the mean of mAP@θ over θ = 0.5, 0.55, …, 0.95.
 * Length buckets (MR-short/middle/long-mAP): short (0, 10], middle (10, 30], long (30, 150] seconds. A query takes
 *   part in a bucket with only its ground-truth windows of that length (end − start), and not at all when it has
 *   none; its predictions are all kept. "full" is every query with every window.
 * A query without a prediction (no line, or no window) counts: R1 a miss, AP 0. (The reference refuses a file that
 *   lacks a query and fails on one with an empty list; on every file it accepts the numbers are the same.)
 * An empty bucket's metrics are NaN (the reference fails on such a file).
 * Charades-STA: R1@0.3, R1@0.5, R1@0.7 as above, and mIoU, the mean hullIou of the first predicted window.
 * Every metric is a percentage with two decimals, summed (over queries: in the prediction file's order) and rounded as
 * the reference does (reference-arithmetic.ts).
 */

export type Window = readonly [start: number, end: number];
export type ScoredWindow = readonly [start: number, end: number, score: number];
/** Either: the IoU functions look at start and end only. */
type Span = Window | ScoredWindow;

/** One query's ground truth: its relevant windows (at least one, each with end > start). */
export interface MomentTruth {
  /** The query's key (the same in the predictions). */
  key: string;
  windows: readonly Window[];
}

/** Predicted windows by query key, best first; a query may be absent (no prediction). */
export type MomentPredictions = ReadonlyMap<string, readonly ScoredWindow[]>;

/** IoU thresholds of mAP: 0.5:0.05:0.95, as the reference rounds them (two decimals). */
export const MAP_IOU_THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] as const;
/** Predicted windows per query that count for AP. */
export const MAX_AP_WINDOWS = 10;

export const LENGTH_BUCKETS = {
  short: { above: 0, upTo: 10 },
  middle: { above: 10, upTo: 30 },
  long: { above: 30, upTo: 150 },
} as const;
export type LengthBucket = keyof typeof LENGTH_BUCKETS;

export const CHARADES_IOU_THRESHOLDS = [0.3, 0.5, 0.7] as const;

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/** Overlap over the union of lengths (see the top of this file). */
export function iou(predicted: Span, truth: Span): number {
  const inter = overlap(predicted, truth);
  return inter / (predicted[1] - predicted[0] + (truth[1] - truth[0]) - inter);
}

/** Overlap over the span from the first start to the last end; 0 when that span is empty. */
export function hullIou(predicted: Span, truth: Span): number {
  const span = Math.max(predicted[1], truth[1]) - Math.min(predicted[0], truth[0]);
  return span === 0 ? 0 : overlap(predicted, truth) / span;
}

/** Per query, the hullIou of its first predicted window with its best-matching ground-truth window (0: no prediction). */
export function topWindowIous(truths: readonly MomentTruth[], predictions: MomentPredictions): number[] {
  return truths.map(({ key, windows }) => {
    const top = predictions.get(key)?.[0];
    if (!top) return 0;
    let best = 0;
    for (let j = 1; j < windows.length; j++) if (iou(top, windows[j]) > iou(top, windows[best])) best = j;
    return hullIou(top, windows[best]);
  });
}

/** R1@θ in % for each θ (the top window of each query; see the top of this file). */
export function recallAtOne(ious: readonly number[], thresholds: readonly number[]): number[] {
  return thresholds.map((threshold) => percent2((ious.filter((value) => value >= threshold).length / ious.length) * 100));
}

/** AP of one query at each IoU threshold (see the top of this file). */
export function averagePrecisions(
  truth: readonly Window[],
  predicted: readonly ScoredWindow[] | undefined,
  thresholds: readonly number[] = MAP_IOU_THRESHOLDS,
): number[] {
  const ranked = (predicted ?? []).slice(0, MAX_AP_WINDOWS).sort((a, b) => b[2] - a[2]);
  if (ranked.length === 0) return thresholds.map(() => 0);
  // Ground-truth windows from the highest iou down, equal ones the later window first, for each prediction.
  const candidates = ranked.map((window) => {
    const ious = truth.map((gt) => iou(window, gt));
    const order = ious.map((_, j) => j).sort((a, b) => ious[b] - ious[a] || b - a);
    return { ious, order };
  });
  return thresholds.map((threshold) => {
    const matched = new Array<boolean>(truth.length).fill(false);
    const precision: number[] = [];
    const recall: number[] = [];
    let truePositives = 0;
    candidates.forEach(({ ious, order }, i) => {
      for (const j of order) {
        if (ious[j] < threshold) break;
        if (matched[j]) continue;
        matched[j] = true;
        truePositives++;
        break;
      }
      precision.push(truePositives / (i + 1));
      recall.push(truePositives / truth.length);
    });
    return interpolatedAp(precision, recall);
  });
}

/** Σ (recall rise) × precision made non-increasing from the right, 0 appended (VOC 2011, as the reference). */
function interpolatedAp(precision: readonly number[], recall: readonly number[]): number {
  const p = [0, ...precision, 0];
  const r = [0, ...recall, 1];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
  const terms: number[] = [];
  for (let i = 1; i < r.length; i++) if (r[i] !== r[i - 1]) terms.push((r[i] - r[i - 1]) * p[i]);
  return numpySum(terms);
}

export interface MomentScores {
  /** mAP in % at each threshold of MAP_IOU_THRESHOLDS, keyed "0.5" … "0.95", and "average". */
  'MR-mAP': Record<string, number>;
  /** R1 in % at each threshold of MAP_IOU_THRESHOLDS, keyed "0.5" … "0.95". */
  'MR-R1': Record<string, number>;
}

/** mAP and R1 over these queries, in the reference's shape; NaN everywhere when there are none. */
export function momentScores(truths: readonly MomentTruth[], predictions: MomentPredictions): MomentScores {
  const perQuery = inPredictionOrder(truths, predictions).map(({ key, windows }) => averagePrecisions(windows, predictions.get(key)));
  // mean(axis=0): each threshold's APs summed down the queries, in order.
  const mapAt = MAP_IOU_THRESHOLDS.map((_, t) => sequentialSum(perQuery.map((aps) => aps[t])) / perQuery.length);
  const map: Record<string, number> = {};
  MAP_IOU_THRESHOLDS.forEach((threshold, t) => (map[String(threshold)] = percent2(100 * mapAt[t])));
  map.average = percent2(100 * (numpySum(mapAt) / mapAt.length));
  const r1 = recallAtOne(topWindowIous(truths, predictions), MAP_IOU_THRESHOLDS);
  return { 'MR-mAP': map, 'MR-R1': Object.fromEntries(MAP_IOU_THRESHOLDS.map((threshold, t) => [String(threshold), r1[t]])) };
}

/** The queries of a length bucket, each with only its windows of that length; those with none left out. */
export function inLengthBucket(truths: readonly MomentTruth[], bucket: LengthBucket): MomentTruth[] {
  const { above, upTo } = LENGTH_BUCKETS[bucket];
  return truths.flatMap(({ key, windows }) => {
    const kept = windows.filter(([start, end]) => end - start > above && end - start <= upTo);
    return kept.length > 0 ? [{ key, windows: kept }] : [];
  });
}

export type MomentRange = 'full' | LengthBucket;

/** Every range's scores, as the reference reports them ("full", "short", "middle", "long"). */
export function momentScoresByRange(truths: readonly MomentTruth[], predictions: MomentPredictions): Record<MomentRange, MomentScores> {
  return {
    full: momentScores(truths, predictions),
    short: momentScores(inLengthBucket(truths, 'short'), predictions),
    middle: momentScores(inLengthBucket(truths, 'middle'), predictions),
    long: momentScores(inLengthBucket(truths, 'long'), predictions),
  };
}

/** Charades-STA's brief: R1@0.3, R1@0.5, R1@0.7 and mIoU, in %. */
export function charadesScores(truths: readonly MomentTruth[], predictions: MomentPredictions): Record<string, number> {
  const ious = topWindowIous(truths, predictions);
  const r1 = recallAtOne(ious, CHARADES_IOU_THRESHOLDS);
  return {
    ...Object.fromEntries(CHARADES_IOU_THRESHOLDS.map((threshold, t) => [`R1@${threshold}`, r1[t]])),
    mIoU: percent2(100 * (sequentialSum(ious) / ious.length)),
  };
}
