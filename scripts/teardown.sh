#!/usr/bin/env bash
# Removes a stage of the stack and what it leaves behind that still costs money or clutters the account.
#
#   scripts/teardown.sh STAGE REGION [--videos] [--images REPOSITORY]
#
# 1. `sls remove`. The videos bucket is emptied by the stack's emptier and deleted with it, unless the stage was
#    deployed with retainVideos=true (then it stays, with its videos, embeddings and thumbnails). Should the deletion
#    fail on the bucket anyway (an object written while the stack was being deleted: an upload, a job finishing), the
#    bucket is emptied here and the removal run again.
# 2. The SageMaker endpoints' log groups (/aws/sagemaker/Endpoints/<name>): SageMaker creates them at run time, so
#    they are no stack resources. (The functions' log groups are stack resources and go with the stack.)
# 3. --videos: also empties and deletes a bucket kept with retainVideos=true.
# 4. --images REPOSITORY: also deletes the embedder's ECR repository with its images (scripts/build-and-push-embedder.sh
#    creates it outside the stack; other stages may share it, hence not by default).
#
# Needs the AWS CLI and credentials for the account.
set -euo pipefail

usage() {
  echo "usage: $0 STAGE REGION [--videos] [--images REPOSITORY]" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
stage=$1 region=$2
shift 2
videos=false repository=
while [[ $# -gt 0 ]]; do
  case $1 in
    --videos) videos=true; shift ;;
    --images) [[ $# -ge 2 ]] || usage; repository=$2; shift 2 ;;
    *) usage ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
stack="semantic-video-search-$stage"
export AWS_REGION=$region

output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket_exists() {
  aws s3api head-bucket --bucket "$1" >/dev/null 2>&1
}
remove() {
  (cd "$root" && SLS_TELEMETRY_DISABLED=1 npx sls remove --stage "$stage" --region "$region")
}

# Read before the stack (and its outputs) is gone.
bucket=$(output VideosBucketName)
endpoints=("$(output AsyncEndpointName)" "$(output QueryEndpointName)")

if ! remove; then
  if bucket_exists "$bucket"; then
    echo "the stack's deletion failed with s3://$bucket still there: emptying it, then removing again" >&2
    (cd "$root" && npx tsx scripts/empty-bucket.ts "$bucket")
    remove
  else
    exit 1
  fi
fi

for endpoint in "${endpoints[@]}"; do
  group="/aws/sagemaker/Endpoints/$endpoint"
  if aws logs delete-log-group --region "$region" --log-group-name "$group" 2>/dev/null; then
    echo "deleted log group $group"
  fi
done

if bucket_exists "$bucket"; then
  if [[ $videos == true ]]; then
    (cd "$root" && npx tsx scripts/empty-bucket.ts "$bucket")
    aws s3api delete-bucket --bucket "$bucket"
    echo "deleted s3://$bucket"
  else
    echo "kept s3://$bucket (retainVideos): run again with --videos to delete it" >&2
  fi
fi

if [[ -n $repository ]]; then
  aws ecr delete-repository --region "$region" --repository-name "$repository" --force >/dev/null
  echo "deleted the ECR repository $repository and its images"
fi
