import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { VideoDecodeError } from './errors';
import { cleanLogLine } from './ffmpeg-log';
import { ffmpegInput, type VideoSource } from './input';

/** What decoding needs to know about a video, from its first video stream. */
export interface VideoInfo {
  /** Length in seconds: the video stream's, or the container's where the stream records none (e.g. Matroska). */
  durationSec: number;
  /** Frame size in pixels as decoded and turned upright (swapped for 90° and 270° rotations). */
  width: number;
  height: number;
  /** Display rotation in degrees counterclockwise, as ffprobe reports the display matrix: 0, 90, 180 or 270. */
  rotation: number;
  /** Average frame rate (frames per second). */
  nativeFps: number;
  /** ffmpeg's codec name, e.g. "h264". */
  codec: string;
  /** Number of frames, where the container records it. */
  frameCount?: number;
  /** ffmpeg's container format name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "mpegts". */
  container: string;
  /** Whether the file has an audio stream (speech recognition reads the first). */
  audio: boolean;
  /** The codec of the file's first subtitle stream (e.g. "mov_text", "subrip", "ass", "webvtt"), when it has one. */
  subtitles?: string;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  disposition?: { attached_pic?: number };
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; format_name?: string };
}

const run = promisify(execFile);

/**
 * Reads a video's duration, size, rotation and frame rate, from a file or a URL; throws VideoDecodeError when it is
 * not a decodable video.
 */
export async function probeVideo(source: VideoSource): Promise<VideoInfo> {
  if (typeof source === 'string') await checkFile(source);
  const { url: input, options, label: file } = ffmpegInput(source);
  let stdout: string;
  try {
    ({ stdout } = await run('ffprobe', ['-v', 'error', ...options, '-show_streams', '-show_format', '-of', 'json', input]));
  } catch (error) {
    throw new VideoDecodeError(file, `not a readable video (${commandFailure(error, input)})`);
  }
  const { streams = [], format = {} } = JSON.parse(stdout) as FfprobeOutput;
  // The first video stream that is not cover art (an attached picture), as `-map 0:V:0` picks it.
  const stream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const subtitles = streams.find((s) => s.codec_type === 'subtitle')?.codec_name;
  if (!stream) throw new VideoDecodeError(file, 'no video stream', 'no_video_stream');
  if (!stream.width || !stream.height) throw new VideoDecodeError(file, 'unknown frame size');
  const durationSec = Number(stream.duration ?? format.duration);
  if (!(durationSec > 0)) throw new VideoDecodeError(file, 'zero or unknown duration');
  const nativeFps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate);
  if (!nativeFps) throw new VideoDecodeError(file, 'unknown frame rate');
  const rotation = ((Math.round(stream.side_data_list?.find((data) => data.rotation !== undefined)?.rotation ?? 0) % 360) + 360) % 360;
  const sideways = rotation === 90 || rotation === 270;
  const frameCount = Number(stream.nb_frames);
  return {
    durationSec,
    width: sideways ? stream.height : stream.width,
    height: sideways ? stream.width : stream.height,
    rotation,
    nativeFps,
    codec: stream.codec_name ?? 'unknown',
    container: format.format_name ?? 'unknown',
    audio: streams.some((s) => s.codec_type === 'audio'),
    ...(subtitles ? { subtitles } : {}),
    ...(frameCount > 0 ? { frameCount } : {}),
  };
}

/** Catches a missing or empty file before ffprobe, whose message for either is less clear. */
async function checkFile(file: string): Promise<void> {
  const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new VideoDecodeError(file, error.code === 'ENOENT' ? 'file not found' : error.message);
  });
  if (!stats.isFile()) throw new VideoDecodeError(file, 'not a regular file');
  if (stats.size === 0) throw new VideoDecodeError(file, 'empty file');
}

/** The cause of a failed ffprobe run: its error lines, or why it could not run. */
function commandFailure(error: unknown, input: string): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return lines.length > 0 ? lines.map((line) => cleanLogLine(line, input)).join('; ') : (error as Error).message;
}

/** "30000/1001" → 29.97…; 0 for "0/0" or a missing rate. */
function rate(fraction: string | undefined): number {
  const [num, den] = (fraction ?? '').split('/').map(Number);
  return num > 0 && den > 0 ? num / den : 0;
}
