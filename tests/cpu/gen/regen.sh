#!/bin/sh
# Regenerates the CPU conformance vectors tests/cpu/*.json: the host CPU's
# results (a 32-bit program, so gcc -m32: Debian's gcc-multilib) and the
# hand-written cases (python3). Run from anywhere on an x86 Linux host; not
# part of the build or of the tests. See docs/cpu-test.md.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
gcc -m32 -O1 -Wall -Wextra -Werror -o "$gen" "$top"/tests/cpu/gen/native.c \
	"$top"/tests/cpu/gen/gen.c "$top"/tests/cpu/gen/gen2.c "$top"/tests/cpu/gen/gen3.c "$top"/tests/cpu/gen/gen4.c
"$gen" "$top/tests/cpu"
python3 "$top/tests/cpu/gen/handwritten.py" "$top/tests/cpu"
