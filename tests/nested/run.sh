#!/usr/bin/env bash
# The KVM engine under nested virtualization, for machines without usable
# hardware virtualization: boots Debian's amd64 kernel in
# `qemu-system-x86_64 -accel tcg -cpu qemu64,+svm` with an initramfs that
# carries hv, the test guests, SeaBIOS, busybox and the kvm + kvm-amd
# modules, whose /init (init.sh) runs hv domains with engine = "kvm" and
# prints one `NESTED <name> PASS|FAIL <detail>` line per check.
#
#   tests/nested/run.sh BUILD_DIR [--bench|--bench-virtio|--no-bench] [GUEST]
#
# BUILD_DIR holds the hv binary and tests/guests/*.bin. The Debian kernel
# and busybox-static packages are fetched once with `apt-get download` into
# $HV_NESTED_CACHE (default BUILD_DIR/nested). --bench also runs
# tests/bench/kvm-guest.sh inside the VM, --bench-virtio
# tests/bench/kvm-virtio-guest.sh (virtio-blk and virtio-net of the 64-bit
# Linux guest on hv and on QEMU's KVM mode, HV_BENCH_ROUNDS rounds). GUEST (a diagnosis) runs only
# that guest, detached, and prints hv's and KVM's counters for it (linux,
# linux64 and modern print the guest's console instead). HV_NESTED_CHECKS=a,b,c runs
# only those checks (names as in $expected; modules always runs), for
# iterating. HV_NESTED_LOGLEVEL sets the VM kernel's console loglevel (3;
# 7 shows its RCU stall reports). The outer QEMU's monitor is on the Unix
# socket $HV_NESTED_CACHE/monitor.sock (`info registers` on a frozen VM:
# run.sh prints where the CPU stopped). A VM whose heartbeat stops is
# run again, twice at most, for the checks it had not reported.
# HV_KVM_IRQCHIP=0 runs hv's KVM engine with the PIC in hv
# instead of KVM's in-kernel irqchip (the default), HV_KVM_APIC=0 keeps
# that irqchip but gives the guests no APIC (they run in PIC mode; the
# linux and linux64 checks then require PIC mode, else the guest's timer
# on its local APIC and its interrupts through the I/O APIC, and apicsave
# is skipped). hv offers the guests KVM's paravirtual
# clock (kvm-clock) unless HV_KVM_PVCLOCK=0, and the linux, linux64 and
# modern checks then require it as the guest's clocksource; and, with the
# APIC, KVM's paravirtual EOI unless HV_KVM_PVEOI=0. Exits 0 only if
# every check run passed.
#
# 'kvmunit' runs hv's KVM unit suite (tests/unit/test_kvm.c) where
# /dev/kvm runs vCPUs: its checks that need one (a reset turning KVM's
# paravirtual MSRs off) have nothing to test on the host.
#
# 'linux64' also drives the guest's virtio-blk and virtio-net (its
# kernel's modules, /linux64v) and requires MSI-X for them where the guest
# has APICs, INTx where it has none.
#
# 'linuxsave' (in the default run) saves the 686 Linux guest at its shell
# (hv save -c), has it answer, restores it on KVM and has that answer
# again, in about 30 s of the VM's time; it prints how much of the
# domain's RAM is in 2 MiB pages (ShmemPmdMapped) before the save and
# after the restore. Two checks are not in the
# default run (ctest's nested.kvm), for their time: 'modern'
# (HV_NESTED_CHECKS=modern), the virtio guest of assets/guests/modern on
# the KVM engine (root on virtio-blk, DHCP over virtio-net, virtio-rng,
# notifications through KVM's ioeventfd), about 2 minutes more of the
# VM's time; 'linux64save', linuxsave's amd64 twin, about 50 s (out of
# the default run to keep it within ctest's 600 s at a loaded host's pace).
# The VM sets shmem_enabled to "advise" (Debian's default is "never"), so
# hv's guest RAM (a memfd it maps with MADV_HUGEPAGE) gets 2 MiB pages and
# KVM maps it so, as QEMU's anonymous RAM is: the checks and benchmarks
# run on that path (hv's log says which page size its RAM got).
# HV_NESTED_CPU is the
# outer QEMU's -cpu (default qemu64,+svm; qemu64,+svm,+npt gives KVM
# nested paging instead of its shadow page tables).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [--bench|--no-bench] [GUEST]}" && pwd)
bench=${2:-}
debug=${3:-}
cache=${HV_NESTED_CACHE:-$build/nested}
limit=${HV_NESTED_TIMEOUT:-500} # seconds for the whole VM run
cpu=${HV_NESTED_CPU:-qemu64,+svm} # the outer QEMU's CPU (+npt: KVM without shadow paging)
expected=(modules kvmunit auto hello pmode paging ring3 tasks v86 seabios pause stats bootmenu regs saverest dirty linux linux64 apicsave linuxsave)
checks=${HV_NESTED_CHECKS:-}
if [ -n "$checks" ]; then
	read -r -a expected <<<"modules ${checks//,/ }"
