import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { SceneScore } from '../core/shots';

/** How many of ffmpeg's last error lines an error message quotes. */
const QUOTED_ERRORS = 3;

// Lines as `-loglevel level+info` prints them: "[Parsed_showinfo_3 @ 0x55e8…] [info] n:   4 pts:      4 pts_time:4 …".
const SHOWINFO = /^\[Parsed_showinfo_\d+ @ 0x[0-9a-f]+\] \[info\] /;
const FRAME = /^n:\s*\d+ pts:\s*(-?\d+|NOPTS) /;
const TIME_BASE = /^config in time_base: (\d+)\/(\d+)/;
const ERROR = /\[(error|fatal|panic)\] /;
// The scene-score branch (see frames.ts): `metadata=mode=print` after `scdet` and `settb=AVTB`, so pts are microseconds.
const METADATA = /^\[Parsed_metadata_\d+ @ 0x[0-9a-f]+\] \[info\] /;
const METADATA_FRAME = /^frame:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\s/;
const METADATA_VALUE = /^lavfi\.scd\.(mafd|score)=(\S+)$/;
const MICROSECONDS = 1e-6;

/** An ffmpeg/ffprobe log line without its "[context @ 0x…] [level] " and "<input>: " prefixes. */
export function cleanLogLine(line: string, input: string): string {
  const text = line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\] /, '').replace(/^\[\w+\] /, '');
  return text.startsWith(`${input}: `) ? text.slice(input.length + 2) : text;
}

/**
 * Follows the stderr of an ffmpeg run made with `-loglevel level+info` whose filter chain ends in `showinfo`:
 * collects the presentation time of every frame written to stdout, in order, and ffmpeg's last error lines; and, when
 * the run has a scene-score branch, hands `onSceneScore` every decoded frame's scdet values, in order.
 */
export class FfmpegLog {
  private readonly times: number[] = [];
  private readonly errors: string[] = [];
  // Time base of the showinfo link (seconds per pts tick) as an exact fraction, so `pts * num / den` rounds once.
  private num = NaN;
  private den = NaN;
  private closed = false;
  private wake: (() => void) | undefined;
  /** The scene-score frame being read: its time, then its mafd; complete once its score arrives. */
  private scene: { time: number; mafd?: number } | undefined;

  constructor(
    stderr: Readable,
    private readonly input: string,
    private readonly onSceneScore?: (score: SceneScore) => void,
  ) {
    const lines = createInterface({ input: stderr, crlfDelay: Infinity });
    lines.on('line', (line) => this.read(line));
    lines.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /**
   * The time of the next frame, in seconds; NaN for a frame without a timestamp; undefined once stderr has closed.
   * showinfo logs a frame before ffmpeg writes it to stdout, but the two pipes are read independently,
   * so the caller may hold a frame's bytes before its time has arrived: this waits for it.
   */
  async nextTime(): Promise<number | undefined> {
    while (this.times.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.times.shift();
  }

  /** ffmpeg's last error lines joined, or undefined when it logged none. */
  errorSummary(): string | undefined {
    return this.errors.length > 0 ? this.errors.join('; ') : undefined;
  }

  private read(line: string): void {
    const metadata = this.onSceneScore && METADATA.exec(line);
    if (metadata) {
      this.readSceneScore(line.slice(metadata[0].length));
      return;
    }
    const info = SHOWINFO.exec(line);
    if (info) {
      const text = line.slice(info[0].length);
      const frame = FRAME.exec(text);
      if (frame) {
        this.times.push((Number(frame[1]) * this.num) / this.den);
        this.notify();
        return;
      }
      const timeBase = TIME_BASE.exec(text);
      if (timeBase) [this.num, this.den] = [Number(timeBase[1]), Number(timeBase[2])];
    } else if (ERROR.test(line)) {
      this.errors.push(cleanLogLine(line, this.input));
      if (this.errors.length > QUOTED_ERRORS) this.errors.shift();
    }
  }

  /** A frame line starts a frame; its mafd and score lines follow (scdet sets them in that order). */
  private readSceneScore(text: string): void {
    const frame = METADATA_FRAME.exec(text);
    if (frame) {
      this.scene = { time: Number(frame[1]) * MICROSECONDS };
      return;
    }
    const value = METADATA_VALUE.exec(text);
    if (!value || !this.scene) return;
    if (value[1] === 'mafd') {
      this.scene.mafd = Number(value[2]);
      return;
    }
    const { time, mafd } = this.scene;
    this.scene = undefined;
    const score = Number(value[2]);
    if (Number.isFinite(time) && mafd !== undefined && Number.isFinite(mafd) && Number.isFinite(score)) {
      this.onSceneScore!({ time, mafd, score });
    }
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
