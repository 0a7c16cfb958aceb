#!/usr/bin/env bash
# Host instructions per guest instruction of hv's soft engine on the
# loops of tests/guests/bench.asm, counted by callgrind (repeatable on a
# noisy machine, unlike wall time). Each workload runs with N and 2N
# iterations; the difference of the two instruction counts is the cost of
# N iterations alone, so start-up cancels out. Prints figures; asserts
# nothing. The domain runs with audio = "none" (the mixer would add work
# per second of wall time, not per instruction) and unsandboxed (valgrind
# has no seccomp). Valgrind checks all code for changes (--smc-check=all):
# the JIT (hv/x86/jit.c) reuses its code buffer after a flush. HV_JIT=0 in
# the environment measures the interpreter. Needs valgrind.
#
#   bash tests/bench/callgrind.sh [BUILD_DIR] [KIND...]  (default: build, 1 2 4 5)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
shift || true
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(1 2 4 5)
hv="$root/$build/hv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"

# kind -> name loops insns-per-iteration
declare -A name=([1]=alu [2]=memory [3]=rep-movsw [4]=fpu [5]=call)
declare -A loops=([1]=400000 [2]=300000 [3]=2000 [4]=100000 [5]=200000)
declare -A per=([1]=6 [2]=7 [3]=5 [4]=6 [5]=9)

count() {  # kind loops -> host instructions of the whole run
  local rom="$work/bench-$1-$2.bin" cfg="$work/bench.cfg" total=0 f n
  nasm -f bin -I"$root/tests/guests/" -DKIND="$1" -DLOOPS="$2" -o "$rom" \
    "$root/tests/guests/bench.asm"
  printf 'name = "bench"\nmemory = 16\nengine = "soft"\nfirmware = "%s"\nserial = "none"\naudio = "none"\n' \
    "$rom" >"$cfg"
  rm -f "$work"/cg.out.*
  HV_SANDBOX=0 valgrind --tool=callgrind --smc-check=all --trace-children=yes --callgrind-out-file="$work/cg.out.%p" \
    "$hv" run "$cfg" >/dev/null 2>&1 || true
  for f in "$work"/cg.out.*; do
    n=$(sed -n 's/^summary: //p' "$f")
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

printf '%-10s %14s\n' workload host/guest
for k in "${kinds[@]}"; do
  n=${loops[$k]}
  a=$(count "$k" "$n")
  b=$(count "$k" $((n * 2)))
  awk -v d=$((b - a)) -v g=$((n * ${per[$k]})) -v w="${name[$k]}" \
    'BEGIN { printf "%-10s %14.1f\n", w, d / g }'
done
