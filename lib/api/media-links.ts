import type { VideoRecord } from '../core/types';

/**
 * Where a browser can play a video. Local mode: the `vsearch serve` media route; AWS: a short-lived presigned S3 URL.
 * Search appends a `#t=start,end` media fragment so players start (and stop) at the clip.
 */
export interface MediaLinks {
  videoUrl(video: VideoRecord): Promise<string>;
  /** A small JPEG of the frame at `time`, when the deployment has one. */
  thumbnailUrl?(video: VideoRecord, time: number): Promise<string | undefined>;
}

/** The media fragment that plays [start, end] of a video (W3C Media Fragments). */
export function clipFragment(start: number, end: number): string {
  return `#t=${round(start)},${round(end)}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
