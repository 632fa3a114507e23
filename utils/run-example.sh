#!/usr/bin/env bash
# Installs dependencies, builds, and runs the bundled example: an ONNX model
# whose output is a CrossEntropyLoss (exported from PyTorch), imported,
# fused, compiled for the CPU and run on the inputs next to it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_BUILD_DIR:-$root/build}"
ex="$root/examples/cross_entropy"
"$root/utils/install-deps.sh"
"$root/utils/build.sh" loss-run
"$build/bin/loss-run" "$ex/model.onnx" \
  --input logits="$ex/logits.npy" --input target="$ex/target.npy"
echo "expected ($(cat "$ex/expected.txt"))"
