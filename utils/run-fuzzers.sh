#!/usr/bin/env bash
# Builds build-fuzz/ (utils/build-fuzz.sh: ASan, UBSan, libFuzzer) and runs
# each fuzz target for a bounded time on seeds from the test inputs
# (utils/fuzz-corpus.py). Any crash, sanitizer report, timeout or memory
# blow-up fails the script; the input is saved under
# build-fuzz/fuzz/findings/ and its path printed.
#
#   utils/run-fuzzers.sh [--time=SECONDS | --runs=N] [--seed=S] [--seeds=N]
#                        [--no-build] [TARGET...]
#
# TARGET: onnx (the importer), opt-llvm, opt-llvm-out-params,
# opt-gpu-emulation, opt-nvvm (loss-opt-fuzzer with one pipeline each);
# default all five. --time is per target (default 15: about a minute and a
# quarter in all, as utils/run-tests.sh runs it; every seed runs first,
# which for each pipeline takes about 10 s under ASan, before the time limit
# applies). --seeds=N starts the MLIR targets from a fixed sample of N seeds
# instead of all of them (quicker to mutate from). A campaign:
#
#   utils/run-fuzzers.sh --time=3600
#
# Inputs that found new coverage accumulate in build-fuzz/fuzz/corpus/
# (kept between runs, so a later run starts from them).
#
# --runs=N instead bounds each target by executions (N per MLIR target,
# 2N for the faster ONNX one, N/4 for nvvm, seeds included), with
# libFuzzer's -seed (default 1) and a scratch corpus: the same work on a
# slow machine as on a fast one (utils/run-tests.sh uses --runs). The
# targets are single-threaded, but the mutations still differ a little
# between runs (coverage of code whose path depends on pointer-keyed hash
# maps feeds back into them), so a finding is reproduced from its saved
# input, not by rerunning. Before fuzzing, every file under utils/fuzz-regressions/<kind>/
# (onnx, mlir: inputs that once crashed) is replayed on each target.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LOSS_MLIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"

time_per_target=15
runs=
rng_seed=1
seeds=all
do_build=1
targets=()
for arg in "$@"; do
  case "$arg" in
    --time=*) time_per_target="${arg#--time=}" ;;
    --runs=*) runs="${arg#--runs=}" ;;
    --seed=*) rng_seed="${arg#--seed=}" ;;
    --seeds=*) seeds="${arg#--seeds=}" ;;
    --no-build) do_build=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 0 ;;
    -*) echo "run-fuzzers.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
if ((${#targets[@]} == 0)); then
  targets=(onnx opt-llvm opt-llvm-out-params opt-gpu-emulation opt-nvvm)
fi

if ((do_build)); then
  "$root/utils/build-fuzz.sh" loss-fuzzers
fi

work="$build/fuzz"
mkdir -p "$work/findings" "$work/corpus"
# The models lit's generators left in build-fuzz/test (after
# run-sanitized-tests.sh or the test command) are seeds too.
/usr/bin/python3 "$root/utils/fuzz-corpus.py" "$root" "$work/seeds" --max-len 16384 \
  --generated "$build/test"
# The MLIR seed sample: the file names are content hashes, so the first N
# in name order are a fixed pseudo-random mix of the tests' inputs.
mlir_seeds="$work/seeds/mlir"
if [[ "$seeds" != all ]]; then
  mlir_seeds="$work/seeds/mlir-sample"
  rm -rf "$mlir_seeds"
  mkdir -p "$mlir_seeds"
  find "$work/seeds/mlir" -type f -printf '%f\n' | LC_ALL=C sort | head -n "$seeds" |
    while read -r f; do cp "$work/seeds/mlir/$f" "$mlir_seeds/"; done
fi

# -timeout: seconds for one input (a pipeline that takes longer on a 16 KiB
# input is a bug); -rss_limit_mb also bounds any single allocation.
common=(-rss_limit_mb=3072 -max_len=16384 -print_final_stats=1 -seed="$rng_seed")
if [[ -n "$runs" ]]; then
  bound="$runs runs"
else
  common+=(-max_total_time="$time_per_target")
  bound="${time_per_target}s"
fi
status=0
summary=()
for t in "${targets[@]}"; do
  case "$t" in
    onnx)
      cmd=("$build/bin/loss-onnx-fuzzer" "${common[@]}" -timeout=30
           -dict="$work/seeds/onnx.dict")
      seed_dir="$work/seeds/onnx"
      kind=onnx
      target_runs=$((${runs:-0} * 2)) ;;
    opt-llvm|opt-llvm-out-params|opt-gpu-emulation|opt-nvvm)
      cmd=("$build/bin/loss-opt-fuzzer" "${common[@]}" -timeout=60
           -dict="$work/seeds/mlir.dict")
      seed_dir="$mlir_seeds"
      kind=mlir
      target_runs=${runs:-0}
      [[ "$t" == opt-nvvm ]] && target_runs=$((target_runs / 4)) ;;
    *) echo "run-fuzzers.sh: unknown target $t" >&2; exit 2 ;;
  esac
  ours=()
  if [[ "$t" == opt-* ]]; then
    ours=(-ignore_remaining_args=1 "--pipeline=${t#opt-}")
  fi
  log="$work/$t.log"

  # The known findings first: each file once, no mutation.
  regressions=("$root/utils/fuzz-regressions/$kind"/*)
  if [[ -e "${regressions[0]}" ]]; then
    set +e
    "${cmd[0]}" -rss_limit_mb=3072 "${regressions[@]}" "${ours[@]}" > "$log.regressions" 2>&1
    rc=$?
    set -e
    if ((rc != 0)); then
      status=1
      tail -n 60 "$log.regressions"
      echo "FUZZ FAILURE in $t (exit $rc): a known finding under utils/fuzz-regressions/$kind crashes again; log $log.regressions"
      summary+=("$t: a regression input FAILED")
      continue
    fi
  fi

  corpus="$work/corpus/$t"
  if [[ -n "$runs" ]]; then
    corpus="$work/corpus-scratch/$t"
    rm -rf "$corpus"
    cmd+=(-runs="$target_runs")
  fi
  mkdir -p "$corpus"
  cmd+=(-artifact_prefix="$work/findings/$t-" "$corpus" "$seed_dir" "${ours[@]}")
  [[ -n "$runs" ]] && bound="$target_runs runs"
  echo "=== fuzz $t ($bound): ${cmd[*]}"
  set +e
  "${cmd[@]}" > "$log" 2>&1
  rc=$?
  set -e
  executed=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n1)
  secs=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -n1)
  if ((rc != 0)); then
    status=1
    artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n1)
    tail -n 60 "$log"
    echo "FUZZ FAILURE in $t (exit $rc): input ${artifact:-not saved}; log $log"
    summary+=("$t: FAILED after ${executed:-?} executions (input ${artifact:-?})")
  else
    summary+=("$t: ${executed:-?} executions in ${secs:-?} s, no finding")
  fi
done
echo "=== fuzzing summary"
printf '  %s\n' "${summary[@]}"
exit "$status"
