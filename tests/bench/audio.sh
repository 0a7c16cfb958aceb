#!/usr/bin/env bash
# Sound: the latency from a frame's mixing to the sink, underruns and the
# host CPU of a playing domain, against a private PulseAudio server with a
# null sink (started here, killed at the end). tests/guests/tonelong.asm
# plays 1000 Hz on the PC speaker for SECONDS of virtual time:
#
#   - idle: once with audio = "pulse" and once with audio = "none"; the
#     difference of the two CPU times is what playing costs;
#   - loaded: with audio = "pulse" while 2 busy loops per core run beside
#     it (plain nice 0 shell loops, killed at the end).
#
# The latency is what the server reported at each write (its buffer and
# the sink's, plus frames queued in hv), from the domain's closing log
# line: mean, median, 99th percentile, worst; add up to 5 ms for the
# mixing timer's period. The host is shared: the load average is printed
# with each run. Prints figures; asserts nothing.
#
#   bash tests/bench/audio.sh [BUILD_DIR] [SECONDS] [LATENCY_MS]   (build, 10, 30)
#   HV=/path/to/hv bash tests/bench/audio.sh ...   (another build's binary)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
secs=${2:-10}
lat=${3:-30}
hv=${HV:-"$root/$build/hv"}
work=$(mktemp -d)
pulse="$work/pulse"
hogs=()
cleanup() {
  for h in "${hogs[@]}"; do kill "$h" 2>/dev/null || true; done
  [ -f "$pulse/pid" ] && kill "$(cat "$pulse/pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR" "$pulse"
HOME=$pulse PULSE_RUNTIME_PATH=$pulse PULSE_STATE_PATH=$pulse XDG_CONFIG_HOME=$pulse \
  pulseaudio -n --daemonize=yes --exit-idle-time=-1 --use-pid-file=yes \
  --load="module-null-sink sink_name=hvtest rate=48000" \
  --load="module-native-protocol-unix auth-anonymous=1" 2>/dev/null
export PULSE_SERVER="unix:$pulse/native"

# run NAME SINK: one domain for SECONDS; its CPU time in $work/NAME.time.
run() {
  cat >"$work/$1.cfg" <<CFG
name = "bench-$1"
firmware = "$root/$build/tests/guests/tonelong.bin"
engine = "soft"
memory = 16
serial = "none"
audio = "$2"
audio_latency_ms = $lat
CFG
  /usr/bin/time -f "%U %S" -o "$work/$1.time" "$hv" run --timeout "$secs" "$work/$1.cfg" \
    >"$work/$1.out" 2>&1 || true
}

# figures NAME: the closing line's latency, underruns per minute, drops.
figures() {
  local line
  line=$(grep -o 'PulseAudio stream closed: .*' "$work/$1.out" || true)
  if [ -z "$line" ]; then
    echo "$1: no PulseAudio figures (see $work/$1.out)"
    return
  fi
  echo "$line" | awk -v k="$1" -v t="$secs" '{
    frames = $4; under = $6; drop = $8; skip = substr($10, 2)
    mean = p50 = p99 = worst = "n/a"
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) == "ms" && $(i + 2) ~ /^mean/) mean = $i
      if ($(i + 1) == "ms" && $(i + 2) ~ /^p50/) p50 = $i
      if ($(i + 1) == "ms" && $(i + 2) ~ /^p99/) p99 = $i
      if ($(i + 1) == "ms" && $(i + 2) ~ /^worst/) worst = $i
    }
    printf "%s: latency p50 %s ms, p99 %s ms (mean %s, worst %s); %.1f underruns/min; %.1f%% of %d frames dropped (%.1f%% skipped after stalls)\n",
      k, p50, p99, mean, worst, under * 60 / t, frames ? 100 * drop / frames : 0, frames, frames ? 100 * skip / frames : 0 }'
}

echo "hv: $hv, latency target ${lat} ms, ${secs} s each"
for sink in pulse none; do
  run "idle-$sink" "$sink"
  tail -n 1 "$work/idle-$sink.time" | awk -v k="$sink" -v t="$secs" \
    '{ printf "idle, audio=%s: host CPU %.2f s (user+sys) for %s s of play\n", k, $1 + $2, t }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
figures idle-pulse

for _ in $(seq $((2 * $(nproc)))); do
  sh -c 'while :; do :; done' &
  hogs+=($!)
done
run loaded-pulse pulse
for h in "${hogs[@]}"; do kill "$h" 2>/dev/null || true; done
hogs=()
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
figures loaded-pulse
