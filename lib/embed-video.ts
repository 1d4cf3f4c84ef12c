import { detectShots, type SceneScore, type Shots } from './core/shots';
import type { FrameVector, SamplingPlan } from './core/types';
import type { Embedder } from './embedder/embedder';
import { decodeFrames, type DecodedFrame } from './decoder/frames';
import type { VideoSource } from './decoder/input';
import { probeVideo, type VideoInfo } from './decoder/probe';
import { batches } from './async/batches';

export interface EmbedVideoOptions {
  sampling: SamplingPlan;
  /** Embed only the frames in [startSec, endSec) (absolute times, the whole video's sampling grid). */
  startSec?: number;
  endSec?: number;
  /** The video's probeVideo result, or that probe still running, when the caller has one: saves a second probe. */
  info?: VideoInfo | Promise<VideoInfo>;
  signal?: AbortSignal;
  /** Called after each batch with the number of frames embedded so far. */
  onFrames?: (framesDone: number) => void;
  /**
   * Also given each batch of decoded frames (the embedder's input size), run alongside its embedding and awaited
   * before the next batch, so what it does with them (the container's thumbnails) keeps pace with the decode.
   */
  onBatch?: (frames: DecodedFrame[]) => Promise<void>;
  /**
   * Also detect shot boundaries, in the same decode (lib/core/shots.ts), with this threshold. A gradual transition
   * needs the sampled frames either side of it: one ending within GRADUAL_MAX_SEC and a sampling interval of endSec
   * may be missed, so ranges of one video overlap by that much (the AWS jobs overlap by the smoothing margin).
   */
  shots?: { threshold: number };
  /**
   * Also decode the audio of [startSec, endSec), in the same ffmpeg pass, as mono samples at this rate (speech
   * recognition: 16 kHz), sample 0 at startSec. The probe is awaited first to know whether there is an audio stream.
   */
  audio?: { sampleRate: number };
}

export interface EmbeddedVideo {
  /** The raw embeddings of the sampled frames, in time order. */
  frames: FrameVector[];
  /** The shot boundaries in [startSec, endSec), when asked for. */
  shots?: Shots;
  /** When audio was asked for: its samples from startSec (0: the file's start), or null when the video has no audio stream. */
  audio?: Float32Array | null;
}

/**
 * The raw (unsmoothed) unit-length embeddings of the frames a sampling plan picks from a video, in time order, and its
 * shot boundaries and its audio when asked for (found and decoded in the same ffmpeg pass).
 * The one decode-and-embed loop of the project: the local indexer and the embedder container both call it, so they
 * compute the same vectors and shots. Frames are decoded straight to the embedder's input size and fed in batches
 * while ffmpeg decodes ahead; only the vectors (and two numbers per decoded frame for shots) are kept, so memory does
 * not grow with the video beyond them.
 */
export async function embedVideo(source: VideoSource, embedder: Embedder, options: EmbedVideoOptions): Promise<EmbeddedVideo> {
  const { sampling, startSec = 0, endSec = Infinity, signal, onFrames, onBatch, shots } = options;
  const scores: SceneScore[] = [];
  let info = options.info;
  let audio: Float32Array | null | undefined;
  if (options.audio) {
    info = await (info ?? probeVideo(source));
    audio = null;
  }
  const { sampleRate } = options.audio ?? {};
  const decoded = decodeFrames(source, {
    plan: sampling,
    ...embedder.geometry,
    startSec: options.startSec,
    endSec: options.endSec,
    info,
    signal,
    ...(shots && { onSceneScore: (score: SceneScore) => scores.push(score) }),
    ...(sampleRate && (info as VideoInfo).audio && { audio: { sampleRate, onAudio: (samples: Float32Array) => (audio = samples) } }),
  });
  const embedded: FrameVector[] = [];
  for await (const batch of batches(decoded, embedder.batchSize)) {
    const [vectors] = await Promise.all([embedder.embedImages(batch), onBatch?.(batch)]);
    batch.forEach((frame, i) => embedded.push({ time: frame.time, vector: vectors[i] }));
    onFrames?.(embedded.length);
  }
  const heard = audio === undefined ? {} : { audio };
  if (!shots) return { frames: embedded, ...heard };
  const boundaries = detectShots(scores, embedded, shots.threshold).filter(({ time }) => time >= startSec && time < endSec);
  return { frames: embedded, shots: { threshold: shots.threshold, boundaries }, ...heard };
}
