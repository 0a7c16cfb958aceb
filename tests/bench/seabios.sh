#!/usr/bin/env bash
# Wall time from start to SeaBIOS's "No bootable device." (the end of POST
# on a machine with no disks), hv's soft engine next to QEMU TCG, same ROM
# (Debian's bios-256k.bin), 32 MiB, no display, no boot menu prompt (hv
# waits for ESC by default; QEMU does not). Median of 5 runs each.
# Prints figures; asserts nothing.
#
#   bash tests/bench/seabios.sh [BUILD_DIR]      (default: build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
bios=/usr/share/seabios/bios-256k.bin
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"
cleanup() { "$hv" destroy bench-seabios >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# wait_for FILE: until POST ends there (at most 60 s).
wait_for() {
  for _ in $(seq 1 6000); do
    grep -q "No bootable device" "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "no 'No bootable device' in $1" >&2
  return 1
}

hv_once() {
  local log="$work/hv.txt" t0
  rm -f "$log"
  printf 'name = "bench-seabios"\nmemory = 32\nengine = "soft"\nfirmware = "%s"\nserial = "none"\ndebugcon = "file:%s"\nboot_menu = 0\n' \
    "$bios" "$log" >"$work/sb.cfg"
  t0=$(date +%s%N)
  "$hv" create "$work/sb.cfg" >/dev/null
  wait_for "$log"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
  "$hv" destroy bench-seabios
}

qemu_once() {
  local log="$work/q.txt" t0 pid
  rm -f "$log"
  t0=$(date +%s%N)
  qemu-system-i386 -accel tcg -nodefaults -display none -m 32 -bios "$bios" \
    -chardev file,id=dbg,path="$log" -device isa-debugcon,iobase=0x402,chardev=dbg 2>/dev/null &
  pid=$!
  wait_for "$log"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

median() { sort -n | sed -n 3p; }

hv_ms=$(for _ in 1 2 3 4 5; do hv_once; done | median)
q_ms=n/a
if command -v qemu-system-i386 >/dev/null; then
  q_ms=$(for _ in 1 2 3 4 5; do qemu_once; done | median)
fi
printf '%-28s %8s %10s\n' "SeaBIOS POST (ms, median)" hv qemu-tcg
printf '%-28s %8s %10s\n' "to 'No bootable device.'" "$hv_ms" "$q_ms"
