import type { S3Client } from '@aws-sdk/client-s3';
import { getOptionalBytes } from '../../lib/aws/s3-objects';
import type { TranscriptSegment } from '../../lib/core/types';
import type { VideoSource } from '../../lib/decoder/input';
import type { VideoInfo } from '../../lib/decoder/probe';
import type { JobSpeech } from '../../lib/frame-embeddings-format';
import { readSubtitles, type SidecarReader } from '../../lib/speech-sources';

/**
 * Speech recognition of the whole video, where the container has it (ASR: not built yet; the step plugs in here
 * through `ServedModel.recognizeSpeech`). Runs only when no subtitle source held a transcript. Its segments are
 * recorded with source `asr`, with the model that made them.
 */
export type SpeechRecognizer = (
  source: VideoSource,
  info: VideoInfo,
  signal: AbortSignal,
) => Promise<{ segments: Omit<TranscriptSegment, 'source'>[]; model: string; language?: string; notes?: string[] }>;

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/s;

/**
 * What is said in the job's video, as the local indexer reads it (lib/speech-sources.ts: its first text subtitle
 * stream, then a sidecar beside it), then speech recognition when given and nothing else was found. For a video in
 * S3, the sidecars are the objects beside its key (`videos/movie.mp4`: `videos/movie.srt`, `videos/movie.vtt`,
 * `videos/movie.mp4.srt`, `videos/movie.mp4.vtt`; a missing object is no sidecar); a video at an https URL has none.
 * Never fails the job: a malformed or unreadable source, and a failed recognition, are notes.
 */
export async function readJobSpeech(
  video: { reference: string; source: VideoSource; info: VideoInfo },
  s3: S3Client,
  signal: AbortSignal,
  recognize?: SpeechRecognizer,
): Promise<JobSpeech> {
  const { reference, source, info } = video;
  const s3Object = S3_URI.exec(reference);
  const name = s3Object ? s3Object[2] : new URL(reference).pathname;
  const subtitles = await readSubtitles(source, name, info, s3Object ? s3Sidecars(s3, s3Object[1]) : noSidecars);
  if (subtitles.source !== null || !recognize) return subtitles;
  try {
    const { segments, model, language, notes = [] } = await recognize(source, info, signal);
    return {
      source: 'asr',
      segments: segments.map((segment) => ({ ...segment, source: 'asr' })),
      notes: [...subtitles.notes, ...notes],
      model,
      ...(language && { language }),
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return { ...subtitles, notes: [...subtitles.notes, `speech recognition: ${(error as Error).message}`] };
  }
}

/** Sidecars as S3 objects of the video's bucket, by key. */
function s3Sidecars(s3: S3Client, bucket: string): SidecarReader {
  return (key) => getOptionalBytes(s3, { bucket, key });
}

const noSidecars: SidecarReader = async () => undefined;
