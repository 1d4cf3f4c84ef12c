/**
 * Empties a versioned bucket (every version and delete marker) as the stack's emptier does when the stack is
 * deleted, for the buckets it does not empty: one kept with retainVideos=true, or one a stack deletion left behind
 * (an object written while the stack was being deleted). Used by scripts/teardown.sh.
 *
 *   npx tsx scripts/empty-bucket.ts BUCKET
 *
 * Credentials and region come from the environment (AWS_PROFILE, AWS_REGION), as for the AWS CLI.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3VersionedBucket } from '../lib/aws/s3-versioned-bucket';

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  if (!name) throw new Error('usage: tsx scripts/empty-bucket.ts BUCKET');
  const { deleted } = await new S3VersionedBucket(new S3Client({}), name).deleteEveryVersion(() => true);
  console.log(`s3://${name}: ${deleted} object versions and delete markers deleted, the bucket is empty`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
