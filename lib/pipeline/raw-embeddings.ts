import type { S3Client } from '@aws-sdk/client-s3';
import { getObjectBytes, parseS3Uri } from '../aws/s3-objects';
import { decodeFrameEmbeddings, type FrameEmbeddings } from '../frame-embeddings-format';

/** A job's output: the raw frame embeddings of one video (or chunk), checked to belong to `videoId`. */
export async function readRawEmbeddings(s3: S3Client, output: string, videoId: string): Promise<FrameEmbeddings> {
  const embeddings = decodeFrameEmbeddings(await getObjectBytes(s3, parseS3Uri(output)));
  if (embeddings.header.videoId !== videoId) {
    throw new Error(`${output} holds the embeddings of video ${embeddings.header.videoId}, not ${videoId}`);
  }
  return embeddings;
}
