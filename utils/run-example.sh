#!/usr/bin/env bash
# Installs dependencies, builds, and runs the bundled example: a cross-entropy
# loss compiled for the CPU and executed, printing the loss.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_BUILD_DIR:-$root/build}"
"$root/utils/install-deps.sh"
"$root/utils/build.sh" loss-opt
"$build/bin/loss-opt" "$root/examples/cross_entropy.mlir" --loss-lower-to-llvm |
  /usr/lib/llvm-22/bin/mlir-runner -e main -entry-point-result=void \
    -shared-libs=/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_runner_utils.so
