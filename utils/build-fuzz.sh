#!/usr/bin/env bash
# Configures (once) and builds build-fuzz/: the same build as utils/build.sh
# with the libraries and tools instrumented with ASan and UBSan and libFuzzer's
# coverage (-DLOSS_MLIR_SANITIZE="address;undefined" -DLOSS_MLIR_FUZZ=ON).
# One build serves the fuzz targets (utils/run-fuzzers.sh) and the lit suite
# under the sanitizers (utils/run-sanitized-tests.sh). Arguments are ninja
# targets (default: the tools lit needs and the fuzz targets).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    "-DLOSS_MLIR_SANITIZE=address;undefined" -DLOSS_MLIR_FUZZ=ON
fi
if (($# == 0)); then
  set -- loss-opt loss-translate loss-run loss-compile loss_runner_utils loss-fuzzers
fi
LOSS_MLIR_BUILD_DIR="$build" "$root/utils/build.sh" "$@"
