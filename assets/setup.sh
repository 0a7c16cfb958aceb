#!/usr/bin/env bash
# Sets up a Debian 12 machine for hv and builds it.
#
#   bash assets/setup.sh            install what is missing, build
#   bash assets/setup.sh --demo     ... then run `hv demo`
#   bash assets/setup.sh --test     ... then run the whole test suite (ctest),
#                                   and all of it again under ASan+UBSan, and
#                                   check the formatting
#
# Run as root, or as a user with sudo. Safe to run again: it installs only
# what is missing and rebuilds only what changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# Every Debian package hv needs to build, run and test.
packages=(
  build-essential cmake pkg-config git
  nasm check
  libncurses-dev libsdl2-dev libpng-dev libpulse-dev libslirp-dev
  libspeexdsp-dev libadplug-dev liblzma-dev
  pulseaudio pulseaudio-utils
  seabios xorriso
  socat clang clang-format tmux
  xvfb xdotool x11-apps x11-utils xfonts-base
  qemu-system-x86 qemu-system-gui qemu-utils zlib1g-dev xz-utils binutils gdb
  grub-pc-bin grub-common mtools fdisk
  cpio memtest86+ e2fsprogs acpica-tools gcc-multilib libdrm-dev
  syslinux syslinux-common dosfstools
  man-db groff-base bash-completion desktop-file-utils librsvg2-bin
)

# say, as_root, apt_update (retried: a mirror mid-sync fails one index)
# shellcheck source=assets/guests/lib.sh
. "$root/assets/guests/lib.sh"

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "all ${#packages[@]} packages present"
    return
  fi
  say "installing: ${missing[*]}"
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# hv keeps guest RAM in a memfd (shared memory: save, restore, migration
# and KVM map it), which gets 2 MiB pages only when the kernel's shmem
# huge pages allow it; Debian's default is "never", so hv's RAM sits in
# 4 KiB pages where QEMU's anonymous RAM gets huge ones. "advise" gives
# huge pages to mappings that ask (hv does, with MADV_HUGEPAGE) and
# nothing else: hv's soft CPU spent ~10% less CPU per MB on a virtio-blk
# write with it. Until the next reboot; HV_SETUP_NO_TUNING=1 skips it.
tune_host() {
  local knob=/sys/kernel/mm/transparent_hugepage/shmem_enabled
  [ -z "${HV_SETUP_NO_TUNING:-}" ] && [ -e "$knob" ] && grep -q '\[never\]' "$knob" || return 0
  say "shmem huge pages: never -> advise (hv's guest RAM in 2 MiB pages)"
  echo advise | as_root tee "$knob" >/dev/null || say "could not set $knob; guest RAM stays in 4 KiB pages"
}

build() {  # build DIR [cmake options...]
  local dir=$1; shift
  say "building in $dir"
  cmake -S "$root" -B "$root/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$root/$dir" -j"$jobs"
}

check_format() {
  say "formatting (clang-format, the committed .clang-format)"
  local dirs=()
  for d in hv console tui display legacy tests; do [ -d "$root/$d" ] && dirs+=("$d"); done
  (cd "$root" && find "${dirs[@]}" -name '*.[ch]' -print0 | xargs -0 clang-format --dry-run --Werror)
}

# Packagers and most users build Release; developers Debug. Every type
# must build with -Werror, with gcc and with clang (their warnings differ,
# and gcc's depend on the optimisation level): gcc builds RelWithDebInfo
# (the test build), Release and Debug; clang builds RelWithDebInfo, whose
# unit tests run too (inline asm that gcc's register choices let pass once
# wrote the x87's results to a wrong address in the clang build only),
# and the fuzzers.
check_build_types() {
  build build-release -DCMAKE_BUILD_TYPE=Release
  build build-debug -DCMAKE_BUILD_TYPE=Debug
  build build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang
  say "unit tests of the clang build"
  (cd "$root/build-clang" && ctest --output-on-failure -j"$jobs" -L "unit|layers")
}

run_tests() {
  check_format
  check_build_types
  say "test suite (ctest)"
  (cd "$root/build" && ctest --output-on-failure -j"$jobs")
  build build-asan -DHV_SANITIZE=ON
  say "test suite under ASan+UBSan"
  # Detached domains have no stderr: sanitizer reports go to files, and
  # any report fails the run.
  local reports="$root/build-asan/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  (cd "$root/build-asan" &&
    ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
    UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
    ctest --output-on-failure -j"$jobs" -LE asan-skip)
  if [ -n "$(ls -A "$reports")" ]; then
    cat "$reports"/* >&2
    say "sanitizer reports above"
    return 1
  fi
  say "fuzzers (libFuzzer, 15 s each on the committed corpus)"
  cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_C_COMPILER=clang -DHV_FUZZ=ON >/dev/null
  cmake --build "$root/build-fuzz" -j"$jobs" --target fuzzers
  "$root/tests/fuzz/run.sh" "$root/build-fuzz" 15
}

mode=${1:-}
case "$mode" in
  ""|--demo|--test) ;;
  *) echo "usage: bash assets/setup.sh [--demo|--test]" >&2; exit 2 ;;
esac

install_missing
tune_host
build build
# The Linux test guest (Debian's i386 kernel and busybox; cached in
# assets/guests/linux/out, fast once built).
bash "$root/assets/guests/linux/build.sh"
# The GRUB test guest: a raw disk image with GRUB 2 installed (no root).
bash "$root/assets/guests/grub/build.sh"
# The Linux disk guest: GRUB, Debian's i386 kernel and a busybox root on an
# ext4 partition (no root or loop devices either).
bash "$root/assets/guests/linuxdisk/build.sh"
# The SYSLINUX test guest: a 1.44 MB floppy image with its menu and HDT.
bash "$root/assets/guests/syslinux/build.sh"
# The modern guest: Debian's i386 kernel booted directly, its ext4 root on
# virtio-blk (an image made with mke2fs -d, no root either).
bash "$root/assets/guests/modern/build.sh"
case "$mode" in
  --demo) say "hv demo (q leaves hv top; 'build/hv destroy legacy' and 'modern' end the guests)"; exec "$root/build/hv" demo ;;
  --test) run_tests ;;
esac
