#!/usr/bin/env bash
# Wall time of a whole Linux boot: Debian's 686 kernel and the busybox
# initramfs of assets/guests/linux, from start to the shell's ready marker
# on COM1, and on to the end of the process after `poweroff -f` (ACPI S5).
# hv's soft engine (direct Linux boot, kernel=) next to QEMU TCG booting
# the same files with -kernel/-initrd/-append (through SeaBIOS), 128 MiB,
# same command line. Median of 3 runs each. hv runs twice a round: as it
# boots by default (hv decompresses the kernel on the host, as Xen's
# domain builder does) and with kernel_decompress = 0 (the kernel's own
# XZ decompressor runs in the guest, as under QEMU: the like-for-like
# measure of the soft CPU). Prints figures; asserts nothing.
#
#   bash tests/bench/linux.sh [BUILD_DIR]      (default: build; BENCH_RUNS=N)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest="$root/assets/guests/linux/out"
cmdline="console=ttyS0,115200 panic=-1 cryptomgr.notests"
marker=HV-LINUX-READY
runs=${BENCH_RUNS:-3}
bash "$root/assets/guests/linux/build.sh" "$guest"
stop="poweroff -f"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"

hv_once() { # [KERNEL_DECOMPRESS]
  printf 'name = "bench-linux"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "%s"\nserial = "stdio"\nkernel_decompress = %s\n' \
    "$guest/vmlinuz" "$guest/initramfs.cpio.gz" "$cmdline" "${1:-1}" >"$work/linux.cfg"
  once hv "$hv" run --timeout 900 "$work/linux.cfg"
}

qemu_once() {
  once qemu qemu-system-i386 -accel tcg -M pc -m 128 -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$cmdline" -nographic -no-reboot
}

for _ in $(seq "$runs"); do
  qemu_once >>"$work/q"
  hv_once >>"$work/h"
  hv_once 0 >>"$work/h0"
done
q=$(median <"$work/q")
report "Linux boot to the shell, then poweroff (hv decompresses the kernel)" 2 \
  "$(median <"$work/h")" "$q"
report "The same, the kernel decompressing itself in the guest (kernel_decompress = 0)" 2 \
  "$(median <"$work/h0")" "$q"
