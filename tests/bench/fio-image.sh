#!/usr/bin/env bash
# Builds an ext4 image holding Debian's fio for i386 and the shared
# libraries it loads, for the modern guest to mount read-only and run as
#   /f/lib/ld-linux.so.2 --library-path /f/lib /f/fio ...
# (the guest's own root is a static busybox with no libraries). Debian's
# fio links librados, librbd, libgfapi and the rest directly, so the
# closure is ~80 MB: too big for the guest's initramfs, hence a disk.
# The packages come from apt (fio:i386's recursive dependencies); only the
# libraries fio's NEEDED entries reach (readelf, transitively) go into
# the image. Idempotent: does nothing when OUT/fio.img is there.
#
#   bash tests/bench/fio-image.sh OUT
set -euo pipefail

out=${1:?usage: fio-image.sh OUT}
[ -s "$out/fio.img" ] && exit 0
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt's sandbox user writes the downloads here

# The i386 packages fio:i386 needs, recursively.
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances --no-pre-depends fio:i386 |
  sed -n 's/^\([a-z0-9][^ <]*:i386\)$/\1/p' | sort -u >"$tmp/packages"
(cd "$tmp" && xargs apt-get download -qq <packages)
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done

# needed FILE: the sonames FILE's dynamic section asks for.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }

# find_lib SONAME: where the extracted packages have it.
find_lib() {
  local d
  for d in lib/i386-linux-gnu usr/lib/i386-linux-gnu usr/lib/i386-linux-gnu/ceph; do
    [ -e "$tmp/root/$d/$1" ] && {
      echo "$tmp/root/$d/$1"
      return
    }
  done
  echo "fio-image.sh: no $1 among fio's dependencies" >&2
  exit 1
}

mkdir -p "$tmp/fs/lib"
cp "$tmp/root/usr/bin/fio" "$tmp/fs/fio"
cp -L "$(find_lib ld-linux.so.2)" "$tmp/fs/lib/ld-linux.so.2"
todo=("$tmp/fs/fio")
while [ ${#todo[@]} -gt 0 ]; do
  file=${todo[-1]}
  unset 'todo[-1]'
  for so in $(needed "$file"); do
    [ -e "$tmp/fs/lib/$so" ] && continue
    cp -L "$(find_lib "$so")" "$tmp/fs/lib/$so"
    todo+=("$tmp/fs/lib/$so")
  done
done
size=$(du -sm "$tmp/fs" | cut -f1)
mke2fs -q -t ext4 -d "$tmp/fs" "$tmp/fio.img" "$((size + size / 4 + 8))M"
mv "$tmp/fio.img" "$out/fio.img"
