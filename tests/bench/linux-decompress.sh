#!/usr/bin/env bash
# The Linux boot of tests/bench/linux.sh split in two at the kernel's
# first line: with earlyprintk on COM1, "Linux version" appears once the
# bzImage's XZ decompressor has run (for QEMU, SeaBIOS's time before it
# too); the rest is the kernel's own boot to the shell's ready marker.
# hv's soft engine next to QEMU TCG, same files and command line, 128 MiB.
# Median of BENCH_RUNS runs (3) by the decompress phase. Prints figures
# and the hv/QEMU ratio of each phase; asserts nothing.
#
#   bash tests/bench/linux-decompress.sh [BUILD_DIR]   (default: build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest="$root/assets/guests/linux/out"
cmdline="earlyprintk=serial,ttyS0,115200 console=ttyS0,115200 panic=-1 cryptomgr.notests"
marker=HV-LINUX-READY
runs=${BENCH_RUNS:-3}
bash "$root/assets/guests/linux/build.sh" "$guest"
stop="poweroff -f"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"

# phases NAME COMMAND...: prints "DECOMPRESS_MS REST_MS" of one boot.
phases() {
  local name=$1 t0 t1 t2
  shift
  t0=$(now_ms)
  start "$name" "$@"
  wait_for "Linux version" 60000 && t1=$(now_ms)
  wait_for "$marker" 60000 && t2=$(now_ms)
  echo "$stop" >&9
  wait "$pid" || true
  pid=
  exec 9>&-
  if [ -z "${t2:-}" ]; then
    echo "no '$marker' from $name; its output ends:" >&2
    tail -5 "$out" >&2
    return 1
  fi
  echo "$((t1 - t0)) $((t2 - t1))"
}

hv_once() {
  printf 'name = "bench-xz"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "%s"\nserial = "stdio"\nkernel_decompress = 0\n' \
    "$guest/vmlinuz" "$guest/initramfs.cpio.gz" "$cmdline" >"$work/xz.cfg"
  phases hv "$hv" run --timeout 900 "$work/xz.cfg"
}

qemu_once() {
  phases qemu qemu-system-i386 -accel tcg -M pc -m 128 -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$cmdline" -nographic -no-reboot
}

alternate "$work/q" "$work/h"
q=$(median 1 <"$work/q")
h=$(median 1 <"$work/h")
read -r hd hr <<<"$h"
read -r qd qr <<<"$q"
printf 'Linux boot in two phases (median of %d by the first, ms; load %s):\n' "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-22s to "Linux version" %6d   on to the marker %6d\n' "hv (soft)" "$hd" "$hr" \
  "qemu-system-i386 tcg" "$qd" "$qr"
awk -v hd="$hd" -v hr="$hr" -v qd="$qd" -v qr="$qr" \
  'BEGIN { printf "  ratio hv/qemu: decompress %.2fx, rest %.2fx, whole %.2fx\n", hd / qd, hr / qr, (hd + hr) / (qd + qr) }'
