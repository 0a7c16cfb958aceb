#!/usr/bin/env bash
# The man pages hv(1) and hv.cfg(5):
#   tests/man/check.sh render SOURCE_DIR    groff (-ww) and man -l render
#                                           both without a warning
#   tests/man/check.sh coverage SOURCE_DIR  every command of hv/cli/main.c's
#       table and every option the CLI's sources parse is in hv(1); every
#       key of the config parser's tables (hv/config/*.c) has an entry (a
#       .TP/.TQ term) in hv.cfg(5). A key or command added without its
#       page fails here.
set -euo pipefail

mode=${1:?usage: check.sh render|coverage SOURCE_DIR}
src=$(cd "${2:?usage: check.sh render|coverage SOURCE_DIR}" && pwd)
pages=("$src/man/hv.1" "$src/man/hv.cfg.5")

render() {
	local bad=0 out
	for page in "${pages[@]}"; do
		out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		if [ -n "$out" ]; then
			printf 'groff %s:\n%s\n' "${page##*/}" "$out" >&2
			bad=1
		fi
		out=$(MANWIDTH=80 man -l --warnings=w "$page" 2>&1 >/dev/null)
		if [ -n "$out" ]; then
			printf 'man -l %s:\n%s\n' "${page##*/}" "$out" >&2
			bad=1
		fi
		# It must render to something: the NAME line at least.
		MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME" ||
			{ echo "man -l ${page##*/}: no NAME section" >&2; bad=1; }
	done
	[ "$bad" -eq 0 ] && echo "man render: ok (${#pages[@]} pages)"
	return "$bad"
}

# The words of a page's .TP/.TQ terms (the line after the macro), with
# roff's \- as -, one a line.
terms() {
	awk '/^\.(TP|TQ)/ { take = 1; next } take { print; take = 0 }' "$1" |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z]* *//' |
		tr -c 'a-z0-9_.-' '\n' | grep -v '^$' || true
}

# The first word of each .TP term: the command an entry is for.
entries() {
	awk '/^\.(TP|TQ)/ { take = 1; next } take { print; take = 0 }' "$1" |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z]* *//' | awk '{ print $1 }'
}

commands() {
	sed -nE 's/^[[:space:]]*\{"([a-z][a-z-]*)", cmd_[a-z_]+,.*/\1/p' "$src/hv/cli/main.c"
}

options() {
	{
		grep -ohE '"--?[a-z]+(-[a-z]+)*"' "$src"/hv/cli/*.c "$src"/tui/*.c | tr -d '"'
		# getopt_long tables: {"name", no_argument|required_argument, ...}
		grep -ohE '\{"[a-z]+(-[a-z]+)*",[[:space:]]*(no|required|optional)_argument' \
			"$src"/hv/cli/*.c | sed -E 's/^\{"([^"]*)".*/--\1/'
	} | sort -u
}

# The config parser's key tables: {"name", VAL_..., in hv/config/*.c (the
# entry may break after the name).
keys() {
	sed -nE 's/^[[:space:]]*\{"([a-z0-9_]+)",[[:space:]]*(VAL_.*)?$/\1/p' "$src"/hv/config/*.c
}

# coverage HV1 HVCFG5: prints what is missing; fails if anything is.
coverage() {
	local hv1=$1 cfg5=$2 missing=() text have_cmds have_terms
	local ncmd=0 nopt=0 nkey=0
	text=$(sed -e 's/\\-/-/g' "$hv1")
	have_cmds=$(entries "$hv1")
	have_terms=$(terms "$cfg5")
	for c in $(commands); do
		ncmd=$((ncmd + 1))
		grep -qxF "$c" <<<"$have_cmds" || missing+=("hv(1): command '$c' has no entry")
	done
	for o in $(options); do
		nopt=$((nopt + 1))
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" <<<"$text" ||
			missing+=("hv(1): option '$o' is not described")
	done
	for k in $(keys); do
		nkey=$((nkey + 1))
		grep -qxF "$k" <<<"$have_terms" || missing+=("hv.cfg(5): key '$k' has no entry")
	done
	if [ "$ncmd" -lt 10 ] || [ "$nopt" -lt 10 ] || [ "$nkey" -lt 50 ]; then
		missing+=("found only $ncmd commands, $nopt options, $nkey keys in the sources")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		printf '%s\n' "${missing[@]}" >&2
		return 1
	fi
	echo "man coverage: ok ($ncmd commands, $nopt options, $nkey keys)"
}

case $mode in
render) render ;;
coverage)
	coverage "${pages[@]}"
	# The check itself: a page without one key's entry, or one
	# command's, must fail.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# (a key with an entry of its own: ".B KEY")
	key=$(keys | while read -r k; do
		if grep -qxF ".B $k" "${pages[1]}"; then echo "$k"; fi
	done | tail -n 1)
	awk -v k=".B $key" '$0 == k { print ".B removed"; next } { print }' "${pages[1]}" >"$tmp/cfg5"
	if coverage "${pages[0]}" "$tmp/cfg5" 2>/dev/null; then
		echo "man coverage: a page without key '$key' passed" >&2
		exit 1
	fi
	awk '$0 == ".B demo" { print ".B removed"; next } { print }' "${pages[0]}" >"$tmp/hv1"
	if coverage "$tmp/hv1" "${pages[1]}" 2>/dev/null; then
		echo "man coverage: a page without command 'demo' passed" >&2
		exit 1
	fi
	;;
*) echo "usage: check.sh render|coverage SOURCE_DIR" >&2; exit 2 ;;
esac
