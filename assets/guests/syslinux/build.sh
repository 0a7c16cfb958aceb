#!/usr/bin/env bash
# Builds the SYSLINUX test guest: a 1.44 MB FAT12 floppy image with
# SYSLINUX's boot sector and ldlinux.sys, the menu (menu.c32), the Hardware
# Detection Tool (hdt.c32), chain.c32 and reboot.c32, the libraries they
# load, and syslinux.cfg (a menu that waits for a key).
#
#   bash assets/guests/syslinux/build.sh [OUTDIR]
#
# OUTDIR defaults to out/ beside this script (ignored by git); the image is
# OUTDIR/syslinux.img. No loop devices or mounts, so no root: mkfs.fat
# creates the file, Debian's syslinux installs through mtools, mcopy copies.
# Idempotent: does nothing when the image is there and the recipe has not
# changed since. Needs syslinux, syslinux-common, mtools and dosfstools.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/out}
img="$out/syslinux.img"
stamp="$out/.recipe"
recipe=$(cat "$here/build.sh" "$here/syslinux.cfg" | sha256sum | cut -d' ' -f1)
c32dir=/usr/lib/syslinux/modules/bios

# The modules the menu runs and every library they load (readelf -d lists
# a module's NEEDED libraries). ldlinux.c32, the core's second half, comes
# with the installer.
modules=(menu.c32 hdt.c32 chain.c32 reboot.c32
  libutil.c32 libcom32.c32 libmenu.c32 libgpl.c32)

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

if [ -s "$img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi

say "building the SYSLINUX guest in $out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1440 KiB: mkfs.fat picks the standard 3.5" geometry (18 sectors, 2 heads,
# 80 cylinders) and FAT12 for that size.
mkfs.fat -C -n HVSYSLINUX "$work/floppy.img" 1440 >/dev/null
# The boot sector, ldlinux.sys (which must know the sectors it sits in) and
# ldlinux.c32: syslinux writes them through mtools, no mount.
syslinux --install "$work/floppy.img"
for m in "${modules[@]}"; do
  mcopy -i "$work/floppy.img" "$c32dir/$m" "::$m"
done
mcopy -i "$work/floppy.img" "$here/syslinux.cfg" ::syslinux.cfg

mv "$work/floppy.img" "$img"
echo "$recipe" >"$stamp"
say "SYSLINUX guest ready: $img"
