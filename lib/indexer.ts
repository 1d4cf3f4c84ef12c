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
import { readLocalSidecar, readSubtitles, type SubtitleTranscript } from './speech-sources';
import { isTextSubtitleCodec } from './decoder/subtitle-stream';
import type { SpeechRecognizer } from './speech/speech-recognizer';

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
  /**
   * Speech recognition (deps.speech) of a video that has an audio track and no subtitles, on its audio decoded in the
   * same ffmpeg pass as its frames; `false` or absent: none, and the decode maps no audio.
   */
  asr?: AsrSettings | false;
}

export interface AsrSettings {
  /** The language spoken (a Whisper code); detected per video when absent. */
  language?: string;
  /**
   * Recognise speech even when the video has subtitles (a stream or a sidecar), and index what is heard instead:
   * for subtitles in another language than the one spoken, or out of sync. The subtitles passed over are a note.
   */
  always?: boolean;
}

/** The speech recogniser, loaded the first time a video needs it (so videos without audio never load it). */
export interface RecognizerSource {
  readonly model: string;
  load(): Promise<SpeechRecognizer>;
}

/** What the recogniser's audio is decoded at (Whisper's rate). */
export const ASR_SAMPLE_RATE = 16_000;
export const NO_AUDIO_NOTE = 'no audio track: speech recognition skipped';

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
  /** Needed when options.asr is on. */
  speech?: RecognizerSource;
}

/**
 * Indexes one video file: probe → decode at the sampling plan, detect shots and embed in batches (embedVideo), and
 * meanwhile read what is said from its subtitles (speech-sources.ts) → with `asr` and no subtitles, recognise the
 * speech in the audio that same decode gave (deps.speech, loaded before anything is written) → smooth → replace the
 * video's transcript and frames, each in one step → READY. Re-indexing the same file replaces both. A transcript
 * source that is malformed, no audio track, or a recognition that fails is a note on the video (`speech.notes`),
 * never a failure of its frames; a recogniser that cannot load throws before the video is touched.
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
  const asr = options.asr || undefined;
  if (asr && !deps.speech) throw new Error('speech recognition is on but no recogniser was given (deps.speech)');
  const probe = probeVideo(input.path);
  const stop = new AbortController();
  let reportFrames: ((framesDone: number) => void) | undefined;
  // With speech recognition on, the probe says first whether the decode takes the audio too (the 0.2–0.3 s it takes);
  // off, the decode starts at once and maps no audio, as it always has.
  const wantsAudio = asr ? probe.then((info) => info.audio && (asr.always || !hasTextSubtitleStream(info))) : undefined;
  const embed = (audio: boolean) =>
    embedVideo(input.path, embedder, {
      sampling: options.sampling,
      info: probe,
      signal: stop.signal,
      onFrames: (framesDone) => reportFrames?.(framesDone),
      ...(options.shots !== false && { shots: options.shots ?? { threshold: DEFAULT_SHOT_THRESHOLD } }),
      ...(audio && { audio: { sampleRate: ASR_SAMPLE_RATE } }),
    });
  const embedding = wantsAudio ? wantsAudio.then(embed) : embed(false);
  embedding.catch(() => undefined); // awaited below, or abandoned when something before it fails
  const subtitles = probe.then((info) => readSubtitles(input.path, input.path, info, readLocalSidecar));
  subtitles.catch(() => undefined);
  try {
    const info = await probe;
    // Loaded before anything is written: a model that cannot load stops here, leaving the video as it was.
    const recognizer = (await wantsAudio) ? await deps.speech!.load() : undefined;
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
      const { frames: embedded, shots, audio } = await embedding;
      if (embedded.length === 0) throw new Error(`no frames could be decoded from ${input.path}`);
      await deps.raw.save({ videoId: video.id, model: embedder.model, dim: embedder.dim, fps: video.fps, durationSec: info.durationSec }, embedded);
      const stored = options.smoothing ? smoothFrames(embedded, options.smoothing) : embedded;
      const transcript: HeardTranscript = asr ? await withSpeech(await subtitles, asr, info, recognizer, audio) : await subtitles;
      const speech: SpeechRecord = {
        source: transcript.source,
        segments: transcript.segments.length,
        ...(transcript.model !== undefined && { model: transcript.model }),
        ...(transcript.language !== undefined && { language: transcript.language }),
        notes: transcript.notes,
      };
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

/** A video's transcript, with the speech recognition model and language when it was heard. */
type HeardTranscript = SubtitleTranscript & { model?: string; language?: string };

/**
 * The transcript by the trust order: the subtitles found (stream, then sidecar), else what speech recognition hears
 * (first with `always`). A video without an audio track, or one whose audio was not decoded because it has a subtitle
 * stream that then did not parse, keeps what it had, with a note; so does one whose recognition fails.
 */
async function withSpeech(
  subtitles: SubtitleTranscript,
  asr: AsrSettings,
  info: VideoInfo,
  recognizer: SpeechRecognizer | undefined,
  audio: Float32Array | null | undefined,
): Promise<HeardTranscript> {
  if (subtitles.source !== null && !asr.always) return subtitles;
  const notes = [...subtitles.notes];
  if (!info.audio) return { ...subtitles, notes: [...notes, NO_AUDIO_NOTE] };
  if (!recognizer || !audio) {
    const note = 'its subtitle stream did not parse and the audio was not decoded with the frames: speech recognition skipped (index again with --asr-always)';
    return { ...subtitles, notes: [...notes, note] };
  }
  if (subtitles.source !== null) notes.push(`${subtitles.source === 'subtitles' ? 'its subtitle stream' : 'its sidecar'} passed over: speech recognition asked for always`);
  try {
    const heard = await recognizer.transcribe(audio, ASR_SAMPLE_RATE, { language: asr.language });
    return { source: 'asr', segments: heard.segments, notes, model: recognizer.model, ...(heard.language !== undefined && { language: heard.language }) };
  } catch (error) {
    return { ...subtitles, notes: [...subtitles.notes, `speech recognition failed: ${(error as Error).message}`] };
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

function hasTextSubtitleStream(info: VideoInfo): boolean {
  return info.subtitles !== undefined && isTextSubtitleCodec(info.subtitles);
}

/** The file's slug, unless another file already owns it. */
async function chooseId(catalog: Catalog, file: string, source: string): Promise<string> {
  const id = videoIdFor(file);
  const owner = await catalog.get(id);
  return !owner || owner.source === source ? id : disambiguatedVideoId(file);
}

