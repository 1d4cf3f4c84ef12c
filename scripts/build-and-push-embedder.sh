#!/usr/bin/env bash
# Builds both embedder images (containers/embedder/Dockerfile) with the model baked in and pushes them to ECR, creating
# the repository if needed:
#
#   scripts/build-and-push-embedder.sh REGION REPOSITORY TAG MODEL_ID
#
# REPOSITORY:TAG-gpu is the asynchronous (video job) endpoint's image, REPOSITORY:TAG-cpu the serverless query
# endpoint's. DTYPE=q8 in the environment picks the model's weights (default fp32); ASR_MODEL the speech recognition
# model baked into the GPU image (default the Dockerfile's, Xenova/whisper-base; none: off) and ASR_DTYPE its weights.
# Needs docker (with BuildKit) and the AWS CLI with credentials for the account. Prints the `sls deploy` parameters
# that name the images and the models.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 REGION REPOSITORY TAG MODEL_ID" >&2
  exit 2
fi
region=$1 repository=$2 tag=$3 model_id=$4
root=$(cd "$(dirname "$0")/.." && pwd)
# Serverless inference refuses a larger image (SageMaker serverless endpoints: container image at most 10 GB).
serverless_image_limit=$((10 * 1000 * 1000 * 1000))

account=$(aws sts get-caller-identity --query Account --output text)
registry="$account.dkr.ecr.$region.amazonaws.com"

aws ecr describe-repositories --region "$region" --repository-names "$repository" >/dev/null 2>&1 ||
  aws ecr create-repository --region "$region" --repository-name "$repository" \
    --image-scanning-configuration scanOnPush=true >/dev/null
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >&2

for variant in gpu cpu; do
  image="$registry/$repository:$tag-$variant"
  # SageMaker's GPU instances and the serverless endpoint's hosts are x86-64.
  DOCKER_BUILDKIT=1 docker build --platform linux/amd64 \
    -f "$root/containers/embedder/Dockerfile" \
    --build-arg VARIANT="$variant" --build-arg MODEL_ID="$model_id" --build-arg DTYPE="${DTYPE:-fp32}" \
    ${ASR_MODEL:+--build-arg ASR_MODEL="$ASR_MODEL"} ${ASR_DTYPE:+--build-arg ASR_DTYPE="$ASR_DTYPE"} \
    -t "$image" "$root" >&2
  if [[ $variant == cpu ]]; then
    size=$(docker image inspect --format '{{.Size}}' "$image")
    if ((size > serverless_image_limit)); then
      echo "the cpu image is $size bytes, over the 10 GB serverless inference allows" >&2
      exit 1
    fi
  fi
  docker push "$image" >&2
done

echo "--param \"embedderImage=$repository:$tag-gpu\" --param \"queryImage=$repository:$tag-cpu\" --param \"modelId=$model_id\"${ASR_MODEL:+ --param \"asrModel=$ASR_MODEL\"}"
