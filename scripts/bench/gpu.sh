#!/usr/bin/env bash
# The GPU measurement, in one command, on a Linux x86-64 machine with an NVIDIA GPU and a CUDA 12 driver (≥ 525):
#
#   scripts/bench/gpu.sh            # results in bench/gpu/results.json and results.md
#
# It runs the real-model-embed case with BENCH_DEVICE=cuda: embed throughput of the generated real-size CLIP ViT-B/32
# and SigLIP base/16 (fp32) through the embedder on onnxruntime's CUDA provider — the GPU container's path — against
# onnxruntime-node running the same graph on the same GPU directly, at its best of batches 16, 64 and 256. What it
# needs and lacks it installs, each step bounded in time (timeouts below; about 10 minutes in all when everything
# must be downloaded):
#   - node_modules (npm ci) when missing;
#   - onnxruntime-node's CUDA provider, as the container's Dockerfile installs it (ONNXRUNTIME_NODE_INSTALL=cuda12);
#   - CUDA 12 runtime libraries and cuDNN 9 (what the provider loads), as NVIDIA's pip wheels in bench/tmp/cuda-libs,
#     when the machine has none;
#   - the real-size models and bench data, generated into bench/tmp (git-ignored) on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { echo "== $*" >&2; }
fail() { echo "gpu.sh: $*" >&2; exit 1; }

command -v nvidia-smi >/dev/null || fail 'no nvidia-smi: this needs a machine with an NVIDIA GPU and its driver'
timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || fail 'nvidia-smi found no GPU'
command -v ffmpeg >/dev/null || fail 'ffmpeg is required (5.1 or later), as for npm run bench'

if [ ! -d node_modules ]; then
  step 'npm ci'
  timeout 900 npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH" # Node 22 from devDependencies, as npm run uses it

ort_bin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
if [ ! -e "$ort_bin/libonnxruntime_providers_cuda.so" ]; then
  step "onnxruntime-node's CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12)"
  ONNXRUNTIME_NODE_INSTALL=cuda12 timeout 600 node node_modules/onnxruntime-node/script/install
fi

if ! ldconfig -p | grep -q 'libcudnn.so.9' || ! ldconfig -p | grep -q 'libcublasLt.so.12'; then
  libs=bench/tmp/cuda-libs
  if [ ! -d "$libs" ]; then
    step "CUDA 12 runtime and cuDNN 9 (pip wheels into $libs)"
    command -v python3 >/dev/null || fail 'python3 is needed to fetch the CUDA libraries (or install CUDA 12 and cuDNN 9 system-wide)'
    timeout 900 python3 -m pip install --quiet --target "$libs" \
      nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12 nvidia-curand-cu12 nvidia-cuda-nvrtc-cu12 'nvidia-cudnn-cu12>=9,<10'
  fi
  LD_LIBRARY_PATH="$(find "$PWD/$libs/nvidia" -maxdepth 2 -name lib -type d | paste -sd:)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi

step 'npm run bench -- --only real-model-embed (BENCH_DEVICE=cuda)'
BENCH_DEVICE=cuda timeout 1800 npm run bench -- --only real-model-embed --out bench/gpu
