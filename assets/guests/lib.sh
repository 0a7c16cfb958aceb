# Shared by the guest recipes (source it): messages, root, Debian's i386
# kernel with busybox, and GRUB 2 written into a raw MBR disk image.

say() { printf '\033[1m== [%s, +%ds] %s\033[0m\n' "$(date +%H:%M:%S)" "$SECONDS" "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_update: apt-get update, tried three times. A mirror in the middle of
# a sync fails one index ("File has unexpected size") and apt-get exits
# 100 although the rest is fresh: after the third try say so and go on;
# a package then missing fails its own step with apt's message.
apt_update() {
  local try
  for try in 1 2 3; do
    as_root apt-get update -qq && return 0
    [ "$try" -lt 3 ] && sleep $((try * 10))
  done
  say "apt-get update failed three times; going on with the indexes it has"
}

# The package linux-image-686 (a metapackage) depends on: this release's
# kernel, linux-image-6.1.0-N-686.
kernel_package_686() {
  apt-cache depends linux-image-686:i386 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-686\)\(:i386\)\?$/\1/p' | head -1
}

# fetch_686 WORK: downloads Debian's 686 kernel and busybox-static (i386)
# into WORK and unpacks them to WORK/kernel and WORK/busybox; sets kpkg to
# the kernel's package name. Adds the i386 architecture if missing.
fetch_686() {
  local work=$1
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    as_root dpkg --add-architecture i386
    apt_update
  fi
  kpkg=$(kernel_package_686)
  [ -n "$kpkg" ] || { apt_update; kpkg=$(kernel_package_686); }
  [ -n "$kpkg" ] || { echo "build.sh: cannot find the package linux-image-686 depends on" >&2; exit 1; }
  chmod 755 "$work" # apt's sandbox user writes the downloads here
  (cd "$work" && apt-get download -qq "$kpkg:i386" busybox-static:i386)
  dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
}

# le BYTES VALUE: VALUE as BYTES little-endian bytes, for dd.
le() {
  local n=$1 v=$2 i
  for ((i = 0; i < n; i++)); do
    printf "\\$(printf '%03o' $(((v >> (8 * i)) & 255)))"
  done
}

# grub_mbr DISK PART_START SCRATCH MODULE...: GRUB 2 into DISK (a raw image
# whose partition table is already written and whose first partition, at
# sector PART_START, holds /boot/grub): core.img with MODULE... built in
# goes in the gap from LBA 1, boot.img's code (440 bytes, keeping the
# partition table) into the MBR. SCRATCH is a directory for the pieces.
grub_mbr() {
  local disk=$1 part_start=$2 scratch=$3 grubdir=/usr/lib/grub/i386-pc core_sectors
  shift 3
  grub-mkimage -O i386-pc -d "$grubdir" -o "$scratch/core.img" \
    -p '(hd0,msdos1)/boot/grub' "$@"
  core_sectors=$((($(stat -c %s "$scratch/core.img") + 511) / 512))
  [ "$core_sectors" -lt "$part_start" ] ||
    { echo "build.sh: core.img ($core_sectors sectors) does not fit before the partition" >&2; exit 1; }
  # core.img's first sector (diskboot.img) loads the rest by the blocklist
  # that ends the sector: start LBA (8 bytes), sector count (2), load
  # segment (2). The rest starts at LBA 2 and loads at 0x820:0.
  { le 8 2; le 2 $((core_sectors - 1)); le 2 $((0x820)); } >"$scratch/blocklist"
  dd if="$scratch/blocklist" of="$scratch/core.img" bs=1 seek=$((512 - 12)) conv=notrunc status=none
  dd if="$scratch/core.img" of="$disk" bs=512 seek=1 conv=notrunc status=none
  # boot.img's kernel-sector field (offset 0x5c, 8 bytes) names core.img's
  # first sector, LBA 1.
  cp "$grubdir/boot.img" "$scratch/boot.img"
  le 8 1 | dd of="$scratch/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
  dd if="$scratch/boot.img" of="$disk" bs=1 count=440 conv=notrunc status=none
}

# busybox_tree WORK DIR APPLET...: busybox (fetched by fetch_686 into WORK)
# under DIR with its applet links: the list busybox gives when the host
# runs i386 binaries, else the APPLETs (the ones the scripts and tests
# use).
busybox_tree() {
  local work=$1 fs=$2 applet applets
  shift 2
  mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
  cp "$work/busybox/bin/busybox" "$fs/bin/busybox"
  applets=$("$work/busybox/bin/busybox" --list-full 2>/dev/null || echo "$@")
  for applet in $applets; do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$fs/$applet"
  done
}

# module_initrd WORK DIR INIT MODULE...: an initrd tree under DIR with
# busybox (busybox_tree's fallback applets from $busybox_applets), INIT as
# /init, and the MODULEs of the kernel fetch_686 unpacked into WORK with
# their dependencies (read from each module's .modinfo) in load order,
# listed in DIR/lib/modules/modules.list and in $order. - and _ are the
# same in module names.
module_initrd() {
  local work=$1 dir=$2 init=$3 m modules
  shift 3
  order=
  modules=$(echo "$work"/kernel/lib/modules/*/kernel)
  # shellcheck disable=SC2086
  busybox_tree "$work" "$dir" $busybox_applets
  mkdir -p "$dir/lib/modules" "$dir/newroot"
  add_module() {
    local f deps d
    f=$(find "$modules" -name "$1.ko" -o -name "${1//_/-}.ko" -o -name "${1//-/_}.ko" | head -1)
    [ -n "$f" ] || { echo "build.sh: no module $1 in the kernel package" >&2; exit 1; }
    case " $order " in *" ${f##*/} "*) return ;; esac
    deps=$(objcopy -O binary --only-section=.modinfo "$f" /dev/stdout |
      tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
    for d in $deps; do add_module "$d"; done
    order="$order ${f##*/}"
    cp "$f" "$dir/lib/modules/"
  }
  for m in "$@"; do add_module "$m"; done
  echo $order | tr ' ' '\n' >"$dir/lib/modules/modules.list"
  install -m 755 "$init" "$dir/init"
}
