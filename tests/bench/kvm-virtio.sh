#!/usr/bin/env bash
# virtio-blk and virtio-net on hv's KVM engine next to QEMU's KVM mode,
# measured inside the nested-KVM VM of tests/nested/run.sh
# (tests/bench/kvm-virtio-guest.sh runs there after the nested 'modern'
# check): dd of 64 MiB in 1 MiB blocks, read and write+fsync, and 16 MiB
# over TCP, in the 64-bit Linux guest. Figures, not a test; under nested
# TCG only the ratios mean anything.
#
#   tests/bench/kvm-virtio.sh [BUILD_DIR]      (default: build)
#
# HV_BENCH_ROUNDS rounds (default 3), each a fresh boot of both VMMs in
# alternating order (hv qemu, qemu hv, ...); the BENCH lines give the
# medians over the rounds and their spread, BENCH-ROUND lines each
# round; each boot runs the control loop, the read and the write
# HV_BENCH_REPS times (3) and keeps the least of each. BENCH-CPU lines
# give the outer QEMU's CPU time per phase (the least of the repeats).
# HV_BENCH_OFFLOAD0=1 adds one boot of hv with vif offload=0.
# hv offers its guest KVM's paravirtual clock by default, as QEMU's guest
# has it; HV_KVM_PVCLOCK=0 (as run.sh takes it) leaves it the ACPI PM
# timer. The guest's clocksource is printed with its network set-up
# (NET-42). HV_NESTED_CHECKS=hello skips the modern check before the
# benchmark (about 4 minutes a round then, on a loaded 2-core machine).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
rounds=${HV_BENCH_ROUNDS:-3}
HV_BENCH_ROUNDS=$rounds HV_BENCH_REPS=${HV_BENCH_REPS:-3} HV_NESTED_CHECKS=${HV_NESTED_CHECKS:-modern} \
	HV_NESTED_TIMEOUT=${HV_NESTED_TIMEOUT:-$((600 + 360 * rounds))} \
	"$root/tests/nested/run.sh" "$build" --bench-virtio >&2 || true
log=${HV_NESTED_CACHE:-$build/nested}/console.log
grep '^BENCH' "$log" | grep -v '^BENCH-MARK' || true
# The outer QEMU's CPU time over each phase (run.sh stamps the guest
# script's BENCH-MARK lines with it): the work the nested stack did, which
# the outer host's load does not stretch as it does wall time.
awk "$(cat "$root/tests/bench/stats.awk")"'
$1 == "BENCH-MARK" && ($2 == "hv" || $2 == "qemu") {
	split($6, c, "=")
	k = $2 SUBSEP $3 SUBSEP $4
	if ($5 == "start") { s[k] = c[2]; next }
	if (!(k in s) || c[2] !~ /^[0-9]+$/ || s[k] !~ /^[0-9]+$/) next
	p = $4
	sub(/[0-9]+$/, "", p) # a repeat (RD2): the least of them
	b = $2 SUBSEP $3 SUBSEP p
	if (!(b in d) || c[2] - s[k] < d[b]) d[b] = c[2] - s[k]
	if ($3 + 0 > nr) nr = $3 + 0
}
END {
	if (!nr) exit
	for (b in d) {
		split(b, f, SUBSEP)
		all[f[1], f[3]] = all[f[1], f[3]] " " d[b]
	}
	n = split("BUSY RD WR AGAIN NET", ph, " ")
	split("guest-busy-loop virtio-blk-read virtio-blk-write guest-busy-loop-again virtio-net-tx", what, " ")
	for (i = 1; i <= n; i++) {
		p = ph[i]; rl = ""
		for (r = 1; r <= nr; r++) {
			h = ("hv" SUBSEP r SUBSEP p); q = ("qemu" SUBSEP r SUBSEP p)
			if ((h in d) && (q in d) && d[h] > 0) rl = rl " " d[q] / d[h]
		}
		hm = med(all["hv", p]); qm = med(all["qemu", p])
		printf "BENCH-CPU %s hv=%s qemu=%s cs of the outer QEMU CPU (ratio qemu/hv %s, above 1: hv used less; medians of %d rounds, hv %s qemu %s; per-round ratios %s, median %s)\n", \
			what[i], hm, qm, (hm != "n/a" && qm != "n/a" && hm > 0 ? sprintf("%.2f", qm / hm) : "n/a"), nr, \
			span(all["hv", p], "%d"), span(all["qemu", p], "%d"), span(rl, "%.2f"), (med(rl) == "n/a" ? "n/a" : sprintf("%.2f", med(rl)))
	}
}' "$log"
