import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

/** The part of s3rver 3.7's API used here (the package ships no types). */
interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rver;
const S3rverServer = require('s3rver') as S3rverClass;

export interface LocalS3 {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** A client for it with the credentials s3rver accepts. */
  client: S3Client;
  close(): Promise<void>;
}

/** The credentials s3rver checks signatures with; set them in a child process's environment. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** An S3 stand-in on 127.0.0.1 (random port) storing in `directory`, with `buckets` created. */
export async function startLocalS3(directory: string, buckets: string[]): Promise<LocalS3> {
  const server = new S3rverServer({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
