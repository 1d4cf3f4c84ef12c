import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { z } from 'zod';
import type { SamplingPlan } from '../../lib/core/types';
import { effectiveFps, validateSamplingPlan } from '../../lib/core/sampling';
import { DEFAULT_SHOT_THRESHOLD } from '../../lib/core/shots';
import type { DecodedFrame } from '../../lib/decoder/frames';
import { probeVideo } from '../../lib/decoder/probe';
import { embedVideo } from '../../lib/embed-video';
import { encodeFrameEmbeddings } from '../../lib/frame-embeddings-format';
import { ASR_SAMPLE_RATE } from '../../lib/indexer';
import { resolveVideoSource, type VideoSourceOptions } from '../../lib/video-source';
import { HttpError } from './errors';
import type { ServedModel } from './model';
import { parseRequest } from './request';
import { hasSubtitles, hearJobSpeech, NO_SUBTITLES, readJobSpeech } from './video-speech';

/** `s3://bucket/` or `s3://bucket/prefix/`: where a job writes the thumbnails of its frames. */
const S3_PREFIX = /^s3:\/\/([^/]+)\/((?:.*\/)?)$/s;

/** Thumbnail uploads in flight at once (per job). */
const THUMBNAIL_UPLOADS = 8;

/** One frame per second of video, as the local CLI samples by default. */
const DEFAULT_SAMPLING: SamplingPlan = { fps: 1 };

/**
 * The manifest the indexing workflow writes to S3 for a video (or a time range of it, for long videos split into
 * chunks: the workflow widens each range by the smoothing margin on both sides, and smooths after).
 */
const JOB = z
  .strictObject({
    videoId: z.string().min(1).max(1024),
    /** `s3://bucket/key` or `https://…` (see lib/video-source.ts for what is refused). */
    video: z.string().min(1).max(2048),
    fps: z.number().optional(),
    everyNth: z.number().optional(),
    startSec: z.number().nonnegative().optional(),
    endSec: z.number().positive().optional(),
    /** The scene score of a hard cut (lib/core/shots.ts); default DEFAULT_SHOT_THRESHOLD. */
    shotThreshold: z.number().positive().max(100).optional(),
    /** `s3://bucket/prefix/`: a JPEG of every embedded frame goes to `<prefix><videoId>/<ms>.jpg`. */
    thumbnails: z.string().max(2048).regex(S3_PREFIX, 'must be an s3://bucket/prefix/ destination (ending in /)').optional(),
    /**
     * Also read what is said in the WHOLE video (subtitles, sidecars beside it; video-speech.ts) into the output's
     * header: asked of one job per video (the workflow asks the first).
     */
    speech: z.boolean().optional(),
  })
  .refine((job) => job.endSec === undefined || job.endSec > (job.startSec ?? 0), {
    message: 'must be after startSec',
    path: ['endSec'],
  });

/** A checked manifest. */
export interface VideoJob {
  videoId: string;
  video: string;
  sampling: SamplingPlan;
  startSec?: number;
  endSec?: number;
  shotThreshold: number;
  speech: boolean;
  /** Where the frames' thumbnails go, when the manifest asks for them. */
  thumbnails?: { bucket: string; prefix: string };
}

export interface VideoJobResult {
  videoId: string;
  frames: number;
  /** The frame embeddings file (lib/frame-embeddings-format.ts). */
  output: Buffer;
}

/** Whether a request body is a video job manifest rather than a query: it names a video. */
export function isVideoJob(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'video' in body;
}

/**
 * Runs the manifest in a request body (400 for a bad one; `onStart` is called once it is checked): reads its video
 * (streamed by ffmpeg, never stored) and answers with the raw, unsmoothed embeddings of its sampled frames in
 * [startSec, endSec), and the shot boundaries found in the same decode (in the header); an `endSec` past the end of
 * the video stops at the end. A job that asks for `speech` also has the whole video's subtitles in the header, read
 * while the frames are embedded. With speech recognition on (`model.speech`), a job whose video has no subtitles (a
 * text stream or a sidecar object: checked before the decode starts, alike in every job) and has an audio stream
 * decodes its range's audio in the same ffmpeg run and has what is heard in [startSec, endSec) in the header, in video
 * time (source `asr`); ingest joins the jobs' segments. Off, the decode and the output are those of a container
 * without it.
 */
