import { DeleteObjectsCommand, GetBucketTaggingCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

/** S3's most keys in one ListObjectVersions page and in one DeleteObjects request. */
const MAX_KEYS = 1000;

/** A versioned bucket's tags and versions, for emptying it (every version and delete marker). */
export class S3VersionedBucket {
  constructor(
    private readonly s3: S3Client,
    readonly name: string,
  ) {}

  /** The value of the bucket's tag `key`: undefined when it has no such tag, or no longer exists. */
  async tag(key: string): Promise<string | undefined> {
    try {
      const { TagSet } = await this.s3.send(new GetBucketTaggingCommand({ Bucket: this.name }));
      return TagSet?.find((tag) => tag.Key === key)?.Value;
    } catch (error) {
      // S3 answers a bucket without tags with NoSuchTagSet.
      if (['NoSuchTagSet', 'NoSuchBucket'].includes((error as Error).name)) return undefined;
      throw error;
    }
  }

  /**
   * Deletes versions and delete markers a listing page at a time, listing from the start again after each page (so
   * what is written meanwhile goes too), for as long as `more()` allows. Every entry names its version: without one,
   * S3 would only add a delete marker. Throws on the first object S3 refuses to delete.
   */
  async deleteEveryVersion(more: () => boolean): Promise<{ deleted: number; empty: boolean }> {
    let deleted = 0;
    while (more()) {
      const page = await this.s3.send(new ListObjectVersionsCommand({ Bucket: this.name, MaxKeys: MAX_KEYS }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({ Key, VersionId }));
      if (objects.length === 0) return { deleted, empty: true };
      const { Errors } = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: objects, Quiet: true } }));
      const [refused] = Errors ?? [];
      if (refused) {
        throw new Error(`S3 refused to delete s3://${this.name}/${refused.Key} (version ${refused.VersionId}): ${refused.Code}: ${refused.Message}`);
      }
      deleted += objects.length;
    }
    return { deleted, empty: false };
  }
}
