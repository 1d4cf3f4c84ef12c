import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { SceneScore } from '../core/shots';
import type { RgbImage, SamplingPlan } from '../core/types';
import { fitFilter } from '../embedder/image-geometry';
import { VideoDecodeError } from './errors';
import { FfmpegLog } from './ffmpeg-log';
import { ffmpegInput, type VideoSource } from './input';
import { probeVideo, type VideoInfo } from './probe';

/**
 * A sampled frame, upright, at its time in seconds from the start of the file (see ffmpegArgs): for an `fps` plan the
 * grid time it is shown at, for `everyNth` its own presentation time.
 */
export type DecodedFrame = RgbImage & { time: number };

export interface DecodeOptions {
  plan: SamplingPlan;
  /** Size of every frame produced. */
  width: number;
  height: number;
  /** Scale to cover the size then centre-crop (keeps the aspect ratio), or stretch to it. */
  fit: 'cover' | 'fill';
  /**
   * Decode only [startSec, endSec) of the video. Times stay absolute and an `fps` plan keeps the whole video's
   * grid (k / fps), so decoding a video in ranges gives the same frames as decoding it at once.
   * An `everyNth` plan counts frames from the first one at or after `startSec`.
   */
  startSec?: number;
  endSec?: number;
  signal?: AbortSignal;
  /** Decoder threads; default `decodeThreads()`. */
  threads?: number;
  /**
   * The video's `probeVideo` result, or that probe still running, when the caller has one: saves running ffprobe
   * again. A probe that fails fails the decode with its error.
   */
  info?: VideoInfo | Promise<VideoInfo>;
  /**
   * Asks the same ffmpeg pass for scene scores (see ffmpegArgs): called with every decoded frame's, in time order, by
   * the time the decode ends. A decode stopped early (`endSec`, break, `signal`) may miss those of its last frames.
   */
  onSceneScore?: (score: SceneScore) => void;
  /**
   * Also decodes the video's first audio stream in the same ffmpeg pass, as mono 32-bit float samples at `sampleRate`
   * on pipe 3 (see ffmpegArgs), read as it comes so neither pipe holds the other up: `onAudio` is called once with
   * those of [startSec, endSec) (the whole video without a range), sample 0 at `startSec`, when the decode has ended
   * (not when it is stopped by a break or `signal`). The video must have an audio stream (probeVideo's `audio`).
   * With `endSec`, ffmpeg is stopped once the audio has reached it too: up to AUDIO_LAG_SEC of video after endSec
   * is decoded for that; audio that lags the video by more in the file (rare) is cut there.
   */
  audio?: { sampleRate: number; onAudio: (samples: Float32Array) => void };
}

/** Decoder threads for one of `concurrent` decoders sharing this machine: an even share of its cores, at least 1. */
export function decodeThreads(concurrent = 1): number {
  return Math.max(1, Math.floor(availableParallelism() / concurrent));
}

/**
 * Streams the frames a sampling plan picks from a video (a file, or a URL ffmpeg reads), as RGB at exactly `width`×`height`.
 * One ffmpeg process writes raw frames to a pipe that is read only as fast as the frames are consumed,
 * so memory stays flat whatever the video's length. Stopping early (break, or `signal`) kills ffmpeg.
 * Throws VideoDecodeError for an unreadable video, a range that starts after its end, or a decoding failure
 * (frames decoded before the failure have been yielded by then).
 */
