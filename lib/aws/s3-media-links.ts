import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MediaLinks } from '../api/media-links';
import { parseS3Uri } from './s3-objects';

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
}
