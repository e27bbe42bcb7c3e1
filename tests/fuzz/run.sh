#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS from its seed corpus (tests/fuzz/corpus/<target>, read only);
# new inputs go to BUILD/fuzz-corpus/<target>, findings (crash-*, leak-*, timeout-*, oom-*) to BUILD/fuzz-findings.
# Prints each target's executions and findings; fails when any target finds something.
# Usage: tests/fuzz/run.sh BUILD SECONDS TARGET...  (FUZZ_RUNS=N also stops a target after N executions)
set -uo pipefail
build=$1 seconds=$2
shift 2
runs_limit=()
[ -n "${FUZZ_RUNS:-}" ] && runs_limit=(-runs="$FUZZ_RUNS")
here=$(cd "$(dirname "$0")" && pwd)
findings=$build/fuzz-findings
mkdir -p "$findings"
failed=0
for target in "$@"; do
  corpus=$build/fuzz-corpus/$target
  log=$build/fuzz-$target.log
  mkdir -p "$corpus"
  started=$SECONDS
  # -timeout: one input taking this long is a finding; -rss_limit_mb: so is using this much memory. The HTTP
  # target runs whole handlers on the sample (site suggestions take 1-2 s in a release build), which an
  # instrumented build on a busy machine makes 10-20 times slower: it gets 60 s, the others 20 s.
  timeout=20
  [ "$target" = fuzz_http_request ] && timeout=60
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions=$here/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$target" -max_total_time="$seconds" "${runs_limit[@]}" -print_final_stats=1 -timeout="$timeout" -rss_limit_mb=4096 \
    -artifact_prefix="$findings/$target-" "$corpus" "$here/corpus/$target" >"$log" 2>&1
  code=$?
  elapsed=$((SECONDS - started))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(ls "$findings" | grep -cE "^$target-(crash|leak|timeout|oom)-" || true)  # (slow-unit-* are reported, not failures)
  printf '%-20s %12s executions in %s s (%s/s), corpus %s inputs, %s findings\n' "$target" "${runs:-?}" "$elapsed" "${rate:-?}" \
    "$(ls "$corpus" | wc -l)" "$found"
  if [ "$code" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "--- $target failed (exit $code); the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done
exit $failed
