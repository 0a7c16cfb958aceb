#!/usr/bin/env bash
# cpu.sh's workloads measured by CPU time (user + system, from
# /usr/bin/time) instead of wall time, for a loaded machine where other
# processes take turns on the cores: hv's soft engine, optionally a second
# hv binary (BASE_HV=path, e.g. a build of main), and QEMU's TCG, run in
# turn ROUNDS times. As in cpu.sh, each runs N and 2N iterations and the
# difference is the cost of N alone. /usr/bin/time counts in 10 ms steps,
# so keep N large enough for runs of a second or more. Prints figures;
# asserts nothing.
#
#   bash tests/bench/cpu_time.sh [BUILD_DIR] [KIND]   (default: build, 4 = x87)
#   env: N (loops, default 5000000), ROUNDS (default 3), BASE_HV
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
kind=${2:-4}
hv="$root/$build/hv"
n=${N:-5000000}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"

declare -A per=([1]=6 [2]=7 [3]=5 [4]=6)
units=$((n * ${per[$kind]}))

for loops in "$n" $((n * 2)); do
	nasm -f bin -I"$root/tests/guests/" -DKIND="$kind" -DLOOPS="$loops" \
		-o "$work/bench-$loops.bin" "$root/tests/guests/bench.asm"
done

cpu_ns() { # command... -> user + system nanoseconds
	/usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null 2>&1 || true
	awk 'END { printf "%d", ($1 + $2) * 1e9 }' "$work/time"
}

run_hv() { # binary rom -> ns
	printf 'name = "bench"\nmemory = 16\nengine = "soft"\nfirmware = "%s"\nserial = "none"\n' \
		"$2" >"$work/bench.cfg"
	cpu_ns "$1" run "$work/bench.cfg"
}

run_qemu() { # rom -> ns
	cpu_ns qemu-system-i386 -accel tcg -nodefaults -display none -m 16 -bios "$1" \
		-device isa-debug-exit,iobase=0x501,iosize=2
}

rate() { # name small_ns big_ns
	awk -v name="$1" -v u="$units" -v ns=$(($3 - $2)) \
		'BEGIN { if (ns <= 0) printf "%-10s n/a\n", name; else printf "%-10s %8.1f MIPS\n", name, u / ns * 1000 }'
}

small="$work/bench-$n.bin" big="$work/bench-$((n * 2)).bin"
for _ in $(seq "$rounds"); do
	rate hv "$(run_hv "$hv" "$small")" "$(run_hv "$hv" "$big")"
	if [ -n "${BASE_HV:-}" ]; then
		rate base "$(run_hv "$BASE_HV" "$small")" "$(run_hv "$BASE_HV" "$big")"
	fi
	if command -v qemu-system-i386 >/dev/null; then
		rate qemu-tcg "$(run_qemu "$small")" "$(run_qemu "$big")"
	fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
