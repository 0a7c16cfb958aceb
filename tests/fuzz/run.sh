#!/bin/sh
# Runs every libFuzzer harness of a HV_FUZZ=ON build for a bounded time on
# a copy of its committed seed corpus (tests/fuzz/corpus/NAME); new inputs
# stay in the copy, crashes are written to DIR/crashes and fail the run.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_EACH]     (default 20)
set -eu
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS_EACH]}
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work="$build/fuzz-work"
mkdir -p "$work/crashes"
status=0
for corpus in "$here"/corpus/fuzz_*; do
  name=$(basename "$corpus")
  bin="$build/$name"
  [ -x "$bin" ] || { echo "fuzz: $bin missing (build with -DHV_FUZZ=ON)" >&2; exit 1; }
  rm -rf "$work/$name" && cp -r "$corpus" "$work/$name"
  echo "== $name: $seconds s" >&2
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/crashes/$name-" -print_final_stats=1 "$work/$name" \
      >"$work/$name.log" 2>&1; then
    tail -40 "$work/$name.log" >&2
    echo "fuzz: $name failed; the input is in $work/crashes" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units" "$work/$name.log" >&2 || true
  fi
done
exit $status
