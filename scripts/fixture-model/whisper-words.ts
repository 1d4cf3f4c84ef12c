/**
 * What the Whisper-layout fixture hears: each word it knows is a pure tone at its own frequency, in a band of mel
 * bins no other word's tone reaches. A tone held from t0 to t1 s transcribes as that word from t0 to t1; silence, or
 * a tone at a frequency no word has, transcribes as nothing. The language it detects is the language of the words it
 * hears most (English when it hears none).
 */

export interface FixtureWord {
  /** The word as transcribed (the tokenizer's text token is this word after a space, as Whisper's BPE has it). */
  text: string;
  /** The tone that says it, in Hz. */
  frequencyHz: number;
  /** The language it belongs to: what language detection answers when this word is heard most. */
  language: string;
}

/** Tones at 1 kHz and above: below that a 25 ms window's leakage spreads over many of Whisper's narrow low mel bins. */
export const FIXTURE_WORDS: readonly FixtureWord[] = [
  { text: 'fox', frequencyHz: 1000, language: 'en' },
  { text: 'dog', frequencyHz: 1500, language: 'en' },
  { text: 'bird', frequencyHz: 2000, language: 'en' },
  { text: 'cat', frequencyHz: 3000, language: 'en' },
  { text: 'hund', frequencyHz: 4000, language: 'de' },
];

/** The languages the fixture's tokenizer has a token for; the first is what it detects in silence. */
export const FIXTURE_LANGUAGES = ['en', 'de', 'fr'] as const;

/** WhisperFeatureExtractor's defaults for every Whisper checkpoint but large-v3 (which has 128 bins). */
export const MEL_BINS = 80;
export const SAMPLE_RATE = 16_000;
export const MAX_MEL_HZ = 8000;

/** Slaney's mel scale (what WhisperFeatureExtractor's filter bank uses): linear to 1 kHz, logarithmic above. */
function slaneyMel(hz: number): number {
  return hz < 1000 ? (3 * hz) / 200 : 15 + (27 * Math.log(hz / 1000)) / Math.log(6.4);
}

/**
 * The mel bins a word's tone lights up: the bin whose filter peaks nearest its frequency, and two either side (the
 * filters' centres are MEL_BINS + 2 points equally spaced in mel from 0 to MAX_MEL_HZ; bin m peaks at point m + 1).
 */
export function wordBins(word: FixtureWord): number[] {
  const spacing = slaneyMel(MAX_MEL_HZ) / (MEL_BINS + 1);
  const centre = Math.round(slaneyMel(word.frequencyHz) / spacing) - 1;
  return [-2, -1, 0, 1, 2].map((d) => centre + d);
}

/** A word said from `start` to `end` seconds. */
export interface SpokenWord {
  text: string;
  start: number;
  end: number;
}

/**
 * An ffmpeg `aevalsrc` expression (mono) that says the words: each word's tone at amplitude 0.3 while it is said,
 * silence elsewhere. Commas are escaped for a filter graph.
 */
export function wordTonesExpression(words: readonly SpokenWord[]): string {
  if (words.length === 0) return '0';
  return words
    .map(({ text, start, end }) => {
      const word = FIXTURE_WORDS.find((w) => w.text === text);
      if (!word) throw new RangeError(`the Whisper fixture knows no word "${text}"`);
      return `0.3*sin(2*PI*${word.frequencyHz}*t)*between(t\\,${start}\\,${end})`;
    })
    .join('+');
}
