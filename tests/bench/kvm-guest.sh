#!/bin/busybox sh
# Runs inside the nested-KVM VM (tests/nested/run.sh --bench, which puts
# this script at /bench.sh and the out-loop guests in /bench/): hv's KVM
# engine next to QEMU's KVM mode on the same (nested) host. Prints
#   BENCH <what> hv=<value> qemu=<value> <unit>
# Exit round trip: the time of a guest doing $LOOPS OUTs minus one doing 1,
# per OUT. Memory: a domain halted after boot, RSS without the guest RAM
# (both keep guest RAM in a memfd). Boot to init: Debian's amd64 kernel
# and the busybox initramfs of /linux64, from the VMM's start to the
# marker its /init prints on COM1 (QEMU boots it through its own firmware
# and linuxboot ROM, hv directly).
B=/bench
LOOPS=$(cat $B/loops)

centis() { # host uptime in 1/100 s
	read up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

hv_run() { # BIN: centiseconds for `hv run` of it
	printf 'name = "b"\nmemory = 16\nengine = "kvm"\nfirmware = "%s"\n' "$1" >/tmp/b.cfg
	t0=$(centis)
	hv run --timeout 300 /tmp/b.cfg >/tmp/b.out 2>&1 || true
	echo $(($(centis) - t0))
}

qemu_run() { # BIN: centiseconds for QEMU in KVM mode
	t0=$(centis)
	qemu-system-i386 -accel kvm -m 16 -display none -nic none -vga none -bios "$1" \
		-device isa-debug-exit,iobase=0x501,iosize=2 </dev/null >/tmp/q.out 2>&1 || true
	echo $(($(centis) - t0))
}

per_exit_ns() { # BIG_CS SMALL_CS
	echo $((($1 - $2) * 10000000 / LOOPS))
}

hv_big=$(hv_run $B/outloop-big.bin)
hv_small=$(hv_run $B/outloop-small.bin)
q_big=$(qemu_run $B/outloop-big.bin)
q_small=$(qemu_run $B/outloop-small.bin)
echo "BENCH exit-round-trip hv=$(per_exit_ns $hv_big $hv_small) qemu=$(per_exit_ns $q_big $q_small) ns/OUT ($LOOPS OUTs: hv ${hv_big}0 ms vs ${hv_small}0 ms, qemu ${q_big}0 ms vs ${q_small}0 ms)"

# PID MEMFD: "total guest" RSS in KiB, guest being the mappings of the
# guest-RAM memfd named MEMFD (binaries and libraries count as the VMM's:
# here they live on the initramfs).
rss() {
	awk -v ram="/memfd:$2" '/^[0-9a-f]+-[0-9a-f]+ / {m = ($6 == ram)}
		/^Rss:/ {t += $2; if (m) g += $2} END {print t, g}' /proc/$1/smaps
}

printf 'name = "idle"\nmemory = 16\nengine = "kvm"\nfirmware = "/guests/idle.bin"\n' >/tmp/idle.cfg
hv create /tmp/idle.cfg >/dev/null
sleep 3
pid=$(hv list -l idle | awk '$1 == "pid" {print $2}')
set -- $(rss "$pid" hv-ram)
hv_total=$1 hv_guest=$2
hv destroy idle
qemu-system-i386 -accel kvm -m 16 -display none -nic none -vga none -bios /guests/idle.bin \
	-object memory-backend-memfd,id=ram,size=16M -machine memory-backend=ram </dev/null \
	>/tmp/qi.out 2>&1 &
qpid=$!
sleep 3
set -- $(rss $qpid memory-backend-memfd)
kill $qpid
echo "BENCH vmm-overhead hv=$((hv_total - hv_guest)) qemu=$(($1 - $2)) KiB (RSS minus guest RAM; RSS hv $hv_total, qemu $1 KiB; guest RAM touched hv $hv_guest, qemu $2 KiB)"

# CMD...: milliseconds (in 10 ms steps) from starting CMD to HV-LINUX-READY
# on its stdout (n/a if it never came), then CMD is ended.
boot_to_init() {
	rm -f /tmp/boot.in /tmp/boot.out && mkfifo /tmp/boot.in /tmp/boot.out
	exec 4<>/tmp/boot.in # the guest's console input: open, silent
	t0=$(centis)
	"$@" <&4 >/tmp/boot.out 2>&1 &
	bpid=$!
	if timeout 300 grep -q -m 1 HV-LINUX-READY </tmp/boot.out; then
		echo $(($(centis) - t0))0
	else
		echo n/a
	fi
	kill $bpid 2>/dev/null
	wait $bpid 2>/dev/null
	exec 4>&-
}

L=/linux64
CMDLINE="console=ttyS0,115200 quiet panic=-1"
printf 'name = "boot"\nmemory = 160\nengine = "kvm"\nkernel = "%s/vmlinuz"\nramdisk = "%s/initramfs.cpio.gz"\nextra = "%s"\nserial = "stdio"\n' \
	$L $L "$CMDLINE" >/tmp/boot.cfg
hv_boot=$(boot_to_init hv run --timeout 300 /tmp/boot.cfg)
q_boot=$(boot_to_init qemu-system-x86_64 -accel kvm -m 160 -display none -nic none -vga none \
	-L /usr/share/qemu -L /usr/share/seabios \
	-no-reboot -kernel $L/vmlinuz -initrd $L/initramfs.cpio.gz -append "$CMDLINE" -serial stdio)
ratio=$(awk -v h="$hv_boot" -v q="$q_boot" 'BEGIN { if (h + 0 > 0 && q + 0 > 0) printf "%.2f", h / q; else print "n/a" }')
echo "BENCH linux64-boot-to-init hv=$hv_boot qemu=$q_boot ms (ratio hv/qemu $ratio; amd64 kernel + busybox, 160 MiB, start to /init's marker)"
