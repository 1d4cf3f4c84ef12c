import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanLogLine } from './ffmpeg-log';
import { ffmpegInput, type VideoSource } from './input';

const run = promisify(execFile);

/** Subtitle codecs that carry text ffmpeg can write as WebVTT (bitmap subtitles, DVD and PGS, carry pictures). */
const TEXT_SUBTITLES = new Set(['mov_text', 'subrip', 'srt', 'ass', 'ssa', 'webvtt', 'text', 'microdvd', 'subviewer', 'sami']);

export function isTextSubtitleCodec(codec: string): boolean {
  return TEXT_SUBTITLES.has(codec);
}

/**
 * The first subtitle stream of a video as WebVTT text, on the time line frames are given on (the file starts at 0).
 * One ffmpeg run that demuxes the file and decodes only that stream (mov_text in MP4, SubRip or ASS in Matroska,
 * WebVTT in WebM). Throws with ffmpeg's own error lines when it fails.
 */
export async function readSubtitleStream(source: VideoSource): Promise<string> {
  const { url, options } = ffmpegInput(source);
  try {
    const { stdout } = await run(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', ...options, '-i', url, '-map', '0:s:0', '-f', 'webvtt', 'pipe:1'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const lines = stderr.split('\n').filter((line) => line.trim() !== '').map((line) => cleanLogLine(line, url));
    throw new Error(`its subtitle stream could not be read (${lines.join('; ') || (error as Error).message})`);
  }
}
