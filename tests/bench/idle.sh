#!/usr/bin/env bash
# Host CPU of the idle modern guest (assets/guests/modern: Debian's 686
# kernel, its periodic 250 Hz tick) on hv's soft engine, COM1 to a file, no
# display: the domain process's user+system CPU seconds over WINDOW s
# (default 60), REPS times (default 3), once the guest has settled (see
# settle). Prints each window as percent of one core with the load average,
# and the median; asserts nothing. QEMU=1 adds qemu-system-i386 TCG
# (-display none) on the same kernel, initramfs and root for comparison.
# EXTRA: words added to the guest's kernel command line (tsc=reliable...);
# NAME: the domain's name (default bench-idle), for runs side by side.
#
#   bash tests/bench/idle.sh [BUILD_DIR]        (default: build; HV=PATH: that binary)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv=${HV:-"$root/${1:-build}/hv"}
guest="$root/assets/guests/modern/out"
window=${WINDOW:-60}
reps=${REPS:-3}
name=${NAME:-bench-idle}
bash "$root/assets/guests/modern/build.sh" "$guest"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"
# shellcheck source=tests/bench/idle_lib.sh
source "$root/tests/bench/idle_lib.sh"
modern_cmdline="$modern_cmdline${EXTRA:+ $EXTRA}"
trap '"$hv" destroy "$name" >/dev/null 2>&1 || true; cleanup' EXIT

# clocksource: the guest's last clocksource, from its kernel messages.
clocksource() {
  sed -n 's/.*Switched to clocksource \([a-z_0-9-]*\).*/\1/p' "$out" | tail -1
}

# measure PID WHO: settles, then prints REPS windows and their median.
measure() {
  local p=$1 who=$2 i v all=()
  settle "$p"
  echo "  $who: guest clocksource $(clocksource); settled after 5 s windows of $settled %"
  for i in $(seq "$reps"); do
    v=$(cpu_percent "$window" "$p")
    all+=("$v")
    printf '  %-10s window %d: %5s%% of a core (load average %s)\n' "$who" "$i" "$v" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
  printf '  %-10s median: %s%%\n' "$who" "$(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((reps + 1) / 2))p")"
}

cp "$guest/root.img" "$work/root.img"
start hv "$hv" run --timeout 3600 "$(modern_cfg "$name" "")"
wait_for HV-MODERN-READY 90000 || { echo "hv did not boot; its output ends:" >&2; tail -5 "$out" >&2; exit 1; }
dom=$("$hv" list -l "$name" | awk '$1 == "pid" { print $2; exit }')
echo "idle modern guest, COM1 to a file, no display, ${window} s windows:"
measure "$dom" "hv (soft)"
echo poweroff >&9
wait "$pid" || true
pid=
exec 9>&-

[ "${QEMU:-0}" = 1 ] || exit 0
cp "$guest/root.img" "$work/root.img"
modern_qemu
start qemu "${qemu_cmd[@]}" -display none -vga none
wait_for HV-MODERN-READY 90000 || { echo "qemu did not boot" >&2; exit 1; }
measure "$pid" "qemu tcg"
echo poweroff >&9
wait "$pid" || true
pid=
exec 9>&-
