import { inPredictionOrder, numpySum, percent2 } from './reference-arithmetic';

/**
 * Highlight-detection metrics of QVHighlights, as its reference evaluation (moment_detr standalone_eval) defines them.
 *
 * Labels. A video of `duration` seconds has ⌊duration / 2⌋ clips of 2 s. Three annotators scored each relevant clip
 * 0–4; every other clip scores 0 for all three. For a minimum label m (Fair 2, Good 3, VeryGood 4) a clip is positive
 * for an annotator when that annotator's score ≥ m.
 * Predictions: one saliency score per clip (`pred_saliency_scores`). For AP a longer list is cut to the video's clips
 * and a shorter one padded with 0; HIT@1 looks at the whole list.
 * HL-min-<m>-Hit1: a query scores 1 when its highest-scored clip (the first of equals) is positive for at least one
 *   annotator, 0 otherwise (also when that clip lies past the video's clips); the percentage over queries.
 * HL-min-<m>-mAP: AP of the clip ranking for each annotator separately, averaged over queries and annotators. AP of
 *   one ranking: all clips negative → 0, all positive → 1; otherwise clips are taken in groups of equal score, highest
 *   first; after each group precision = positives so far / clips so far; a group that adds positives contributes the
 *   highest precision reached at it or at any later (lower-scored) group; AP is the plain mean of those
 *   contributions (one per group, however many positives it adds: the reference's `get_ap` over scikit-learn's
 *   precision-recall curve).
 * A query without saliency scores counts 0 for both. Percentages with two decimals, summed in numpy's order, over
 * queries in the prediction file's order (reference-arithmetic.ts).
 */

export const ANNOTATORS = 3;
export const CLIP_SEC = 2;
export const MIN_LABELS = { Fair: 2, Good: 3, VeryGood: 4 } as const;
export type MinLabel = keyof typeof MIN_LABELS;

/** One query's saliency labels: the relevant clips' ids and, for each, the three annotators' scores. */
export interface SaliencyTruth {
  key: string;
  duration: number;
  clipIds: readonly number[];
  scores: readonly (readonly number[])[];
}

/** Saliency scores by query key, one per 2 s clip; a query may be absent. */
export type SaliencyPredictions = ReadonlyMap<string, readonly number[]>;

export interface HighlightScores {
  'HL-mAP': number;
  'HL-Hit1': number;
}

/** The number of 2 s clips the labels of a video of `duration` seconds cover. */
export function clipCount(duration: number): number {
  return Math.trunc(duration / CLIP_SEC);
}

/** Per clip of the video, the three annotators' labels (0 for clips not listed as relevant). */
export function clipLabels(truth: SaliencyTruth): number[][] {
  const labels = Array.from({ length: clipCount(truth.duration) }, () => new Array<number>(ANNOTATORS).fill(0));
  truth.clipIds.forEach((id, i) => (labels[id] = [...truth.scores[i]]));
  return labels;
}

/** AP of ranking clips by `scores` against binary `positive` labels of the same length (see the top of this file). */
export function rankingAp(positive: readonly boolean[], scores: readonly number[]): number {
  const positives = positive.filter(Boolean).length;
  if (positives === 0) return 0;
  if (positives === positive.length) return 1;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // Groups of equal score, highest first: the precision after each, and whether it added positives.
  const precision: number[] = [];
  const adds: boolean[] = [];
  let truePositives = 0;
  let before = 0;
  for (let i = 0; i < order.length; i++) {
    if (positive[order[i]]) truePositives++;
    if (i + 1 < order.length && scores[order[i + 1]] === scores[order[i]]) continue;
    precision.push(truePositives / (i + 1));
    adds.push(truePositives > before);
    before = truePositives;
  }
  // From the lowest-scored group up, as the curve is laid out: each group's precision raised to the best after it.
  const contributions: number[] = [];
  let best = 0;
  for (let g = precision.length - 1; g >= 0; g--) {
    best = Math.max(best, precision[g]);
    if (adds[g]) contributions.push(best);
  }
  return numpySum(contributions) / contributions.length;
}

/** The index of the highest score, the first of equals (numpy's argmax). */
function topClip(scores: readonly number[]): number {
  let top = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[top]) top = i;
  return top;
}

/** HL-mAP and HL-Hit1 for each minimum label, over these queries (see the top of this file). */
export function highlightScores(truths: readonly SaliencyTruth[], predictions: SaliencyPredictions): Record<MinLabel, HighlightScores> {
  const ordered = inPredictionOrder(truths, predictions);
  const labels = ordered.map(clipLabels);
  const entries = Object.entries(MIN_LABELS).map(([name, min]) => {
    const aps: number[] = [];
    let hits = 0;
    ordered.forEach((truth, q) => {
      const predicted = predictions.get(truth.key);
      const clips = labels[q];
      if (!predicted || predicted.length === 0) {
        aps.push(...new Array<number>(ANNOTATORS).fill(0));
        return;
      }
      const top = topClip(predicted);
      if (top < clips.length && clips[top].some((score) => score >= min)) hits++;
      const scores = Array.from({ length: clips.length }, (_, i) => predicted[i] ?? 0);
      for (let a = 0; a < ANNOTATORS; a++) aps.push(rankingAp(clips.map((clip) => clip[a] >= min), scores));
    });
    const scores: HighlightScores = {
      'HL-mAP': percent2(100 * (numpySum(aps) / aps.length)),
      'HL-Hit1': percent2(100 * (hits / truths.length)),
    };
    return [name, scores] as const;
  });
  return Object.fromEntries(entries) as Record<MinLabel, HighlightScores>;
}
