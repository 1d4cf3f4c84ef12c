import { z } from 'zod';
import type { CustomResourceRequest } from '../aws/custom-resource';

/**
 * The videos bucket's emptier, a custom resource (resources/videos-removal.yml). CloudFormation deletes only an empty
 * bucket ("Deletion fails for buckets that have contents"), and a versioned bucket is empty only once every version
 * and delete marker is gone: so when the stack is deleted, the emptier deletes them all, and then the bucket can go.
 *
 * - Create and Update change nothing. The physical id is the bucket's name: should the bucket be replaced, the
 *   resource's id changes with it, and CloudFormation's Delete of the old id empties the old bucket.
 * - Delete empties the bucket only while it carries the tag `empty-on-stack-delete` = `true`. The resource is also
 *   deleted by a stack update that drops it (retainVideos switched on); that update sets the tag to `false` first
 *   (CloudFormation updates resources before it deletes the ones removed), so the videos stay.
 * - A bucket already gone needs nothing.
 * - Emptying stops while there is still time to answer (`more()` says so): the request then fails, saying how many
 *   were deleted; the stack's deletion stops at DELETE_FAILED, and deleting it again carries on.
 */
export const EMPTY_ON_DELETE_TAG = 'empty-on-stack-delete';

export const EMPTIER_PROPERTIES = z.object({ Bucket: z.string().min(1) });

export interface VersionedBucket {
  readonly name: string;
  tag(key: string): Promise<string | undefined>;
  deleteEveryVersion(more: () => boolean): Promise<{ deleted: number; empty: boolean }>;
}

/** Handles one request; resolves to the physical id, and how many versions and delete markers went. */
export async function emptierRequest(
  request: Pick<CustomResourceRequest, 'RequestType' | 'PhysicalResourceId'>,
  bucket: VersionedBucket,
  more: () => boolean,
): Promise<{ physicalId: string; deleted: number }> {
  if (request.RequestType !== 'Delete') return { physicalId: bucket.name, deleted: 0 };
  const physicalId = request.PhysicalResourceId ?? bucket.name;
  if ((await bucket.tag(EMPTY_ON_DELETE_TAG)) !== 'true') return { physicalId, deleted: 0 };
  const { deleted, empty } = await bucket.deleteEveryVersion(more);
  if (!empty) {
    throw new Error(`deleted ${deleted} object versions of s3://${bucket.name} in the time allowed and more remain: delete the stack again to go on`);
  }
  return { physicalId, deleted };
}
