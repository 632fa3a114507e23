#!/usr/bin/env bash
# Builds build-fuzz/ (utils/build-fuzz.sh: loss-opt, loss-translate and
# loss-run instrumented with ASan and UBSan) and runs the lit suite on those
# tools: build-fuzz/test has its own lit config pointing at build-fuzz/bin.
# A sanitizer report aborts the tool (cmake/SanitizerOptions.cpp), so the
# test fails, including under `not`. Arguments go to lit (e.g. a subdirectory
# of build-fuzz/test). Ends with "N passed, M failed".
#
#   utils/run-sanitized-tests.sh [--no-build] [LIT ARGS...]
#
# LeakSanitizer is on (a leak fails the tool at exit); ASAN_OPTIONS and
# UBSAN_OPTIONS override the defaults.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if [[ "${1:-}" == --no-build ]]; then
  shift
else
  "$root/utils/build-fuzz.sh" loss-opt loss-translate loss-run loss_runner_utils
fi
if (($# == 0)); then
  set -- "$build/test"
fi
log="$(mktemp)"
set +e
/usr/lib/llvm-22/bin/lit -sv "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(sed -nE 's/^ *Passed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
failed=$(sed -nE 's/^ *Failed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
unsupported=$(sed -nE 's/^ *Unsupported *: *([0-9]+).*/\1/p' "$log" | tail -n1)
rm -f "$log"
echo "sanitized: ${passed:-0} passed, ${failed:-0} failed, ${unsupported:-0} skipped"
exit "$status"
