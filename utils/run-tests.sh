#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole lit suite, then checks
# that the generated docs are current. Ends with lit's summary and a line
# "N passed, M failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_BUILD_DIR:-$root/build}"
"$root/utils/install-deps.sh" --oracle
"$root/utils/build.sh" loss-opt loss-translate loss-run loss_runner_utils
log="$(mktemp)"
set +e
/usr/lib/llvm-22/bin/lit -sv "$build/test" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(sed -nE 's/^ *Passed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
failed=$(sed -nE 's/^ *Failed *: *([0-9]+).*/\1/p' "$log" | tail -n1)
unsupported=$(sed -nE 's/^ *Unsupported *: *([0-9]+).*/\1/p' "$log" | tail -n1)
rm -f "$log"
# The op and pass docs in docs/ must match the ODS they are generated from.
if ! "$root/utils/update-docs.sh" --check > /dev/null; then
  echo "docs/ is stale: run utils/update-docs.sh" >&2
  status=1
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${unsupported:-0} skipped"
exit "$status"
