#!/usr/bin/env bash
# Wall time of a whole Linux boot: Debian's 686 kernel and the busybox
# initramfs of assets/guests/linux, from start to the shell's ready marker
# on COM1, and on to the end of the process after `poweroff -f` (ACPI S5).
# hv's soft engine (direct Linux boot, kernel=) next to QEMU TCG booting
# the same files with -kernel/-initrd/-append (through SeaBIOS), 128 MiB,
# same command line. Median of 3 runs each. Prints figures; asserts nothing.
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

hv_once() {
  printf 'name = "bench-linux"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "%s"\nserial = "stdio"\n' \
    "$guest/vmlinuz" "$guest/initramfs.cpio.gz" "$cmdline" >"$work/linux.cfg"
  once hv "$hv" run --timeout 900 "$work/linux.cfg"
}

qemu_once() {
  once qemu qemu-system-i386 -accel tcg -M pc -m 128 -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$cmdline" -nographic -no-reboot
}

alternate "$work/q" "$work/h"
q=$(median <"$work/q")
h=$(median <"$work/h")
report "Linux boot to the shell, then poweroff" 2 "$h" "$q"
