#!/usr/bin/env bash
# Builds the linuxdisk test guest: a 64 MiB raw disk image with an MBR
# partition table, GRUB 2 in the MBR and the gap after it, and one ext4
# partition (the root) holding Debian's 686 kernel (/boot/vmlinuz), an
# initrd (/boot/initrd.gz), /boot/grub/grub.cfg and a busybox system whose
# init gives a shell on the VGA console (tty1) and on COM1 (ttyS0).
#
#   bash assets/guests/linuxdisk/build.sh [OUTDIR]
#
# OUTDIR defaults to out/ beside this script (ignored by git); the image is
# OUTDIR/linux.img. No loop devices or mounts, so no root for the image:
# sfdisk writes the partition table into the file, mke2fs -d fills the file
# system from a directory, dd puts it and the boot code in place. The
# kernel's ATA and ext4 drivers are modules: the initrd carries them with
# their dependencies (read from each module's .modinfo). Idempotent: does
# nothing when the image is there and the recipe has not changed since.
# Needs grub-pc-bin, fdisk, e2fsprogs, binutils, cpio, and root (or sudo)
# once for dpkg --add-architecture i386.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/out}
img="$out/linux.img"
stamp="$out/.recipe"
recipe=$(cat "$here"/{build.sh,init,inittab,rcS,grub.cfg} | sha256sum | cut -d' ' -f1)
grubdir=/usr/lib/grub/i386-pc
# What the initrd loads to mount the root (dependencies follow): the PIIX
# IDE controller, SCSI disks, ext4 and the crc32c its checksums use.
wanted="ata_piix sd_mod crc32c_generic ext4"

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -s "$img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

say "building the linuxdisk guest in $out"
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  as_root dpkg --add-architecture i386
  as_root apt-get update -qq
fi
# linux-image-686 is a metapackage naming this release's kernel package.
kernel_package() {
  apt-cache depends linux-image-686:i386 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-686\)\(:i386\)\?$/\1/p' | head -1
}
kpkg=$(kernel_package)
[ -n "$kpkg" ] || { as_root apt-get update -qq; kpkg=$(kernel_package); }
[ -n "$kpkg" ] || { echo "build.sh: cannot find the package linux-image-686 depends on" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's sandbox user writes the downloads here
(cd "$work" && apt-get download -qq "$kpkg:i386" busybox-static:i386)
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
modules=$(echo "$work"/kernel/lib/modules/*/kernel)

# busybox with its applet links (from busybox itself when the host runs
# i386 binaries, else the ones the scripts and tests use) under $1.
busybox_tree() {
  local fs=$1 applet applets
  mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
  cp "$work/busybox/bin/busybox" "$fs/bin/busybox"
  applets=$("$work/busybox/bin/busybox" --list-full 2>/dev/null ||
    echo bin/sh bin/mount bin/umount bin/echo bin/cat bin/ls bin/uname bin/sleep \
      bin/sync bin/mkdir sbin/insmod sbin/switch_root sbin/init sbin/poweroff sbin/reboot)
  for applet in $applets; do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$fs/$applet"
  done
}

# module_file NAME: the .ko of module NAME (- and _ are the same).
module_file() {
  find "$modules" -name "$1.ko" -o -name "${1//_/-}.ko" -o -name "${1//-/_}.ko" | head -1
}

# add_module NAME: NAME's dependencies, then NAME, onto $order (once each).
order=
add_module() {
  local f deps d
  f=$(module_file "$1")
  [ -n "$f" ] || { echo "build.sh: no module $1 in $kpkg" >&2; exit 1; }
  case " $order " in *" ${f##*/} "*) return ;; esac
  deps=$(objcopy -O binary --only-section=.modinfo "$f" /dev/stdout |
    tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
  for d in $deps; do add_module "$d"; done
  order="$order ${f##*/}"
  cp "$f" "$initrd/lib/modules/"
}

# The initrd: busybox, /init and the modules in load order.
initrd="$work/initrd"
busybox_tree "$initrd"
mkdir -p "$initrd/lib/modules" "$initrd/newroot"
for m in $wanted; do add_module "$m"; done
echo $order | tr ' ' '\n' >"$initrd/lib/modules/modules.list"
install -m 755 "$here/init" "$initrd/init"

# The root: busybox init with its inittab and rcS, the kernel, the initrd
# and GRUB's configuration.
root="$work/root"
busybox_tree "$root"
mkdir -p "$root/boot/grub" "$root/etc/init.d"
install -m 644 "$here/inittab" "$root/etc/inittab"
install -m 755 "$here/rcS" "$root/etc/init.d/rcS"
install -m 644 "$here/grub.cfg" "$root/boot/grub/grub.cfg"
cp "$work"/kernel/boot/vmlinuz-* "$root/boot/vmlinuz"
(cd "$initrd" && find . -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9n >"$root/boot/initrd.gz"

# The partition starts at 1 MiB (sectors 1..2047 hold core.img) and runs
# to the end of the disk.
disk_mib=64
part_start=2048
part_sectors=$((disk_mib * 2048 - part_start))
truncate -s 0 "$work/disk.img"
truncate -s ${disk_mib}M "$work/disk.img"
printf "label-id: 0x68764c44\nstart=%s, size=%s, type=83, bootable\n" \
  "$part_start" "$part_sectors" | sfdisk -q --label dos "$work/disk.img"
truncate -s $((part_sectors * 512)) "$work/root.ext4"
mke2fs -q -t ext4 -L hvroot -E root_owner=0:0 -d "$root" "$work/root.ext4"
dd if="$work/root.ext4" of="$work/disk.img" bs=512 seek=$part_start conv=notrunc status=none

# GRUB reads the kernel, the initrd and grub.cfg from the ext4 partition.
grub-mkimage -O i386-pc -d "$grubdir" -o "$work/core.img" \
  -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos ext2 linux normal configfile echo test minicmd
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
[ "$core_sectors" -lt "$part_start" ] ||
  { echo "build.sh: core.img ($core_sectors sectors) does not fit before the partition" >&2; exit 1; }

# le BYTES VALUE: VALUE as BYTES little-endian bytes, for dd.
le() {
  local n=$1 v=$2 i
  for ((i = 0; i < n; i++)); do
    printf "\\$(printf '%03o' $(( (v >> (8 * i)) & 255 )))"
  done
}

# core.img's first sector (diskboot.img) loads the rest by the blocklist
# that ends the sector: start LBA 2, the sector count, load segment 0x820.
{ le 8 2; le 2 $((core_sectors - 1)); le 2 $((0x820)); } >"$work/blocklist"
dd if="$work/blocklist" of="$work/core.img" bs=1 seek=$((512 - 12)) conv=notrunc status=none
dd if="$work/core.img" of="$work/disk.img" bs=512 seek=1 conv=notrunc status=none
# boot.img up to the disk signature (440 bytes) into the MBR; its
# kernel-sector field (offset 0x5c) names core.img's first sector, LBA 1.
cp "$grubdir/boot.img" "$work/boot.img"
le 8 1 | dd of="$work/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
dd if="$work/boot.img" of="$work/disk.img" bs=1 count=440 conv=notrunc status=none

mkdir -p "$out"
mv "$work/disk.img" "$img"
echo "$kpkg" >"$out/kernel-package"
echo "$recipe" >"$stamp"
say "linuxdisk guest ready: $img ($kpkg; modules:$order)"
