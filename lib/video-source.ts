import { lookup } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { VideoDecodeError } from './decoder/errors';
import type { VideoSource } from './decoder/input';
import { isPublicAddress } from './public-address';

/** A video reference that names something the reader must not read; the message says why. */
export class SourceRefusedError extends Error {
  override readonly name = 'SourceRefusedError';
}

export interface VideoSourceOptions {
  /** Signs `s3://` references. */
  s3: S3Client;
  /**
   * Also accept `file://`, plain `http://` and URLs whose host is loopback, private or link-local. For tests and local
   * runs only: in a deployment a request could otherwise make the reader fetch its own files, the instance metadata
   * service or internal services.
   */
  allowLocal: boolean;
}

/** Long enough for the longest asynchronous job (1 h); ffmpeg may reconnect with it late in a long video. */
const PRESIGNED_URL_SECONDS = 2 * 3600;

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/s;

/**
 * Turns a video reference (`s3://bucket/key`, `https://…`) into what the decoder reads. An S3 object becomes a
 * presigned GET URL, so ffmpeg streams it with range requests rather than the reader downloading it first.
 * Throws SourceRefusedError for a reference it must not read, VideoDecodeError when the host does not resolve.
 */
export async function resolveVideoSource(reference: string, options: VideoSourceOptions): Promise<VideoSource> {
  const s3 = S3_URI.exec(reference);
  // The key is taken as written (as the AWS CLI writes S3 URIs), not percent-decoded.
  if (s3) return new URL(await getSignedUrl(options.s3, new GetObjectCommand({ Bucket: s3[1], Key: s3[2] }), { expiresIn: PRESIGNED_URL_SECONDS }));

  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    throw new SourceRefusedError('video must be an s3://bucket/key or https:// URL');
  }
  const { allowLocal } = options;
  if (url.protocol === 'file:' && allowLocal) return fileURLToPath(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowLocal)) {
    throw new SourceRefusedError(`video must be an s3://bucket/key or https:// URL, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new SourceRefusedError('video URL must not carry credentials');
  if (!allowLocal) await checkPublicHost(url);
  return url;
}

/**
 * Refuses a host that resolves to any address that is not public. (ffmpeg resolves the name again when it connects;
 * a DNS answer that changes in between is not caught here. Redirects, which would be another way around the check,
 * are not followed by the decoder.)
 */
async function checkPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = await lookup(host, { all: true, verbatim: true }).catch((error: NodeJS.ErrnoException) => {
    throw new VideoDecodeError(`${url.origin}${url.pathname}`, `cannot resolve ${host} (${error.code ?? error.message})`);
  });
  const internal = addresses.find(({ address }) => !isPublicAddress(address));
  if (internal) throw new SourceRefusedError(`video host ${host} is not a public address (${internal.address})`);
}
