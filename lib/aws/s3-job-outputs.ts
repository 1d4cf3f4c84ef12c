import type { S3Client } from '@aws-sdk/client-s3';
import { decodeFrameEmbeddings, type FrameEmbeddings } from '../frame-embeddings-format';
import type { JobOutputs } from '../pipeline/raw-embeddings';
import { getObjectBytes, parseS3Uri } from './s3-objects';

/** The embedding jobs' outputs in S3 (`s3://bucket/key` URIs, as the async endpoint reports them). */
export class S3JobOutputs implements JobOutputs {
  constructor(private readonly s3: S3Client) {}

  async read(output: string): Promise<FrameEmbeddings> {
    return decodeFrameEmbeddings(await getObjectBytes(this.s3, parseS3Uri(output)));
  }
}
