/**
 * Subtitle text (SubRip .srt, WebVTT .vtt) read into timed cues: what is said, and when.
 *
 * 1. Encoding. The bytes must be UTF-8 (a byte-order mark is dropped). Anything else is refused, naming the first
 *    line that does not decode, rather than indexing mojibake the user would never type.
 * 2. Blocks. Cues are blocks separated by blank lines. SubRip: an optional counter line, a timing line
 *    `HH:MM:SS,mmm --> HH:MM:SS,mmm` (a `.` before the milliseconds is accepted, as players do), then the text.
 *    WebVTT: the file starts with `WEBVTT`; NOTE, STYLE and REGION blocks are skipped; a cue is an optional
 *    identifier, a timing line `[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm [settings]`, then the text.
 * 3. Text. Markup is removed (`<i>`, `<v Speaker>`, `<c.class>`, inline `<00:01.000>` times, SSA `{\an8}` overrides),
 *    WebVTT's character references are decoded, the lines of a cue are joined by one space. A cue whose text is
 *    then empty says nothing and is left out.
 * 4. Checks, each reported with its line number: a timing line that does not parse or whose minutes or seconds
 *    reach 60; a cue that does not end after it starts; a cue that starts before the previous one ends (overlapping
 *    or out-of-order cues, which a transcript cannot place on one time line). The first error stops the parse: a
 *    file that is wrong in one place is not trusted in the others.
 */

export type SubtitleFormat = 'srt' | 'vtt';

/** One timed line of what is said, in seconds from the start of the video. */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** Subtitle text that breaks a rule above; `line` is 1-based, 0 for the file as a whole. */
export class SubtitleError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `line ${line}: ${reason}` : reason);
    this.name = 'SubtitleError';
  }
}

/** Subtitle bytes as text (rule 1). */
export function decodeSubtitleBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const line = lenient.slice(0, lenient.indexOf('\uFFFD')).split('\n').length;
    throw new SubtitleError(line, 'not UTF-8 text (convert the file to UTF-8)');
  }
}

/** The cues of subtitle text, in time order (rules 2–4). */
export function parseSubtitles(text: string, format: SubtitleFormat): Cue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let first = 0;
  if (format === 'vtt') {
    if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) throw new SubtitleError(1, 'a WebVTT file must start with "WEBVTT"');
    first = 1;
  }
  const cues: Cue[] = [];
  let previous: { end: number; line: number } | undefined;
  for (const block of blocks(lines, first)) {
    if (format === 'vtt' && /^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(block.lines[0])) continue;
    // The timing line is the first or (after a counter or identifier) the second line of the block.
    const at = block.lines[0].includes('-->') ? 0 : 1;
    const timingLine = block.start + at;
    const timing = block.lines[at];
    if (timing === undefined || !timing.includes('-->')) throw new SubtitleError(timingLine, 'expected a timing line "start --> end"');
    const { start, end } = parseTiming(timing, format, timingLine);
    if (!(end > start)) throw new SubtitleError(timingLine, `the cue ends (${timing.split('-->')[1].trim()}) before it starts`);
    if (previous && start < previous.end) {
      throw new SubtitleError(timingLine, `the cue starts before the previous cue (line ${previous.line}) ends: overlapping or out-of-order cues`);
    }
    previous = { end, line: timingLine };
    const spoken = cueText(block.lines.slice(at + 1), format);
    if (spoken) cues.push({ start, end, text: spoken });
  }
  return cues;
}

/** Runs of non-blank lines, with the 1-based number of each run's first line. */
function* blocks(lines: readonly string[], from: number): Generator<{ start: number; lines: string[] }> {
  let current: { start: number; lines: string[] } | undefined;
  for (let i = from; i < lines.length; i++) {
    if (lines[i].trim() === '') {
      if (current) yield current;
      current = undefined;
    } else if (current) current.lines.push(lines[i]);
    else current = { start: i + 1, lines: [lines[i]] };
  }
  if (current) yield current;
}

const SRT_TIME = /^(\d+):(\d{2}):(\d{2})[,.](\d{3})$/;
const VTT_TIME = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/;

function parseTiming(line: string, format: SubtitleFormat, lineNumber: number): { start: number; end: number } {
  const [left, right] = line.split('-->', 2).map((part) => part.trim());
  // WebVTT cue settings (position, align…) and SubRip's X1:… coordinates follow the end time.
  const endToken = right.split(/[ \t]+/)[0];
  return { start: parseTime(left, format, lineNumber), end: parseTime(endToken, format, lineNumber) };
}

function parseTime(token: string, format: SubtitleFormat, lineNumber: number): number {
  const match = (format === 'srt' ? SRT_TIME : VTT_TIME).exec(token);
  const expected = format === 'srt' ? 'HH:MM:SS,mmm' : '[HH:]MM:SS.mmm';
  if (!match) throw new SubtitleError(lineNumber, `bad timestamp "${token}" (expected ${expected})`);
  const [, hours = '0', minutes, seconds, millis] = match;
  if (Number(minutes) >= 60 || Number(seconds) >= 60) {
    throw new SubtitleError(lineNumber, `bad timestamp "${token}" (minutes and seconds must be below 60)`);
  }
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(millis) / 1000;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', quot: '"', apos: "'", lrm: '', rlm: '' };

function cueText(lines: readonly string[], format: SubtitleFormat): string {
  let text = lines.join(' ').replace(/<[^>]*>/g, '').replace(/\{\\[^}]*\}/g, '');
  if (format === 'vtt') text = text.replace(/&(amp|lt|gt|nbsp|quot|apos|lrm|rlm);/g, (_, name: string) => ENTITIES[name]);
  return text.replace(/\s+/g, ' ').trim();
}
