import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** A stretch of solid colour; `right` paints the right half in another colour (an asymmetric frame, e.g. to check rotation). */
export interface ColourSegment {
  /** A CSS/ffmpeg colour name or #rrggbb (ffmpeg's names follow CSS: green is #008000, gray #808080). */
  colour: string;
  durationSec: number;
  right?: string;
  /**
   * A gradual change: the segment starts as the previous segment's colour (its left half's, when split) and turns
   * linearly into its own over its first `fadeInSec` seconds. Not for the first segment.
   */
  fadeInSec?: number;
  /**
   * A dissolve from the previous segment into this one over this many seconds, centred on their boundary (ffmpeg's
   * xfade); without it the colour changes at once (a hard cut).
   */
  fadeSec?: number;
}

export interface ColourVideoOptions {
  /** Frame rate (the average one with `vfr`); default 25. */
  fps?: number;
  /** Frame size before rotation; even numbers (H.264 4:2:0). Default 320×240. */
  width?: number;
  height?: number;
  /** Irregular frame intervals (1, 2 and 3 half-periods in turn) averaging `fps`, for variable frame rate tests. */
  vfr?: boolean;
  /** Display rotation in degrees counterclockwise, stored as display-matrix metadata (what probeVideo reports). */
  rotate?: 90 | 180 | 270;
  /**
   * Adds an AAC audio track (a tone) as long as the video. AAC's encoder priming (1024 samples, 0.023 s at 44.1 kHz)
   * makes Matroska and MPEG-TS start the video stream 0.023 s after the file's start, as in many real files (the file
   * starts at 0 in Matroska, at 1.4 s in MPEG-TS, the muxer's default delay); MP4 hides the priming in an edit list.
   * `{ expression }`: the track is that ffmpeg `aevalsrc` expression of t (mono, 44.1 kHz) instead of the tone, e.g.
   * the tones the Whisper fixture hears as words (scripts/fixture-model/whisper-words.ts).
   */
  audio?: boolean | { expression: string };
}

export interface SampleVideo {
  path: string;
  title: string;
  category: string;
  tags: string[];
}

const run = promisify(execFile);

/**
 * Writes an H.264 (yuv420p) video of solid-colour segments, in the container the file's extension names (.mp4, .mkv,
 * .ts…); colour changes at the frame nearest each segment boundary, at once or dissolving over the segment's `fadeSec`.
 */
