#!/usr/bin/env bash
# The install as a user gets it: `cmake --install` of BUILD_DIR into a
# temporary DESTDIR with --prefix /usr, the staged tree then moved
# elsewhere (hv finds its data relative to its binary), and the installed
# hv run from there with a private runtime and state directory: its man
# pages, completion and desktop entry are where they belong, `hv create
# --dry-run` of an installed config resolves into the install, and `hv
# demo` starts its legacy guest from the installed syslinux floppy (and the
# modern one from the installed modern guest when the build has one).
#
#   tests/install/run.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hv-install-test.XXXXXX)
fail() { echo "install test: $*" >&2; exit 1; }

P=$tmp/moved/usr
export XDG_RUNTIME_DIR=$tmp/run XDG_STATE_HOME=$tmp/state HOME=$tmp/home
unset HV_DATA_DIR HV_GUEST_DIR DISPLAY WAYLAND_DISPLAY
mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$HOME"
cleanup() {
	if [ -x "$P/bin/hv" ]; then
		"$P/bin/hv" destroy legacy >/dev/null 2>&1 || true
		"$P/bin/hv" destroy modern >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

DESTDIR=$tmp/stage cmake --install "$build" --prefix /usr >"$tmp/install.log" ||
	{ cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
mv "$tmp/stage" "$tmp/moved"

for f in bin/hv share/hv/programs/legacy.bin share/hv/hv-icon.png \
	share/hv/guests/linux/linux.cfg share/hv/guests/linux/build.sh share/hv/guests/lib.sh \
	share/doc/hv/README.md share/doc/hv/protocol.md share/man/man1/hv.1 share/man/man5/hv.cfg.5 \
	share/bash-completion/completions/hv share/applications/hv-view.desktop \
	share/icons/hicolor/scalable/apps/hv.svg share/icons/hicolor/64x64/apps/hv.png; do
	[ -f "$P/$f" ] || fail "$f is not installed"
done
[ -x "$P/share/hv/guests/linux/build.sh" ] || fail "the guest recipes lost their x bit"
# Nothing of the build or source tree leaks in (the guests' out/ links).
if find "$P" -type l | grep -q .; then
	fail "symbolic links in the install: $(find "$P" -type l)"
fi

hv=$P/bin/hv
desktop-file-validate "$P/share/applications/hv-view.desktop" || fail "hv-view.desktop does not validate"
# bash-completion's loader finds the completion where it was installed.
XDG_DATA_DIRS=$P/share bash -c 'source /usr/share/bash-completion/bash_completion &&
	__load_completion hv && complete -p hv' | grep -q "_hv hv" ||
	fail "bash-completion does not load the installed completion"
MANPATH=$P/share/man man -w hv.cfg >/dev/null || fail "man does not find hv.cfg(5) in the install"
"$hv" --version | grep -qx "hv [0-9.]*" || fail "hv --version: $("$hv" --version)"

# An installed config, resolved into the install.
cfg=$P/share/hv/guests/linux/linux.cfg
if [ -f "$source_dir/assets/guests/linux/out/vmlinuz" ]; then
	out=$("$hv" create --dry-run "$cfg") || fail "hv create --dry-run $cfg failed"
	grep -qx "kernel = \"$P/share/hv/guests/linux/out/vmlinuz\"" <<<"$out" ||
		fail "dry run of $cfg: kernel not in the install:"$'\n'"$out"
	grep -qx "name = \"linux\"" <<<"$out" || fail "dry run of $cfg: $out"
else
	if out=$("$hv" create --dry-run "$cfg" 2>&1); then
		fail "dry run of $cfg passed without the Linux guest built"
	fi
	grep -q "$P/share/hv/guests/linux/out/vmlinuz" <<<"$out" ||
		fail "dry run of $cfg: the error does not name the installed path: $out"
fi
# A config of the user's own that boots the installed legacy program.
cat >"$HOME/mine.cfg" <<CFG
name = "mine"
memory = 16
disk = [ "$P/share/hv/programs/legacy.bin,raw,hda,ro" ]
boot = "c"
CFG
out=$("$hv" create --dry-run "$HOME/mine.cfg") || fail "dry run of mine.cfg failed"
grep -q "target=$P/share/hv/programs/legacy.bin" <<<"$out" || fail "mine.cfg: $out"

# hv demo, without a terminal: it starts the domains and says so; its
# legacy guest boots the installed syslinux floppy. Without the floppy it
# refuses and names the recipe that builds it.
if [ ! -f "$P/share/hv/guests/syslinux/out/syslinux.img" ]; then
	if "$hv" demo 2>"$tmp/demo.err"; then
		fail "hv demo started without the syslinux floppy"
	fi
	grep -q "bash $P/share/hv/guests/syslinux/build.sh" "$tmp/demo.err" ||
		fail "hv demo without the floppy: $(cat "$tmp/demo.err")"
	[ -z "$(ls -A "$XDG_RUNTIME_DIR/hv" 2>/dev/null)" ] || fail "domains left: $(ls "$XDG_RUNTIME_DIR/hv")"
	echo "install test: ok ($P; no syslinux floppy built)"
	exit 0
fi
out=$("$hv" demo 2>"$tmp/demo.err") || fail "hv demo: $(cat "$tmp/demo.err")"
grep -q "domains 'legacy' and 'modern'" <<<"$out" || fail "hv demo printed: $out"
ok=
for _ in $(seq 3000); do
	if "$hv" screen legacy --text 2>/dev/null | grep -q "hv SYSLINUX test floppy"; then
		ok=1
		break
	fi
	sleep 0.1
done
[ -n "$ok" ] || fail "the installed legacy guest never showed the SYSLINUX menu"
mcfg=$P/share/hv/guests/modern/modern.cfg
if [ -f "$P/share/hv/guests/modern/out/vmlinuz" ]; then
	# Read whole, then searched: grep -q would quit at the match and, with
	# pipefail, hv's next write into the closed pipe fail the test.
	info=$("$hv" list -l modern)
	grep -qE "^ +config +$mcfg\$" <<<"$info" ||
		fail "modern is not from the installed config: $info"
else
	grep -q "bash $P/share/hv/guests/modern/build.sh" "$tmp/demo.err" ||
		fail "hv demo without a modern guest: $(cat "$tmp/demo.err")"
fi
"$hv" destroy legacy
"$hv" destroy modern 2>/dev/null || true
[ -z "$(ls -A "$XDG_RUNTIME_DIR/hv" 2>/dev/null)" ] || fail "domains left: $(ls "$XDG_RUNTIME_DIR/hv")"
echo "install test: ok ($P)"
