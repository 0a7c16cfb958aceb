#!/usr/bin/env bash
# Live migration: the Linux guest of assets/guests/linux (128 MiB, soft
# engine) booted to its shell, migrated over TCP on 127.0.0.1 between two
# runtime directories, idle and then while its shell rewrites a 4 MB file
# of random bytes in a loop (memory-writing). Prints hv migrate's total
# time, downtime, pages and rounds; then QEMU 7.2 (qemu-system-i386, TCG)
# on the same kernel and initramfs, migrated to a second QEMU started with
# -incoming, with `info migrate`'s figures. Prints figures; asserts
# nothing. After hv's rows, the phases of each downtime (the sender's
# last step: vCPU held, last pages, state, the receiver's answer; the
# receiver's load of the state) from the two domains' logs, and the load
# average (the machine's other work skews every figure).
#
#   bash tests/bench/migrate.sh [BUILD_DIR]   (build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
hv="$root/$build/hv"
guest=${HV_LINUX_GUEST_DIR:-$root/assets/guests/linux/out}
work=$(mktemp -d)
port=$((30000 + $$ % 20000))
qpids=()
phases=()
cleanup() {
  for h in a b; do XDG_RUNTIME_DIR="$work/run-$h" "$hv" destroy bench >/dev/null 2>&1 || true; done
  for p in "${qpids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p -m 0700 "$work/run-a" "$work/run-b" "$work/state-a" "$work/state-b"
on() { # on a|b COMMAND...: hv on host a or b
  local h=$1
  shift
  XDG_RUNTIME_DIR="$work/run-$h" XDG_STATE_HOME="$work/state-$h" "$@"
}
extra="console=ttyS0,115200 quiet panic=-1 cryptomgr.notests"
writer='head -c 4000000 /dev/urandom > /tmp/r; while true; do cp /tmp/r /tmp/w; done &'

cat >"$work/bench.cfg" <<CFG
name = "bench"
memory = 128
engine = "soft"
kernel = "$guest/vmlinuz"
ramdisk = "$guest/initramfs.cpio.gz"
extra = "$extra"
serial = "pty"
CFG

# hv migrate from host $1 to host $2; prints its summary's figures.
hv_migrate() {
  local from=$1 to=$2 label=$3 line
  port=$((port + 1))
  on "$to" "$hv" migrate-receive --listen "tcp:127.0.0.1:$port" >/dev/null 2>"$work/rx.err" &
  local rx=$!
  for _ in $(seq 100); do grep -q waiting "$work/rx.err" 2>/dev/null && break; sleep 0.1; done
  line=$(on "$from" "$hv" migrate bench "tcp:127.0.0.1:$port")
  wait "$rx"
  # "migrated bench to ...: total T s, downtime D ms, P pages in R rounds (M MiB)"
  awk -v l="$label" '{ printf "%-24s %9s %11s %9s %7s\n", "hv " l, $6, $9, $11, $14 }' <<<"$line"
  # The downtime's phases: the sender's last step, the receiver's load.
  phases+=("hv $label: $(grep -h "last step" "$work/state-$from/hv/bench.log" | tail -1 |
    sed 's/.*last step: //'); receiver: $(grep -h "restored at" "$work/state-$to/hv/bench.log" |
    tail -1 | sed 's/.*restored at guest time [0-9.]* s //')")
}

printf '%-24s %9s %11s %9s %7s\n' "" "total s" "downtime ms" "pages" "rounds"
on a "$hv" create "$work/bench.cfg" >/dev/null
for _ in $(seq 600); do
  grep -q HV-LINUX-READY "$work/state-a/hv/bench.console.log" 2>/dev/null && break
  sleep 1
done
sleep 5
hv_migrate a b "idle"
(printf '%s\n' "$writer"; sleep 4) | on b timeout 6 "$hv" console --live bench >/dev/null || true
hv_migrate b a "memory-writing"
on a "$hv" destroy bench >/dev/null
printf '%s\n' "${phases[@]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# QEMU 7.2 on the same guest: TCG, HMP on a unix socket.
hmp() { # hmp SOCKET COMMAND: the monitor's answer
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
def drain():
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except socket.timeout:
        pass
    return out
drain()
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.5)
print(drain().decode(errors="replace"))
PY
}
if ! command -v qemu-system-i386 >/dev/null; then
  echo "qemu-system-i386: not installed"
  exit 0
fi
qemu_run() { # qemu_run NAME [ARGS...]
  local n=$1
  shift
  qemu-system-i386 -accel tcg -m 128 -display none -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$extra" \
    -serial "unix:$work/$n.serial,server=on,wait=off" \
    -monitor "unix:$work/$n.mon,server=on,wait=off" "$@" >/dev/null 2>&1 &
  qpids+=($!)
}
qemu_migrate() { # qemu_migrate SRC DST LABEL
  local src=$1 dst=$2 label=$3 info
  port=$((port + 1))
  qemu_run "$dst" -incoming "tcp:127.0.0.1:$port"
  sleep 1
  hmp "$work/$src.mon" "migrate -d tcp:127.0.0.1:$port" >/dev/null
  for _ in $(seq 600); do
    info=$(hmp "$work/$src.mon" "info migrate")
    grep -q "Migration status: completed\|Migration status: failed" <<<"$info" && break
  done
  awk -v l="$label" '
    /^total time:/ { t = $3 / 1000 }
    /^downtime:/ { d = $2 }
    /^transferred ram:/ { tr = $3 }
    /^dirty sync count:/ { r = $4 }
    /^normal:/ { p = $2 }
    /^duplicate:/ { z = $2 }
    END { printf "%-24s %9.3f %11s %9s %7s\n", "qemu " l, t, d, p + z, r }' <<<"$info"
}
qemu_run q1
sleep 60 # its boot to the shell on TCG
qemu_migrate q1 q2 "idle"
python3 - "$work/q2.serial" "$writer" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"\n" + sys.argv[2].encode() + b"\n"); time.sleep(3)
PY
qemu_migrate q2 q3 "memory-writing"
