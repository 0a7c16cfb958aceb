#!/usr/bin/env bash
# Builds the GRUB test guest: a 16 MiB raw disk image with an MBR partition
# table, GRUB 2's boot.img in the MBR, its core.img in the gap after it, and
# one FAT16 partition holding /boot/grub/grub.cfg (two menu entries, no
# timeout: the menu waits for a key).
#
#   bash assets/guests/grub/build.sh [OUTDIR]
#
# OUTDIR defaults to out/ beside this script (ignored by git); the image is
# OUTDIR/grub.img. No loop devices or mounts, so no root: sfdisk writes the
# partition table into the file, mtools the FAT, dd the boot code.
# Idempotent: does nothing when the image is there and the recipe has not
# changed since. Needs grub-pc-bin, grub-common, mtools and fdisk.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/out}
img="$out/grub.img"
stamp="$out/.recipe"
recipe=$(cat "$here/build.sh" "$here/grub.cfg" | sha256sum | cut -d' ' -f1)
grubdir=/usr/lib/grub/i386-pc

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

if [ -s "$img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

say "building the GRUB guest in $out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The partition starts at 1 MiB: sectors 1..2047 hold core.img.
part_start=2048
truncate -s 0 "$work/disk.img"
truncate -s 16M "$work/disk.img"
printf "label-id: 0x68764752\nstart=%s, type=6, bootable\n" "$part_start" |
  sfdisk -q --label dos "$work/disk.img"

# FAT16 in the partition; mtools addresses it by byte offset.
fat="$work/disk.img@@$((part_start * 512))"
mformat -i "$fat" -F -v HVGRUB :: 2>/dev/null || mformat -i "$fat" -v HVGRUB ::
mmd -i "$fat" ::/boot ::/boot/grub
mcopy -i "$fat" "$here/grub.cfg" ::/boot/grub/grub.cfg

# Every module the menu and the tests' commands need is built in, so the
# partition holds only grub.cfg; the prefix points GRUB there.
grub-mkimage -O i386-pc -d "$grubdir" -o "$work/core.img" \
  -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos fat normal configfile echo ls cat test minicmd
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
# that ends the sector: start LBA (8 bytes), sector count (2), load
# segment (2). The rest starts at LBA 2 and loads at 0x820:0.
le 8 2 >"$work/blocklist"
le 2 $((core_sectors - 1)) >>"$work/blocklist"
le 2 $((0x820)) >>"$work/blocklist"
dd if="$work/blocklist" of="$work/core.img" bs=1 seek=$((512 - 12)) conv=notrunc status=none
dd if="$work/core.img" of="$work/disk.img" bs=512 seek=1 conv=notrunc status=none

# boot.img's code up to the disk signature (440 bytes) goes into the MBR,
# keeping the partition table; its kernel-sector field (offset 0x5c, 8
# bytes) names core.img's first sector, LBA 1.
cp "$grubdir/boot.img" "$work/boot.img"
le 8 1 | dd of="$work/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
dd if="$work/boot.img" of="$work/disk.img" bs=1 count=440 conv=notrunc status=none

mv "$work/disk.img" "$img"
echo "$recipe" >"$stamp"
say "GRUB guest ready: $img"
