#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole lit suite, then checks
# that the generated docs are current; then builds build-fuzz/ (ASan, UBSan
# and libFuzzer; README "Fuzzing and sanitizers"), runs the lit suite again
# on its instrumented tools, replays the known fuzz findings and runs each
# fuzz target for a fixed number of executions with a fixed libFuzzer seed
# (about four minutes in all). Ends with lit's summaries and a line "N passed, M failed"
# counting both lit runs; a fuzz finding fails the command too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_BUILD_DIR:-$root/build}"
fuzz_build="${LOSS_MLIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
"$root/utils/install-deps.sh" --oracle
"$root/utils/build.sh" loss-opt loss-translate loss-run loss-compile loss_runner_utils

# Runs lit on $1 (more lit arguments after it); sets passed/failed/unsupported.
run_lit() {
  local dir="$1" log rc
  shift
  log="$(mktemp)"
  set +e
  /usr/lib/llvm-22/bin/lit -sv "$dir" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  passed=$(sed -nE 's/^ *Passed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
  failed=$(sed -nE 's/^ *Failed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
  unsupported=$(sed -nE 's/^ *Unsupported *: *([0-9]+).*/\1/p' "$log" | tail -n1)
  passed=${passed:-0} failed=${failed:-0} unsupported=${unsupported:-0}
  rm -f "$log"
  return "$rc"
}

status=0
run_lit "$build/test" "$@" || status=1
main_counts=("$passed" "$failed" "$unsupported")
# The op and pass docs in docs/ must match the ODS they are generated from.
if ! "$root/utils/update-docs.sh" --check > /dev/null; then
  echo "docs/ is stale: run utils/update-docs.sh" >&2
  status=1
fi

# The same suite on the sanitizer build, then the fuzz targets.
"$root/utils/build-fuzz.sh"
run_lit "$fuzz_build/test" "$@" || status=1
san_counts=("$passed" "$failed" "$unsupported")
fuzz_status=0
"$root/utils/run-fuzzers.sh" --no-build --runs=3000 || fuzz_status=1
((fuzz_status == 0)) || status=1

echo "lit: ${main_counts[0]} passed, ${main_counts[1]} failed, ${main_counts[2]} skipped"
echo "sanitized: ${san_counts[0]} passed, ${san_counts[1]} failed, ${san_counts[2]} skipped"
((fuzz_status == 0)) && echo "fuzzers: no finding" || echo "fuzzers: FAILED (see above)"
echo "$((main_counts[0] + san_counts[0])) passed, $((main_counts[1] + san_counts[1])) failed, $((main_counts[2] + san_counts[2])) skipped"
exit "$status"
