import type { Clip, Hit } from './types';

/**
 * Temporal clustering of the k-NN hits of one query into clips.
 *
 * 1. Relevance floor. When k exceeds the frames that match, the search fills up with neighbouring scenes at
 *    low scores; chained by time they would stretch a clip over content that does not match. So a hit takes
 *    part only if score ≥ floor, where
 *      floor  = max(minScore ?? -Infinity, best − margin)
 *      best   = the highest hit score of the query (over all videos)
 *      margin = relevanceMargin when it is a number, else (the default, 'auto')
 *               max(0.5 × (best − median), 0.1 × |best|), median = the median of all hit scores
 *               (the mean of the middle two for an even count).
 *    The spread term scales with the query's own score distribution (CLIP cosines sit near 0.2–0.3, others
 *    near 1), and when most hits are background the median sits in it, so the floor falls halfway between
 *    the best match and the background. The 10 % term keeps a result whose hits are all relevant, with a
 *    tiny spread, from being cut into pieces.
 * 2. Chaining. Per video, the kept hits sorted by time form one clip as long as each is within timeOffset
 *    seconds of the previous one; a larger gap starts a new clip. A clip spans its first to last hit, scores
 *    its best hit's score and is placed (bestTime) at that hit (the earliest one on a tie).
 *    timeOffset follows each video's sampling by default: two sampling intervals (2 / fps), so a clip survives
 *    one missing frame but not two — at 1 fps that is 2 s, at 0.5 fps 4 s; videos indexed at different rates
 *    keep their own. An explicit timeOffset applies to every video.
 * 3. Ranking. Clips by score descending, then videoId, then start ascending; at most `size` of them.
 *
 * O(n log n) (sorting), and the output does not depend on the order of the input hits.
 */

/** Default chaining gap, in sampling intervals of the video: one missing frame still joins (rule 2). */
export const DEFAULT_GAP_FRAMES = 2;
export const DEFAULT_RELEVANCE_MARGIN = 'auto';
/** Auto margin: this fraction of (best − median)… */
export const AUTO_MARGIN_SPREAD_FRACTION = 0.5;
/** …but never less than this fraction of |best|. */
export const AUTO_MARGIN_MIN_FRACTION = 0.1;

/** Largest gap in seconds between consecutive hits of one clip (≥ 0): one for every video, or each video's own. */
export type TimeOffset = number | ((videoId: string) => number);

export interface ClusterOptions {
  /** Default: `defaultTimeOffset(1)` for every video (callers that know each video's rate pass a function). */
  timeOffset?: TimeOffset;
  /** A relevance floor already computed (`relevanceFloor`): used as is, in place of minScore and relevanceMargin. */
  floor?: number;
  /** Absolute floor on hit scores. */
  minScore?: number;
  /** How far below the best score a hit may be and still count: a number ≥ 0, or 'auto' (see above). */
  relevanceMargin?: number | 'auto';
  /** Most clips to return (a positive integer); all when absent. */
  size?: number;
}

/** Clusters the hits of one query into ranked clips (rule in the comment at the top of this file). */
export function clusterHits(hits: readonly Hit[], options: ClusterOptions = {}): Clip[] {
  const offsetOf = timeOffsetOf(options.timeOffset);
  for (const hit of hits) {
    if (!Number.isFinite(hit.time) || !Number.isFinite(hit.score)) {
      throw new Error(`Hit of video ${hit.videoId} has a non-finite time or score (${hit.time}, ${hit.score})`);
    }
  }
  const floor = options.floor ?? relevanceFloor(hits.map((h) => h.score), options);
  // Grouped by video first, so the sorts are by number only and each is short.
  const byVideo = new Map<string, Hit[]>();
  for (const hit of hits) {
    if (hit.score < floor) continue;
    const videoHits = byVideo.get(hit.videoId);
    if (videoHits) videoHits.push(hit);
    else byVideo.set(hit.videoId, [hit]);
  }
  const clips: Clip[] = [];
  for (const [videoId, videoHits] of byVideo) {
    for (const clip of chainInTime(videoHits.sort(byTime), offsetOf(videoId))) clips.push(clip);
  }
  return rankClips(clips, options.size);
}