fi
if [ "${HV_KVM_APIC:-}" = 0 ] || [ "${HV_KVM_IRQCHIP:-}" = 0 ]; then
	read -r -a expected <<<"$(printf '%s ' "${expected[@]}" | sed 's/ apicsave / /')" # no APIC to save
fi
linux_dir=$root/assets/guests/linux/out # built by assets/guests/linux/build.sh
modern_dir=$root/assets/guests/modern/out # built by assets/guests/modern/build.sh

say() { echo "nested: $*" >&2; }
die() { say "$*"; exit 1; }

fetch() { # PACKAGE: the .deb in $cache/debs (downloaded once)
	local deb
	mkdir -p "$cache/debs"
	deb=$(ls "$cache/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		say "downloading $1"
		(cd "$cache/debs" && apt-get download "$1" >&2) || die "apt-get download $1 failed"
		deb=$(ls "$cache/debs/$1"_*.deb | head -n 1)
	fi
	echo "$deb"
}

kernel_package() { # the kernel image that linux-image-amd64 points at
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

unpack() {
	if ! ls "$cache"/kernel/boot/vmlinuz-* >/dev/null 2>&1; then
		local pkg
		pkg=$(kernel_package)
		if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then # fresh machine: no package lists yet
			apt-get update -qq >&2 || true
			pkg=$(kernel_package)
		fi
		[ -n "$pkg" ] || die "no Debian amd64 kernel package known to apt (apt-get update?)"
		rm -rf "$cache/kernel" && mkdir -p "$cache/kernel"
		dpkg-deb -x "$(fetch "$pkg")" "$cache/kernel"
	fi
	if [ ! -x "$cache/busybox/bin/busybox" ]; then
		rm -rf "$cache/busybox" && mkdir -p "$cache/busybox"
		dpkg-deb -x "$(fetch busybox-static)" "$cache/busybox"
	fi
}

# Module NAME's file; kernel module names treat - and _ alike.
module_file() {
	find "$moddir/kernel" \( -name "$1.ko*" -o -name "${1//_/-}.ko*" -o -name "${1//-/_}.ko*" \) |
		head -n 1
}

# Appends NAME's dependencies, then NAME, to $order (depth first).
add_module() {
	local file deps d
	case " $order " in *" $1 "*) return ;; esac
	file=$(module_file "$1")
	[ -n "$file" ] || die "module $1 not found under $moddir"
	deps=$(xzcat -f "$file" | strings | sed -n 's/^depends=//p' | head -n 1)
	for d in ${deps//,/ }; do add_module "$d"; done
	order="$order $1"
	case "$file" in
	*.xz) xz -dc "$file" >"$stage/modules/$1.ko" ;;
	*.zst) zstd -qdc "$file" >"$stage/modules/$1.ko" ;;
	*) cp "$file" "$stage/modules/$1.ko" ;;
	esac
}

