#!/bin/sh
# The layer rules of docs (DESIGN.md, "Layers inside hv/"), checked on the
# #include lines of the tree: prints every include that breaks one, as
# FILE:LINE: INCLUDE (RULE), and fails if there is any.
#   - outside legacy/ only legacy/pc.h and legacy/vga_access.h are seen
#     (tests/ excluded: unit suites test chips directly);
#   - hv/core includes nothing of hv/ outside hv/core;
#   - hv/x86, hv/kvm, hv/boot, hv/block, hv/config and legacy/ include
#     nothing of hv/domain or hv/cli.
# Usage: tests/layers.sh [SOURCE_DIR]
cd "${1:-$(dirname "$0")/..}" || exit 2

# check RULE PATTERN DIR...: includes matching PATTERN in DIRs break RULE.
check() {
	rule=$1
	pattern=$2
	shift 2
	for dir in "$@"; do
		[ -d "$dir" ] || continue
		grep -rnE --include='*.c' --include='*.h' "$pattern" "$dir" |
			sed "s|\$| ($rule)|"
	done
}

bad=$(
	find . -path ./tests -prune -o -path ./legacy -prune -o -path './build*' -prune -o \
		-path ./.git -prune -o -path ./assets -prune -o \
		\( -name '*.c' -o -name '*.h' \) -print |
		xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"legacy/' /dev/null |
		grep -vE '"legacy/(pc|vga_access)\.h"' |
		sed 's|$| (outside legacy/ only legacy/pc.h and legacy/vga_access.h)|'
	check 'hv/core uses nothing above it' \
		'^[[:space:]]*#[[:space:]]*include[[:space:]]*"hv/([^c]|c[^o]|co[^r]|cor[^e]|core[^/])' \
		hv/core
	check 'below the domain: no hv/domain or hv/cli' \
		'^[[:space:]]*#[[:space:]]*include[[:space:]]*"hv/(domain|cli)/' \
		hv/x86 hv/kvm hv/boot hv/block hv/config legacy
)

if [ -n "$bad" ]; then
	printf '%s\n' "$bad"
	echo "layers: $(printf '%s\n' "$bad" | wc -l) include(s) break the layer rules" >&2
	exit 1
fi
echo "layers: ok"