export async function* decodeFrames(source: VideoSource, options: DecodeOptions): AsyncGenerator<DecodedFrame> {
  checkOptions(options);
  const { width, height, startSec = 0, endSec, signal } = options;
  const { url: input, options: inputOptions, label: file } = ffmpegInput(source);
  signal?.throwIfAborted();
  // The probe says whether the video is readable (its error is the clearer one) and, for a range, where ffmpeg may
  // seek. Without a range ffmpeg needs nothing from it, so both run at once (ffprobe alone takes 0.2–0.3 s), and
  // the probe's verdict is awaited before the first frame is given out or ffmpeg's own failure is reported.
  const probe = Promise.resolve(options.info ?? probeVideo(source));
  let seekable = false;
  if (startSec > 0) {
    const { durationSec, container } = await probe;
    if (startSec >= durationSec) {
      const reason = `range starts at ${startSec} s, not before the end of the video (${durationSec} s)`;
      throw new VideoDecodeError(file, reason, 'range');
    }
    seekable = KEYFRAME_INDEXED.test(container);
  }

  const args = ffmpegArgs([...inputOptions, '-i', input], options, seekable);
  // SIGKILL: a decoder has nothing to flush, and it ends at once whatever ffmpeg is doing.
  const stdio: ('ignore' | 'pipe')[] = options.audio ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn('ffmpeg', args, { stdio, signal, killSignal: 'SIGKILL' });
  let failure: Error | undefined;
  child.on('error', (error) => (failure ??= error)); // could not start, or aborted (the abort itself is rethrown below)
  const audio = options.audio && new AudioPipe(child.stdio[3] as NodeJS.ReadableStream);
  audio?.ended.catch((error: Error) => (failure ??= error));
  // A range's audio is complete at this many samples (known once the probe has said how long the video is).
  let audioWanted = Infinity;
  probe.catch(() => child.kill('SIGKILL')); // a failed probe ends the decode at once, with the probe's error (below)
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const log = new FfmpegLog(child.stderr!, input, options.onSceneScore);
  const frameSize = width * height * 3;
  try {
    // Pipe chunks (64 KiB) do not align with frames: each frame is copied once into its own buffer, which the
    // consumer may keep (e.g. to batch frames for the embedder).
    let data = Buffer.allocUnsafe(frameSize);
    let filled = 0;
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(data, filled, offset);
        filled += copied;
        offset += copied;
        if (filled < frameSize) continue;
        filled = 0;
        const { durationSec } = await probe;
        const time = await log.nextTime();
        signal?.throwIfAborted();
        if (time === undefined || !Number.isFinite(time)) throw new VideoDecodeError(file, 'ffmpeg gave a frame without a timestamp', 'corrupt');
        // The exact range is applied here, on the same doubles the caller computes (k / fps); ffmpeg only pre-filters.
        if (endSec !== undefined && time >= endSec) {
          // Frames come in time order: the rest is past the end too. The audio may still be on its way.
          if (!audio) return;
          audioWanted = Math.round((Math.min(endSec, durationSec) - startSec) * options.audio!.sampleRate);
          if (audio.samples < audioWanted && time < endSec + AUDIO_LAG_SEC) continue;
          options.audio!.onAudio(audio.take(audioWanted));
          return;
        }
        if (time < startSec) continue; // its buffer is reused
        yield { width, height, data, time };
        data = Buffer.allocUnsafe(frameSize);
      }
    }
    await probe;
    const code = await exited;
    signal?.throwIfAborted();
    if (code !== 0) throw new VideoDecodeError(file, log.errorSummary() ?? failure?.message ?? `ffmpeg exited with code ${code}`, 'corrupt');
    if (filled > 0) throw new VideoDecodeError(file, 'ffmpeg output ended inside a frame', 'corrupt');
    if (audio) {
      await audio.ended;
      options.audio!.onAudio(audio.take(audioWanted));
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** How far the video may run past a range's end while its audio is still awaited (see DecodeOptions.audio). */
export const AUDIO_LAG_SEC = 5;

/** The f32le audio pipe, read as it comes (flowing), so ffmpeg never waits on this side. */
class AudioPipe {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  readonly ended: Promise<void>;

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    });
    this.ended = new Promise((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
  }

  get samples(): number {
    return Math.floor(this.bytes / 4);
  }

  /** The first `count` samples read (all, when fewer), in a buffer of their own (a Buffer's offset may be unaligned). */
  take(count: number): Float32Array {
    const samples = new Float32Array(Math.min(count, this.samples));
    const bytes = new Uint8Array(samples.buffer);
    let offset = 0;
    for (const chunk of this.chunks) {
      if (offset >= bytes.length) break;
      const part = chunk.subarray(0, bytes.length - offset);
      bytes.set(part, offset);
      offset += part.length;
    }
    return samples;
  }
}

