import { VideoDecodeError, type VideoDecodeFailure } from '../../lib/decoder/errors';
import { SourceRefusedError } from '../../lib/video-source';

/** Machine-readable error codes of the embedder server (README.md lists each with its status). */
export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_ready'
  | 'source_refused'
  | 'video_unreadable'
  | 'no_video_stream'
  | 'video_corrupt'
  | 'range_outside_video'
  | 'internal';

/** The body of every error answer: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An answer that is not a success, with its status, code and a one-line message meant for the caller. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** A video that cannot be processed as asked: the request was fine, the video (or its range) is not. */
const UNPROCESSABLE = 422;
const DECODE_CODES: Record<VideoDecodeFailure, ErrorCode> = {
  unreadable: 'video_unreadable',
  no_video_stream: 'no_video_stream',
  corrupt: 'video_corrupt',
  range: 'range_outside_video',
};

/**
 * The answer for any failure. Known failures keep their message (a decoder's with URL queries removed: a presigned
 * URL's signature must not reach the error topic); anything else is an internal error whose details stay in the log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof SourceRefusedError) return new HttpError(403, 'source_refused', error.message);
  if (error instanceof VideoDecodeError) {
    return new HttpError(UNPROCESSABLE, DECODE_CODES[error.failure], withoutUrlQueries(error.message));
  }
  return new HttpError(500, 'internal', 'internal error (see the server log)');
}

function withoutUrlQueries(message: string): string {
  return message.replace(/\b(https?:\/\/[^\s?#]*)[?#][^\s]*/g, '$1');
}
