import type { Clip, Hit, SpeechHit, SpeechSource } from './types';

/**
 * Fusion of what is seen and what is said into the one time line that clustering reads.
 *
 * A text query scores frames (k-NN, cosine `v`) and transcript segments (full-text, BM25). The two scales differ,
 * so speech is laid onto the frames' scale and the frames' time grid:
 *
 * 1. Relevance of a line: r = its BM25 score / the best BM25 score of the query's lines, in (0, 1].
 * 2. Scale: S = max(vBest − vLow, MIN_SPEECH_SCALE), vBest and vLow the highest and lowest frame scores the k-NN
 *    returned (over all videos). At speechWeight w = 1 (the default) the best line lifts a moment where nothing is
 *    seen to the level of the best frame; the floor keeps speech counting when no frame stands out.
 * 3. Time: a line covers its video's sampling grid, the times i / fps in [start, end] (the grid time nearest its
 *    middle when it covers none). At each grid time of a video
 *        fused = v + w · S · r
 *    where v is the frame hit's score at that grid time, or vLow where the k-NN returned none there (every frame
 *    it left out scores at most vLow), and r is the best relevance of the lines covering it (a line said twice, by
 *    subtitles and by speech recognition, counts once).
 * 4. Where no line matches, the frame hits stay exactly as they are: a video without speech ranks as before, and
 *    w = 0 (or a query without speech hits) is the frame search unchanged.
 * 5. Speech only (mode 'speech'): no frames, fused = r at the grid times the lines cover.
 * 6. Why a clip matched: 'visual' when one of its frames reaches the clip's floor on its frame score alone,
 *    'speech' when a matching line overlaps it (never neither: without a line, fused = v). The lines it carries
 *    are those overlapping it, in time order, each with its relevance r.
 */

export const DEFAULT_SPEECH_WEIGHT = 1;
/** Rule 2: the least a best line adds at w = 1, in cosine units (CLIP's matching frames stand about 0.1 above background). */
export const MIN_SPEECH_SCALE = 0.1;

/** Which sides a search scores: frames and speech (the default), or one of them. */
export type SearchMode = 'both' | 'visual' | 'speech';
export const SEARCH_MODES: readonly SearchMode[] = ['both', 'visual', 'speech'];

export type MatchSide = 'visual' | 'speech';

/** A line that matched, as a clip carries it: its relevance `score` is r of rule 1. */
export interface TranscriptLine {
  start: number;
  end: number;
  text: string;
  source: SpeechSource;
  score: number;
}

export interface FusionOptions {
  /** w of rule 3 (≥ 0). */
  weight: number;
  mode: SearchMode;
  /** Each video's sampling rate in frames per second (the grid of rule 3). */
  fpsOf: (videoId: string) => number;
}

/** The fused time line, and what it was made of (for `explain`). */
export interface Fusion {
  hits: Hit[];
  lines: Map<string, TranscriptLine[]>;
}

/** The hits clustering reads (rules 1–5 at the top of this file). */
export function fuseSpeech(frames: readonly Hit[], speech: readonly SpeechHit[], options: FusionOptions): Fusion {
  const { weight, mode, fpsOf } = options;
  if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`speechWeight must be a finite number >= 0, got ${weight}`);
  const visual = mode === 'speech' ? [] : frames;
  const lines = linesByVideo(mode === 'visual' || weight === 0 ? [] : speech);
  if (lines.size === 0) return { hits: [...visual], lines };

  let vBest = -Infinity;
  let vLow = Infinity;
  for (const { score } of visual) {
    vBest = Math.max(vBest, score);
    vLow = Math.min(vLow, score);
  }
  const withFrames = visual.length > 0;
  const base = withFrames ? vLow : 0;
  const lift = withFrames ? weight * Math.max(vBest - vLow, MIN_SPEECH_SCALE) : 1;

  const untouched: Hit[] = [];
  const slots = new Map<string, Map<number, Hit>>([...lines.keys()].map((videoId) => [videoId, new Map()]));
  for (const hit of visual) {
    const videoSlots = slots.get(hit.videoId);
    if (!videoSlots) {
      untouched.push(hit); // rule 4
      continue;
    }
    const slot = Math.round(hit.time * fpsOf(hit.videoId));
    // Two hits in one grid slot (everyNth sampling drifts off the grid): the better one stands for it.
    if ((videoSlots.get(slot)?.score ?? -Infinity) < hit.score) videoSlots.set(slot, { ...hit });
  }
  for (const [videoId, videoLines] of lines) {
    const fps = fpsOf(videoId);
    const videoSlots = slots.get(videoId)!;
    const best = new Map<number, number>();
    for (const line of videoLines) {
      for (const slot of gridSlots(line, fps)) best.set(slot, Math.max(best.get(slot) ?? 0, line.score));
    }
    for (const [slot, r] of best) {
      const hit = videoSlots.get(slot) ?? { videoId, time: slot / fps, score: base };
      hit.score += lift * r;
      videoSlots.set(slot, hit);
    }
  }
  return { hits: [...untouched, ...[...slots.values()].flatMap((videoSlots) => [...videoSlots.values()])], lines };
}

/** Why `clip` matched and the lines it carries (rule 6); `frames` are the frame scores known in its video. */
export function explainClip(
  clip: Clip,
  fusion: Fusion,
  frames: readonly Hit[],
  floor: number,
): { matchedBy: MatchSide[]; transcript: TranscriptLine[] } {
  const transcript = (fusion.lines.get(clip.videoId) ?? []).filter((line) => line.start <= clip.end && line.end >= clip.start);
  const seen = frames.some((hit) => hit.videoId === clip.videoId && hit.time >= clip.start && hit.time <= clip.end && hit.score >= floor);
  const matchedBy: MatchSide[] = [...(seen || transcript.length === 0 ? (['visual'] as const) : []), ...(transcript.length > 0 ? (['speech'] as const) : [])];
  return { matchedBy, transcript };
}

/** The best relevance r of the lines covering `time` (0 where none): a video's speech score over time, for the chart. */
export function speechScoreAt(lines: readonly TranscriptLine[], time: number): number {
  return lines.reduce((best, line) => (line.start <= time && time <= line.end ? Math.max(best, line.score) : best), 0);
}

/** Each video's matching lines with r (rule 1), in time order. */
function linesByVideo(speech: readonly SpeechHit[]): Map<string, TranscriptLine[]> {
  const best = speech.reduce((max, hit) => Math.max(max, hit.score), 0);
  const byVideo = new Map<string, TranscriptLine[]>();
  for (const { videoId, start, end, text, source, score } of speech) {
    if (!(score > 0)) continue;
    const line = { start, end, text, source, score: score / best };
    byVideo.set(videoId, [...(byVideo.get(videoId) ?? []), line]);
  }
  for (const videoLines of byVideo.values()) videoLines.sort((a, b) => a.start - b.start || a.end - b.end);
  return byVideo;
}

/** The grid slots i (time i / fps) a line covers (rule 3). */
function gridSlots({ start, end }: { start: number; end: number }, fps: number): number[] {
  const first = Math.ceil(start * fps - 1e-9);
  const last = Math.floor(end * fps + 1e-9);
  if (last < first) return [Math.round(((start + end) / 2) * fps)];
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
