#!/usr/bin/env bash
# Builds the linuxdisk test guest: a 64 MiB raw disk image with an MBR
# partition table, GRUB 2 in the MBR and the gap after it, and one ext4
# partition (the root) holding Debian's 686 kernel (/boot/vmlinuz), an
# initrd (/boot/initrd.gz), /boot/grub/grub.cfg and a busybox system whose
# init gives a shell on the VGA console (tty1) and on COM1 (ttyS0), and
# whose acpid powers off cleanly when the ACPI power button is pressed.
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
recipe=$(cat "$here"/{build.sh,init,inittab,rcS,grub.cfg,power} "$here/../lib.sh" | sha256sum | cut -d' ' -f1)
# What the initrd loads to mount the root (dependencies follow): the PIIX
# IDE controller, SCSI disks, ext4 and the crc32c its checksums use; and
# for the power button (hv shutdown): ACPI's button driver and evdev,
# through which busybox acpid sees its key; the CD-ROM driver and ISO 9660
# (hv cd-insert).
wanted="ata_piix sd_mod crc32c_generic ext4 button evdev sr_mod isofs"

# shellcheck source=assets/guests/lib.sh
source "$here/../lib.sh"

if [ -s "$img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

say "building the linuxdisk guest in $out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch_686 "$work"
# busybox's applets when it cannot list them itself (the host runs no
# i386 code): the ones the scripts and tests use.
busybox_applets="bin/sh bin/mount bin/umount bin/echo bin/cat bin/ls bin/uname
  bin/sleep bin/sync bin/mkdir sbin/insmod sbin/switch_root
  sbin/init sbin/poweroff sbin/reboot sbin/acpid"

# The initrd: busybox, /init and the modules in load order.
initrd="$work/initrd"
module_initrd "$work" "$initrd" "$here/init" $wanted

# The root: busybox init with its inittab and rcS, the kernel, the initrd
# and GRUB's configuration.
root="$work/root"
# shellcheck disable=SC2086
busybox_tree "$work" "$root" $busybox_applets
mkdir -p "$root/boot/grub" "$root/etc/init.d"
install -m 644 "$here/inittab" "$root/etc/inittab"
install -m 755 "$here/rcS" "$root/etc/init.d/rcS"
# busybox acpid runs /etc/acpi/PWRF/00000080 when the power button's key
# comes (its built-in event map).
mkdir -p "$root/etc/acpi/PWRF"
install -m 755 "$here/power" "$root/etc/acpi/PWRF/00000080"
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
grub_mbr "$work/disk.img" "$part_start" "$work" \
  biosdisk part_msdos ext2 linux normal configfile echo test minicmd

mkdir -p "$out"
mv "$work/disk.img" "$img"
echo "$kpkg" >"$out/kernel-package"
echo "$recipe" >"$stamp"
say "linuxdisk guest ready: $img ($kpkg; modules:$order)"
