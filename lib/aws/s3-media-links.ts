import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MediaLinks } from '../api/media-links';
import { parseS3Uri } from './s3-objects';

/**
 * Where the embedder container writes a video's thumbnails, in the video's bucket (the workflow's job manifests name
 * it): one JPEG per embedded frame, `thumbnails/<videoId>/<ms>.jpg`.
 */
export const THUMBNAILS_PREFIX = 'thumbnails/';

/** The key of the thumbnail of a video's sampled frame at `time` seconds. */
export function thumbnailKey(videoId: string, time: number): string {
  return `${THUMBNAILS_PREFIX}${videoId}/${Math.round(time * 1000)}.jpg`;
}

/** Presigned GET URLs of the videos bucket: short-lived, so results can be shared only for a while. */
export class S3MediaLinks implements MediaLinks {
  constructor(
    private readonly s3: S3Client,
    private readonly expiresInSec = 3600,
  ) {}

  async videoUrl(video: { source: string }): Promise<string> {
    const { bucket, key, versionId } = parseS3Uri(video.source);
    const command = new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId });
    return getSignedUrl(this.s3, command, { expiresIn: this.expiresInSec });
  }

  /** The thumbnail of a sampled frame (a clip's bestTime always is one); not checked to exist, to save a request. */
  async thumbnailUrl(video: { id: string; source: string }, time: number): Promise<string> {
    const { bucket } = parseS3Uri(video.source);
    const command = new GetObjectCommand({ Bucket: bucket, Key: thumbnailKey(video.id, time) });
    return getSignedUrl(this.s3, command, { expiresIn: this.expiresInSec });
  }
}
