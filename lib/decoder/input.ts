/**
 * What the decoder reads: a local file path, or an http(s) URL that ffmpeg fetches itself (seeking with range
 * requests), so a video is streamed rather than downloaded first. Whether a URL may be read at all is decided
 * before it gets here (lib/video-source.ts).
 */
export type VideoSource = string | URL;

export interface FfmpegInput {
  /** The argument of `-i`. */
  url: string;
  /** Input options, placed before `-i`. */
  options: string[];
  /** How error messages name the video: the path, or the URL without its query (a presigned URL's signature stays out of logs). */
  label: string;
}

/**
 * Demuxers allowed on a URL: the usual video containers. Playlist formats (HLS, DASH, concat) are left out as they
 * make ffmpeg fetch further URLs of their own choosing, past the checks made on the one given.
 */
const URL_FORMATS = 'mov,mp4,matroska,webm,mpegts,avi,flv,mpeg,asf,ogg,mxf';
/** An unanswered read fails the job instead of hanging it (microseconds). */
const URL_READ_TIMEOUT_US = 30_000_000;

/**
 * ffmpeg's view of a source. "file:" stops ffmpeg from reading a file name with a colon as a protocol. A URL may only
 * use its own protocol (and what it runs on), follows no redirects (they would lead past the checks made on the
 * URL) and reconnects when a long download is cut.
 */
export function ffmpegInput(source: VideoSource): FfmpegInput {
  if (typeof source === 'string') return { url: `file:${source}`, options: [], label: source };
  if (source.protocol !== 'http:' && source.protocol !== 'https:') {
    throw new RangeError(`the decoder reads files and http(s) URLs, not ${source.protocol} URLs`);
  }
  const protocols = source.protocol === 'https:' ? 'https,tls,tcp' : 'http,tcp';
  return {
    url: source.href,
    options: [
      ...['-protocol_whitelist', protocols, '-format_whitelist', URL_FORMATS],
      ...['-max_redirects', '0', '-reconnect', '1', '-rw_timeout', String(URL_READ_TIMEOUT_US)],
    ],
    label: `${source.origin}${source.pathname}`,
  };
}
