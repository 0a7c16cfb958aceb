#!/usr/bin/env bash
# Wall time from start to the SYSLINUX menu (its title on COM1, which
# syslinux.cfg's SERIAL directive mirrors the menu to), booting
# assets/guests/syslinux/out/syslinux.img from drive A: through SeaBIOS:
# hv's soft engine next to QEMU TCG, same ROM (Debian's bios-256k.bin),
# 32 MiB, a VGA but no display. Median of 5 runs each. Prints figures;
# asserts nothing.
#
#   bash tests/bench/syslinux.sh [BUILD_DIR]      (default: build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
bios=/usr/share/seabios/bios-256k.bin
img="$root/assets/guests/syslinux/out/syslinux.img"
title="hv SYSLINUX test floppy"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"
cleanup() { "$hv" destroy bench-syslinux >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

bash "$root/assets/guests/syslinux/build.sh"

# wait_for FILE: until the menu's title is there (at most 300 s).
wait_for() {
  for _ in $(seq 1 30000); do
    grep -q "$title" "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "no SYSLINUX menu in $1" >&2
  return 1
}

hv_once() {
  local log="$work/hv.txt" t0
  rm -f "$log"
  printf 'name = "bench-syslinux"\nmemory = 32\nengine = "soft"\nfirmware = "%s"\nserial = "file:%s"\ndisk = [ '"'"'format=raw,vdev=fda,access=ro,target=%s'"'"' ]\nboot = "a"\nboot_menu = 0\n' \
    "$bios" "$log" "$img" >"$work/sl.cfg"
  t0=$(date +%s%N)
  "$hv" create "$work/sl.cfg" >/dev/null
  wait_for "$log"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
  "$hv" destroy bench-syslinux
}

qemu_once() {
  local log="$work/q.txt" t0 pid
  rm -f "$log"
  t0=$(date +%s%N)
  qemu-system-i386 -accel tcg -nodefaults -vga std -display none -m 32 -bios "$bios" \
    -drive file="$img",if=floppy,format=raw,readonly=on -boot a \
    -serial file:"$log" 2>/dev/null &
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
printf '%-28s %8s %10s\n' "SYSLINUX boot (ms, median)" hv qemu-tcg
printf '%-28s %8s %10s\n' "to the menu (floppy)" "$hv_ms" "$q_ms"
