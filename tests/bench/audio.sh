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
# The latency is that of the newest frame mixed at each write to the
# server, from its mixing to the sink (its wait for the write, hv's queue
# ahead of it, the server's buffer and the sink's as the server reports
# them; a sound's wait for the mixing round is inside it, since frames
# play in order behind the newest), from the domain's closing log line:
# mean, median, 99th percentile, worst, counted from the moment the
# server first played from the stream. The frames the guest played before
# that (a null sink starts a new stream only after the block it rendered
# while idle) are reported apart, with how long that took. The host is
# shared: the load average is printed with each run; run the whole under
# `nice -n -10` to stand in for an idle host (the busy loops of the loaded
# run stay at nice 0).
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
  echo "$line" | awk -v k="$1" -v t="$secs" '
    # the number before the words w1 (and w2) in the line, or "n/a"
    function before(w1, w2,   i) {
      for (i = 2; i <= NF; i++)
        if ($i ~ "^" w1 && (w2 == "" || $(i + 1) ~ "^" w2)) return $(i - 1)
      return "n/a"
    }
    {
      frames = $4; under = $6; drop = $8; skip = substr($10, 2)
      for (i = 1; i <= NF; i++) {
        if ($i == "from") start = $(i + 1)
        if ($i == "opened") lost = substr($(i + 1), 2)
      }
      printf "%s: latency p50 %s ms, p99 %s ms (mean %s, worst %s); %.1f underruns/min; %.2f%% of %d frames dropped (%s trimmed in %s cuts, %s after stalls), %s padded in %s holds; the server played from %s ms on (%.1f%% of the frames before, not heard)\n",
        k, before("ms", "p50"), before("ms", "p99"), before("ms", "mean"), before("ms", "worst"),
        under * 60 / t, frames ? 100 * drop / frames : 0, frames, before("trimmed"), before("cuts"),
        skip, before("padded"), before("holds"), start, frames ? 100 * lost / frames : 0 }'
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
  renice -n 0 -p "$!" >/dev/null # nice 0 even under a niced bench
done
run loaded-pulse pulse
for h in "${hogs[@]}"; do kill "$h" 2>/dev/null || true; done
hogs=()
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
figures loaded-pulse
