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
# round. HV_BENCH_OFFLOAD0=1 adds one boot of hv with vif offload=0.
# hv offers its guest KVM's paravirtual clock by default, as QEMU's guest
# has it; HV_KVM_PVCLOCK=0 (as run.sh takes it) leaves it the ACPI PM
# timer. The guest's clocksource is printed with its network set-up
# (NET-42). HV_NESTED_CHECKS=hello skips the modern check before the
# benchmark (about 4 minutes a round then, on a loaded 2-core machine).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
rounds=${HV_BENCH_ROUNDS:-3}
HV_BENCH_ROUNDS=$rounds HV_NESTED_CHECKS=${HV_NESTED_CHECKS:-modern} \
	HV_NESTED_TIMEOUT=${HV_NESTED_TIMEOUT:-$((600 + 300 * rounds))} \
	"$root/tests/nested/run.sh" "$build" --bench-virtio >&2 || true
grep '^BENCH' "${HV_NESTED_CACHE:-$build/nested}/console.log"
