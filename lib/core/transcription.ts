/**
 * Speech recognition's output made into transcript segments (source `asr`), by rules a user can check:
 *
 * 1. Windows. The audio is cut into consecutive 30 s windows (the last one shorter), each recognised on its own:
 *    Whisper reads 30 s at a time. A word said across a window's edge is heard in both windows, in two parts.
 * 2. Times. A recognised chunk's times are seconds into its window: the window's start is added. A chunk without an
 *    end (the model stopped inside the window) ends at the window's end; times are kept inside the window, and a chunk
 *    that does not then end after it starts is left out. Times are rounded to the millisecond.
 * 3. Text. Spaces are collapsed and trimmed; a chunk with no text left is left out. A word or phrase (up to 4 words)
 *    said more than 3 times in a row is kept once: Whisper's known failure is to loop on a phrase, and nobody searches
 *    for the fourth "thank you".
 * 4. Joins. A segment with the same text as the one before it (case and punctuation aside) that starts within 0.5 s
 *    of that one's end is the same speech (a word cut by a window's edge, or a model repeating a line): the two are
 *    one segment, from the first's start to the second's end.
 * 5. Silence. A window in which no sample reaches SILENCE_PEAK (-60 dBFS) is not recognised: nothing is said there,
 *    and Whisper is known to make up a line ("Thank you.") for silence.
 * 6. Language detection listens to the loudest window (highest mean square), not the first: a video's first 30 s are
 *    often music or silence.
 */
import type { TranscriptSegment } from './types';

/** Whisper's window. */
export const WINDOW_SEC = 30;
/** How close an identical segment must follow to be joined (rule 4). */
export const JOIN_GAP_SEC = 0.5;
/** How many times in a row a phrase may be said before the rest count as a loop (rule 3). */
export const MAX_REPEATS = 3;
const MAX_PHRASE_WORDS = 4;
/** The loudest sample of a window that counts as silent (rule 5), in full scale: -60 dBFS. */
export const SILENCE_PEAK = 0.001;

/** A window of the audio, in samples [start, end). */
export interface AudioWindow {
  start: number;
  end: number;
}

/** What a recogniser said about one window: the text of each chunk and its times in seconds into the window. */
export interface RecognisedChunk {
  text: string;
  timestamp: readonly [number, number | null];
}

/** The consecutive windows of `sampleCount` samples (rule 1); none for no samples. */
export function audioWindows(sampleCount: number, sampleRate: number, windowSec = WINDOW_SEC): AudioWindow[] {
  if (!(sampleRate > 0) || !(windowSec > 0)) throw new RangeError(`invalid sample rate ${sampleRate} or window ${windowSec} s`);
  const size = Math.round(windowSec * sampleRate);
  const windows: AudioWindow[] = [];
  for (let start = 0; start < sampleCount; start += size) windows.push({ start, end: Math.min(start + size, sampleCount) });
  return windows;
}

/** One window's chunks as segments on the video's time line (rules 2 and 3). */
export function windowSegments(chunks: readonly RecognisedChunk[], window: { startSec: number; endSec: number }): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  const length = window.endSec - window.startSec;
  const clamp = (t: number) => Math.min(Math.max(t, 0), length);
  for (const { text, timestamp } of chunks) {
    const [from, to] = timestamp;
    const spoken = collapseRepeats(text.replace(/\s+/g, ' ').trim());
    if (!spoken || !Number.isFinite(from)) continue;
    const start = clamp(from);
    const end = clamp(to ?? length);
    if (!(end > start)) continue;
    segments.push({ start: milliseconds(window.startSec + start), end: milliseconds(window.startSec + end), text: spoken, source: 'asr' });
  }
  return segments;
}

/** A phrase of up to 4 words said more than MAX_REPEATS times in a row, kept once (rule 3). */
export function collapseRepeats(text: string): string {
  const words = text.split(' ');
  const kept: string[] = [];
  for (let i = 0; i < words.length; ) {
    let skipped = false;
    for (let n = 1; n <= MAX_PHRASE_WORDS && !skipped; n++) {
      const phrase = words.slice(i, i + n);
      if (phrase.length < n) break;
      let times = 1;
      while (sameWords(words.slice(i + times * n, i + (times + 1) * n), phrase)) times++;
      if (times > MAX_REPEATS) {
        kept.push(...phrase);
        i += times * n;
        skipped = true;
      }
    }
    if (!skipped) kept.push(words[i++]);
  }
  return kept.join(' ');
}

/** The windows' segments in time order, identical neighbours joined (rule 4). */
export function joinSegments(segments: readonly TranscriptSegment[]): TranscriptSegment[] {
  const joined: TranscriptSegment[] = [];
  for (const segment of [...segments].sort((a, b) => a.start - b.start)) {
    const previous = joined.at(-1);
    if (previous && comparable(previous.text) === comparable(segment.text) && segment.start - previous.end <= JOIN_GAP_SEC) {
      previous.end = Math.max(previous.end, segment.end);
    } else {
      joined.push({ ...segment });
    }
  }
  return joined;
}

/** Whether no sample of the window reaches SILENCE_PEAK (rule 5). */
export function isSilent(samples: Float32Array, window: AudioWindow): boolean {
  for (let i = window.start; i < window.end; i++) if (Math.abs(samples[i]) >= SILENCE_PEAK) return false;
  return true;
}

/** The window with the highest mean square (rule 6); undefined when there are none. */
export function loudestWindow(samples: Float32Array, windows: readonly AudioWindow[]): AudioWindow | undefined {
  let best: AudioWindow | undefined;
  let bestPower = -1;
  for (const window of windows) {
    let sum = 0;
    for (let i = window.start; i < window.end; i++) sum += samples[i] * samples[i];
    const power = sum / Math.max(1, window.end - window.start);
    if (power > bestPower) [best, bestPower] = [window, power];
  }
  return best;
}

function milliseconds(sec: number): number {
  return Math.round(sec * 1000) / 1000;
}

function comparable(text: string): string {
  return text.toLowerCase().replace(/[\p{P}\s]+/gu, ' ').trim();
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, i) => comparable(word) === comparable(b[i]));
}
