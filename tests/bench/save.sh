#!/usr/bin/env bash
# Save and restore: the Linux guest of assets/guests/linux booted to its
# shell, with MiB of RAM each size given, idle and then busy (its shell
# rewriting a 4 MB file of random bytes in a loop, as tests/bench/migrate.sh
# does), is checkpointed
# (hv save -c: the wall time of the command, the vCPU held meanwhile),
# saved and ended (hv save), and restored (hv restore: the wall time until
# the domain runs again, domain creation included); prints the times and
# the file's size (zero pages are skipped), the restore's phases from the
# domain's log, and the load average. Prints figures; asserts nothing.
#
#   bash tests/bench/save.sh [BUILD_DIR] [MIB...]   (build, 128 1024)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
shift || true
sizes=${*:-128 1024}
hv="$root/$build/hv"
guest=${HV_LINUX_GUEST_DIR:-$root/assets/guests/linux/out}
work=$(mktemp -d)
cleanup() {
  for n in $sizes; do "$hv" destroy "bench-$n" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"

now() { date +%s%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

writer='head -c 4000000 /dev/urandom > /tmp/r; while true; do cp /tmp/r /tmp/w; done &'

# One round on domain $1 (RAM $2 MiB, $3 idle or busy): save -c, save, restore.
round() {
  local name=$1 t tc ts tr mib
  t=$(now); "$hv" save -c "$name" "$work/$name.sav"; tc=$(since "$t")
  t=$(now); "$hv" save "$name" "$work/$name.sav"; ts=$(since "$t")
  t=$(now); "$hv" restore "$work/$name.sav" >/dev/null; tr=$(since "$t")
  mib=$(awk -v s="$(stat -c %s "$work/$name.sav")" 'BEGIN { printf "%.1f", s / 1048576 }')
  printf '%-8s %-6s %10s %10s %12s %12s\n' "$2" "$3" "$tc" "$ts" "$tr" "$mib"
  # The restore's phases, from the domain's log.
  grep -h "restored at" "$XDG_STATE_HOME/hv/$name.log" | tail -1 |
    sed 's/.*restored at guest time [0-9.]* s /  restore: /'
}

printf '%-8s %-6s %10s %10s %12s %12s\n' "RAM MiB" "guest" "save -c s" "save s" "restore s" \
  "file MiB"
for n in $sizes; do
  name="bench-$n"
  cat >"$work/$name.cfg" <<CFG
name = "$name"
memory = $n
engine = "soft"
kernel = "$guest/vmlinuz"
ramdisk = "$guest/initramfs.cpio.gz"
extra = "console=ttyS0,115200 quiet panic=-1 cryptomgr.notests"
CFG
  "$hv" create "$work/$name.cfg" >/dev/null
  log="$XDG_STATE_HOME/hv/$name.console.log"
  for _ in $(seq 600); do
    grep -q HV-LINUX-READY "$log" 2>/dev/null && break
    sleep 1
  done
  sleep 5 # the shell is up and idle
  round "$name" "$n" idle
  (printf '%s\n' "$writer"; sleep 4) | timeout 6 "$hv" console --live "$name" >/dev/null || true
  round "$name" "$n" busy
  "$hv" destroy "$name"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
