/**
 * A small moment-retrieval benchmark the project makes itself: colour videos with known moments and their annotation
 * file in the QVHighlights format, for the fixture model (which sees a frame's colour and the colour words of a text).
 *
 * Each video is a list of solid-colour scenes; the queries name a colour and their relevant windows are the scenes an
 * annotator would mark, written out below. What the videos hold, so that every stage of the search has work to do:
 * scenes of every length bucket (≤ 10 s, 10–30 s, > 30 s, one longer than k = 100 frames), one-frame flashes of a
 * query's colour away from its scene (the distractors smoothing is for), gradual fades between scenes (the relevant
 * window changes at the fade's middle) and scenes at the very start and end of a video.
 *
 * Saliency labels (three annotators, 0–4) for every 2 s clip inside a relevant window: a clip showing only the query's
 * colour scores [4, 4, 3], or [3, 3, 2] when it is the first or last clip of its window; a clip also showing something
 * else (a flash, part of a fade) scores [2, 2, 1].
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Window } from '../../lib/core/moment-metrics';
import { CLIP_SEC } from '../../lib/core/highlight-metrics';
import { makeColourVideo, type ColourSegment } from '../../lib/sample-videos';

/** What a query tests beyond finding a scene: flashes of its colour elsewhere, or a window edge inside a fade. */
export type QueryKind = 'flash' | 'fade';

export interface BenchmarkQuery {
  query: string;
  windows: Window[];
  kinds: QueryKind[];
}

export interface BenchmarkVideo {
  vid: string;
  segments: ColourSegment[];
  queries: BenchmarkQuery[];
}

const scene = (colour: string, durationSec: number, fadeInSec?: number): ColourSegment => ({ colour, durationSec, fadeInSec });

export const COLOUR_BENCHMARK: readonly BenchmarkVideo[] = [
  {
    // Scenes of every length, two of them red; the first and last touch the video's ends.
    vid: 'scenes',
    segments: [scene('blue', 6), scene('red', 34), scene('green', 12), scene('red', 4), scene('yellow', 4)],
    queries: [
      { query: 'a red scene', windows: [[6, 40], [52, 56]], kinds: [] },
      { query: 'green', windows: [[40, 52]], kinds: [] },
      { query: 'blue sky', windows: [[0, 6]], kinds: [] },
      { query: 'something yellow', windows: [[56, 60]], kinds: [] },
    ],
  },
  {
    // Gray throughout, with one-frame flashes (1 s: one sampled frame) of red and magenta away from their scenes.
    vid: 'flashes',
    segments: [
      scene('gray', 12), scene('red', 1), scene('gray', 7), scene('magenta', 1), scene('gray', 9),
      scene('red', 10), scene('magenta', 8), scene('gray', 4), scene('red', 1), scene('gray', 7),
    ],
    queries: [
      { query: 'red', windows: [[30, 40]], kinds: ['flash'] },
      { query: 'magenta', windows: [[40, 48]], kinds: ['flash'] },
      // A flash does not end a scene.
      { query: 'a gray wall', windows: [[0, 30], [48, 60]], kinds: [] },
    ],
  },
  {
    // Black, then white fading in over 4 s, blue fading in from white over 4 s, a hard cut to cyan.
    vid: 'fades',
    segments: [scene('black', 10), scene('white', 20, 4), scene('blue', 20, 4), scene('cyan', 10)],
    queries: [
      { query: 'black night', windows: [[0, 12]], kinds: ['fade'] },
      { query: 'white', windows: [[12, 32]], kinds: ['fade'] },
      { query: 'blue water', windows: [[32, 50]], kinds: ['fade'] },
      { query: 'cyan', windows: [[50, 60]], kinds: [] },
    ],
  },
  {
    // A QVHighlights-length video (150 s) whose blue scene (120 frames at 1 fps) outnumbers k = 100.
    vid: 'long-take',
    segments: [scene('green', 10), scene('blue', 120), scene('red', 20)],
    queries: [
      { query: 'green grass', windows: [[0, 10]], kinds: [] },
      { query: 'the blue sea', windows: [[10, 130]], kinds: [] },
      { query: 'red', windows: [[130, 150]], kinds: [] },
    ],
  },
];

/** Small frames at a low native rate: the colour is all the fixture model sees, and decoding stays quick. */
export const BENCHMARK_VIDEO_OPTIONS = { fps: 2, width: 64, height: 48 } as const;

export interface WrittenBenchmark {
  videosDir: string;
  annotationsFile: string;
  /** Query id → what the query tests. */
  kinds: Map<number, QueryKind[]>;
}

/** Writes the videos (`<dir>/videos/<vid>.mp4`) and `<dir>/colour-benchmark.jsonl`; qids count from 1. */
export async function writeColourBenchmark(dir: string, videos: readonly BenchmarkVideo[] = COLOUR_BENCHMARK): Promise<WrittenBenchmark> {
  const videosDir = path.join(dir, 'videos');
  await mkdir(videosDir, { recursive: true });
  await Promise.all(
    videos.map(({ vid, segments }) => makeColourVideo(path.join(videosDir, `${vid}.mp4`), segments, BENCHMARK_VIDEO_OPTIONS)),
  );
  const kinds = new Map<number, QueryKind[]>();
  const lines: string[] = [];
  for (const video of videos) {
    const duration = video.segments.reduce((sum, segment) => sum + segment.durationSec, 0);
    for (const query of video.queries) {
      const qid = lines.length + 1;
      kinds.set(qid, query.kinds);
      const clips = query.windows.flatMap((window) => clipLabels(video.segments, window, query.query));
      lines.push(
        JSON.stringify({
          qid,
          query: query.query,
          vid: video.vid,
          duration,
          relevant_windows: query.windows,
          relevant_clip_ids: clips.map((clip) => clip.id),
          saliency_scores: clips.map((clip) => clip.scores),
        }),
      );
    }
  }
  const annotationsFile = path.join(dir, 'colour-benchmark.jsonl');
  await writeFile(annotationsFile, lines.map((line) => line + '\n').join(''));
  return { videosDir, annotationsFile, kinds };
}

/** The 2 s clips inside a relevant window with their three annotators' scores (see the top of this file). */
function clipLabels(segments: readonly ColourSegment[], [start, end]: Window, query: string): { id: number; scores: number[] }[] {
  const first = Math.ceil(start / CLIP_SEC);
  const last = Math.floor(end / CLIP_SEC) - 1;
  const labels: { id: number; scores: number[] }[] = [];
  for (let id = first; id <= last; id++) {
    const pure = showsOnly(segments, id * CLIP_SEC, (id + 1) * CLIP_SEC, query);
    labels.push({ id, scores: !pure ? [2, 2, 1] : id === first || id === last ? [3, 3, 2] : [4, 4, 3] });
  }
  return labels;
}

/** Whether [from, to) lies inside one solid (not fading) stretch of a segment whose colour the query names. */
function showsOnly(segments: readonly ColourSegment[], from: number, to: number, query: string): boolean {
  let t = 0;
  for (const { colour, durationSec, fadeInSec = 0 } of segments) {
    const solidFrom = t + fadeInSec;
    t += durationSec;
    if (from >= solidFrom && to <= t) return query.split(' ').includes(colour);
  }
  return false;
}
