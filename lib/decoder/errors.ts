/**
 * Why a video could not be decoded: it cannot be opened or is not a video (`unreadable`), has no video stream,
 * failed part way through (`corrupt`: damaged or truncated data, or a connection lost for good), or the requested
 * range starts at or after its end (`range`).
 */
export type VideoDecodeFailure = 'unreadable' | 'no_video_stream' | 'corrupt' | 'range';

/** A file that cannot be read as a video, or that ffmpeg failed to decode; the message names the file and the cause. */
export class VideoDecodeError extends Error {
  override readonly name = 'VideoDecodeError';

  constructor(
    readonly file: string,
    reason: string,
    readonly failure: VideoDecodeFailure = 'unreadable',
  ) {
    super(`${file}: ${reason}`);
  }
}
