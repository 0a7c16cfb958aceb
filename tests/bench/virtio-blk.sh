#!/usr/bin/env bash
# virtio-blk throughput: the modern guest of assets/guests/modern reads a
# disk of MIB MiB (default 256; /dev/vdb, random bytes) and writes one
# (/dev/vdc, synced)
# with busybox dd in 1 MiB blocks, which reports the rate; the same dd
# figures from QEMU TCG with its virtio-blk-pci, and the host's own read
# and write of the image files (through the page cache, as hv's are).
# Both guests run Debian's 686 kernel booted directly with 128 MiB. Then
# the same in hv and QEMU with /dev/vdb and /dev/vdc as qcow2 images
# (vdb converted from the raw one by qemu-img, vdc empty: every write
# allocates clusters). Each rate is given by the guest's clock and by the
# host's (the guest's PIT clock drifts when the host is loaded), with the
# CPU time (user + system, all threads) the whole process spent per MB:
# on a shared host the steadiest figure. For hv also the share of each
# transfer its vCPU slept in HLT (`halted_time` in `hv list -l`: the
# guest waiting for the disk or a timer; the rest it was runnable, running
# or waiting for a host CPU), and the guest's clocksource (on a loaded
# host its boot-time checks can reject acpi_pm and leave it on the PIT).
# Ends with hv/QEMU ratios of the rates (host's clock) and of the CPU per
# MB. hv and QEMU run in turn (raw, then qcow2), so a noisy minute falls
# on both; phases of 64 MiB lasted 0.5-1 s, too short for a shared host.
# Prints figures; asserts nothing.
#
#   [MIB=256] bash tests/bench/virtio-blk.sh [BUILD_DIR]      (default: build)
set -euo pipefail

mib=${MIB:-256}
bytes_mb=$(awk -v m="$mib" 'BEGIN { print m * 1.048576 }') # MB (10^6) in the transfer

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest="$root/assets/guests/modern/out"
bash "$root/assets/guests/modern/build.sh" "$guest"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"
# Guest time in centiseconds around each dd (the guest's clock runs with
# the host's while it runs).
ddcmd='echo CLOCKSOURCE=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource); t() { busybox cut -d" " -f1 /proc/uptime | busybox tr -d .; }; echo RGO$((1)); a=$(t); busybox dd if=/dev/vdb of=/dev/null bs=1M 2>/dev/null; b=$(t); echo WGO$((2)); busybox dd if=/dev/zero of=/dev/vdc bs=1M count='"$mib"' conv=fsync 2>/dev/null; c=$(t); echo RATES $((b - a)) $((c - b)) bench-$((6*7)); poweroff'

images() {
  cp "$guest/root.img" "$work/root.img"
  head -c $((mib << 20)) /dev/urandom >"$work/data.img"
  truncate -s 0 "$work/scratch.img"
  truncate -s "${mib}M" "$work/scratch.img"
  rm -f "$work/data.qcow2" "$work/scratch.qcow2"
  qemu-img convert -f raw -O qcow2 "$work/data.img" "$work/data.qcow2"
  qemu-img create -q -f qcow2 "$work/scratch.qcow2" "${mib}M"
  # The fresh files' dirty pages written out now, not by the host's
  # writeback during a measured phase (and an image's fsync).
  sync
}

# hv_cfg FORMAT DATA SCRATCH: the domain's configuration file.
hv_cfg() { modern_cfg bench-virtio "" "$1 ro $2" "$1 rw $3"; }

# qemu_run NAME FORMAT DATA SCRATCH
qemu_run() {
  modern_qemu "$2 ro $3" "$2 rw $4"
  run "$1" "${qemu_cmd[@]}" -display none
}

# rate CENTISECONDS: the transfer in that time, in MB/s.
rate() { awk -v cs="$1" -v mb="$bytes_mb" 'BEGIN { if (cs > 0) printf "%.1f MB/s (%.2f s)", mb / (cs / 100), cs / 100; else print "?" }'; }

# cpu_per_mb CENTISECONDS: CPU seconds per MB (0: not measured).
cpu_per_mb() { awk -v c="$1" -v mb="$bytes_mb" 'BEGIN { if (c > 0) printf "%.3f s/MB", c / 100 / mb; else print "?" }'; }

# halted_cs: the hv domain's vCPU seconds asleep in HLT so far, in
# centiseconds (0 for QEMU, or when it cannot be read).
halted_cs() {
  [ "$is_hv" = 1 ] || {
    echo 0
    return
  }
  "$hv" list -l bench-virtio 2>/dev/null | sed -n 's/^ *halted_time *\([0-9.]*\).*/\1/p' |
    awk '{ printf "%d", $1 * 100 } END { if (!NR) print 0 }'
}

# halted_share CENTISECONDS_HALTED CENTISECONDS: e.g. ", vCPU halted 3%".
halted_share() { awk -v h="$1" -v t="$2" 'BEGIN { if (t > 0) printf ", vCPU halted %d%%", 100 * h / t }'; }

# Each run's figures by row name (rate by the host's clock in MB/s, CPU
# seconds per MB), for the ratios at the end.
declare -A host_rate cpu_mb

