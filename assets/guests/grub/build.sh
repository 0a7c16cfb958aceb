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
recipe=$(cat "$here/build.sh" "$here/grub.cfg" "$here/../lib.sh" | sha256sum | cut -d' ' -f1)
# shellcheck source=assets/guests/lib.sh
source "$here/../lib.sh"

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
grub_mbr "$work/disk.img" "$part_start" "$work" \
  biosdisk part_msdos fat normal configfile echo ls cat test minicmd

mv "$work/disk.img" "$img"
echo "$recipe" >"$stamp"
say "GRUB guest ready: $img"
