#!/usr/bin/env bash
# Sound: the latency from a frame's mixing to the sink and the host CPU of
# a playing domain, against a private PulseAudio server with a null sink
# (started here, killed at the end). tests/guests/tonelong.asm plays
# 1000 Hz on the PC speaker for SECONDS of virtual time, once with
# audio = "pulse" and once with audio = "none"; the difference of the two
# CPU times is what playing costs. The latency is what the server reported
# at each write (its buffer and the sink's, plus frames queued in hv),
# from the domain's closing log line; add up to 5 ms for the mixing
# timer's period. Prints figures; asserts nothing.
#
#   bash tests/bench/audio.sh [BUILD_DIR] [SECONDS] [LATENCY_MS]   (build, 10, 30)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
secs=${2:-10}
lat=${3:-30}
hv="$root/$build/hv"
work=$(mktemp -d)
pulse="$work/pulse"
cleanup() {
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

for sink in pulse none; do
  cat >"$work/$sink.cfg" <<CFG
name = "bench-$sink"
firmware = "$root/$build/tests/guests/tonelong.bin"
engine = "soft"
memory = 16
serial = "none"
audio = "$sink"
audio_latency_ms = $lat
CFG
  /usr/bin/time -f "%U %S" -o "$work/$sink.time" "$hv" run --timeout "$secs" "$work/$sink.cfg" \
    >"$work/$sink.out" 2>&1 || true
  tail -n 1 "$work/$sink.time" | awk -v k="$sink" -v t="$secs" \
    '{ printf "audio=%s: host CPU %.2f s (user+sys) for %s s of play\n", k, $1 + $2, t }'
done
grep -o 'PulseAudio stream closed: .*' "$work/pulse.out" || echo "no PulseAudio figures (see $work/pulse.out)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