function checkOptions({ plan, width, height, startSec, endSec, audio }: DecodeOptions): void {
  if (audio && !(Number.isInteger(audio.sampleRate) && audio.sampleRate > 0)) throw new RangeError(`invalid audio sample rate ${audio.sampleRate}`);
  const positiveInteger = (n: number) => Number.isInteger(n) && n > 0;
  if (!positiveInteger(width) || !positiveInteger(height)) throw new RangeError(`frame size must be positive integers, got ${width}×${height}`);
  if ('fps' in plan ? !(plan.fps > 0 && Number.isFinite(plan.fps)) : !positiveInteger(plan.everyNth)) {
    throw new RangeError(`invalid sampling plan ${JSON.stringify(plan)}`);
  }
  if (startSec !== undefined && !(startSec >= 0 && Number.isFinite(startSec))) throw new RangeError(`invalid startSec ${startSec}`);
  if (endSec !== undefined && !(endSec > (startSec ?? 0))) throw new RangeError(`endSec ${endSec} must be after startSec ${startSec ?? 0}`);
}

/**
 * Containers whose seeking lands on a keyframe at or before the target (they index keyframes). Elsewhere (e.g. MPEG-TS)
 * a seek lands mid-GOP and the frames up to the next keyframe are lost, so those are decoded from the start.
 */
const KEYFRAME_INDEXED = /^(mov,|matroska,)/;

/**
 * -copyts -start_at_zero: keep the file's own timestamps through seeking, shifted so the file starts at 0, so times and
 *   the fps grid are absolute and on the timeline a player shows. The file's start is the earliest of its streams', so
 *   the video may start after 0 (0.023 s in an MKV whose AAC audio is primed). For MPEG-TS, whose timestamps may jump,
 *   ffmpeg takes the earliest of the streams it decodes instead: there the video starts at 0.
 * -noaccurate_seek -ss: jump to the keyframe before startSec but keep the frames before startSec, as the frame shown
 *   at startSec may be one of them (ffmpeg already seeks early enough for B-frame reordering).
 * -xerror: corrupt or truncated data fails the run instead of being concealed or silently ending the video early.
 * -fps_mode passthrough: write exactly the frames the filters give; rawvideo would otherwise default to constant
 *   frame rate and duplicate or drop frames of a variable frame rate selection.
 * -map 0:V:0: the first video stream that is not cover art, as probeVideo reads; other streams are dropped unread.
 * There is no end bound in ffmpeg: decodeFrames stops reading, and kills it, at the first frame at or after endSec.
 *
 * Scene scores (`onSceneScore`) come from the same decode: `split` hands every decoded frame to the sampling chain
 * and to a scene-score branch, so shot detection never decodes the video again. The branch scores a 64×36
 * nearest-neighbour RGB copy of each frame, not the full-resolution one, for two reasons measured on ffmpeg 5.1:
 * scdet on a YUV stream compares the luma plane only (a red → magenta cut scores 9.8 there, under the default
 * threshold 10, and 33 in RGB), and converting full frames to RGB costs more than the decode's own filters (+30 % of
 * ffmpeg's CPU time, 720p H.264 at 30 fps); the subsample added 3–10 %, full-resolution luma scdet 3–5 % and a 64×36
 * area-averaged copy 7–11 %. Nearest-neighbour sampling keeps 2,304 of the frame's pixels as they are, so the mean
 * difference it measures is that of the whole frame, sampled. `settb=AVTB` gives the scores microsecond timestamps;
 * `metadata=mode=print` logs each frame's (read by FfmpegLog); `nullsink` ends the branch.
 *
 * Audio (`audio`) is a second output of the same run: the first audio stream, `aresample=async=1:first_pts=0` so
 * sample 0 is at the file's time 0 (silence fills a stream that starts later, or a gap), mixed down to mono at the
 * rate asked, as raw little-endian f32 on pipe 3. A range's audio is resampled first, cut to [startSec, endSec) on
 * the file's time line by `atrim`, then placed with sample 0 at startSec (first_pts counts samples at the rate
 * aresample is given, so the rate comes first). Without `audio` no audio stream is mapped: the command is the
 * frames-only one, and costs what it did. In MPEG-TS, whose time line starts at the earliest stream decoded, the
 * frames then start at the audio's start (AAC's priming, ~0.02 s, before the video) instead of the video's.
 */
