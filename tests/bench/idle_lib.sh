# shellcheck shell=bash
# Idle-CPU helpers shared by idle.sh and gpu.sh.

# cpu_seconds PID...: user+system CPU time of the processes so far.
cpu_seconds() {
  local p
  for p in "$@"; do cat "/proc/$p/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{ s += $14 + $15 } END { print s / hz }'
}

# cpu_percent SECONDS PID...: percent of one core the processes used over
# SECONDS.
cpu_percent() {
  local a b
  a=$(cpu_seconds "${@:2}")
  sleep "$1"
  b=$(cpu_seconds "${@:2}")
  awk -v a="$a" -v b="$b" -v s="$1" 'BEGIN { printf("%.1f", (b - a) * 100 / s) }'
}

# settle PID...: waits until the guest's boot work is over (its shell's
# prompt comes while services still start, modules load and the page cache
# fills): until two 5 s windows in a row use under 1.5 times the smaller
# of the two and within 2 points of a core of each other, 90 s at most.
# The windows' figures go into $settled (percent of a core each).
settle() {
  local prev cur
  prev=$(cpu_percent 5 "$@")
  settled=$prev
  for _ in $(seq 17); do
    cur=$(cpu_percent 5 "$@")
    settled="$settled $cur"
    if awk -v a="$prev" -v b="$cur" 'BEGIN { lo = a < b ? a : b; hi = a < b ? b : a;
        exit !(hi - lo < 2 && hi <= 1.5 * lo + 0.5) }'; then
      return 0
    fi
    prev=$cur
  done
}
