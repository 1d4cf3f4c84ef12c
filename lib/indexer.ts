import path from 'node:path';
import type { SamplingPlan, SpeechRecord, VideoRecord } from './core/types';
import { effectiveFps, validateSamplingPlan } from './core/sampling';
import { DEFAULT_SHOT_THRESHOLD } from './core/shots';
import { DEFAULT_SMOOTHING, smoothFrames, type SmoothingOptions } from './core/smoothing';
import type { Embedder } from './embedder/embedder';
import type { Catalog } from './store/catalog';
import type { FrameIndex } from './store/frame-index';
import { assertIndexAccepts } from './store/model-guard';
import { probeVideo, type VideoInfo } from './decoder/probe';
import { embedVideo } from './embed-video';
import type { LocalRawEmbeddings } from './store/local-raw-embeddings';
import { disambiguatedVideoId, videoIdFor } from './video-id';
import type { TranscriptIndex } from './store/transcripts';
import { readLocalSidecar, readSubtitles } from './speech-sources';

export interface VideoInput {
  path: string;
  title?: string;
  category?: string;
  tags?: string[];
}

export interface IndexOptions {
  sampling: SamplingPlan;
  /** `false` stores the raw frame embeddings. */
  smoothing: SmoothingOptions | false;
  /** Shot detection in the same decode (lib/core/shots.ts); `false` detects none. Default: the default threshold. */
  shots?: { threshold: number } | false;
}

/** What `vsearch index` does without options: 1 frame per second, default smoothing and shot detection. */
export const DEFAULT_INDEX_OPTIONS: Readonly<IndexOptions> = Object.freeze({
  sampling: { fps: 1 },
  smoothing: DEFAULT_SMOOTHING,
  shots: { threshold: DEFAULT_SHOT_THRESHOLD },
});

export interface IndexProgress {
  videoId: string;
  title: string;
  framesDone: number;
  framesExpected: number;
  elapsedSec: number;
}

export interface IndexDeps {
  embedder: Embedder;
  catalog: Catalog;
  frames: FrameIndex;
  transcripts: TranscriptIndex;
  /**
   * Where the raw embeddings are kept, with each video's record (to re-smooth without re-embedding, to rebuild a
   * damaged store, and for the raw score chart).
   */
  raw: LocalRawEmbeddings;
}

/**
 * Indexes one video file: probe → decode at the sampling plan, detect shots and embed in batches (embedVideo), and
 * meanwhile read what is said from its subtitles (speech-sources.ts) → smooth → replace the video's transcript and
 * frames, each in one step → READY. Re-indexing the same file replaces both. A transcript source that is malformed is
 * a note on the video (`speech.notes`), never a failure of its frames.
 * A file that is not a readable video throws before anything is written; a failure after that marks the video FAILED
 * with the reason and leaves its previous frames (if any) untouched.
 */
export async function indexVideo(
  input: VideoInput,
  deps: IndexDeps,
  options: IndexOptions,
  onProgress?: (progress: IndexProgress) => void,
): Promise<VideoRecord> {
  validateSamplingPlan(options.sampling);
  const { embedder, catalog, frames } = deps;
  await assertIndexAccepts(frames, embedder);
  // Decoding and embedding start while ffprobe reads the video (0.2–0.3 s); nothing is written before the probe
  // has found it readable, and a failed probe stops the decode with the probe's error.
  const probe = probeVideo(input.path);
  const stop = new AbortController();
  let reportFrames: ((framesDone: number) => void) | undefined;
  const embedding = embedVideo(input.path, embedder, {
    sampling: options.sampling,
    info: probe,
    signal: stop.signal,
    onFrames: (framesDone) => reportFrames?.(framesDone),
    ...(options.shots !== false && { shots: options.shots ?? { threshold: DEFAULT_SHOT_THRESHOLD } }),
  });
  embedding.catch(() => undefined); // awaited below, or abandoned when something before it fails
  const subtitles = probe.then((info) => readSubtitles(input.path, input.path, info, readLocalSidecar));
  subtitles.catch(() => undefined);
  try {
    const info = await probe;
    const video = await startIndexing(input, deps, info, effectiveFps(options.sampling, info.nativeFps));
    const started = performance.now();
    const framesExpected = Math.max(1, Math.ceil(info.durationSec * video.fps));
    reportFrames = (framesDone) =>
      onProgress?.({
        videoId: video.id,
        title: video.title,
        framesDone,
        framesExpected: Math.max(framesExpected, framesDone),
        elapsedSec: (performance.now() - started) / 1000,
      });
    try {
      const { frames: embedded, shots } = await embedding;
      if (embedded.length === 0) throw new Error(`no frames could be decoded from ${input.path}`);
      await deps.raw.save({ videoId: video.id, model: embedder.model, dim: embedder.dim, fps: video.fps, durationSec: info.durationSec }, embedded);
      const stored = options.smoothing ? smoothFrames(embedded, options.smoothing) : embedded;
      const transcript = await subtitles;
      const speech: SpeechRecord = { source: transcript.source, segments: transcript.segments.length, notes: transcript.notes };
      const ready: VideoRecord = {
        ...video,
        frames: stored.length,
        speech,
        smoothing: options.smoothing ? { ...DEFAULT_SMOOTHING, ...options.smoothing } : null,
        shots: shots ?? null,
        status: 'READY',
        updatedAt: new Date().toISOString(),
      };
      await deps.transcripts.replaceSegments(ready, transcript.segments);
      // Kept beside the raw embeddings: what `vsearch repair` rebuilds this record from if the catalog is damaged.
      await deps.raw.saveRecord(ready);
      await frames.replaceFrames(ready, stored);
      await catalog.put(ready);
      return ready;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await catalog.put({ ...video, status: 'FAILED', error: reason, updatedAt: new Date().toISOString() });
      throw error;
    }
  } finally {
    stop.abort(); // a no-op once the embedding has finished
    await embedding.catch(() => undefined);
  }
}

/** The video's catalog entry, marked INDEXING (a re-index keeps what the user gave before and its frames meanwhile). */
async function startIndexing(input: VideoInput, deps: IndexDeps, info: VideoInfo, fps: number): Promise<VideoRecord> {
  const { embedder, catalog } = deps;
  const source = path.resolve(input.path);
  const id = await chooseId(catalog, input.path, source);
  const previous = await catalog.get(id);
  const now = new Date().toISOString();
  const video: VideoRecord = {
    id,
    title: input.title ?? previous?.title ?? path.basename(input.path, path.extname(input.path)),
    source,
    category: input.category ?? previous?.category,
    tags: input.tags ?? previous?.tags ?? [],
    durationSec: info.durationSec,
    fps,
    model: embedder.model,
    dim: embedder.dim,
    frames: previous?.frames ?? 0,
    status: 'INDEXING',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await catalog.put(video);
  return video;
}

/** The file's slug, unless another file already owns it. */
async function chooseId(catalog: Catalog, file: string, source: string): Promise<string> {
  const id = videoIdFor(file);
  const owner = await catalog.get(id);
  return !owner || owner.source === source ? id : disambiguatedVideoId(file);
}