function ffmpegArgs(input: string[], options: DecodeOptions, seekable: boolean): string[] {
  const seek = options.startSec && seekable ? ['-noaccurate_seek', '-ss', options.startSec.toFixed(6)] : [];
  const filters = options.onSceneScore
    ? ['-filter_complex', `[0:V:0]split[frames][scenes];[frames]${filterChain(options)}[out];[scenes]${SCENE_SCORES}`, '-map', '[out]']
    : ['-map', '0:V:0', '-vf', filterChain(options)];
  return [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-xerror'],
    ...['-threads', String(options.threads ?? decodeThreads()), '-copyts', '-start_at_zero', ...seek, ...input],
    ...filters,
    ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ...(options.audio ? audioOutput(options.audio.sampleRate, options.startSec, options.endSec) : []),
  ];
}

/** The audio output of the decode (see ffmpegArgs). */
function audioOutput(sampleRate: number, startSec = 0, endSec?: number): string[] {
  const range = startSec > 0 || endSec !== undefined;
  const cut = `atrim=start=${startSec.toFixed(6)}${endSec === undefined ? '' : `:end=${endSec.toFixed(6)}`}`;
  const filters = range ? `aresample=${sampleRate},${cut},aresample=async=1:first_pts=${Math.round(startSec * sampleRate)}` : 'aresample=async=1:first_pts=0';
  return ['-map', '0:a:0', '-af', filters, '-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', 'pipe:3'];
}

/** The scene-score branch of the filter graph (see ffmpegArgs). */
const SCENE_SCORES = 'scale=64:36:flags=neighbor,format=rgb24,scdet,settb=AVTB,metadata=mode=print,nullsink';

/**
 * Pick frames first so only those are scaled, then fit them, then log each one's timestamp (read by FfmpegLog).
 * fps=N:round=up gives output frame k the last frame shown at or before k/N; the default rounding (near) would
 * give the one shown at k/N + 1/(2N). start_time=0 starts the grid at 0 and gives the grid times before the first frame
 * that first frame, as a player shows it from 0; without it the grid would start at the first frame's time rounded up,
 * so a video stream that starts after 0 (at 0.023 s, say) would lose t = 0 and begin at t = 1/N. It stays 0 for a
 * range too: fps rounds each frame's offset from start_time onto the grid, which a start_time off the grid (startSec)
 * would shift by up to a step. The copies of the first decoded frame it then makes for the grid times before a seek's
 * keyframe precede startSec, and `from` drops them (references, not pixel copies: about 0.25 s for an hour at 120 fps).
 * `select` keeps each picked frame's own timestamp, exact on variable frame rate.
 */
function filterChain({ plan, width, height, fit, startSec }: DecodeOptions): string {
  // Drops what precedes startSec before scaling; 1 µs early so float rounding in ffmpeg never loses a frame
  // (trim would round startSec to the link's time base, which is 1/N s after fps=N).
  const from = startSec ? [`select='gte(t,${(startSec - 1e-6).toFixed(9)})'`] : [];
  // The fps grid must see the frames before startSec, so it comes first; everyNth counts from startSec.
  const pick = 'fps' in plan ? [`fps=${plan.fps}:round=up:start_time=0`, ...from] : [...from, `select='not(mod(n,${plan.everyNth}))'`];
  // The model's geometry, by the filter query images are fitted with too.
  return [...pick, fitFilter({ width, height, fit }), 'showinfo=checksum=0'].join(',');
}
