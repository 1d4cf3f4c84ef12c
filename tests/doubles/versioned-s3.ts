import {
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  ListObjectVersionsCommand,
  S3ServiceException,
  type DeleteObjectsCommandInput,
  type ListObjectVersionsCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * S3 versioning for one bucket, which s3rver does not emulate (it has no ListObjectVersions, no version ids, no
 * bucket tagging): ListObjectVersions, DeleteObjects and GetBucketTagging of an S3 client answered from memory with
 * aws-sdk-client-mock, by S3's rules —
 * - a listing holds at most MaxKeys (≤ 1,000) versions and delete markers together, by key, newest version first;
 * - DeleteObjects takes at most 1,000 keys (more: MalformedXML); an entry with a VersionId deletes that version for
 *   good, an entry without one only adds a delete marker (the object is still there); Quiet answers only the errors;
 * - a bucket without tags answers NoSuchTagSet, any other bucket NoSuchBucket.
 * Listing options the double does not emulate (Prefix, markers) are refused rather than ignored.
 */
export interface VersionedBucketDouble {
  /** Adds a version of `key` (the newest). */
  put(key: string): void;
  /** Adds a delete marker to `key`, as a plain DeleteObject on a versioned bucket does. */
  markDeleted(key: string): void;
  setTags(tags: Record<string, string>): void;
  /** Deleting any version of `key` fails with AccessDenied (an Object Lock, a bucket policy). */
  refuse(key: string): void;
  /** Versions and delete markers left. */
  count(): number;
  /** The DeleteObjects requests received. */
  deletes: DeleteObjectsCommandInput[];
  restore(): void;
}

interface Entry {
  key: string;
  versionId: string;
  deleteMarker: boolean;
}

export function versionedBucket(client: S3Client, bucket: string): VersionedBucketDouble {
  const mock = mockClient(client);
  let entries: Entry[] = [];
  let tags: Record<string, string> | undefined;
  const refused = new Set<string>();
  const deletes: DeleteObjectsCommandInput[] = [];
  let versions = 0;

  const add = (key: string, deleteMarker: boolean) => entries.push({ key, versionId: `v${++versions}`, deleteMarker });
  const fail = (name: string, httpStatusCode: number, message: string) =>
    new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
  const checkBucket = (name: string | undefined) => {
    if (name !== bucket) throw fail('NoSuchBucket', 404, 'The specified bucket does not exist');
  };

  mock.on(GetBucketTaggingCommand).callsFake(({ Bucket }) => {
    checkBucket(Bucket);
    if (!tags) throw fail('NoSuchTagSet', 404, 'The TagSet does not exist');
    return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  });

  mock.on(ListObjectVersionsCommand).callsFake((input: ListObjectVersionsCommandInput) => {
    checkBucket(input.Bucket);
    const { Bucket, MaxKeys, ...rest } = input;
    if (Object.keys(rest).length > 0) throw new Error(`the double does not emulate ListObjectVersions ${Object.keys(rest).join(', ')}`);
    const max = Math.min(MaxKeys ?? 1000, 1000);
    // By key, then newest first (versions are numbered in the order they were made).
    const sorted = [...entries].sort((a, b) => (a.key === b.key ? Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)) : a.key < b.key ? -1 : 1));
    const page = sorted.slice(0, max);
    const listed = (entry: Entry, index: number) => ({ Key: entry.key, VersionId: entry.versionId, IsLatest: index === 0 || page[index - 1].key !== entry.key });
    return {
      Name: Bucket,
      MaxKeys: max,
      IsTruncated: sorted.length > max,
      Versions: page.map(listed).filter((_, i) => !page[i].deleteMarker),
      DeleteMarkers: page.map(listed).filter((_, i) => page[i].deleteMarker),
    };
  });

  mock.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
    checkBucket(input.Bucket);
    deletes.push(input);
    const objects = input.Delete?.Objects ?? [];
    if (objects.length === 0 || objects.length > 1000) {
      throw fail('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    const errors: { Key: string; VersionId?: string; Code: string; Message: string }[] = [];
    const deleted: { Key: string; VersionId?: string; DeleteMarker?: boolean }[] = [];
    for (const { Key, VersionId } of objects) {
      if (refused.has(Key!)) {
        errors.push({ Key: Key!, VersionId, Code: 'AccessDenied', Message: 'Access Denied' });
      } else if (VersionId === undefined) {
        add(Key!, true);
        deleted.push({ Key: Key!, DeleteMarker: true });
      } else {
        // A version that is not there (deleted meanwhile) is reported deleted too, as S3 does.
        entries = entries.filter((entry) => !(entry.key === Key && entry.versionId === VersionId));
        deleted.push({ Key: Key!, VersionId });
      }
    }
    return { Errors: errors.length > 0 ? errors : undefined, Deleted: input.Delete?.Quiet ? undefined : deleted };
  });

  return {
    put: (key) => void add(key, false),
    markDeleted: (key) => void add(key, true),
    setTags: (next) => void (tags = next),
    refuse: (key) => void refused.add(key),
    count: () => entries.length,
    deletes,
    restore: () => mock.restore(),
  };
}
