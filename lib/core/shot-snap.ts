import { mergeClips } from './clip-growth';
import { rankClips, timeOffsetOf, type TimeOffset } from './clustering';
import { shotList, type Shot, type Shots } from './shots';
import type { Clip, Hit } from './types';

/**
 * Clips snapped to their video's shots (lib/core/shots.ts), after they have grown over their scene (clip-growth.ts).
 *
 * The clip's shots are those that hold one of its sampled frames (some time in [start, end]). Its frames stand for
 * [start, end + 1 / fps), each sampled frame until the next one, and a shot MATCHES the clip when it holds the clip's
 * best frame, or when that stretch covers at least SNAP_COVERAGE of it.
 * 1. Extend: where the clip's first (last) shot matches and is covered by at least SNAP_COVERAGE, the clip starts
 *    (ends) at that shot's start (end): a clip that covers most of a shot plays the whole shot.
 * 2. Trim: where the clip's first (last) shot does not match and the boundary between it and the next (previous) shot
 *    is a hard cut, the clip starts (ends) at that cut: a clip never spans a hard cut into a shot that does not match.
 *    A gradual transition blends the two shots, so a clip spilling over one is left as it is. The shots in between are
 *    covered whole, so they match.
 * 3. Clips of one video that now overlap or lie within timeOffset of each other merge (clip-growth.ts, rule 3).
 *    `score` and `bestTime` stay those of the best frame, and `hits` counts the hits given (the k-NN hits at or above
 *    the relevance floor) that lie inside the snapped clip. The clips are ranked again (clustering.ts, rule 3).
 * A video without recorded shots keeps its clips as they are.
 */

/** Share of a shot a clip must cover to match it and extend to its boundaries. */
export const SNAP_COVERAGE = 0.5;

/** What snapping needs to know of a clip's video. */
export interface SnapVideo {
  fps: number;
  durationSec: number;
  shots?: Shots | null;
}

export interface SnapOptions {
  /** The hits that took part in the clips (score at or above the relevance floor), for counting `hits`. */
  hits: readonly Hit[];
  timeOffset?: TimeOffset;
  size?: number;
}

/** `clips` snapped to the shots of their videos (`videos`), merged and ranked (rules at the top of this file). */
export function snapToShots(clips: readonly Clip[], videos: (videoId: string) => SnapVideo, options: SnapOptions): Clip[] {
  const offsetOf = timeOffsetOf(options.timeOffset);
  const byVideo = new Map<string, Clip[]>();
  for (const clip of clips) {
    const video = videos(clip.videoId);
    const snapped = video.shots ? snapClip(clip, shotList(video.shots.boundaries, video.durationSec), 1 / video.fps) : { ...clip };
    byVideo.set(clip.videoId, [...(byVideo.get(clip.videoId) ?? []), snapped]);
  }
  const merged = [...byVideo].flatMap(([videoId, videoClips]) => mergeClips(videoClips, offsetOf(videoId)));
  const hitTimes = new Map<string, number[]>();
  for (const hit of options.hits) hitTimes.set(hit.videoId, [...(hitTimes.get(hit.videoId) ?? []), hit.time]);
  for (const clip of merged) {
    clip.hits = (hitTimes.get(clip.videoId) ?? []).filter((time) => time >= clip.start && time <= clip.end).length;
  }
  return rankClips(merged, options.size);
}

/** One clip against its video's shots (rules 1 and 2); `interval` is the video's sampling interval in seconds. */
function snapClip(clip: Clip, shots: readonly Shot[], interval: number): Clip {
  const from = clip.start;
  const to = clip.end + interval;
  const overlapping = shots.filter((shot) => shot.end > from && shot.start <= clip.end);
  if (overlapping.length === 0) return { ...clip };
  const covered = (shot: Shot) => Math.min(shot.end, to) - Math.max(shot.start, from) >= SNAP_COVERAGE * (shot.end - shot.start);
  const holdsBest = (shot: Shot) => clip.bestTime >= shot.start && clip.bestTime < shot.end;
  const first = overlapping[0];
  const last = overlapping[overlapping.length - 1];
  const snapped = { ...clip };
  if (covered(first)) snapped.start = first.start;
  else if (!holdsBest(first) && first.endKind === 'cut') snapped.start = first.end;
  if (covered(last)) snapped.end = last.end;
  else if (!holdsBest(last) && last.startKind === 'cut') snapped.end = last.start;
  return snapped;
}
