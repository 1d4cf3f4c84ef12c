import { z } from 'zod';

/**
 * The S3 events EventBridge delivers for the videos bucket (bucket notifications with `EventBridgeEnabled`).
 * Only the fields used are checked.
 */
const OBJECT = z.object({
  key: z.string().min(1),
  'version-id': z.string().min(1).optional(),
  sequencer: z.string().regex(/^[0-9A-Fa-f]+$/, 'must be hexadecimal'),
  size: z.number().nonnegative().optional(),
  etag: z.string().optional(),
});

export const OBJECT_CREATED = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string().min(1) }), object: OBJECT }),
});

/**
 * S3 sends a deletion to EventBridge as "Object Deleted" (with `deletion-type` and `reason`), not under the
 * notification name ObjectRemoved (docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html): a rule matching
 * "Object Removed" would never fire.
 */
export const OBJECT_DELETED = z.object({
  'detail-type': z.literal('Object Deleted'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: OBJECT,
    'deletion-type': z.enum(['Permanently Deleted', 'Delete Marker Created']),
  }),
});

export type ObjectCreated = z.infer<typeof OBJECT_CREATED>;
export type ObjectDeleted = z.infer<typeof OBJECT_DELETED>;
