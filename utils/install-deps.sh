#!/usr/bin/env bash
# Installs what loss-mlir needs from Debian bookworm's packages, as root.
# Idempotent: does nothing when everything is already there.
# libclang-rt-22-dev has the ASan, UBSan and libFuzzer runtimes of the
# sanitizer and fuzzing build (utils/build-fuzz.sh), which the test command
# builds too.
#   --oracle  also installs PyTorch, NumPy and the ONNX Python package: the
#             generators (test/**/generators) need them, and so do the tests
#             that build ONNX models at test time (the test command installs
#             them).
#   --bench   the oracle, matplotlib for benchmarks/bench.py's PNG, and OpenBLAS
#             (a tuned BLAS for torch.mm, the bar of bench_linear_ce.py).
set -euo pipefail

packages=(
  cmake ninja-build
  clang-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  libclang-rt-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  python3
)
if [[ "${1:-}" == "--oracle" || "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch python3-onnx python3-numpy python3-pytest)
fi
if [[ "${1:-}" == "--bench" ]]; then
  # OpenBLAS: Debian's torch calls the libblas.so.3 alternative, netlib's
  # reference BLAS unless a tuned one is installed (torch.mm at 2 GFLOP/s).
  packages+=(python3-matplotlib libopenblas0-pthread)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
