#!/usr/bin/env bash
# Builds the Linux test guest: Debian's 686 kernel (the i386 linux-image-686
# flavour) and a busybox initramfs whose /init mounts /proc, /sys and /dev,
# prints a ready marker on ttyS0 and runs a shell there.
#
#   bash assets/guests/linux/build.sh [OUTDIR]
#
# OUTDIR defaults to out/ beside this script (ignored by git), where
# linux.cfg looks. It ends up holding vmlinuz and initramfs.cpio.gz.
# Idempotent: does nothing when both are there and the recipe has not
# changed since. Needs root (or sudo) for dpkg --add-architecture i386.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/out}
stamp="$out/.recipe"
recipe=$(cat "$here/build.sh" "$here/init" "$here/../lib.sh" | sha256sum | cut -d' ' -f1)
# shellcheck source=assets/guests/lib.sh
source "$here/../lib.sh"

if [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.cpio.gz" ] &&
   [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

say "building the Linux guest in $out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch_686 "$work"

# The initramfs: busybox and its applet links, /init, and the device nodes
# the kernel needs before devtmpfs is mounted.
fs="$work/initramfs"
mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
cp "$work/busybox/bin/busybox" "$fs/bin/busybox"
# The applet list from busybox itself when the host runs i386 binaries,
# else the few the guest's /init and the tests use.
applets=$("$work/busybox/bin/busybox" --list-full 2>/dev/null ||
  echo bin/sh bin/mount bin/echo bin/cat bin/ls bin/uname sbin/poweroff sbin/reboot)
for applet in $applets; do
  [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$fs/$applet"
done
install -m 755 "$here/init" "$fs/init"
(cd "$fs" && find . -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc --owner=0:0 --quiet) > "$work/initramfs.cpio"

mkdir -p "$out"
gzip -9n < "$work/initramfs.cpio" > "$out/initramfs.cpio.gz.tmp"
cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "$kpkg" > "$out/kernel-package"
echo "$recipe" > "$stamp"
say "Linux guest: $kpkg, $(stat -c %s "$out/vmlinuz") + $(stat -c %s "$out/initramfs.cpio.gz") bytes"
