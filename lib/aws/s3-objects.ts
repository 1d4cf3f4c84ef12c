import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface S3Location {
  bucket: string;
  key: string;
  versionId?: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/s;

/** `s3://bucket/key` (the key as written, like the AWS CLI and the embedder container read it). */
export function parseS3Uri(uri: string): S3Location {
  const match = S3_URI.exec(uri);
  if (!match) throw new RangeError(`not an s3://bucket/key URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

export function s3Uri({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}

export async function getObjectBytes(s3: S3Client, { bucket, key, versionId }: S3Location): Promise<Uint8Array> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  if (!Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return Body.transformToByteArray();
}

/**
 * The object's bytes, or undefined when there is no such object. (A caller without `s3:ListBucket` on the prefix gets
 * 403 for a missing key, which is thrown: give the reader ListBucket there.)
 */
export async function getOptionalBytes(s3: S3Client, location: S3Location): Promise<Uint8Array | undefined> {
  try {
    return await getObjectBytes(s3, location);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The object's text, or undefined when there is no such object. */
export async function getOptionalText(s3: S3Client, location: S3Location): Promise<string | undefined> {
  const bytes = await getOptionalBytes(s3, location);
  return bytes && Buffer.from(bytes).toString('utf8');
}

/** The object's user metadata (`x-amz-meta-*`, names lower-cased), or undefined when there is no such object. */
export async function headObjectMetadata(
  s3: S3Client,
  { bucket, key, versionId }: S3Location,
): Promise<Record<string, string> | undefined> {
  try {
    const { Metadata } = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return Metadata ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Whether the object exists, found by listing its exact key: so a caller allowed only to list the prefix learns it
 * (S3 answers a GET or HEAD of a missing key with 403, not 404, to a caller without s3:ListBucket on the bucket).
 */
export async function objectExists(s3: S3Client, { bucket, key }: S3Location): Promise<boolean> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return Contents?.[0]?.Key === key;
}

export async function putJson(s3: S3Client, { bucket, key }: S3Location, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
}

/**
 * A 404 of any kind: NoSuchKey, NoSuchVersion, or the bare NotFound of a HEAD (whose answer has no body to name it).
 */
function isNotFound(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}
