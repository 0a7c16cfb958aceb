#!/usr/bin/env bash
# The display path, in a virtual X server (Xvfb), next to QEMU's SDL display
# on the same guest disks (SeaBIOS, vgabios-stdvga, our boot sectors):
#   1. host CPU of an idle guest (text mode, waiting for a key, cursor
#      blinking) with a viewer attached, over 10 s: hv's domain and viewer
#      processes together, against the one QEMU process;
#   2. host CPU of a still VBE screen (640x480x32, tests/guests/vbedraw.asm)
#      with a viewer attached, over 10 s: the renderer looks only at rows
#      in framebuffer pages the guest wrote (dirty-page logging);
#   3. a full-screen mode-13h animation (tests/guests/anim.asm) shown for
#      10 s by `hv view --stats`: frames presented per second and the
#      latency from the domain's render of a change to the viewer's
#      present (a guest write waits at most one more 16 ms refresh tick
#      for that render).
# Prints figures; asserts nothing. Needs qemu-system-gui for QEMU's SDL display.
#
#   bash tests/bench/display.sh [BUILD_DIR]      (default: build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$root/${1:-build}"
hv="$build/hv"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
  for d in bench-idle bench-vbe bench-anim; do "$hv" destroy "$d" >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

n=90
while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=":$n"
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done

# cpu_seconds PID: user+system CPU time of a process so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

# domain NAME IMAGE: a SeaBIOS domain booting IMAGE; prints its pid.
domain() {
  cp "$2" "$work/$1.img"
  printf 'name = "%s"\nmemory = 32\nfirmware = "/usr/share/seabios/bios.bin"\nserial = "none"\ndisk = [ "format=raw,vdev=hda,access=ro,target=%s" ]\nboot = "c"\n' \
    "$1" "$work/$1.img" >"$work/$1.cfg"
  "$hv" create "$work/$1.cfg" >/dev/null
  "$hv" list -l "$1" | awk '$1 == "pid" { print $2; exit }'
}

echo "== idle guest with a viewer attached (10 s)"
dom=$(domain bench-idle "$build/tests/guests/vgaboot.bin")
"$hv" view bench-idle >/dev/null 2>&1 &
view=$!
pids+=($view)
sleep 5
a=$(cpu_seconds "$dom"); b=$(cpu_seconds "$view")
sleep 10
a2=$(cpu_seconds "$dom"); b2=$(cpu_seconds "$view")
kill "$view"
awk -v d="$(echo "$a2 - $a" | bc)" -v v="$(echo "$b2 - $b" | bc)" \
  'BEGIN { printf "hv:   domain %.1f%%  viewer %.1f%%  total %.1f%% of one core\n", d * 10, v * 10, (d + v) * 10 }'
"$hv" destroy bench-idle >/dev/null

cp "$build/tests/guests/vgaboot.bin" "$work/q.img"
qemu-system-i386 -accel tcg -M pc -m 32 -display sdl -drive "file=$work/q.img,format=raw,if=ide" \
  -boot c >/dev/null 2>&1 &
q=$!
pids+=($q)
sleep 5
a=$(cpu_seconds "$q"); sleep 10; a2=$(cpu_seconds "$q")
kill "$q"
awk -v d="$(echo "$a2 - $a" | bc)" 'BEGIN { printf "qemu: %.1f%% of one core (TCG, SDL display)\n", d * 10 }'

echo "== still VBE screen 640x480x32 with a viewer attached (10 s)"
printf 'name = "bench-vbe"\nmemory = 16\nfirmware = "%s"\nserial = "none"\n' \
  "$build/tests/guests/vbedraw.bin" >"$work/bench-vbe.cfg"
"$hv" create "$work/bench-vbe.cfg" >/dev/null
dom=$("$hv" list -l bench-vbe | awk '$1 == "pid" { print $2; exit }')
"$hv" send-keys bench-vbe ret # it draws its last square and halts
"$hv" view bench-vbe >/dev/null 2>&1 &
view=$!
pids+=($view)
sleep 5
a=$(cpu_seconds "$dom"); b=$(cpu_seconds "$view")
sleep 10
a2=$(cpu_seconds "$dom"); b2=$(cpu_seconds "$view")
kill "$view"
awk -v d="$(echo "$a2 - $a" | bc)" -v v="$(echo "$b2 - $b" | bc)" \
  'BEGIN { printf "hv:   domain %.1f%%  viewer %.1f%%  total %.1f%% of one core\n", d * 10, v * 10, (d + v) * 10 }'
"$hv" destroy bench-vbe >/dev/null

echo "== full-screen animation, mode 13h (10 s)"
domain bench-anim "$build/tests/guests/anim.bin" >/dev/null
sleep 3
"$hv" view --stats bench-anim >"$work/stats.txt" 2>&1 &
view=$!
pids+=($view)
sleep 10
kill "$view"
wait "$view" 2>/dev/null || true
grep stats: "$work/stats.txt" || cat "$work/stats.txt"
