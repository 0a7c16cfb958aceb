#!/usr/bin/env bash
# Guest CPU speed of hv's soft engine next to QEMU's TCG on the same guest
# ROM (tests/guests/bench.asm), in the same run. Prints figures; asserts
# nothing.
#
#   bash tests/bench/cpu.sh [BUILD_DIR]      (default: build)
#
# Each workload runs twice, with N and 2N iterations; the difference of the
# two wall times is the time of N iterations alone, so boot and start-up
# costs cancel out; each difference is the median of REPEAT pairs of runs
# (default 3: one pair of short runs moved QEMU's ALU figure by 2x on a
# quiet host). Needs qemu-system-i386 (package qemu-system-x86) for the
# comparison; without it only hv's figures are printed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
hv="$root/$build/hv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"

# kind name loops insns-per-iteration bytes-per-iteration hv-scale: hv
# runs loops * hv-scale iterations (its bulk REP path copies 2 KiB in well
# under a microsecond, so QEMU's count would leave its N and 2N runs apart
# by less than the start-up's noise)
workloads=(
  "1 alu 500000000 6 0 1"
  "2 memory 300000000 7 0 1"
  "3 rep-movsw 1000000 5 2048 20"
  "4 fpu 10000000 6 0 1"
)

now_ns() { date +%s%N; }

rom() {  # kind loops -> path
  local out="$work/bench-$1-$2.bin"
  nasm -f bin -I"$root/tests/guests/" -DKIND="$1" -DLOOPS="$2" -o "$out" \
    "$root/tests/guests/bench.asm"
  echo "$out"
}

run_hv() {  # rom -> wall ns
  local cfg="$work/bench.cfg" t0 t1
  printf 'name = "bench"\nmemory = 16\nengine = "soft"\nfirmware = "%s"\nserial = "none"\n' \
    "$1" >"$cfg"
  t0=$(now_ns)
  "$hv" run "$cfg" 2>/dev/null || [ $? -eq 33 ]
  t1=$(now_ns)
  echo $((t1 - t0))
}

run_qemu() {  # rom -> wall ns
  local t0 t1
  t0=$(now_ns)
  qemu-system-i386 -accel tcg -nodefaults -display none -m 16 -bios "$1" \
    -device isa-debug-exit,iobase=0x501,iosize=2 >/dev/null 2>&1 || [ $? -eq 33 ]
  t1=$(now_ns)
  echo $((t1 - t0))
}

repeat=${REPEAT:-3}
# median_delta RUNNER SMALL BIG -> the median of REPEAT (BIG - SMALL) wall times
median_delta() {
  local i
  for ((i = 0; i < repeat; i++)); do
    echo $(( $("$1" "$3") - $("$1" "$2") ))
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

rate() {  # units delta_ns -> per second, in millions
  awk -v u="$1" -v ns="$2" 'BEGIN { if (ns <= 0) print "n/a"; else printf "%.1f", u / ns * 1000 }'
}

have_qemu=false
command -v qemu-system-i386 >/dev/null && have_qemu=true

printf '%-10s %12s %12s %8s   %s\n' workload hv qemu-tcg hv/qemu unit
for w in "${workloads[@]}"; do
  read -r kind name loops per bytes scale <<<"$w"
  units=$((loops * per)) unit="MIPS"
  if [ "$bytes" -gt 0 ]; then units=$((loops * bytes)) unit="MB/s"; fi
  hv_loops=$((loops * scale))
  small=$(rom "$kind" "$loops")
  big=$(rom "$kind" $((loops * 2)))
  hv_rate=$(rate $((units * scale)) "$(median_delta run_hv "$(rom "$kind" "$hv_loops")" "$(rom "$kind" $((hv_loops * 2)))")")
  q_rate=n/a ratio=n/a
  if $have_qemu; then
    q_rate=$(rate "$units" "$(median_delta run_qemu "$small" "$big")")
    ratio=$(awk -v a="$hv_rate" -v b="$q_rate" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
  fi
  printf '%-10s %12s %12s %8s   %s\n' "$name" "$hv_rate" "$q_rate" "$ratio" "$unit"
done
