#!/usr/bin/env bash
# Wall time of a whole boot from disk: the image of assets/guests/linuxdisk
# (SeaBIOS, GRUB 2 with a 1 s menu, Debian's 686 kernel, its initrd loading
# the ATA and ext4 modules, busybox init on the ext4 root), from start to
# the ready marker on COM1, and on to the end of the process after
# `poweroff` (busybox init's clean shutdown, then ACPI S5). hv's soft
# engine next to QEMU TCG, both with SeaBIOS, 128 MiB and the image as the
# first IDE disk; each run on a fresh copy of the image. hv runs with
# boot_menu = 0 like QEMU's default (-boot menu=off): hv's default shows
# SeaBIOS's ESC prompt, a 2.5 s wait QEMU's boot does not have. Median of
# 3 runs each. Prints figures; asserts nothing.
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
stop="poweroff"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"

hv_once() {
  cp "$guest/linux.img" "$work/disk.img"
  printf 'name = "bench-linuxdisk"\nmemory = 128\nengine = "soft"\nfirmware = "%s"\nserial = "stdio"\ndisk = [ '\''format=raw, vdev=hda, access=rw, target=%s'\'' ]\nboot = "c"\nboot_menu = 0\n' \
    "$bios" "$work/disk.img" >"$work/linuxdisk.cfg"
  once hv "$hv" run --timeout 900 "$work/linuxdisk.cfg"
}

qemu_once() {
  cp "$guest/linux.img" "$work/disk.img"
  once qemu qemu-system-i386 -accel tcg -M pc -m 128 -bios "$bios" \
    -drive "file=$work/disk.img,format=raw,if=ide,index=0" -boot c \
    -display none -serial stdio -monitor none -no-reboot
}

alternate "$work/q" "$work/h"
q=$(median <"$work/q")
h=$(median <"$work/h")
report "Linux from an IDE disk through GRUB to the shell, then poweroff" 1 "$h" "$q"