# run NAME COMMAND...: boots, types $ddcmd once the guest is up, prints
# the two rates by the guest's clock and by the host's (on a loaded host
# the guest's PIT clock can lose or gain ticks), and the process's CPU
# time per MB for each.
run() {
  local name=$1 t0=0 t1=0 t2=0 c0=0 c1=0 c2=0 h0=0 h1=0 h2=0 cs
  is_hv=0
  [ "$2" = "$hv" ] && is_hv=1
  start "$@"
  wait_for "HV-MODERN-READY" 60000 || true
  sleep 1
  echo "$ddcmd" >&9
  # (the patterns match the output, not the echoed command)
  wait_for "RGO1" 60000 && t0=$(now_ms) && c0=$(cpu_cs) && h0=$(halted_cs)
  wait_for "WGO2" 60000 && t1=$(now_ms) && c1=$(cpu_cs) && h1=$(halted_cs)
  wait_for "RATES [0-9]" 60000 && t2=$(now_ms) && c2=$(cpu_cs) && h2=$(halted_cs)
  wait_for "bench-42" 60000 || true
  wait "$pid" || true
  pid=
  exec 9>&-
  read -r r w <<<"$(sed -n 's/^.*RATES \([0-9][0-9]*\) \([0-9][0-9]*\) .*$/\1 \2/p' "$out" | head -1)"
  local hr=$((t1 > t0 && t0 > 0 ? (t1 - t0) / 10 : 0)) hw=$((t2 > t1 && t1 > 0 ? (t2 - t1) / 10 : 0))
  local cr=$((c0 > 0 && c1 > c0 ? c1 - c0 : 0)) cw=$((c1 > 0 && c2 > c1 ? c2 - c1 : 0))
  cs=$(sed -n 's/^.*CLOCKSOURCE=\([a-z][a-z_-]*\).*$/\1/p' "$out" | head -1)
  printf '  %-32s %s by its clock (%s), %s by the host'"'"'s, CPU %s%s\n' \
    "$name read" "$(rate "${r:-0}")" "${cs:-?}" "$(rate "$hr")" "$(cpu_per_mb "$cr")" \
    "$([ "$is_hv" = 1 ] && halted_share $((h1 - h0)) "$hr")" \
    "$name write+fsync" "$(rate "${w:-0}")" "${cs:-?}" "$(rate "$hw")" "$(cpu_per_mb "$cw")" \
    "$([ "$is_hv" = 1 ] && halted_share $((h2 - h1)) "$hw")"
  host_rate[$name.r]=$(mbs "$hr")
  host_rate[$name.w]=$(mbs "$hw")
  cpu_mb[$name.r]=$(awk -v c="$cr" -v mb="$bytes_mb" 'BEGIN { print c / 100 / mb }')
  cpu_mb[$name.w]=$(awk -v c="$cw" -v mb="$bytes_mb" 'BEGIN { print c / 100 / mb }')
}

# mbs CENTISECONDS: the transfer in that time in MB/s, bare (0: not measured).
mbs() { awk -v cs="$1" -v mb="$bytes_mb" 'BEGIN { print (cs > 0 ? mb / (cs / 100) : 0) }'; }

# ratios HV_ROW QEMU_ROW LABEL: hv/QEMU of the host-clock rates (above 1:
# hv faster) and of the CPU per MB (above 1: hv costlier).
ratios() {
  local d
  for d in r w; do
    awk -v l="$3 $([ $d = r ] && echo read || echo write+fsync)" \
      -v hr="${host_rate[$1.$d]:-0}" -v qr="${host_rate[$2.$d]:-0}" \
      -v hc="${cpu_mb[$1.$d]:-0}" -v qc="${cpu_mb[$2.$d]:-0}" 'BEGIN {
        printf "  %-32s rate %s, CPU per MB %s\n", l,
          (qr > 0 ? sprintf("%.2fx", hr / qr) : "?"), (qc > 0 ? sprintf("%.2fx", hc / qc) : "?") }'
  done
}

echo "$mib MiB through virtio-blk with dd bs=1M in the guest:"
qemu=0
command -v qemu-system-i386 >/dev/null && qemu=1
images
run "hv (soft)" "$hv" run --timeout 1800 "$(hv_cfg raw "$work/data.img" "$work/scratch.img")"
if [ $qemu = 1 ]; then
  images
  qemu_run "qemu-system-i386 tcg" raw "$work/data.img" "$work/scratch.img"
fi
images
run "hv (soft) qcow2" "$hv" run --timeout 1800 \
  "$(hv_cfg qcow2 "$work/data.qcow2" "$work/scratch.qcow2")"
if [ $qemu = 1 ]; then
  images
  qemu_run "qemu tcg qcow2" qcow2 "$work/data.qcow2" "$work/scratch.qcow2"
fi
if [ $qemu = 1 ]; then
  echo "hv / QEMU TCG (rate by the host's clock; CPU time per MB):"
  ratios "hv (soft)" "qemu-system-i386 tcg" raw
  ratios "hv (soft) qcow2" "qemu tcg qcow2" qcow2
fi
echo "the host, on the same files:"
printf '  %-32s %s\n' "host read" "$(dd if="$work/data.img" of=/dev/null bs=1M 2>&1 | tail -1)"
printf '  %-32s %s\n' "host write+fsync" \
  "$(dd if=/dev/zero of="$work/scratch.img" bs=1M count="$mib" conv=fsync 2>&1 | tail -1)"
