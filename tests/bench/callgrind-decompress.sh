#!/usr/bin/env bash
# Host instructions of hv's soft engine for the bzImage's XZ decompressor,
# counted by callgrind (repeatable on a noisy machine, unlike wall time):
# a soft domain of assets/guests/linux/out runs under callgrind until the
# kernel's first line ("Linux version") shows on COM1, then is stopped;
# the figure is the whole process's count (start-up is small beside the
# decompressor). The serial is polled every half second, so a little of
# the kernel's early boot is counted too. Same valgrind flags as
# callgrind.sh. Prints the figure; asserts nothing. Needs valgrind.
#
#   bash tests/bench/callgrind-decompress.sh [BUILD_DIR]  (default: build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
hv="$root/$build/hv"
g="$root/assets/guests/linux/out"
work=$(mktemp -d)
vg=
trap '[ -z "$vg" ] || kill "$vg" 2>/dev/null || true; rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME"

printf 'name = "cgdecomp%s"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "earlyprintk=serial,ttyS0,115200 console=ttyS0,115200"\nserial = "stdio"\nkernel_decompress = 0\naudio = "none"\n' \
  $$ "$g/vmlinuz" "$g/initramfs.cpio.gz" >"$work/cfg"
HV_SANDBOX=0 valgrind --tool=callgrind --smc-check=all --trace-children=yes \
  --callgrind-out-file="$work/cg.out.%p" "$hv" run "$work/cfg" >"$work/serial" 2>"$work/err" &
vg=$!
until grep -qs "Linux version" "$work/serial"; do
  kill -0 "$vg" 2>/dev/null || { echo "hv ended before the kernel's first line" >&2; exit 1; }
  sleep 0.5
done
kill -INT "$vg"
wait "$vg" || true
vg=
total=0
for f in "$work"/cg.out.*; do
  n=$(sed -n 's/^summary: //p' "$f")
  total=$((total + ${n:-0}))
done
echo "host instructions to \"Linux version\": $total"
