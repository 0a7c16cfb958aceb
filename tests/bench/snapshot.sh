#!/usr/bin/env bash
# Snapshots: the counter guest (tests/guests/counter.bin, firmware only, 128
# MiB of RAM, mostly never written) with a 256 MiB raw and a 256 MiB qcow2
# disk; three hv snapshot-create in a row (the wall time of each command:
# state saved, two overlays made and switched to, the vCPU held meanwhile),
# then hv snapshot-revert to the second (the wall time until the domain
# runs again from it, domain creation included). Prints figures; asserts
# nothing.
#
#   bash tests/bench/snapshot.sh [BUILD_DIR]   (build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
hv="$root/$build/hv"
work=$(mktemp -d)
cleanup() {
  "$hv" destroy bench-snap >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"

now() { date +%s%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

truncate -s 256M "$work/d.raw"
qemu-img create -q -f qcow2 "$work/d.qcow2" 256M
cat >"$work/snap.cfg" <<CFG
name = "bench-snap"
memory = 128
engine = "soft"
firmware = "$root/$build/tests/guests/counter.bin"
serial = "pty"
disk = [ 'format=raw,vdev=hda,access=rw,target=$work/d.raw',
         'format=qcow2,vdev=hdb,access=rw,target=$work/d.qcow2' ]
CFG
"$hv" create "$work/snap.cfg" >/dev/null
sleep 2
for s in s1 s2 s3; do
  t=$(now)
  "$hv" snapshot-create bench-snap "$s" >/dev/null
  echo "snapshot-create $s: $(since "$t") s"
done
t=$(now)
"$hv" snapshot-revert bench-snap s2 >/dev/null
echo "snapshot-revert s2: $(since "$t") s"
"$hv" snapshot-list bench-snap
