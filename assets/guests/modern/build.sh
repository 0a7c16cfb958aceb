#!/usr/bin/env bash
# Builds the modern test guest: Debian's 686 kernel booted directly (no
# firmware), an initramfs that loads the virtio modules and mounts the
# root from virtio-blk (/dev/vda), and that root: an ext4 file system
# image (no partition table) holding a busybox system whose init gives a
# shell on COM1 (ttyS0).
#
#   bash assets/guests/modern/build.sh [OUTDIR]
#
# OUTDIR defaults to out/ beside this script (ignored by git), where
# modern.cfg looks: vmlinuz, initramfs.cpio.gz and root.img (a pristine
# image; a test copies it before writing to it). No loop devices or
# mounts, so no root for the image: mke2fs -d fills the file system from
# a directory. Debian builds VIRTIO, VIRTIO_PCI, VIRTIO_BLK and ext4 as
# modules: the initramfs carries them with their dependencies (read from
# each module's .modinfo). Idempotent: does nothing when the files are
# there and the recipe has not changed since. Needs e2fsprogs, binutils,
# cpio, gcc-multilib and libdrm-dev (for /bin/hvdraw, the graphical
# program: hvdraw.c, built static for i386), and root (or sudo) once for
# dpkg --add-architecture i386.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/out}
stamp="$out/.recipe"
recipe=$(cat "$here"/{build.sh,init,inittab,rcS,udhcpc.script,hvdraw.c} "$here/../lib.sh" | sha256sum | cut -d' ' -f1)
# What the initramfs loads to mount the root (dependencies follow, so the
# order is virtio_ring, virtio, virtio_pci_modern_dev,
# virtio_pci_legacy_dev, virtio_pci, virtio_blk, crc16, mbcache, jbd2,
# crc32c_generic, ext4), virtio-rng's driver for /dev/hwrng, and
# virtio-net's (after failover and net_failover) for eth0,
# virtio-gpu's (with drm, drm_kms_helper, drm_shmem_helper, ... from its
# .modinfo) for /dev/fb0 and fbcon on vfb = [ 'type=virtio' ], and
# virtio-input's with evdev for its keyboard and mouse (/dev/input/event*).
wanted="virtio_pci virtio_blk crc32c_generic ext4 virtio_rng virtio_gpu virtio_input evdev"
wanted="$wanted virtio_net"
wanted="$wanted virtio_console" # hvc0, the shell of virtio_console = 1
# The Sound Blaster 16's driver (ALSA's core follows) and OSS's /dev/dsp; with no
# snd_sb16.* parameters on the command line it probes no card.
wanted="$wanted snd_sb16 snd_pcm_oss"
root_mib=64

# shellcheck source=assets/guests/lib.sh
source "$here/../lib.sh"

if [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.cpio.gz" ] && [ -s "$out/root.img" ] &&
  [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

# fb_pattern FILE: the picture a graphical test writes to /dev/fb0 (1024x768,
# XRGB8888 as B G R X bytes): 4 bands of 192 rows, each of 8 stripes of 128
# pixels, stripe s of band b coloured R = 32s+16, G = 64b+32,
# B = (37s+91b) mod 256 (tests/integration/test_modern_gpu.c expects it).
fb_pattern() {
  local b s row px
  : >"$1"
  for b in 0 1 2 3; do
    row="$work/fb-row"
    : >"$row"
    for s in 0 1 2 3 4 5 6 7; do
      px=$(printf '\\x%02x\\x%02x\\x%02x\\x00' $(((37 * s + 91 * b) % 256)) $((64 * b + 32)) $((32 * s + 16)))
      # shellcheck disable=SC2046
      printf "$px%.0s" $(seq 128) >>"$row"
    done
    for _ in $(seq 192); do cat "$row"; done >>"$1"
  done
}

say "building the modern guest in $out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch_686 "$work"
# busybox's applets when it cannot list them itself (the host runs no
# i386 code): the ones the scripts and tests use.
busybox_applets="bin/sh bin/mount bin/umount bin/echo bin/cat bin/ls bin/uname
  bin/sleep bin/sync bin/mkdir bin/dd bin/rm sbin/insmod
  sbin/switch_root sbin/init sbin/poweroff sbin/reboot
  usr/bin/md5sum usr/bin/sha256sum bin/grep bin/sed bin/hostname
  sbin/ifconfig sbin/route sbin/ip sbin/udhcpc usr/bin/wget usr/bin/nc
  usr/sbin/httpd usr/bin/nslookup usr/bin/head usr/bin/tail"

# The initramfs: busybox, /init and the modules in load order.
initrd="$work/initrd"
module_initrd "$work" "$initrd" "$here/init" $wanted

# The root: busybox init with its inittab and rcS.
root="$work/root"
# shellcheck disable=SC2086
busybox_tree "$work" "$root" $busybox_applets
mkdir -p "$root/etc/init.d" "$root/mnt"
fb_pattern "$root/etc/fb-pattern"
# hvdraw.c (a picture and a pointer through KMS, page-flip frames): static,
# for the guest's i386 with no libraries of its own.
gcc -m32 -static -O2 -s -Wall -Wextra -Werror -I/usr/include/libdrm \
  -o "$root/bin/hvdraw" "$here/hvdraw.c"
install -m 644 "$here/inittab" "$root/etc/inittab"
install -m 755 "$here/rcS" "$root/etc/init.d/rcS"
mkdir -p "$root/usr/share/udhcpc"
install -m 755 "$here/udhcpc.script" "$root/usr/share/udhcpc/default.script"
truncate -s ${root_mib}M "$work/root.img"
mke2fs -q -t ext4 -L hvroot -E root_owner=0:0 -d "$root" "$work/root.img"

mkdir -p "$out"
(cd "$initrd" && find . -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9n >"$out/initramfs.cpio.gz.tmp"
cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz.tmp"
mv "$work/root.img" "$out/root.img"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "$kpkg" >"$out/kernel-package"
echo "$recipe" >"$stamp"
say "modern guest ready in $out ($kpkg; modules:$order)"