copy_with_libs() { # FILE DEST: the binary and the shared libraries it loads
	cp "$1" "$stage/$2"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

# What each guest does under bare QEMU TCG (the CPU the nested hv runs on),
# for the guests that fail some check there; init.sh accepts the same output.
reference() {
	local g st
	mkdir -p "$stage/ref"
	for g in pmode paging ring3 tasks v86; do
		st=0
		timeout 60 qemu-system-i386 -accel tcg -m 16 -display none -nic none \
			-bios "$build/tests/guests/$g.bin" -debugcon "file:$stage/ref/$g.e9" \
			-device isa-debug-exit,iobase=0x501,iosize=2 </dev/null || st=$?
		if grep -q FAIL "$stage/ref/$g.e9"; then
			echo "$st" >"$stage/ref/$g.status"
			say "$g under bare TCG: status $st, $(grep -c FAIL "$stage/ref/$g.e9") FAIL line(s)"
		else
			rm "$stage/ref/$g.e9"
		fi
	done
}

stage_bench() { # the benchmark's script and out-loop guests
	local loops=${HV_BENCH_LOOPS:-200000}
	cp "$root/tests/bench/kvm-guest.sh" "$stage/bench.sh"
	copy_with_libs "$(command -v qemu-system-x86_64)" bin/qemu-system-x86_64 # boot to init
	mkdir -p "$stage/bench"
	echo "$loops" >"$stage/bench/loops"
	nasm -f bin -I"$root/tests/guests/" -DLOOPS="$loops" -o "$stage/bench/outloop-big.bin" \
		"$root/tests/guests/outloop.asm"
	nasm -f bin -I"$root/tests/guests/" -DLOOPS=1 -o "$stage/bench/outloop-small.bin" \
		"$root/tests/guests/outloop.asm"
}

# The 64-bit Linux guest: Debian's amd64 kernel (the one this VM boots)
# and an initramfs of the amd64 busybox with the 686 guest's /init.
stage_linux64() {
	local fs=$cache/linux64-fs applet
	rm -rf "$fs" && mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
	cp "$cache/busybox/bin/busybox" "$fs/bin/busybox"
	for applet in $("$fs/bin/busybox" --list-full); do
		[ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$fs/$applet"
	done
	install -m 755 "$root/assets/guests/linux/init" "$fs/init"
	mkdir -p "$stage/linux64"
	(cd "$fs" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
		gzip -n >"$stage/linux64/initramfs.cpio.gz"
	cp "$(ls "$cache"/kernel/boot/vmlinuz-* | head -n 1)" "$stage/linux64/vmlinuz"
}

# The modern guest (kernel, initramfs, a 64 MiB root image): only for the
# 'modern' check and its diagnosis, neither in the default run.
want_modern() {
	[ "$debug" = modern ] ||
		case " ${expected[*]} " in *" modern "*) true ;; *) false ;; esac
}

stage_modern() {
	[ -f "$modern_dir/root.img" ] || die "$modern_dir/root.img is missing: bash assets/guests/modern/build.sh"
	mkdir -p "$stage/modern"
	cp "$modern_dir/vmlinuz" "$modern_dir/initramfs.cpio.gz" "$modern_dir/root.img" "$stage/modern/"
	# the kernel arguments modern.cfg gives beyond the console and root
	sed -n 's/^extra = "\(.*\)"/\1/p' "$root/assets/guests/modern/modern.cfg" |
		tr ' ' '\n' | { grep -vE '^(console|root|panic|cryptomgr)' || true; } | tr '\n' ' ' >"$stage/modern/extra"
}

# The 64-bit Linux guest's initramfs with the virtio modules of the same
# kernel added (/linux64v): the linux64 check's (its virtio-blk and
# virtio-net on MSI-X) and --bench-virtio's.
stage_linux64v() {
	local fs=$cache/linux64v-fs m file
	rm -rf "$fs" && cp -a "$cache/linux64-fs" "$fs" && mkdir -p "$fs/lib/modules"
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk \
		failover net_failover virtio_net; do
		file=$(find "$cache"/kernel/lib/modules/*/kernel \( -name "$m.ko" -o -name "$m.ko.xz" \) | head -n 1)
		[ -n "$file" ] || die "module $m not found"
		xz -dcf "$file" >"$fs/lib/modules/$m.ko"
		echo "$m" >>"$fs/lib/modules/order"
	done
	mkdir -p "$stage/linux64v"
	(cd "$fs" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
		gzip -n >"$stage/linux64v/initramfs.cpio.gz"
}

# --bench-virtio: its script and QEMU's x86_64 binary (QEMU's KVM mode
# cannot run the 686 modern guest in this VM: the emulated SVM aborts on
# its 32-bit TSS, so both run /linux64v); HV_BENCH_ROUNDS (its rounds,
# 3 by default), HV_BENCH_REPS (each disk phase's repeats in a boot, 3)
# and HV_BENCH_OFFLOAD0=1 (one more boot of hv, with vif
# offload=0) as /bench-rounds, /bench-reps and /bench-offload0; its
# awk statistics as /bench-stats.awk.
stage_bench_virtio() {
	cp "$root/tests/bench/kvm-virtio-guest.sh" "$stage/bench.sh"
	cp "$root/tests/bench/stats.awk" "$stage/bench-stats.awk"
	[ -z "${HV_BENCH_ROUNDS:-}" ] || echo "$HV_BENCH_ROUNDS" >"$stage/bench-rounds"
	[ -z "${HV_BENCH_REPS:-}" ] || echo "$HV_BENCH_REPS" >"$stage/bench-reps"
	[ "${HV_BENCH_OFFLOAD0:-}" != 1 ] || touch "$stage/bench-offload0"
	copy_with_libs "$(command -v qemu-system-x86_64)" bin/qemu-system-x86_64
}

stage_initramfs() {
	stage=$cache/stage
	rm -rf "$stage" && mkdir -p "$stage"/{bin,modules,guests,proc,sys,dev,tmp}
	cp "$cache/busybox/bin/busybox" "$stage/bin/busybox"
	cp "$here/init.sh" "$stage/init" && chmod +x "$stage/init"
	copy_with_libs "$build/hv" bin/hv
	copy_with_libs "$build/test_kvm" bin/test_kvm
	cp "$build"/tests/guests/*.bin "$stage/guests/"
	cp /usr/share/seabios/bios.bin "$stage/bios.bin"
	mkdir -p "$stage/linux"
	cp "$linux_dir/vmlinuz" "$linux_dir/initramfs.cpio.gz" "$stage/linux/"
	want_modern && stage_modern
	stage_linux64
	stage_linux64v
	[ -z "$checks" ] || echo "$checks" >"$stage/checks"
	echo "$limit" >"$stage/limit"
	[ -z "${HV_KVM_IRQCHIP:-}" ] || echo "$HV_KVM_IRQCHIP" >"$stage/irqchip"
	[ -z "${HV_KVM_PVCLOCK:-}" ] || echo "$HV_KVM_PVCLOCK" >"$stage/pvclock"
	[ -z "${HV_KVM_APIC:-}" ] || echo "$HV_KVM_APIC" >"$stage/apic"
	[ -z "${HV_KVM_PVEOI:-}" ] || echo "$HV_KVM_PVEOI" >"$stage/pveoi"
	reference
	# QEMU in KVM mode: the judge where hv fails a guest, and the
	# benchmark's reference.
	copy_with_libs "$qemu_i386" bin/qemu-system-i386
	mkdir -p "$stage/usr/share"
	cp -a /usr/share/qemu "$stage/usr/share/"
	cp -a /usr/share/seabios "$stage/usr/share/"
	[ "$bench" != --bench ] || stage_bench
	[ "$bench" != --bench-virtio ] || stage_bench_virtio
	moddir=$(ls -d "$cache"/kernel/lib/modules/* | head -n 1)
	order=""
	add_module kvm-amd
	echo $order | tr ' ' '\n' | sed 's/$/.ko/' >"$stage/modules/order"
	(cd "$stage" && find . | cpio -o -H newc --quiet) >"$cache/initramfs.cpio"
}

# The console's lines, a BENCH-MARK line (tests/bench/kvm-virtio-guest.sh)
# with the outer QEMU's CPU time as it passes (cpu=<ticks> of user +
# system time).
stamp_cpu() {
	local line t
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		BENCH-MARK*)
			t=$(awk '{ print $14 + $15 }' "/proc/$(cat "$cache/qemu.pid" 2>/dev/null)/stat" 2>/dev/null || true)
			line="$line cpu=${t:-n/a}"
			;;
		esac
		printf '%s\n' "$line"
	done
}

boot() {
	local kernel
	kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -n 1)
	rm -f "$sock" "$cache/qemu.pid" "$cache/frozen"
	say "booting $(basename "$kernel") under qemu (tcg, $cpu), at most $limit s"
	timeout "$limit" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 2048 -smp 1 \
		-kernel "$kernel" -initrd "$cache/initramfs.cpio" \
		-append "console=ttyS0 quiet loglevel=${HV_NESTED_LOGLEVEL:-3} panic=-1 rdinit=/init${debug:+ hvdebug=$debug}" \
		-nographic -no-reboot -monitor "unix:$sock,server,nowait" -nic none -pidfile "$cache/qemu.pid" </dev/null |
		sed -u 's/\r//g; s/\x1b[[?0-9;]*[a-zA-Z]//g; s/\x1bc//g' | stamp_cpu | tee "$cache/console.log" |
		{ if [ -n "$debug" ]; then cat; else grep --line-buffered -E '^NESTED|^BENCH' | grep --line-buffered -v '^NESTED-ALIVE'; fi; } &
	watch_heartbeat $!
	wait || true
}

# Until the VM's pipeline ($1) ends: once init.sh's heartbeat has begun,
# 90 s without one means the VM froze; QEMU is stopped and $cache/frozen
# made.
watch_heartbeat() {
	local beats=0 n quiet=0
	while kill -0 "$1" 2>/dev/null; do
		sleep 5
		n=$(grep -c '^NESTED-ALIVE' "$cache/console.log" 2>/dev/null || true)
		if [ "${n:-0}" -gt "$beats" ]; then
			beats=$n quiet=0
		elif [ "$beats" -gt 0 ] && ! grep -q '^NESTED-DONE' "$cache/console.log"; then
			quiet=$((quiet + 5))
		fi
		if [ $quiet -ge 90 ]; then
			say "the VM froze (no heartbeat for 90 s, its watchdog silent too): $(frozen_where)"
			touch "$cache/frozen"
			kill "$(cat "$cache/qemu.pid")" 2>/dev/null || true
			break
		fi
	done
}

# Where the frozen VM's CPU is, from the outer QEMU's monitor: its
# instruction pointer, privilege level and whether it halted.
frozen_where() {
	printf 'info registers\n' | timeout 10 socat - "UNIX-CONNECT:$sock" 2>&1 |
		grep -oE '(RIP|CS |CPL|HLT|EFER|CR0)=[^ ]*' | tr '\n' ' '
}

# The checks of $expected that the console shows no result for.
unreported() {
	local name
	for name in "${expected[@]}"; do
		[ "$name" = modules ] && continue
		grep -qE "^NESTED $name (PASS|FAIL)" "$cache/console.log" || printf '%s,' "$name"
	done
}

# A VM that froze: the checks it did not report run in a fresh one, twice
# at most and within what is left of $limit, and the consoles go to the
# verdict.
boot_again_if_frozen() {
	local rest
	[ -f "$cache/frozen" ] || return 0
	[ "$reruns" -lt 2 ] || return 0
	reruns=$((reruns + 1))
	rest=$(unreported)
	rest=${rest%,}
	[ -n "$rest" ] || return 0
	limit=$((limit - (SECONDS - started)))
	[ "$limit" -ge 120 ] || { say "no time left to run $rest again"; return 0; }
	echo "$limit" >"$stage/limit"
	mv "$cache/console.log" "$cache/console-frozen.log"
	say "running the checks not reported ($rest) in a new VM (rerun $reruns of at most 2)"
	echo "$rest" >"$stage/checks"
	(cd "$stage" && find . | cpio -o -H newc --quiet) >"$cache/initramfs.cpio"
	boot
	{ grep -v '^NESTED-DONE' "$cache/console-frozen.log"; cat "$cache/console.log"; } >"$cache/console.tmp"
	mv "$cache/console.tmp" "$cache/console.log"
	boot_again_if_frozen
}

verdict() {
	local log=$cache/console.log failed=0 name
	grep -q '^NESTED-DONE' "$log" || { say "the VM did not finish (see $log)"; failed=1; }
	grep -q '^NESTED [^ ]* FAIL' "$log" && failed=1
	for name in "${expected[@]}"; do
		grep -q "^NESTED $name PASS" "$log" || { say "$name: no PASS"; failed=1; }
	done
	[ $failed -eq 0 ] && say "all ${#expected[@]} checks passed" || say "FAILED (console: $log)"
	return $failed
}

qemu_i386=/usr/libexec/qemu-system-i386 # the binary behind Debian's wrapper script
[ -x "$qemu_i386" ] || qemu_i386=$(command -v qemu-system-i386)
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (qemu-system-x86)"
[ -x "$build/hv" ] || die "$build/hv is missing: build first"
[ -f "$linux_dir/vmlinuz" ] || die "$linux_dir/vmlinuz is missing: bash assets/guests/linux/build.sh"
mkdir -p "$cache"
unpack
stage_initramfs
started=$SECONDS reruns=0
sock=$cache/monitor.sock # the outer QEMU's monitor: where a frozen VM stopped
boot
[ -z "$debug" ] || exit 0
boot_again_if_frozen
verdict
