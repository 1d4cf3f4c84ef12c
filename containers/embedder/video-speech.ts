import type { S3Client } from '@aws-sdk/client-s3';
import { getOptionalBytes, objectExists } from '../../lib/aws/s3-objects';
import type { VideoSource } from '../../lib/decoder/input';
import type { VideoInfo } from '../../lib/decoder/probe';
import { isTextSubtitleCodec } from '../../lib/decoder/subtitle-stream';
import type { JobSpeech } from '../../lib/frame-embeddings-format';
import { ASR_SAMPLE_RATE, NO_AUDIO_NOTE } from '../../lib/indexer';
import type { SpeechRecognizer } from '../../lib/speech/speech-recognizer';
import { readSubtitles, sidecarNames, type SidecarReader } from '../../lib/speech-sources';

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/s;

/** A job's speech before recognition when its video has no subtitles: nothing found, nothing to say. */
export const NO_SUBTITLES: JobSpeech = { source: null, segments: [], notes: [] };

/** Why a video whose subtitles did not parse has no transcript (its jobs decided on subtitles before reading them). */
export const SUBTITLES_UNREAD_NOTE =
  'its subtitles did not parse and the audio was not decoded with the frames: speech recognition skipped (fix or remove them and upload the video again)';

/**
 * What is said in the job's video, as the local indexer reads it (lib/speech-sources.ts: its first text subtitle
 * stream, then a sidecar beside it). For a video in S3, the sidecars are the objects beside its key (`videos/movie.mp4`:
 * `videos/movie.srt`, `videos/movie.vtt`, `videos/movie.mp4.srt`, `videos/movie.mp4.vtt`; a missing object is no
 * sidecar); a video at an https URL has none. Never fails the job: a malformed or unreadable source is a note.
 */
export async function readJobSpeech(video: { reference: string; source: VideoSource; info: VideoInfo }, s3: S3Client): Promise<JobSpeech> {
  const { reference, source, info } = video;
  const s3Object = S3_URI.exec(reference);
  const name = s3Object ? s3Object[2] : new URL(reference).pathname;
  return readSubtitles(source, name, info, s3Object ? s3Sidecars(s3, s3Object[1]) : noSidecars);
}

/**
 * Whether the job's video has subtitles, found cheaply before its decode starts so that every job of a video decides
 * alike whether to recognise speech: a text subtitle stream in the probe, or an object under one of the sidecar names
 * beside its S3 key (listed, objectExists: nothing is read). A check that fails counts as no sidecar (the first job,
 * which reads them, notes why it could not).
 */
export async function hasSubtitles(video: { reference: string; info: VideoInfo }, s3: S3Client): Promise<boolean> {
  if (video.info.subtitles !== undefined && isTextSubtitleCodec(video.info.subtitles)) return true;
  const s3Object = S3_URI.exec(video.reference);
  if (!s3Object) return false;
  const bucket = s3Object[1];
  const found = await Promise.all(sidecarNames(s3Object[2]).map(({ name }) => objectExists(s3, { bucket, key: name }).catch(() => false)));
  return found.includes(true);
}

export interface JobHearing {
  info: VideoInfo;
  /** The job's audio from `startSec` (embedVideo's): null without an audio stream, undefined when it was not decoded. */
  audio: Float32Array | null | undefined;
  /** The recogniser, loading since the decode started (none when the audio was not decoded). */
  recognizer: Promise<SpeechRecognizer | undefined> | undefined;
  language?: string;
  /** Where the audio's first sample lies on the video's time line: the job's range start. */
  startSec: number;
  signal: AbortSignal;
}

/**
 * The job's speech by the local trust order: the subtitles found, else what the recogniser hears in the job's own
 * range, in video time (source `asr`, with the model and the language heard). No audio stream, subtitles that were
 * there but did not parse, and a recogniser that fails to load or to transcribe are notes, never a failed job.
 */
export async function hearJobSpeech(subtitles: JobSpeech, hearing: JobHearing): Promise<JobSpeech> {
  const { info, audio, recognizer, language, startSec, signal } = hearing;
  if (subtitles.source !== null) return subtitles;
  const noted = (note: string): JobSpeech => ({ ...subtitles, notes: [...subtitles.notes, note] });
  if (!info.audio || audio === null) return noted(NO_AUDIO_NOTE);
  if (audio === undefined) return noted(SUBTITLES_UNREAD_NOTE);
  try {
    const loaded = await recognizer;
    if (!loaded) throw new Error('no recogniser was loaded');
    signal.throwIfAborted();
    const heard = await loaded.transcribe(audio, ASR_SAMPLE_RATE, { language, startSec });
    return { source: 'asr', segments: heard.segments, notes: subtitles.notes, model: loaded.model, ...(heard.language && { language: heard.language }) };
  } catch (error) {
    if (signal.aborted) throw error;
    return noted(`speech recognition failed: ${(error as Error).message}`);
  }
}

/** Sidecars as S3 objects of the video's bucket, by key. */
function s3Sidecars(s3: S3Client, bucket: string): SidecarReader {
  return (key) => getOptionalBytes(s3, { bucket, key });
}

const noSidecars: SidecarReader = async () => undefined;
