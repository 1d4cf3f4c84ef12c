import type { FrameVector, SamplingPlan } from './core/types';
import type { Embedder } from './embedder/embedder';
import { decodeFrames, type DecodedFrame } from './decoder/frames';
import type { VideoSource } from './decoder/input';
import type { VideoInfo } from './decoder/probe';
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
}

/**
 * The raw (unsmoothed) unit-length embeddings of the frames a sampling plan picks from a video, in time order.
 * The one decode-and-embed loop of the project: the local indexer and the embedder container both call it, so they
 * compute the same vectors. Frames are decoded straight to the embedder's input size and fed in batches while
 * ffmpeg decodes ahead; only the vectors are kept, so memory does not grow with the video beyond them.
 */
export async function embedVideo(source: VideoSource, embedder: Embedder, options: EmbedVideoOptions): Promise<FrameVector[]> {
  const { sampling, startSec, endSec, info, signal, onFrames, onBatch } = options;
  const decoded = decodeFrames(source, {
    plan: sampling,
    ...embedder.geometry,
    startSec,
    endSec,
    info,
    signal,
  });
  const embedded: FrameVector[] = [];
  for await (const batch of batches(decoded, embedder.batchSize)) {
    const [vectors] = await Promise.all([embedder.embedImages(batch), onBatch?.(batch)]);
    batch.forEach((frame, i) => embedded.push({ time: frame.time, vector: vectors[i] }));
    onFrames?.(embedded.length);
  }
  return embedded;
}
