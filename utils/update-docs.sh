#!/usr/bin/env bash
# Regenerates the op, dialect and pass docs from ODS (the `mlir-doc` target
# writes build/docs/Loss/*.md) and copies them to docs/.
#
#   utils/update-docs.sh          regenerate and copy
#   utils/update-docs.sh --check  regenerate and fail if docs/ is stale
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_BUILD_DIR:-$root/build}"
docs=(LossDialect.md LossPasses.md LossTransformsPasses.md LossConversionPasses.md LossGPUPasses.md GPUTransformsPasses.md)

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

"$root/utils/build.sh" mlir-doc

stale=0
for f in "${docs[@]}"; do
  src="$build/docs/Loss/$f"
  [[ -f "$src" ]] || { echo "error: $src was not generated" >&2; exit 1; }
  if (( check )); then
    if ! cmp -s "$src" "$root/docs/$f"; then
      echo "docs/$f is stale; run utils/update-docs.sh" >&2
      stale=1
    fi
  else
    cp "$src" "$root/docs/$f"
    echo "updated docs/$f"
  fi
done
exit "$stale"
