#!/usr/bin/env bash
# virtio-blk random reads: fio (Debian's, i386, from a disk that
# tests/bench/fio-image.sh builds) in the modern guest reads 4 KiB blocks
# at random offsets of a raw disk of MIB MiB (default 256, random bytes,
# through the host's page cache as hv's and QEMU's disks are), O_DIRECT,
# for 8 s after 1 s of ramp: once one at a time (psync, queue depth 1:
# the latency of a request through the whole path, guest driver, device
# and host) and once 16 at a time (libaio: what the device keeps in
# flight). The same in QEMU 7.2 TCG with its virtio-blk-pci, hv and QEMU
# in turn, BENCH_RUNS times (default 3). Prints each run's IOPS and mean
# latency by fio (the guest's clock: the TSC), the process's CPU time per
# thousand reads, then the medians and hv/QEMU ratios (IOPS above 1: hv
# faster; CPU above 1: hv costlier). Asserts nothing.
#
#   [MIB=256] [BENCH_RUNS=3] bash tests/bench/virtio-blk-random.sh [BUILD_DIR]
set -euo pipefail

mib=${MIB:-256}
runs=${BENCH_RUNS:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$root/${1:-build}"
hv="$build/hv"
guest="$root/assets/guests/modern/out"
bash "$root/assets/guests/modern/build.sh" "$guest"
bash "$root/tests/bench/fio-image.sh" "$build/bench-fio"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"

cp "$guest/root.img" "$work/root.img"
head -c $((mib << 20)) /dev/urandom >"$work/data.img"
fio="/f/lib/ld-linux.so.2 --library-path /f/lib /f/fio --filename=/dev/vdb --rw=randread"
fio="$fio --bs=4k --direct=1 --runtime=8 --ramp_time=1 --time_based --randrepeat=1"
fio="$fio --output-format=terse --terse-version=3"
guestcmd="mkdir -p /f; mount -t ext4 -o ro /dev/vdc /f; echo QD1GO\$((1)); $fio --name=qd1"
guestcmd="$guestcmd --ioengine=psync; echo QD16GO\$((2)); $fio --name=qd16 --ioengine=libaio"
guestcmd="$guestcmd --iodepth=16; echo FIO-END\$((3)); poweroff"

disks=("raw ro $work/data.img" "raw ro $build/bench-fio/fio.img")
modern_qemu "${disks[@]}"
qemu_cmd+=(-display none)

# job NAME: "IOPS LAT_US READS" from fio's terse line for job NAME (fields
# 8: read IOPS, 40: mean total latency in us, 6: KiB read).
job() {
  tr -d '\r' <"$out" | awk -F';' -v n="$1" '$1 == 3 && $3 == n {
    printf "%d %.0f %d\n", $8, $40, $6 / 4; found = 1 } END { if (!found) print "0 0 0" }'
}

# per_k CENTISECONDS READS: CPU milliseconds per 1000 reads (0: unknown).
per_k() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? c * 10 * 1000 / n : 0) }'; }

# fio_run SIDE COMMAND...: one boot and both fio jobs; appends "IOPS LAT
# CPU_MS_PER_1000" for each job to $work/SIDE.qd1 and $work/SIDE.qd16.
fio_run() {
  local side=$1 c0=0 c1=0 c2=0 j1 j16
  shift
  start "$side" "$@"
  wait_for "HV-MODERN-READY" 60000 || true
  sleep 1
  echo "$guestcmd" >&9
  wait_for "QD1GO1" 60000 && c0=$(cpu_cs)
  wait_for "QD16GO2" 60000 && c1=$(cpu_cs)
  wait_for "FIO-END3" 60000 && c2=$(cpu_cs)
  wait "$pid" || true
  pid=
  exec 9>&-
  read -r i l n <<<"$(job qd1)"
  j1="$i $l $(per_k $((c1 - c0)) "$n")"
  read -r i l n <<<"$(job qd16)"
  j16="$i $l $(per_k $((c2 - c1)) "$n")"
  # shellcheck disable=SC2086 # three figures in each of j1 and j16
  printf '  %-22s QD1 %6d IOPS %6d us %6s ms CPU/1000   QD16 %6d IOPS %6d us %6s ms CPU/1000\n' \
    "$side" $j1 $j16
  echo "$j1" >>"$work/$side.qd1"
  echo "$j16" >>"$work/$side.qd16"
}

# ratio DEPTH: the medians of both sides (of IOPS and of CPU per 1000
# reads, each on its own) and hv/QEMU.
ratio() {
  local hi hc qi qc
  hi=$(median 1 <"$work/hv.$1" | cut -d' ' -f1)
  hc=$(median 3 <"$work/hv.$1" | cut -d' ' -f3)
  qi=$(median 1 <"$work/qemu.$1" | cut -d' ' -f1)
  qc=$(median 3 <"$work/qemu.$1" | cut -d' ' -f3)
  awk -v d="$1" -v hi="$hi" -v hc="$hc" -v qi="$qi" -v qc="$qc" 'BEGIN {
    printf "  %-5s hv %6d IOPS, CPU %s ms/1000; QEMU %6d IOPS, CPU %s ms/1000: IOPS %.2fx, CPU %.2fx\n",
      d, hi, hc, qi, qc, (qi > 0 ? hi / qi : 0), (qc > 0 ? hc / qc : 0) }'
}

echo "4 KiB random reads of a $mib MiB virtio-blk disk, fio in the guest ($runs runs each):"
for _ in $(seq "$runs"); do
  fio_run qemu "${qemu_cmd[@]}"
  fio_run hv "$hv" run --timeout 600 "$(modern_cfg bench-random "" "${disks[@]}")"
done
echo "medians, hv/QEMU (IOPS above 1: hv faster; CPU above 1: hv costlier):"
ratio qd1
ratio qd16