export async function runVideoJob(
  body: unknown,
  model: ServedModel,
  sources: VideoSourceOptions,
  signal: AbortSignal,
  onStart?: (job: VideoJob) => void,
): Promise<VideoJobResult> {
  const job = parseVideoJob(body);
  onStart?.(job);
  const { videoId, sampling, startSec, endSec, shotThreshold } = job;
  const source = await resolveVideoSource(job.video, sources);
  const onBatch = job.thumbnails && thumbnailWriter(sources.s3, job.thumbnails, videoId, signal);
  // The decode starts while ffprobe reads the video; a failed probe fails it with the probe's error. With speech
  // recognition on, it waits for the probe and the sidecar check (whether to decode the audio too); the recogniser
  // loads meanwhile.
  const probe = probeVideo(source);
  const asr = model.speech;
  const subtitled = asr && probe.then((info) => hasSubtitles({ reference: job.video, info }, sources.s3));
  const hears = subtitled && Promise.all([probe, subtitled]).then(([info, found]) => info.audio && !found);
  const recognizer = hears && hears.then((yes) => (yes ? asr.load() : undefined));
  recognizer?.catch(() => undefined); // a note, in hearJobSpeech
  const embed = (audio: boolean) =>
    embedVideo(source, model.embedder, {
      sampling,
      startSec,
      endSec,
      info: probe,
      signal,
      onBatch,
      shots: { threshold: shotThreshold },
      ...(audio && { audio: { sampleRate: ASR_SAMPLE_RATE } }),
    });
  const reading = job.speech ? probe.then((info) => readJobSpeech({ reference: job.video, source, info }, sources.s3)) : undefined;
  reading?.catch(() => undefined); // awaited below, unless the embedding fails first
  const [info, { frames, shots, audio }] = await Promise.all([probe, hears ? hears.then(embed) : embed(false)]);
  let speech = reading && (await reading);
  if (asr && (speech || !(await subtitled))) {
    const hearing = { info, audio, recognizer, language: asr.language, startSec: startSec ?? 0, signal };
    speech = await hearJobSpeech(speech ?? NO_SUBTITLES, hearing);
  }
  const header = {
    videoId,
    model: model.name,
    dim: model.embedder.dim,
    fps: effectiveFps(sampling, info.nativeFps),
    durationSec: info.durationSec,
    startSec,
    endSec,
    shots,
    ...(speech && { speech }),
  };
  return { videoId, frames: frames.length, output: encodeFrameEmbeddings(header, frames) };
}

function parseVideoJob(body: unknown): VideoJob {
  const { fps, everyNth, thumbnails, shotThreshold, speech, ...job } = parseRequest(JOB, body);
  const destination = thumbnails === undefined ? undefined : S3_PREFIX.exec(thumbnails);
  return {
    ...job,
    shotThreshold: shotThreshold ?? DEFAULT_SHOT_THRESHOLD,
    speech: speech ?? false,
    sampling: samplingOf(fps, everyNth),
    ...(destination && { thumbnails: { bucket: destination[1], prefix: destination[2] } }),
  };
}

/** The S3 key of the thumbnail of a video's frame at `time` (what S3MediaLinks.thumbnailUrl presigns). */
export function thumbnailKey(prefix: string, videoId: string, time: number): string {
  return `${prefix}${videoId}/${Math.round(time * 1000)}.jpg`;
}

/**
 * Writes each batch of decoded frames as JPEGs (the model's input crop, e.g. 224 px for CLIP), a few uploads at a
 * time; the next batch waits for this one, so memory stays at a batch of frames.
 */
function thumbnailWriter(s3: S3Client, { bucket, prefix }: { bucket: string; prefix: string }, videoId: string, signal: AbortSignal) {
  const put = async (frame: DecodedFrame) => {
    const { data, width, height, time } = frame;
    const body = await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 70 }).toBuffer();
    const key = thumbnailKey(prefix, videoId, time);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }), { abortSignal: signal });
  };
  return async (frames: DecodedFrame[]) => {
    let next = 0;
    const worker = async () => {
      while (next < frames.length) await put(frames[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(THUMBNAIL_UPLOADS, frames.length) }, worker));
  };
}

function samplingOf(fps: number | undefined, everyNth: number | undefined): SamplingPlan {
  if (fps === undefined && everyNth === undefined) return DEFAULT_SAMPLING;
  try {
    return validateSamplingPlan({ ...(fps !== undefined && { fps }), ...(everyNth !== undefined && { everyNth }) });
  } catch (error) {
    throw new HttpError(400, 'bad_request', (error as Error).message);
  }
}