export async function makeColourVideo(file: string, segments: ColourSegment[], options: ColourVideoOptions = {}): Promise<void> {
  const { fps = 25, width = 320, height = 240, vfr = false, rotate, audio = false } = options;
  if (segments.length === 0) throw new RangeError('a colour video needs at least one segment');
  if (segments[0].fadeSec) throw new RangeError('the first segment has nothing to dissolve from');
  // A vfr video is drawn at twice the rate, then keeps frames 0, 1 and 3 of every 6: intervals of 1, 2 and 3 half-periods.
  const rate = vfr ? 2 * fps : fps;
  // The duration is half a frame short of the frame count, so its decimal rounding cannot add a frame.
  const colour = (name: string, w: number, frames: number) =>
    `color=c=${name}:s=${w}x${height}:r=${rate}:d=${((frames - 0.5) / rate).toFixed(6)}`;
  // Boundaries land on the frame nearest to each cumulative time, so rounding does not add up along the video.
  // `boundaries[i]`: the frame segment i starts at (the last one: the frame count).
  let elapsedSec = 0;
  const boundaries = [0, ...segments.map(({ durationSec }) => Math.round((elapsedSec += durationSec) * rate))];
  // A dissolve overlaps the two segments by its length: each is drawn half of it longer on that side.
  const overlap = segments.map((segment) => Math.round((segment.fadeSec ?? 0) * rate));
  const sources = segments.map(({ colour: left, right, fadeInSec }, i) => {
    const frames = boundaries[i + 1] - boundaries[i] + Math.floor(overlap[i] / 2) + Math.ceil((overlap[i + 1] ?? 0) / 2);
    if (boundaries[i + 1] - boundaries[i] < 1) throw new RangeError(`segment ${i} (${segments[i].durationSec} s) is shorter than a frame at ${rate} fps`);
    const fade = fadeInSec === undefined ? '' : fadeFrom(segments, i, fadeInSec);
    // One time base on every link: xfade refuses two (concat gives microseconds).
    if (right === undefined) return `${colour(left, width, frames)}${fade},settb=AVTB[s${i}]`;
    const half = width / 2;
    return `${colour(left, half, frames)}[l${i}];${colour(right, width - half, frames)}[r${i}];[l${i}][r${i}]hstack${fade},settb=AVTB[s${i}]`;
  });
  // Joined in order: a cut concatenates, a dissolve cross-fades from where the video so far is half the overlap short
  // of the boundary.
  const joins: string[] = [];
  let joined = 's0';
  for (let i = 1; i < segments.length; i++) {
    const out = i === segments.length - 1 ? 'joined' : `j${i}`;
    joins.push(
      overlap[i] > 0
        ? `[${joined}][s${i}]xfade=transition=fade:duration=${(overlap[i] / rate).toFixed(6)}:offset=${((boundaries[i] - Math.floor(overlap[i] / 2)) / rate).toFixed(6)}[${out}]`
        : `[${joined}][s${i}]concat=n=2:v=1:a=0[${out}]`,
    );
    joined = out;
  }
  const select = vfr ? `,select='lt(mod(n,6),2)+eq(mod(n,6),3)'` : '';
  const length = (boundaries[segments.length] / rate).toFixed(6);
  const source = typeof audio === 'object' ? `aevalsrc=${audio.expression}:s=44100:d=${length}` : `sine=d=${length}`;
  const tone = audio ? `;${source}[a]` : '';
  const graph = `${[...sources, ...joins].join(';')};[${joined}]null${select}[v]${tone}`;
  // ffmpeg 5.1 turns a "rotate" tag into a display matrix only when copying a stream, hence a second, copying pass.
  const encoded = rotate === undefined ? file : `${file}.unrotated.mp4`;
  // passthrough: keep the timestamps the graph made (a vfr selection's irregular ones included).
  const audioOut = audio ? ['-map', '[a]', '-c:a', 'aac'] : [];
  await ffmpeg(['-filter_complex', graph, '-map', '[v]', ...audioOut, '-fps_mode', 'passthrough', ...H264, encoded]);
  if (rotate === undefined) return;
  try {
    await ffmpeg(['-i', encoded, '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, file]);
  } finally {
    await rm(encoded, { force: true });
  }
}

/** The filter that fades segment `i` in from the previous segment's colour over its first `seconds`. */
function fadeFrom(segments: readonly ColourSegment[], i: number, seconds: number): string {
  if (i === 0) throw new RangeError('the first segment has no previous colour to fade from');
  if (!(seconds > 0) || seconds > segments[i].durationSec) {
    throw new RangeError(`segment ${i}: fadeInSec must be > 0 and at most its duration (${segments[i].durationSec} s), got ${seconds}`);
  }
  return `,fade=t=in:st=0:d=${seconds}:color=${segments[i - 1].colour}`;
}

/** Writes three short demo videos into `dir` and describes them for indexing. */
export async function makeSampleVideos(dir: string): Promise<SampleVideo[]> {
  const samples: (SampleVideo & { segments: ColourSegment[] })[] = [
    {
      path: path.join(dir, 'traffic-lights.mp4'),
      title: 'Traffic lights',
      category: 'street',
      tags: ['red', 'yellow', 'green', 'traffic'],
      segments: [
        { colour: 'red', durationSec: 4 },
        { colour: 'yellow', durationSec: 2 },
        { colour: 'green', durationSec: 4 },
      ],
    },
    {
      path: path.join(dir, 'sky-and-grass.mp4'),
      title: 'Sky and grass',
      category: 'nature',
      tags: ['blue', 'sky', 'green', 'grass', 'clouds'],
      segments: [
        { colour: 'blue', durationSec: 4 },
        { colour: 'green', durationSec: 4 },
        { colour: 'white', durationSec: 2 },
      ],
    },
    {
      path: path.join(dir, 'night-and-day.mp4'),
      title: 'Night and day',
      category: 'nature',
      tags: ['night', 'dusk', 'day', 'flash'],
      segments: [
        { colour: 'black', durationSec: 3 },
        { colour: 'gray', durationSec: 2 },
        { colour: 'magenta', durationSec: 1 },
        { colour: 'white', durationSec: 3 },
      ],
    },
  ];
  for (const { segments, path: file } of samples) await makeColourVideo(file, segments);
  return samples.map(({ segments: _, ...sample }) => sample);
}

// Small and fast: ultrafast x264 at the default size encodes these in well under a second each.
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

async function ffmpeg(args: string[]): Promise<void> {
  try {
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ffmpeg failed making a sample video: ${stderr || (error as Error).message}`);
  }
}
