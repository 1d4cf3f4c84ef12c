/** The speech recognition port: audio in, what is said and when out. */
import type { TranscriptSegment } from '../core/types';

export interface RecognizeOptions {
  /** The language spoken (a Whisper code: en, de, …); detected from the audio when not given. */
  language?: string;
  /** Where the first sample is on the video's time line, in seconds (a range's start); default 0. */
  startSec?: number;
}

export interface Transcription {
  /** What is said, source 'asr', in time order, in seconds on the video's time line (from `startSec`); empty for silence. */
  segments: TranscriptSegment[];
  /** The language transcribed: the one given, or the one detected; undefined for a model of one language. */
  language?: string;
}

export interface SpeechRecognizer {
  /** The model id or directory, recorded on each video it transcribes (like the vision model). */
  readonly model: string;
  /** The one sample rate it takes (16 kHz for Whisper). */
  readonly sampleRate: number;
  /** The language codes it can be given or detect; empty for a model of one language (e.g. whisper-base.en). */
  readonly languages: readonly string[];
  /**
   * Transcribes mono samples at `sampleRate` (a RangeError for another rate, or a language it does not have). Every
   * 30 s window is heard on its own (lib/core/transcription.ts states the rules); a video of any length is
   * transcribed, in memory proportional to its audio.
   */
  transcribe(samples: Float32Array, sampleRate: number, options?: RecognizeOptions): Promise<Transcription>;
}
