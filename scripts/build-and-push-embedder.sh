#!/usr/bin/env bash
# Builds the embedder image (containers/embedder/Dockerfile) and pushes it to ECR, creating the repository if needed.
#
#   scripts/build-and-push-embedder.sh REGION REPOSITORY TAG [gpu|cpu] [MODEL_ID]
#
# gpu (default) is the image of the asynchronous indexing endpoint, cpu the one of the real-time query endpoint.
# MODEL_ID bakes that Hugging Face model into the image (DTYPE=q8 in the environment picks its weights; default fp32).
# Needs docker (with BuildKit) and the AWS CLI with credentials for the account. Prints the pushed image URI.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 5 ]]; then
  echo "usage: $0 REGION REPOSITORY TAG [gpu|cpu] [MODEL_ID]" >&2
  exit 2
fi
region=$1 repository=$2 tag=$3 variant=${4:-gpu} model_id=${5:-}
root=$(cd "$(dirname "$0")/.." && pwd)

case $variant in
  gpu) variant_args=() ;;
  cpu) variant_args=(--build-arg RUNTIME_BASE=debian:bookworm-slim --build-arg ORT_INSTALL=skip --build-arg DEVICE=cpu) ;;
  *) echo "variant must be gpu or cpu, got $variant" >&2; exit 2 ;;
esac

account=$(aws sts get-caller-identity --query Account --output text)
registry="$account.dkr.ecr.$region.amazonaws.com"
image="$registry/$repository:$tag"

aws ecr describe-repositories --region "$region" --repository-names "$repository" >/dev/null 2>&1 ||
  aws ecr create-repository --region "$region" --repository-name "$repository" \
    --image-scanning-configuration scanOnPush=true >/dev/null
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >&2

# SageMaker's GPU and most CPU instance types are x86-64.
DOCKER_BUILDKIT=1 docker build --platform linux/amd64 \
  -f "$root/containers/embedder/Dockerfile" \
  "${variant_args[@]}" \
  --build-arg MODEL_ID="$model_id" --build-arg DTYPE="${DTYPE:-fp32}" \
  -t "$image" "$root" >&2
docker push "$image" >&2
echo "$image"
