#!/usr/bin/env bash
# virtio-gpu: the modern guest of assets/guests/modern (Debian's 686 kernel,
# 128 MiB, its virtio-gpu driver at 1024x768) in hv with vfb = [
# 'type=virtio' ] and a viewer (`hv view`, in Xvfb), next to QEMU 7.2 TCG
# with -device virtio-vga and its SDL display on the same kernel,
# initramfs and root:
#   1. host CPU of the idle guest (its shell on fbcon, the cursor blinking)
#      over 10 s, once the guest has settled (idle_lib.sh's settle: its
#      prompt comes while boot work still runs): hv's domain and viewer
#      processes together, against the one QEMU process;
#   2. frames per second of full-screen updates: the recipe's KMS program
#      (hvdraw flip N, assets/guests/modern/hvdraw.c) page-flips between
#      two 1024x768 pictures and waits for each flip, which virtio-gpu
#      completes once the host has taken the frame (TRANSFER_TO_HOST_2D of
#      the whole frame, RESOURCE_FLUSH, fenced). Timed on the host between
#      the program's start and done lines on COM1 (and the guest's own
#      figure);
#   3. for hv, what its viewer (`hv view --stats`) presented meanwhile, and
#      the latency from the guest's flush of a frame (the domain renders
#      at once when the viewer has acked its last frame) to the viewer's
#      present (p50/p99). QEMU has no such probe.
# Prints figures and hv/QEMU ratios, the load average at each step and the
# guests' clocksources; asserts nothing. Needs Xvfb and qemu-system-gui
# (QEMU's SDL display).
#
#   bash tests/bench/gpu.sh [BUILD_DIR]      (default: build; FRAMES=300)
#   HV_VIEW_NICE=-5: hv's viewer at that nice level (root), to tell hv's
#   design from the machine's load.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest="$root/assets/guests/modern/out"
frames=${FRAMES:-300}
bash "$root/assets/guests/modern/build.sh" "$guest"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"
# shellcheck source=tests/bench/idle_lib.sh
source "$root/tests/bench/idle_lib.sh"
xpid=
view=
gpu_cleanup() {
  local q
  "$hv" destroy bench-gpu >/dev/null 2>&1 || true
  for q in $view $xpid $pid; do kill "$q" 2>/dev/null || true; done
  rm -rf "$work"
}
trap gpu_cleanup EXIT

n=90
while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
export DISPLAY=":$n"
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done

# idle PID...: percent of one core the processes used over 10 s.
idle() { cpu_percent 10 "$@"; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# clocksource: the guest's last clocksource, from its kernel messages.
clocksource() {
  sed -n 's/.*Switched to clocksource \([a-z_0-9-]*\).*/\1/p' "$out" | tail -1
}

# flips: types `hvdraw flip $frames` and prints "HOST_FPS GUEST_FPS" (the
# host's figure timed between the START and DONE lines).
flips() {
  local t0 t1
  echo "hvdraw flip $frames" >&9
  wait_for HVDRAW-FLIP-START 60000 || { echo "0 0"; return; }
  t0=$(now_ms)
  wait_for HVDRAW-FLIP-DONE 180000 || { echo "0 0"; return; }
  t1=$(now_ms)
  awk -v n="$frames" -v ms=$((t1 - t0)) -v g="$(sed -n 's/.*HVDRAW-FLIP-DONE.* fps=\([0-9.]*\).*/\1/p' "$out" | head -1)" \
    'BEGIN { printf("%.1f %s", (ms > 0 ? n * 1000 / ms : 0), g) }'
}

# booted NAME: waits for the guest's shell.
booted() {
  wait_for HV-MODERN-READY 90000 || { echo "$1 did not boot; its output ends:" >&2; tail -5 "$out" >&2; exit 1; }
}

cp "$guest/root.img" "$work/root.img"
start hv "$hv" run --timeout 1800 "$(modern_cfg bench-gpu "vfb = [ 'type=virtio' ]"$'\n')"
for _ in $(seq 600); do "$hv" list -l bench-gpu >/dev/null 2>&1 && break; sleep 0.1; done
nice -n "${HV_VIEW_NICE:-0}" "$hv" view bench-gpu >"$work/view.txt" 2>&1 &
view=$!
booted hv
kill -0 "$view" 2>/dev/null || { echo "hv view ended:" >&2; cat "$work/view.txt" >&2; exit 1; }
dom=$("$hv" list -l bench-gpu | awk '$1 == "pid" { print $2; exit }')
settle "$dom" "$view"
hv_settled=$settled
hv_dom_idle=$(idle "$dom")
hv_idle=$(idle "$dom" "$view")
hv_idle_load=$(loadavg)
kill "$view" 2>/dev/null || true
wait "$view" 2>/dev/null || true
nice -n "${HV_VIEW_NICE:-0}" "$hv" view --stats bench-gpu >"$work/stats.txt" 2>&1 &
view=$!
sleep 2
read -r hv_fps hv_gfps <<<"$(flips)"
hv_flips_load=$(loadavg)
kill "$view" 2>/dev/null || true
wait "$view" 2>/dev/null || true
view=
stats=$(grep stats: "$work/stats.txt" || echo "stats: none")
hv_cs=$(clocksource)
echo poweroff >&9
wait "$pid" || true
pid=
exec 9>&-

cp "$guest/root.img" "$work/root.img"
modern_qemu
start qemu "${qemu_cmd[@]}" -display sdl -vga none -device virtio-vga
booted qemu
settle "$pid"
q_settled=$settled
q_idle=$(idle "$pid")
q_idle_load=$(loadavg)
read -r q_fps q_gfps <<<"$(flips)"
q_flips_load=$(loadavg)
q_cs=$(clocksource)
echo poweroff >&9
wait "$pid" || true
pid=
exec 9>&-

ratio() { awk -v h="$1" -v q="$2" 'BEGIN { if (q > 0) printf "%.2fx", h / q; else print "?" }'; }
echo "idle guest on its virtio-gpu console with a viewer attached, 10 s (% of one core):"
printf '  %-26s %5s  (domain alone %s; load average %s)\n' "hv (soft) + hv view" "$hv_idle" "$hv_dom_idle" "$hv_idle_load"
printf '  %-26s %5s  (load average %s)\n' "qemu tcg virtio-vga, SDL" "$q_idle" "$q_idle_load"
echo "  ratio hv/qemu: $(ratio "$hv_idle" "$q_idle")"
echo "  (settled after 5 s windows of: hv $hv_settled %; qemu $q_settled %)"
echo "full-screen 1024x768 page flips ($frames, hvdraw flip), frames per second:"
printf '  %-26s %6s  (guest clock %s, clocksource %s; load average %s)\n' \
  "hv (soft)" "$hv_fps" "$hv_gfps" "$hv_cs" "$hv_flips_load" \
  "qemu tcg virtio-vga" "$q_fps" "$q_gfps" "$q_cs" "$q_flips_load"
echo "  ratio hv/qemu: $(ratio "$hv_fps" "$q_fps")"
echo "hv's viewer meanwhile (the guest's flush to the viewer's present; viewer nice ${HV_VIEW_NICE:-0}):"
echo "  $stats"
