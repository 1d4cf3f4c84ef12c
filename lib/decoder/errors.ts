/** A file that cannot be read as a video, or that ffmpeg failed to decode; the message names the file and the cause. */
export class VideoDecodeError extends Error {
  override readonly name = 'VideoDecodeError';

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
