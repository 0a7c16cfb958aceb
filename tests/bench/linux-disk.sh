#!/usr/bin/env bash
# Wall time of a whole boot from disk: the image of assets/guests/linuxdisk
# (SeaBIOS, GRUB 2 with a 1 s menu, Debian's 686 kernel, its initrd loading
# the ATA and ext4 modules, busybox init on the ext4 root), from start to
# the ready marker on COM1, and on to the end of the process after
# `poweroff` (busybox init's clean shutdown, then ACPI S5). hv's soft
# engine next to QEMU TCG, both with SeaBIOS, 128 MiB and the image as the
# first IDE disk; each run on a fresh copy of the image. Median of 3 runs
# each. Prints figures; asserts nothing.
#
#   bash tests/bench/linux-disk.sh [BUILD_DIR]      (default: build; BENCH_RUNS=N)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest="$root/assets/guests/linuxdisk/out"
bios=/usr/share/seabios/bios-256k.bin
marker="HV-ROOT-READY ttyS0"
runs=${BENCH_RUNS:-3}
bash "$root/assets/guests/linuxdisk/build.sh" "$guest"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# once NAME COMMAND...: runs COMMAND with COM1 on stdio (stdin a FIFO,
# stdout a file) on a fresh copy of the image, $work/disk.img; prints
# "READY_MS TOTAL_MS".
once() {
  local out="$work/$1.txt" fifo="$work/$1.in" t0 ready=
  shift
  rm -f "$out" "$fifo"
  cp "$guest/linux.img" "$work/disk.img"
  mkfifo "$fifo"
  t0=$(now_ms)
  "$@" <"$fifo" >"$out" 2>&1 &
  pid=$!
  exec 9>"$fifo"
  for _ in $(seq 1 60000); do # 600 s at most
    if grep -q "$marker" "$out" 2>/dev/null; then ready=$(( $(now_ms) - t0 )); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [ -z "$ready" ]; then
    echo "no '$marker' from $1; its output ends:" >&2
    tail -5 "$out" >&2
    exec 9>&-
    return 1
  fi
  sleep 0.5 # the shell's prompt
  echo "poweroff" >&9
  wait "$pid" || true
  pid=
  exec 9>&-
  echo "$ready $(( $(now_ms) - t0 ))"
}

hv_once() {
  printf 'name = "bench-linuxdisk"\nmemory = 128\nengine = "soft"\nfirmware = "%s"\nserial = "stdio"\ndisk = [ '\''format=raw, vdev=hda, access=rw, target=%s'\'' ]\nboot = "c"\n' \
    "$bios" "$work/disk.img" >"$work/linuxdisk.cfg"
  once hv "$hv" run --timeout 900 "$work/linuxdisk.cfg"
}

qemu_once() {
  once qemu qemu-system-i386 -accel tcg -M pc -m 128 -bios "$bios" \
    -drive "file=$work/disk.img,format=raw,if=ide,index=0" -boot c \
    -display none -serial stdio -monitor none -no-reboot
}

# median of "READY TOTAL" lines, by total
median() { sort -n -k2 | sed -n "$(( (runs + 1) / 2 ))p"; }

q=$(for _ in $(seq $runs); do qemu_once; done | median)
h=$(for _ in $(seq $runs); do hv_once; done | median)
read -r h_ready h_total <<<"$h"
read -r q_ready q_total <<<"$q"
printf 'Linux from an IDE disk through GRUB to the shell, then poweroff (median of %d, ms):\n' "$runs"
printf '  %-22s ready %7d   total %7d\n' "hv (soft)" "$h_ready" "$h_total" \
  "qemu-system-i386 tcg" "$q_ready" "$q_total"
awk -v h="$h_ready" -v q="$q_ready" 'BEGIN { printf "  ratio hv/qemu (to the marker): %.1fx\n", h / q }'
