import type { FrameEmbeddings } from '../frame-embeddings-format';

/** The raw frame embeddings the embedding jobs wrote, by the output URI each job reported (S3 objects in AWS). */
export interface JobOutputs {
  read(output: string): Promise<FrameEmbeddings>;
}

/** A job's output: the raw frame embeddings of one video (or chunk), checked to belong to `videoId`. */
export async function readRawEmbeddings(outputs: JobOutputs, output: string, videoId: string): Promise<FrameEmbeddings> {
  const embeddings = await outputs.read(output);
  if (embeddings.header.videoId !== videoId) {
    throw new Error(`${output} holds the embeddings of video ${embeddings.header.videoId}, not ${videoId}`);
  }
  return embeddings;
}
