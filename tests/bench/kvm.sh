#!/usr/bin/env bash
# hv's KVM engine next to QEMU's KVM mode, measured inside the nested-KVM
# VM of tests/nested/run.sh (this project's machines have no usable
# /dev/kvm of their own): exit round-trip cost of an OUT loop, the VMM's
# memory overhead, and the 64-bit Linux guest's boot to init. Figures, not
# a test; under nested TCG the absolute numbers are those of an emulated
# CPU, the ratios are what to compare.
#
#   tests/bench/kvm.sh [BUILD_DIR]      (default: build)
#
# HV_BENCH_LOOPS sets the OUTs per run (default 200000).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
"$root/tests/nested/run.sh" "$build" --bench >&2 || true
grep '^BENCH' "${HV_NESTED_CACHE:-$build/nested}/console.log"