/** One video's hits, in time order, chained into clips (rule 2 at the top of this file). */
function chainInTime(hits: readonly Hit[], timeOffset: number): Clip[] {
  const clips: Clip[] = [];
  let current: Clip | undefined;
  let lastTime = 0;
  for (const hit of hits) {
    if (current && hit.time - lastTime <= timeOffset) {
      current.end = hit.time;
      current.hits++;
      if (hit.score > current.score) {
        current.score = hit.score;
        current.bestTime = hit.time;
      }
    } else {
      current = { videoId: hit.videoId, start: hit.time, end: hit.time, bestTime: hit.time, score: hit.score, hits: 1 };
      clips.push(current);
    }
    lastTime = hit.time;
  }
  return clips;
}

/**
 * The default chaining gap of a video sampled at `fps` frames per second: DEFAULT_GAP_FRAMES intervals, plus a
 * microsecond so that float times k / fps two intervals apart always join.
 */
export function defaultTimeOffset(fps: number): number {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`fps must be a finite number > 0, got ${fps}`);
  return DEFAULT_GAP_FRAMES / fps + 1e-6;
}

/** The time offset of each video, checked where it is used. */
export function timeOffsetOf(timeOffset: TimeOffset = defaultTimeOffset(1)): (videoId: string) => number {
  return (videoId) => {
    const offset = typeof timeOffset === 'number' ? timeOffset : timeOffset(videoId);
    if (!(offset >= 0) || !Number.isFinite(offset)) {
      throw new Error(`timeOffset must be a finite number >= 0, got ${offset}${typeof timeOffset === 'number' ? '' : ` for video ${videoId}`}`);
    }
    return offset;
  };
}

/** The score a hit needs to take part in a clip (minScore ?? −Infinity for no hits); see the top of this file. */
export function relevanceFloor(
  scores: readonly number[],
  options: Pick<ClusterOptions, 'minScore' | 'relevanceMargin'> = {},
): number {
  const { minScore, relevanceMargin = DEFAULT_RELEVANCE_MARGIN } = options;
  if (minScore !== undefined && !Number.isFinite(minScore)) {
    throw new Error(`minScore must be a finite number, got ${minScore}`);
  }
  if (relevanceMargin !== 'auto' && (!(relevanceMargin >= 0) || !Number.isFinite(relevanceMargin))) {
    throw new Error(`relevanceMargin must be 'auto' or a finite number >= 0, got ${String(relevanceMargin)}`);
  }
  const absolute = minScore ?? -Infinity;
  if (scores.length === 0) return absolute;
  const sorted = Float64Array.from(scores).sort();
  const best = sorted[sorted.length - 1];
  const margin = relevanceMargin === 'auto' ? autoMargin(sorted) : relevanceMargin;
  return Math.max(absolute, best - margin);
}

/** Clips ranked by score descending, then videoId, then start; the first `size` of them when given. */
export function rankClips(clips: readonly Clip[], size?: number): Clip[] {
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1)) {
    throw new Error(`size must be a positive integer, got ${size}`);
  }
  const ranked = [...clips].sort(
    (a, b) => b.score - a.score || compareStrings(a.videoId, b.videoId) || a.start - b.start,
  );
  return size === undefined ? ranked : ranked.slice(0, size);
}

/** `sorted`: the scores in ascending order, at least one. */
function autoMargin(sorted: Float64Array): number {
  const best = sorted[sorted.length - 1];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.max(AUTO_MARGIN_SPREAD_FRACTION * (best - median), AUTO_MARGIN_MIN_FRACTION * Math.abs(best));
}

/** Score descending breaks time ties, so which hit of a duplicated time comes first is fixed too. */
function byTime(a: Hit, b: Hit): number {
  return a.time - b.time || b.score - a.score;
}

/** Code-unit order, not locale order: the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
