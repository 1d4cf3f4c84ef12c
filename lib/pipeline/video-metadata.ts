import path from 'node:path';
import { z } from 'zod';

/** What a video's uploader may say about it, in S3 object metadata or in a sidecar `<key>.json`. */
export interface VideoMetadata {
  title: string;
  category?: string;
  tags: string[];
}

export const SIDECAR_SUFFIX = '.json';
/** Subtitle sidecars (`movie.srt` or `movie.mp4.vtt` beside `movie.mp4`), read by the video's first embedding job. */
const SUBTITLE_SUFFIXES = ['.srt', '.vtt'];

const SIDECAR = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
});

/** The sidecar object that describes the video at `key`. */
export function sidecarKey(key: string): string {
  return key + SIDECAR_SUFFIX;
}

/** The title of a video nobody described: its file name without the extension. */
export function titleFromKey(key: string): string {
  return path.posix.basename(key, path.posix.extname(key));
}

/**
 * Whether `key` is a sidecar rather than a video: metadata (`.json`) or subtitles (`.srt`, `.vtt`). Sidecars share the
 * videos' prefix, so their events arrive too, and are not indexed as videos.
 */
export function isSidecar(key: string): boolean {
  const lower = key.toLowerCase();
  return [SIDECAR_SUFFIX, ...SUBTITLE_SUFFIXES].some((suffix) => lower.endsWith(suffix));
}

/**
 * The video's metadata: the sidecar's fields first, then the object's `x-amz-meta-title`, `-category` and `-tags`
 * (comma-separated), then the file name as title. A sidecar that is not the expected JSON is an error naming the
 * problem: silently indexing without the metadata the uploader wrote would hide the mistake.
 */
export function videoMetadata(
  key: string,
  objectMetadata: Record<string, string> | undefined,
  sidecar: string | undefined,
): { ok: true; value: VideoMetadata } | { ok: false; error: string } {
  let fromSidecar: z.infer<typeof SIDECAR> = {};
  if (sidecar !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(sidecar);
    } catch {
      return { ok: false, error: `sidecar ${sidecarKey(key)} is not JSON` };
    }
    const parsed = SIDECAR.safeParse(json);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      return { ok: false, error: `sidecar ${sidecarKey(key)}: ${issue.path.join('.') || 'value'}: ${issue.message}` };
    }
    fromSidecar = parsed.data;
  }
  const meta = objectMetadata ?? {};
  const tags = fromSidecar.tags ?? (meta.tags ?? '').split(',');
  const title = fromSidecar.title ?? (meta.title?.trim() || titleFromKey(key));
  const category = fromSidecar.category ?? (meta.category?.trim() || undefined);
  return {
    ok: true,
    value: { title, ...(category && { category }), tags: [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))] },
  };
}
