#!/usr/bin/env python3
"""Which translated blocks a perf profile of a soft-CPU domain spent its time in.

perf does not name code in hv's JIT buffer from /tmp/perf-PID.map: the
buffer is a memfd mapping ("memfd:hv-jit (deleted)"), and perf reads
perf maps only for anonymous memory. This script does the lookup:

  HV_JIT_PERFMAP=1 perf record -F 2000 -o boot.perf -- build/hv run guest.cfg
  perf script -i boot.perf -F ip,dso | grep hv-jit | awk '{print $1}' >ips.txt
  python3 tests/bench/jitprof.py /tmp/perf-PID.map ips.txt [N]

It prints the N (default 40) translations with the most samples, named
hv-jit:GUESTPHYS as the map names them, with their share and the running
total. A map that was restarted (the buffer emptied) names only the code
of its last generation.
"""
import bisect
import collections
import sys


def load_map(path):
    entries = []
    with open(path) as f:
        for line in f:
            parts = line.split(None, 2)
            if len(parts) == 3:
                entries.append((int(parts[0], 16), int(parts[1], 16), parts[2].strip()))
    entries.sort()
    return entries


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    entries = load_map(sys.argv[1])
    starts = [e[0] for e in entries]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    counts = collections.Counter()
    unmapped = 0
    with open(sys.argv[2]) as f:
        for line in f:
            ip = int(line.strip(), 16)
            i = bisect.bisect_right(starts, ip) - 1
            if i >= 0 and ip < entries[i][0] + entries[i][1]:
                counts[entries[i][2]] += 1
            else:
                unmapped += 1
    total = sum(counts.values()) + unmapped
    if total == 0:
        sys.exit("no samples")
    print("samples %d, not in the map %d, translations hit %d" % (total, unmapped, len(counts)))
    running = 0
    for name, n in counts.most_common(top):
        running += n
        print("%-24s %7d %6.2f%% %6.1f%%" % (name, n, 100.0 * n / total, 100.0 * running / total))


if __name__ == "__main__":
    main()
