import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeSubtitleBytes, parseSubtitles, type Cue, type SubtitleFormat } from './core/subtitles';
import type { SpeechSource, TranscriptSegment } from './core/types';
import type { VideoSource } from './decoder/input';
import type { VideoInfo } from './decoder/probe';
import { isTextSubtitleCodec, readSubtitleStream } from './decoder/subtitle-stream';

/** A sidecar's bytes, or undefined when there is no such file (local files; S3 objects beside the video on AWS). */
export type SidecarReader = (name: string) => Promise<Uint8Array | undefined>;

/** A video's transcript from its most trusted subtitle source, and why other sources were passed over. */
export interface SubtitleTranscript {
  source: SpeechSource | null;
  segments: TranscriptSegment[];
  notes: string[];
}

/**
 * The subtitle files players look for beside a video, in the order they are tried: for `movie.mp4`, `movie.srt`,
 * `movie.vtt`, `movie.mp4.srt`, `movie.mp4.vtt` (a path or an S3 key alike).
 */
export function sidecarNames(video: string): { name: string; format: SubtitleFormat }[] {
  const stem = video.slice(0, video.length - path.extname(video).length);
  return [stem, video].flatMap((base) => (['srt', 'vtt'] as const).map((format) => ({ name: `${base}.${format}`, format })));
}

/**
 * What the video's subtitles say, from the most trusted source that holds a valid transcript: its first text
 * subtitle stream, then the first sidecar found. A source that is there but malformed (bad timestamps, overlapping
 * cues, not UTF-8) or unreadable is reported in `notes` and the next one is tried; it never fails the video.
 * `source` is null when neither gave a transcript (speech recognition may then run).
 */
export async function readSubtitles(video: VideoSource, name: string, info: VideoInfo, sidecar: SidecarReader): Promise<SubtitleTranscript> {
  const notes: string[] = [];
  if (info.subtitles !== undefined) {
    if (!isTextSubtitleCodec(info.subtitles)) notes.push(`its subtitle stream (${info.subtitles}) holds pictures, not text: not read`);
    else {
      try {
        return found('subtitles', parseSubtitles(await readSubtitleStream(video), 'vtt'), notes);
      } catch (error) {
        notes.push(`subtitle stream: ${(error as Error).message}`);
      }
    }
  }
  for (const candidate of sidecarNames(name)) {
    try {
      const bytes = await sidecar(candidate.name);
      if (!bytes) continue;
      return found('sidecar', parseSubtitles(decodeSubtitleBytes(bytes), candidate.format), notes);
    } catch (error) {
      notes.push(`${path.basename(candidate.name)}: ${(error as Error).message}`);
    }
  }
  return { source: null, segments: [], notes };
}

/** A sidecar on the local disk (`SidecarReader`): a missing file is no sidecar, any other failure is reported. */
export async function readLocalSidecar(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function found(source: SpeechSource, cues: Cue[], notes: string[]): SubtitleTranscript {
  return { source, segments: cues.map((cue) => ({ ...cue, source })), notes };
}
