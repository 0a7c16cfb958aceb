#!/usr/bin/env bash
# hv's bash completion (completion/hv), sourced into bash and asked with
# COMP_WORDS/COMP_CWORD as readline would: commands (every one of
# hv/cli/main.c's table), options, option values, the names of real
# running domains (started with BUILD_DIR/hv in a private runtime
# directory) and config files.
#
#   tests/completion/check.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

src=$(cd "${1:?usage: check.sh SOURCE_DIR BUILD_DIR}" && pwd)
build=$(cd "${2:?usage: check.sh SOURCE_DIR BUILD_DIR}" && pwd)
tmp=$(mktemp -d /tmp/hv-completion-test.XXXXXX)
export XDG_RUNTIME_DIR=$tmp/run XDG_STATE_HOME=$tmp/state
mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME"
cleanup() {
	"$build/hv" destroy dos-box >/dev/null 2>&1 || true
	"$build/hv" destroy dev.vm >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
failures=0

# complete WORD... : the completions of the last word, sorted, one a line.
complete_words() {
	(
		cd "$tmp/files"
		# shellcheck source=completion/hv
		source "$src/completion/hv"
		complete -p hv >/dev/null
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_hv 2>/dev/null
		printf '%s\n' "${COMPREPLY[@]}" | { grep -v '^$' || true; } | sort
	)
}

# expect "WANT (space-separated, sorted)" WORD...
expect() {
	local want=$1 got
	shift
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$want" ]; then
		printf 'completing [%s]: got [%s], want [%s]\n' "$*" "$got" "$want" >&2
		failures=$((failures + 1))
	fi
}

mkdir -p "$tmp/files/guests" "$tmp/files/shots"
: >"$tmp/files/dos.cfg"
: >"$tmp/files/notes.txt"
: >"$tmp/files/old.png"
: >"$tmp/files/vectors.json"

# Every command of the CLI's table, and nothing that is not one.
table=$(sed -nE 's/^[[:space:]]*\{"([a-z][a-z-]*)", cmd_[a-z_]+,.*/\1/p' "$src/hv/cli/main.c" |
	sort | tr '\n' ' ')
[ "$(wc -w <<<"$table")" -ge 10 ] || { echo "no command table in main.c" >&2; exit 1; }
got=$(complete_words hv "" | grep -v -x -e help -e version -e --help -e --version | tr '\n' ' ')
if [ "$got" != "$table" ]; then
	printf 'commands: got [%s], main.c has [%s]\n' "$got" "$table" >&2
	failures=$((failures + 1))
fi
expect "create" hv cr
expect "screen screenshot" hv scr
expect "--help --version" hv --

# Options and their values.
expect "--dry-run" hv create --d
expect "--dry-run --help --timeout" hv run --
expect "--live" hv console --l
expect "1 2" hv console --port ""
expect "shots" hv view --shots sh
expect "--integer" hv view --i
expect "--iterations" hv top --csv --it
expect "" hv top -b -i ""
expect "--downtime" hv migrate --d
expect "--listen" hv migrate-receive --l
expect "tcp:" hv migrate-receive --listen ""

# Config files: *.cfg and directories (readline adds the slash: -o
# filenames), only for the first operand.
expect "dos.cfg guests shots" hv create ""
expect "dos.cfg" hv run --timeout 10 d
expect "" hv create dos.cfg ""
expect "vectors.json" hv cpu-test -v v

# Domain names: none, then two real domains.
expect "" hv console ""
cat >"$tmp/dos.cfg" <<CFG
name = "dos-box"
memory = 16
engine = "soft"
firmware = "$build/tests/guests/idle.bin"
serial = "none"
CFG
"$build/hv" create "$tmp/dos.cfg" >/dev/null
"$build/hv" create "$tmp/dos.cfg" 'name="dev.vm"' >/dev/null
expect "dev.vm dos-box" hv console ""
expect "dos-box" hv destroy do
mkdir -p "$XDG_STATE_HOME/hv/snapshots/dos-box"
touch "$XDG_STATE_HOME/hv/snapshots/dos-box/"{before-fix.meta,before-fix.state,clean.meta}
expect "before-fix clean" hv snapshot-revert dos-box ""
expect "before-fix" hv snapshot-delete dos-box be
expect "snapshot-create snapshot-delete snapshot-list snapshot-revert" hv snap
expect "dev.vm dos-box" hv list -l ""
expect "dev.vm dos-box" hv dmesg dos-box ""
expect "dev.vm" hv screenshot de
expect "old.png" hv screenshot dos-box o
expect "" hv pause dos-box ""
expect "dos-box" hv migrate --downtime 50 do
expect "" hv migrate dos-box ""
expect "view" hv help vi

if [ "$failures" -gt 0 ]; then
	echo "completion: $failures case(s) failed" >&2
	exit 1
fi
echo "completion: ok"
