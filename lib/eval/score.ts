import { highlightScores, MIN_LABELS, type HighlightScores, type MinLabel } from '../core/highlight-metrics';
import { charadesScores, momentScoresByRange, type MomentRange, type MomentScores, type ScoredWindow } from '../core/moment-metrics';
import type { AnnotatedQuery, Benchmark, PredictedQuery } from './benchmark-files';

/**
 * A benchmark's report on a set of predictions, in the reference evaluation's shape: `brief` holds the headline
 * metrics under the benchmark's own names (QVHighlights: the MR metrics in the reference's sorted order, then the HL
 * ones; Charades-STA: R1@0.3, R1@0.5, R1@0.7, mIoU), in %, with two decimals; NaN (null in JSON) where a metric has
 * no query to average over. QVHighlights also has the reference's detail per range and minimum label. The highlight
 * metrics are there when the annotations carry saliency labels and some prediction has saliency scores.
 */
export interface EvaluationReport {
  benchmark: Benchmark;
  brief: Record<string, number>;
  detail: Partial<Record<MomentRange, MomentScores> & Record<`HL-min-${MinLabel}`, HighlightScores>>;
}

export function scoreQueries(
  benchmark: Benchmark,
  annotations: readonly AnnotatedQuery[],
  predictions: ReadonlyMap<string, PredictedQuery>,
): EvaluationReport {
  const truths = annotations.map(({ key, windows }) => ({ key, windows }));
  const windows = new Map<string, readonly ScoredWindow[]>([...predictions].map(([key, p]) => [key, p.windows]));
  if (benchmark === 'charades-sta') return { benchmark, brief: charadesScores(truths, windows), detail: {} };

  const ranges = momentScoresByRange(truths, windows);
  const moment: Record<string, number> = {
    'MR-full-mAP': ranges.full['MR-mAP'].average,
    'MR-full-mAP@0.5': ranges.full['MR-mAP']['0.5'],
    'MR-full-mAP@0.75': ranges.full['MR-mAP']['0.75'],
    'MR-short-mAP': ranges.short['MR-mAP'].average,
    'MR-middle-mAP': ranges.middle['MR-mAP'].average,
    'MR-long-mAP': ranges.long['MR-mAP'].average,
    'MR-full-R1@0.5': ranges.full['MR-R1']['0.5'],
    'MR-full-R1@0.7': ranges.full['MR-R1']['0.7'],
  };
  const brief: Record<string, number> = Object.fromEntries(Object.entries(moment).sort(([a], [b]) => (a < b ? -1 : 1)));
  const detail: EvaluationReport['detail'] = { ...ranges };

  const labelled = annotations.every((q) => q.saliency);
  const saliency = new Map([...predictions].flatMap(([key, p]) => (p.saliency ? [[key, p.saliency] as const] : [])));
  if (labelled && saliency.size > 0) {
    const highlights = highlightScores(
      annotations.map(({ key, duration, saliency: labels }) => ({ key, duration: duration!, clipIds: labels!.clipIds, scores: labels!.scores })),
      saliency,
    );
    for (const name of Object.keys(MIN_LABELS) as MinLabel[]) {
      brief[`HL-min-${name}-mAP`] = highlights[name]['HL-mAP'];
      brief[`HL-min-${name}-Hit1`] = highlights[name]['HL-Hit1'];
      detail[`HL-min-${name}`] = highlights[name];
    }
  }
  return { benchmark, brief, detail };
}
