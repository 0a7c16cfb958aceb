#!/usr/bin/env bash
# virtio-net throughput over user-mode networking: the modern guest of
# assets/guests/modern (its rcS takes a DHCP lease on eth0) sends 16 MiB
# of zeros with busybox nc to a sink on the host's 127.0.0.1 (socat),
# reached through the gateway 10.0.2.2; the guest times it by its uptime.
# hv (virtio-net + libslirp) and QEMU 7.2 TCG (-device virtio-net-pci
# -netdev user, also libslirp) run the same guest: Debian's 686 kernel
# booted directly with 128 MiB (QEMU's with noapic: hv's PC has no I/O
# APIC, and on a loaded host QEMU's timer check through it can fail).
# Prints figures and the ratio; asserts nothing.
#
#   bash tests/bench/virtio-net.sh [BUILD_DIR] [GUEST_DIR]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest=${2:-$root/assets/guests/modern/out}
bash "$root/assets/guests/modern/build.sh" "$guest"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"
sink=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$sink" ] && kill "$sink" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mib=16
port=$((20000 + RANDOM % 20000))
cmdline=$modern_cmdline
# Guest time in centiseconds around the transfer; the sink closes the
# connection once it has every byte, which ends nc.
netcmd="t() { busybox cut -d\" \" -f1 /proc/uptime | busybox tr -d .; }; a=\$(t); busybox dd if=/dev/zero bs=65536 count=$((mib * 16)) 2>/dev/null | busybox nc 10.0.2.2 $port; b=\$(t); echo RATE \$((b - a)) bench-\$((6*7)); poweroff"

rate() { awk -v cs="$1" -v mib="$mib" 'BEGIN { if (cs > 0) printf "%.2f MB/s (%.2f s)", mib * 1.048576 / (cs / 100), cs / 100; else print "?" }'; }

# run NAME COMMAND...: starts the sink, boots, types $netcmd once the
# guest is up; sets $cs to the centiseconds it took (0: none).
run() {
  local name=$1
  socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
    "SYSTEM:head -c $((mib << 20)) >$work/received" &
  sink=$!
  start "$@"
  wait_for "HV-MODERN-READY" 180000 || true
  sleep 1
  if ! grep -q "HV-MODERN-READY" "$out" || ! kill -0 "$pid" 2>/dev/null; then
    echo "  $name: the guest did not come up; its output ends:"
    tail -5 "$out" | sed 's/^/    /'
    kill "$pid" "$sink" 2>/dev/null || true
    wait "$pid" "$sink" 2>/dev/null || true
    pid= sink= cs=0
    exec 9>&-
    return
  fi
  echo "$netcmd" >&9
  wait_for "bench-42" 180000 || true
  wait "$pid" || true
  pid=
  kill "$sink" 2>/dev/null || true
  wait "$sink" 2>/dev/null || true
  sink=
  exec 9>&-
  cs=$(sed -n 's/^.*RATE \([0-9][0-9]*\) bench.*$/\1/p' "$out" | head -1)
  cs=${cs:-0}
  printf '  %-24s %s, %s bytes reached the host\n' "$name" "$(rate "$cs")" \
    "$(stat -c %s "$work/received" 2>/dev/null || echo 0)"
  grep -q "HV-NET-UP" "$out" || echo "  ($name: no DHCP lease; output in $out)"
}

echo "$mib MiB guest to host over TCP (busybox nc to 10.0.2.2, user-mode networking):"
cp "$guest/root.img" "$work/root.img"
printf 'name = "bench-net"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "%s"\nserial = "stdio"\ndisk = [ '\''format=raw,vdev=xvda,access=rw,target=%s'\'' ]\nvif = [ '\'''\'' ]\n' \
  "$guest/vmlinuz" "$guest/initramfs.cpio.gz" "$cmdline" "$work/root.img" >"$work/bench.cfg"
run "hv (soft)" "$hv" run --timeout 3000 "$work/bench.cfg"
hv_cs=$cs
if command -v qemu-system-i386 >/dev/null; then
  cp "$guest/root.img" "$work/root.img"
  run "qemu-system-i386 tcg" qemu-system-i386 -accel tcg -M pc -m 128 -display none \
    -serial stdio -monitor none -no-reboot -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$cmdline noapic" \
    -drive "file=$work/root.img,format=raw,if=virtio" \
    -device virtio-net-pci,netdev=n0 -netdev user,id=n0
  awk -v h="$hv_cs" -v q="$cs" 'BEGIN { if (h > 0 && q > 0) printf "  ratio hv/qemu (throughput): %.2f\n", q / h }'
fi
