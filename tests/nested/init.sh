#!/bin/busybox sh
# /init of the nested-KVM test VM (see run.sh): loads kvm and kvm-amd, then
# runs hv domains with engine = "kvm" and prints one line per check:
#   NESTED <name> PASS|FAIL <detail>
# and NESTED-DONE at the end, then powers the VM off.
/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp XDG_RUNTIME_DIR=/tmp/run XDG_STATE_HOME=/tmp/state
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /tmp/run /tmp/state
# Huge pages for memfds mapped with MADV_HUGEPAGE (hv's guest RAM), as a
# host set up for the KVM engine has them: Debian's "never" would keep
# hv's RAM in 4 KiB pages, and KVM would map it so (QEMU's anonymous RAM
# gets transparent huge pages either way). hv logs which it got.
echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
G=/guests
# run.sh's HV_KVM_IRQCHIP (/irqchip): 0 keeps the PIC out of KVM's irqchip
[ ! -f /irqchip ] || export HV_KVM_IRQCHIP="$(cat /irqchip)"
# run.sh's HV_KVM_PVCLOCK (/pvclock): hv offers the guests kvm-clock
# unless it is 0, and the Linux guests must then show it as their
# clocksource
[ ! -f /pvclock ] || export HV_KVM_PVCLOCK="$(cat /pvclock)"
# run.sh's HV_KVM_APIC (/apic): 0 gives the guests no APIC; without it
# (or without KVM's irqchip) the Linux guests must be in PIC mode, with it
# in APIC mode: their timer the local APIC's (LOC counting), their
# interrupts through the I/O APIC
[ ! -f /apic ] || export HV_KVM_APIC="$(cat /apic)"
# run.sh's HV_KVM_PVEOI (/pveoi): 0 leaves KVM's paravirtual EOI out of
# what hv offers the guests (their EOIs then exit, as before it)
[ ! -f /pveoi ] || export HV_KVM_PVEOI="$(cat /pveoi)"
want_apic=1
[ "${HV_KVM_APIC:-}" != 0 ] && [ "${HV_KVM_IRQCHIP:-}" != 0 ] || want_apic=""
want_clock=kvm-clock
[ "${HV_KVM_PVCLOCK:-}" != 0 ] || want_clock=""
clock_ok() { [ -n "$clk" ] && { [ -z "$want_clock" ] || [ "$clk" = "$want_clock" ]; }; }
# KVM's paravirtual EOI: offered with the APIC and kvm-clock unless
# HV_KVM_PVEOI=0, and then the Linux guests must use it
want_pveoi=1
[ -n "$want_apic" ] && [ -n "$want_clock" ] && [ "${HV_KVM_PVEOI:-}" != 0 ] || want_pveoi=""
# The EOIs the guests made so far through KVM's paravirtual EOI (KVM's
# kvm_pv_eoi trace event, enabled by load_modules: those this VM's one
# CPU logged, the ring buffer's overwritten ones included); n/a without
# tracing.
pv_eois() {
	f=/sys/kernel/debug/tracing/per_cpu/cpu0/stats
	if [ -f $f ] && [ -f /tmp/pv_eoi.on ]; then
		awk '/^(entries|overrun):/ { n += $2 } END { print n + 0 }' $f
	else echo n/a; fi
}
# pv_eoi_ok BEFORE AFTER: the guest made some between the two, if wanted
# (not judged without tracing)
pv_eoi_ok() {
	[ -z "$want_pveoi" ] || [ "$1" = n/a ] || [ "$2" = n/a ] || [ "$2" -gt "$1" ]
}

result() { echo "NESTED $1 $2 $3"; }

# The command that prints the guest's interrupt mode: "apic N LOC: M ...",
# N the lines of /proc/interrupts on the I/O APIC, M the local APIC
# timer's interrupts.
apic_cmd() { # [TAG]: the command, its line starting with TAG (apic)
	echo "echo \"${1:-apic} \$(grep -c IO-APIC /proc/interrupts) \$(grep LOC: /proc/interrupts)\""
}
# apic_of OUT [TAG]: the first such line's "N M" (M empty without a LOC
# line); TAG in place of "apic"
apic_of() {
	tr -d '\r' <"$1" | sed -n "s/^${2:-apic} \([0-9]*\) *\(LOC: *\([0-9]*\)\)\{0,1\}.*/\1 \3/p" | head -n 1
}
# apic_ok "N M": APIC mode (N > 0, M > 0) if wanted, else PIC mode (N 0,
# M empty or 0)
apic_ok() {
	set -- $1
	if [ -n "$want_apic" ]; then
		[ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt 0 ]
	else
		[ "${1:-x}" = 0 ] && [ "${2:-0}" = 0 ]
	fi
}

finish() {
	echo NESTED-DONE
	sync
	poweroff -f
}

load_modules() {
	for m in $(cat /modules/order); do
		insmod "/modules/$m" || { result modules FAIL "insmod $m"; return 1; }
	done
	[ -c /dev/kvm ] || { result modules FAIL "no /dev/kvm after loading kvm"; return 1; }
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	echo 1 >/sys/kernel/debug/tracing/events/kvm/kvm_pv_eoi/enable 2>/dev/null && : >/tmp/pv_eoi.on
	result modules PASS "$(cat /modules/order | tr '\n' ' ')"
}

# cfg NAME FIRMWARE ENGINE MEMORY_MIB: a config with the debug console in /tmp/NAME.e9
cfg() {
	printf 'name = "%s"\nmemory = %s\nengine = "%s"\nfirmware = "%s"\ndebugcon = "file:/tmp/%s.e9"\n' \
		"$1" "$4" "$3" "$2" "$1" >"/tmp/$1.cfg"
	: >"/tmp/$1.e9"
}

# A test guest: exit status and the debug console as test_cpu_guests.c checks.
guest() { # NAME EXPECTED_STATUS LAST_LINE
	cfg "$1" "$G/$1.bin" kvm 16
	hv run --timeout 30 "/tmp/$1.cfg" >"/tmp/$1.out" 2>&1
	st=$?
	if [ -f "/ref/$1.e9" ] && [ "$st" = "$(cat "/ref/$1.status")" ] && cmp -s "/tmp/$1.e9" "/ref/$1.e9"; then
		# The nested CPU is QEMU's TCG, which misses a few checks (it
		# does not enforce segment limits): the same output as this
		# guest under bare TCG is what a correct engine shows here.
		result "$1" PASS "status $st, the same output as under bare QEMU TCG: $(grep FAIL "/ref/$1.e9" | tr '\n' '|')"
	elif [ "$st" != "$2" ] && same_as_qemu "$1" "$st"; then
		result "$1" PASS "status $st, the same as QEMU's KVM on this nested host: $(tail -c 120 "/tmp/$1.e9" | tr '\n' '|')"
	elif [ "$st" != "$2" ]; then
		result "$1" FAIL "status $st, expected $2: $(tail -n 3 "/tmp/$1.out" | tr '\n' '|') e9: $(tail -c 200 "/tmp/$1.e9" | tr '\n' '|')"
	elif grep -q FAIL "/tmp/$1.e9"; then
		result "$1" FAIL "$(grep FAIL "/tmp/$1.e9" | head -n 3 | tr '\n' '|')"
	elif ! grep -qxF "$3" "/tmp/$1.e9"; then
		result "$1" FAIL "no line '$3' in: $(tail -c 200 "/tmp/$1.e9" | tr '\n' '|')"
	elif ! grep -q "engine kvm" "/tmp/$1.out"; then
		result "$1" FAIL "not on the kvm engine: $(head -n 1 "/tmp/$1.out")"
	else
		result "$1" PASS "status $st"
	fi
}

# Where hv fails a guest, QEMU's own KVM mode on the same nested host is
# the judge: if it gives the same debug output and outcome (both timed out,
# or the same exit status), the nested KVM (QEMU's TCG emulating SVM under
# the L1 kernel) is what fails, not hv's engine. The outcome is printed.
same_as_qemu() { # NAME HV_STATUS
	[ -x /bin/qemu-system-i386 ] || return 1
	timeout 30 qemu-system-i386 -accel kvm -m 16 -display none -nic none -vga none \
		-bios "$G/$1.bin" -debugcon "file:/tmp/$1.q9" \
		-device isa-debug-exit,iobase=0x501,iosize=2 </dev/null >/tmp/$1.qout 2>&1
	qst=$?
	echo "NESTED-INFO $1 under qemu -accel kvm: status $qst, e9: $(tail -c 120 "/tmp/$1.q9" | tr '\n' '|')"
	cmp -s "/tmp/$1.e9" "/tmp/$1.q9" || return 1
	# hv run --timeout gives 124; QEMU ends on timeout's SIGTERM saying so
	if [ "$2" = 124 ]; then grep -q "terminating on signal 15" "/tmp/$1.qout"; else [ "$qst" = "$2" ]; fi
}

# engine = "auto" must find that this /dev/kvm works.
auto() {
	cfg auto "$G/hello.bin" auto 16
	hv run --timeout 60 /tmp/auto.cfg >/tmp/auto.out 2>&1
	if grep -q "engine kvm (auto: " /tmp/auto.out; then
		result auto PASS "$(grep -o 'engine kvm (auto: [^)]*)' /tmp/auto.out)"
	else
		result auto FAIL "$(head -n 2 /tmp/auto.out | tr '\n' '|')"
	fi
}

# SeaBIOS POSTs to its boot menu; hv run ends it at the timeout (124).
seabios() {
	cfg seabios /bios.bin kvm 32
	hv run --timeout 40 /tmp/seabios.cfg >/tmp/seabios.out 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 400 ] && ! grep -q "No bootable device" /tmp/seabios.e9; do
		sleep 0.1
		i=$((i + 1))
	done
	hv list -l seabios >/tmp/seabios.list 2>&1
	# pause and unpause: the vCPU leaves KVM_RUN on a kick and parks
	hv pause seabios && hv list seabios >/tmp/seabios.paused 2>&1
	hv unpause seabios && hv list seabios >/tmp/seabios.resumed 2>&1
	if awk '$1 == "seabios" {print $5}' /tmp/seabios.paused | grep -q p &&
		! awk '$1 == "seabios" {print $5}' /tmp/seabios.resumed | grep -q p; then
		result pause PASS "paused and resumed"
	else
		result pause FAIL "$(cat /tmp/seabios.paused /tmp/seabios.resumed | tr '\n' '|')"
	fi
	kill $pid 2>/dev/null
	wait $pid
	io=$(awk '$1 == "exits_io" {print $2}' /tmp/seabios.list)
	if grep -q "No bootable device" /tmp/seabios.e9 && grep -q "Found QEMU fw_cfg" /tmp/seabios.e9; then
		result seabios PASS "No bootable device after $((i / 10)).$((i % 10)) s"
		# the exit statistics of hv list -l (SeaBIOS POST is port I/O)
		if [ "${io:-0}" -gt 1000 ]; then
			result stats PASS "$(grep exits /tmp/seabios.list | tr -s ' \n' ' ')"
		else
			result stats FAIL "$(cat /tmp/seabios.list | tr '\n' '|')"
		fi
	else
		result seabios FAIL "$(tail -n 3 /tmp/seabios.out | tr '\n' '|') e9: $(tail -c 300 /tmp/seabios.e9 | tr '\n' '|')"
	fi
}

# hv regs on the KVM engine: the regs guest halts in a known state
# (tests/guests/regs.asm), read while blocked and while paused.
regs() {
	cfg regs "$G/regs.bin" kvm 16
	hv create /tmp/regs.cfg >/tmp/regs.out 2>&1
	i=0
	while [ $i -lt 300 ]; do
		hv regs regs >/tmp/regs.txt 2>&1
		grep -q "rip=0x8001 " /tmp/regs.txt && grep -q "halted=1" /tmp/regs.txt && break
		sleep 0.1
		i=$((i + 1))
	done
	hv pause regs && hv regs regs >/tmp/regs.paused 2>&1
	hv unpause regs
	hv destroy regs
	bad=""
	for f in engine=kvm rax=0x12345678 rbx=0x9abcdef0 rcx=0xbadf00d rsi=0x51515151 \
		rsp=0x6ff0 r8=0x0 rip=0x8001 cs=0x8,0xf0000,0xffff, fs=0x28,0x0,0xfff, \
		gdtr=0x800,0x6f efer=0x0 halted=1; do
		grep -qE "(^| )$f" /tmp/regs.txt || bad="$bad $f"
		grep -qE "(^| )$f" /tmp/regs.paused 2>/dev/null || bad="$bad paused:$f"
	done
	if [ -z "$bad" ]; then
		result regs PASS "$(grep -E '^(rip|cs)=' /tmp/regs.txt | tr '\n' ' ')"
	else
		result regs FAIL "missing$bad: $(cat /tmp/regs.txt /tmp/regs.out | tr '\n' '|')"
	fi
}

# hv save of the regs guest on the kvm engine, then hv restore on kvm and
# on the soft engine (restore's engine= override): the registers read
# back as saved on both, so the KVM engine's state (the x87, DR0-DR7 and
# SYSENTER MSRs with the rest) goes out and in, and across engines.
saverest() {
	cfg sr "$G/regs.bin" kvm 16
	hv create /tmp/sr.cfg >/tmp/sr.out 2>&1
	i=0
	while [ $i -lt 300 ] && ! { hv regs sr 2>/dev/null | grep -q "rip=0x8001 "; }; do
		sleep 0.1
		i=$((i + 1))
	done
	bad=""
	hv save sr /tmp/sr.sav >>/tmp/sr.out 2>&1 || bad=" save"
	for eng in kvm soft; do
		[ -z "$bad" ] || break
		hv restore /tmp/sr.sav "engine=$eng" >>/tmp/sr.out 2>&1 || { bad="$bad restore-$eng"; break; }
		hv regs sr >"/tmp/sr.$eng" 2>&1
		hv destroy sr
		for f in "engine=$eng" rax=0x12345678 rbx=0x9abcdef0 rsp=0x6ff0 rip=0x8001 \
			cs=0x8,0xf0000,0xffff, fs=0x28,0x0,0xfff, gdtr=0x800,0x6f halted=1; do
			grep -qE "(^| )$f" "/tmp/sr.$eng" || bad="$bad $eng:$f"
		done
	done
	hv destroy sr >/dev/null 2>&1
	if [ -z "$bad" ]; then
		result saverest PASS "saved on kvm, restored on kvm and soft with the same registers"
	else
		result saverest FAIL "missing$bad: $(cat /tmp/sr.out /tmp/sr.kvm /tmp/sr.soft 2>/dev/null | tail -n 12 | tr '\n' '|')"
	fi
}

# Diagnosis (run.sh BUILD_DIR --debug GUEST): the guest detached for 10 s,
# with hv's view of it and KVM's own counters.
debug() {
	mount -t debugfs debugfs /sys/kernel/debug
	cfg "$1" "$G/$1.bin" kvm 16
	hv create "/tmp/$1.cfg"
	sleep 10
	hv list -l "$1"
	grep -H . /sys/kernel/debug/kvm/* 2>/dev/null | sed 's|/sys/kernel/debug/kvm/||' | grep -v ':0$' | head -n 60
	cat "/tmp/$1.e9"
	hv destroy "$1"
}

# Debian's 686 kernel (linux) or amd64 kernel (linux64, which switches to
# long mode itself) by the Linux boot protocol (the 32-bit hand-over of
# vcpu_set_boot32) to a shell on COM1, two commands, and ACPI power-off.
# With INITRAMFS_DIR (linux64: /linux64v, the virtio modules added) the
# guest also has a virtio-blk disk of random bytes, a scratch one and a
# virtio NIC, which virtio_io drives.
linux() { # NAME DIR MEMORY_MIB UNAME_M [INITRAMFS_DIR]
	out=/tmp/$1.out
	printf 'name = "%s"\nmemory = %s\nengine = "kvm"\nkernel = "%s/vmlinuz"\nramdisk = "%s/initramfs.cpio.gz"\nextra = "console=ttyS0,115200 quiet panic=-1"\nserial = "stdio"\n' \
		"$1" "$3" "$2" "${5:-$2}" >"/tmp/$1.cfg"
	vio="" vio_bad="" vio_msix="" vio_s=""
	[ -z "$5" ] || virtio_cfg "$1"
	rm -f "/tmp/$1.in" && mkfifo "/tmp/$1.in"
	e0=$(pv_eois)
	hv run --timeout 300 "/tmp/$1.cfg" <"/tmp/$1.in" >"$out" 2>&1 &
	pid=$!
	exec 3>"/tmp/$1.in"
	if wait_for HV-LINUX-READY 1800 && echo 'echo $((6*7))' >&3 && wait_for "^42" 300 &&
		apic_cmd >&3 && wait_for "^apic [0-9].*interrupts" 300 &&
		echo 'echo "machine $(uname -m) clock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"' >&3 &&
		wait_for "^machine .* clock " 300 && { [ -z "$5" ] || virtio_io "$1"; }; then
		echo 'poweroff -f' >&3
	else # where it is stuck: printed with the FAIL line
		{ hv list -l "$1" && hv regs "$1" && sleep 2 && hv regs "$1" && hv list -l "$1"; } \
			>"/tmp/$1.diag" 2>&1
		hv destroy "$1"
	fi
	wait $pid
	st=$?
	exec 3>&-
	e1=$(pv_eois)
	# The echo of the "poweroff -f" typed once "machine " showed can land
	# before the line's end: "machine i686 clock kvm-clockpoweroff -f".
	# The guest's clocksource (reported): it must be KVM's paravirtual
	# clock (kvm-clock) unless that is turned off (HV_KVM_PVCLOCK=0).
	m=$(tr -d '\r' <"$out" | sed -n 's/^machine //p' | head -n 1)
	m=${m%%poweroff*}
	clk=${m#* clock }
	m=${m%% *}
	apic=$(apic_of "$out")
	[ -z "$5" ] || virtio_ok "$1"
	if grep -q "^42" "$out" && [ "$m" = "$4" ] && clock_ok && apic_ok "$apic" && [ "$st" = 0 ] &&
		[ -z "$vio_bad" ] && pv_eoi_ok "$e0" "$e1"; then
		result "$1" PASS "shell answered, uname -m $m, clocksource $clk, I/O APIC lines and LOC '$apic', PV EOIs $e0 -> $e1,$vio powered off, status 0"
	else
		result "$1" FAIL "status $st, uname -m '$m', clocksource '$clk', I/O APIC lines and LOC '$apic', PV EOIs $e0 -> $e1,$vio$vio_bad: $(tail -c 300 "$out" | tr '\r\n' '||')"
		# where the guest was stuck (hv list -l, hv regs twice)
		sed "s/^/NESTED-INFO $1 /" "/tmp/$1.diag" 2>/dev/null | tr -s '\n' | head -n 60
	fi
}

# The virtio devices of linux()'s guest NAME: 4 MiB of random bytes on
# xvda (read-only), a 4 MiB scratch disk xvdb and a virtio NIC on hv's
# user network.
virtio_cfg() { # NAME
	dd if=/dev/urandom of="/tmp/$1-vda.img" bs=1M count=4 2>/dev/null
	rm -f "/tmp/$1-vdb.img" && truncate -s 4M "/tmp/$1-vdb.img"
	printf 'disk = [ "format=raw,vdev=xvda,access=ro,target=/tmp/%s-vda.img", "format=raw,vdev=xvdb,access=rw,target=/tmp/%s-vdb.img" ]\nvif = [ "model=virtio" ]\n' \
		"$1" "$1" >>"/tmp/$1.cfg"
}

# In linux()'s guest NAME at its shell: the virtio modules loaded, xvda's
# checksum read, xvda copied to xvdb (fsync), 1 MiB of xvda sent over TCP
# to a sink on this VM (10.0.2.2 is the user network's gateway: this VM's
# loopback), and the guest's and hv's view of the interrupts: the lines
# of /proc/interrupts that are virtio's MSI-X vectors (PCI-MSI) and their
# count, and how many functions hv reports msix=on for.
virtio_io() { # NAME
	read vio_t0 _ </proc/uptime
	ip link set lo up
	echo 'for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done; i=0; while [ ! -b /dev/vdb -o ! -d /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; echo "vio-up $(ls /dev/vd* | tr "\n" " ")"' >&3
	wait_for "^vio-up /dev/vda /dev/vdb" 900 || return 1
	echo 'echo "vio-rd $(md5sum </dev/vda | cut -c1-32)"; dd if=/dev/vda of=/dev/vdb bs=1M conv=fsync 2>/dev/null; echo "vio-wr $?"' >&3
	wait_for "^vio-wr" 900 || return 1
	rm -f /tmp/vio.fifo /tmp/vio.sink && mkfifo /tmp/vio.fifo
	nc -l -p 5001 <>/tmp/vio.fifo >/tmp/vio.sink & # the FIFO never ends: see kvm-virtio-guest.sh
	sink=$!
	sleep 1
	echo 'dd if=/dev/vda bs=64k count=16 2>/dev/null | nc 10.0.2.2 5001; echo vio-tx' >&3
	i=0
	while [ "$(wc -c </tmp/vio.sink)" -lt 1048576 ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $sink
	wait $sink
	wait_for "^vio-tx" 300
	echo 'echo "vio-irq $(grep "PCI-MSI.*virtio" /proc/interrupts | wc -l) $(grep virtio /proc/interrupts | awk "{ s += \$2 } END { print s }")"' >&3
	wait_for "^vio-irq [0-9]* [0-9]" 300 || return 1
	vio_msix=$(hv list -l "$1" 2>/dev/null | grep -o "msix=on" | wc -l)
	read vio_t1 _ </proc/uptime
	vio_s=$((${vio_t1%.*} - ${vio_t0%.*}))
}

# linuxsave's guest: the virtio drivers loaded.
virtio_load() {
	echo 'for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done; i=0; while [ ! -b /dev/vdb ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo "vio-up $(ls /dev/vd* | tr "\n" " ")"' >&3
	wait_for "^vio-up /dev/vda /dev/vdb" 900
}

# linuxsave's guest NAME after the restore: its page cache dropped, xvda
# read again through the driver must give the image's checksum, on MSI-X
# with APICs.
virtio_again() { # NAME
	img=/tmp/$1-vda.img
	echo 'sync; echo 3 >/proc/sys/vm/drop_caches; echo "vio-again $(md5sum </dev/vda | cut -c1-32) $(grep "PCI-MSI.*virtio" /proc/interrupts | wc -l)"' >&3
	wait_for "^vio-again [0-9a-f]" 900 || return 1
	set -- $(tr -d '\r' <"$out" | sed -n 's/^vio-again \([0-9a-f]*\) \([0-9]*\).*/\1 \2/p' | head -n 1)
	echo "NESTED-INFO virtio after the restore: md5 $1, $2 MSI-X vectors"
	[ "$1" = "$(md5sum <"$img" | cut -c1-32)" ] && { [ -z "$want_apic" ] || [ "${2:-0}" -ge 7 ]; }
}

# Judges virtio_io's run from the files and $out: sets vio (a summary)
# and vio_bad (empty: all well). With APICs the three functions must use
# MSI-X (a vector per queue and one for configuration: 7 lines), without
# them INTx.
virtio_ok() { # NAME
	img=/tmp/$1-vda.img
	sum=$(md5sum <"$img" | cut -c1-32)
	rd=$(tr -d '\r' <"$out" | sed -n 's/^vio-rd \([0-9a-f]*\).*/\1/p' | head -n 1)
	wr=$(md5sum <"/tmp/$1-vdb.img" | cut -c1-32)
	tx=$(md5sum </tmp/vio.sink 2>/dev/null | cut -c1-32)
	set -- $(tr -d '\r' <"$out" | sed -n 's/^vio-irq \([0-9]*\) \([0-9]*\).*/\1 \2/p' | head -n 1)
	vio=" virtio: read md5 ${rd:-none}, copy ${wr}, sent $(wc -c </tmp/vio.sink 2>/dev/null) bytes, ${1:-?} MSI-X vectors taking ${2:-?} interrupts, hv msix=on for ${vio_msix:-?} functions, in ${vio_s:-?} s;"
	vio_bad=""
	[ "$rd" = "$sum" ] || vio_bad="$vio_bad read"
	[ "$wr" = "$sum" ] || vio_bad="$vio_bad write"
	[ "$tx" = "$(head -c 1048576 "$img" | md5sum | cut -c1-32)" ] || vio_bad="$vio_bad net"
	if [ -n "$want_apic" ]; then
		[ "${1:-0}" -ge 7 ] && [ "${2:-0}" -gt 0 ] && [ "${vio_msix:-0}" = 3 ] || vio_bad="$vio_bad msix"
	else
		[ "${1:-x}" = 0 ] && [ "${vio_msix:-x}" = 0 ] || vio_bad="$vio_bad intx"
	fi
}

# hv save with the local APIC in use (tests/guests/apictimer.asm: its
# timer periodic, counting in EBX): the soft engine, which has no APIC,
# refuses the file with the reason; the KVM engine restores it and the
# timer goes on (EBX grows). Skipped without APICs. (Not a Linux guest:
# one restored on the KVM engine does not survive, in PIC mode too, with
# or without this change: the 686 guest took a double fault, the amd64
# one rebooted; the vCPU state lacks the SYSCALL MSRs, among others.)
apicsave() {
	bad="" r0="" r1=""
	cfg as "$G/apictimer.bin" kvm 16
	hv create /tmp/as.cfg >/tmp/as.log 2>&1 || bad=" create"
	i=0
	while [ $i -lt 300 ] && ! grep -q "apic ready" /tmp/as.e9; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "apic ready" /tmp/as.e9 || bad="$bad ready"
	r0=$(hv regs as 2>&1 | grep -o "rbx=0x[0-9a-f]*")
	[ -n "$bad" ] || hv save as /tmp/as.sav >>/tmp/as.log 2>&1 || bad="$bad save"
	if [ -z "$bad" ]; then
		if hv restore /tmp/as.sav engine=soft >/tmp/as.soft 2>&1; then
			bad="$bad restored-on-soft"
			hv destroy as
		fi
		grep -q "local APIC" /tmp/as.soft || bad="$bad soft-reason"
		hv restore /tmp/as.sav >>/tmp/as.log 2>&1 || bad="$bad restore"
		sleep 2
		r1=$(hv regs as 2>&1 | grep -o "rbx=0x[0-9a-f]*")
	fi
	hv destroy as >/dev/null 2>&1
	if [ -z "$bad" ] && [ $((${r0#rbx=})) -ge 10 ] && [ $((${r1#rbx=})) -gt $((${r0#rbx=})) ]; then
		result apicsave PASS "timer ticks ${r0#rbx=} at the save, ${r1#rbx=} after the restore on kvm; the soft engine refused: $(tail -n 1 /tmp/as.soft)"
	else
		result apicsave FAIL "$bad: '$r0' then '$r1'; $(cat /tmp/as.log /tmp/as.soft 2>/dev/null | tail -n 6 | tr '\n' '|') e9: $(tail -c 200 /tmp/as.e9 | tr '\n' '|')"
	fi
}

# How much of domain NAME's RAM is in 2 MiB pages: its memfd's
# ShmemPmdMapped, with its Rss.
ram_huge() { # NAME
	p=$(hv list -l "$1" 2>/dev/null | awk '$1 == "pid" {print $2}')
	grep -E '^(Rss|ShmemPmdMapped)' "/proc/$p/smaps_rollup" 2>/dev/null | tr -s ' \n' ' '
}

# hv save -c of a Linux guest at its shell on KVM (NAME DIR MEMORY_MIB),
# then hv restore on KVM: the shell must answer on COM1 (a pty, through hv
# console) before the save, after it (the domain went on) and after the
# restore (paused first: its CR0, CR4 and EFER printed). Progress goes out
# in NESTED-INFO lines as it happens: a guest's double fault aborts the
# outer QEMU ("invalid tss type") before any result line. With
# INITRAMFS_DIR (linux64save: /linux64v) the guest has linux()'s virtio
# devices, their drivers loaded before the save, and after the restore it
# must read its disk again through them (MSI-X with APICs: the vectors'
# state restored).
linuxsave() { # NAME DIR MEMORY_MIB [INITRAMFS_DIR]
	out=/tmp/$1.out
	read t0 _ </proc/uptime
	printf 'name = "%s"\nmemory = %s\nengine = "kvm"\nkernel = "%s/vmlinuz"\nramdisk = "%s/initramfs.cpio.gz"\nextra = "console=ttyS0,115200 quiet panic=-1"\nserial = "pty"\n' \
		"$1" "$3" "$2" "${4:-$2}" >"/tmp/$1.cfg"
	[ -z "$4" ] || virtio_cfg "$1"
	bad=""
	: >"$out"
	mkdir -p /dev/pts && { grep -q " /dev/pts " /proc/mounts || mount -t devpts devpts /dev/pts; }
	rm -f "/tmp/$1.in" && mkfifo "/tmp/$1.in"
	hv create "/tmp/$1.cfg" >"/tmp/$1.log" 2>&1 || bad=" create"
	hv console "$1" <"/tmp/$1.in" >>"$out" 2>&1 &
	exec 3>"/tmp/$1.in"
	if [ -z "$bad" ] && wait_for HV-LINUX-READY 1800 && echo 'echo $((6*7))' >&3 && wait_for "^42" 300; then
		[ -z "$4" ] || virtio_load || bad="$bad virtio"
		echo "NESTED-INFO $1 answered, saving: $(hv regs "$1" | grep -oE "(efer|cr4|cr0)=[^ ]*" | tr '\n' ' ')$(ram_huge "$1")"
		hv save -c "$1" "/tmp/$1.sav" >>"/tmp/$1.log" 2>&1 || bad="$bad save"
		echo "NESTED-INFO $1 saved: $(tail -n 1 "/tmp/$1.log")"
		echo 'echo kept $((6*8))' >&3
		wait_for "^kept 48" 600 || bad="$bad kept"
		echo "NESTED-INFO $1 after the save:$bad"
	else
		bad="$bad boot"
	fi
	hv destroy "$1" >/dev/null 2>&1
	exec 3>&-
	wait
	if [ -z "$bad" ]; then
		e0=$(pv_eois)
		hv restore -p "/tmp/$1.sav" >>"/tmp/$1.log" 2>&1 || bad="$bad restore"
		echo "NESTED-INFO $1 restored: $(tail -n 1 "/tmp/$1.log") $(hv regs "$1" | grep -oE "(efer|cr4|cr0)=[^ ]*" | tr '\n' ' ')$(ram_huge "$1")"
		hv unpause "$1"
		hv console "$1" <"/tmp/$1.in" >>"$out" 2>&1 &
		exec 3>"/tmp/$1.in"
		sleep 1
		echo 'echo restored $((7*8))' >&3
		wait_for "^restored 56" 600 || bad="$bad answer"
		[ -z "$4" ] || virtio_again "$1" || bad="$bad virtio-after-restore"
		e1=$(pv_eois)
		echo "NESTED-INFO $1 PV EOIs after the restore: $e0 -> $e1"
		pv_eoi_ok "$e0" "$e1" || bad="$bad no-pv-eoi-after-restore"
		{ hv list -l "$1" && hv regs "$1"; } >"/tmp/$1.diag" 2>&1
		hv destroy "$1" >/dev/null 2>&1
		exec 3>&-
		wait
	fi
	hv destroy "$1" >/dev/null 2>&1
	if [ -z "$bad" ]; then
		read t1 _ </proc/uptime
		result "$1" PASS "shell answered before hv save -c, after it and after the restore on kvm ($((${t1%.*} - ${t0%.*})) s)"
	else
		result "$1" FAIL "$bad: $(cat "/tmp/$1.log" | tail -n 4 | tr '\n' '|') console: $(tail -c 600 "$out" | tr '\r\n' '||')"
		sed "s/^/NESTED-INFO $1 /" "/tmp/$1.diag" 2>/dev/null | tr -s '\n' | head -n 40
	fi
}

# The modern guest on KVM (assets/guests/modern): Debian's 686 kernel with
# its root on virtio-blk, virtio-net up by DHCP from hv's user network and
# virtio-rng, all through MMIO exits. A line written through the shell
# must be in the image after sync and the guest's ACPI power-off.
modern() {
	out=/tmp/modern.out
	cp /modern/root.img /tmp/modern.img
	printf 'name = "modern"\nmemory = 128\nengine = "kvm"\nkernel = "/modern/vmlinuz"\nramdisk = "/modern/initramfs.cpio.gz"\n' >/tmp/modern.cfg
	printf 'disk = [ "format=raw,vdev=xvda,access=rw,target=/tmp/modern.img" ]\nvif = [ "model=virtio" ]\nvirtio_rng = 1\n' >>/tmp/modern.cfg
	printf 'extra = "console=ttyS0,115200 root=/dev/vda %s %s panic=-1 cryptomgr.notests"\nserial = "stdio"\n' "$(cat /modern/extra)" "${modern_log:-quiet}" >>/tmp/modern.cfg
	rm -f /tmp/modern.in && mkfifo /tmp/modern.in
	hv run --timeout 900 /tmp/modern.cfg <"/tmp/modern.in" >"$out" 2>&1 &
	pid=$!
	exec 3>"/tmp/modern.in"
	if wait_for HV-MODERN-READY 4000 &&
		echo 'echo nested-$((6*7))-on-vda >/nested.txt; sync; cat /nested.txt; cat /sys/class/misc/hw_random/rng_current; echo clock-$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)' >&3 &&
		wait_for "^nested-42-on-vda" 600; then
		hv list -l modern >/tmp/modern.list 2>&1
		echo 'poweroff' >&3
	else
		{ hv list -l modern && hv regs modern; } >/tmp/modern.diag 2>&1
		hv destroy modern
	fi
	wait $pid
	st=$?
	exec 3>&-
	net=$(tr -d '\r' <"$out" | sed -n 's/.*\(HV-NET-[A-Z]* [^ ]*\).*/\1/p' | head -n 1)
	rng=$(tr -d '\r' <"$out" | grep -o 'virtio_rng[.0-9]*' | head -n 1)
	clk=$(tr -d '\r' <"$out" | sed -n 's/^clock-\([a-z_0-9-]*\).*/\1/p' | head -n 1)
	# the queue notifications took KVM's ioeventfd, not MMIO exits
	bells=$(awk '$1 == "doorbells_rung" {print $2}' /tmp/modern.list 2>/dev/null)
	mmio=$(awk '$1 == "exits_mmio" {print $2}' /tmp/modern.list 2>/dev/null)
	if tr -d '\r' <"$out" | grep -q "HV-MODERN-READY.*root=/dev/vda" && [ "${net%% *}" = HV-NET-UP ] &&
		[ -n "$rng" ] && clock_ok && [ "$st" = 0 ] && grep -q "nested-42-on-vda" /tmp/modern.img &&
		[ "${bells:-0}" -gt 0 ]; then
		result modern PASS "root on virtio-blk, $net, rng $rng, clocksource $clk, the line written is in the image, powered off; $bells notifications by ioeventfd, $mmio MMIO exits"
	else
		result modern FAIL "status $st, net '$net', rng '$rng', clocksource '$clk', doorbells '$bells': $(tail -c 400 "$out" | tr '\r\n' '||')"
		sed "s/^/NESTED-INFO modern /" /tmp/modern.diag 2>/dev/null | head -n 40
	fi
}

wait_for() { # PATTERN TENTHS: polls $out for that long (wall clock)
	read up _ </proc/uptime
	end=$((${up%.*}${up#*.} / 10 + $2))
	while :; do
		tr -d '\r' <"$out" | grep -q "$1" && return 0
		read up _ </proc/uptime
		[ $((${up%.*}${up#*.} / 10)) -lt $end ] || return 1
		sleep 0.1
	done
}

wait_e9() { # NAME TEXT: polls /tmp/NAME.e9 for 30 s
	i=0
	while [ $i -lt 300 ]; do
		grep -q "$2" "/tmp/$1.e9" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vbe_shots NAME ENGINE: tests/guests/vbedraw.asm with a viewer attached
# (SDL's offscreen driver) from its first picture (/tmp/NAME-a.png) to
# the one after a key made it draw a small square (/tmp/NAME-b.png).
vbe_shots() {
	cfg "$1" "$G/vbedraw.bin" "$2" 16
	hv create "/tmp/$1.cfg" >"/tmp/$1.out" 2>&1 || return 1
	st=1
	if wait_e9 "$1" "vbedraw A"; then
		SDL_VIDEODRIVER=offscreen hv view "$1" >"/tmp/$1.view" 2>&1 &
		view=$!
		sleep 3
		hv screenshot "$1" "/tmp/$1-a.png" && hv send-keys "$1" ret &&
			wait_e9 "$1" "vbedraw B" && sleep 1 && hv screenshot "$1" "/tmp/$1-b.png"
		st=$?
		kill $view
	fi
	hv destroy "$1"
	return $st
}

# Dirty-page logging: the guest draws into the VBE framebuffer, which KVM
# maps as RAM, so while the viewer stays attached only KVM's dirty log
# (KVM_GET_DIRTY_LOG through hv's memory layer) tells the renderer which
# rows the square changed. The soft engine's pictures are the reference.
dirty() {
	if ! vbe_shots dirtykvm kvm || ! vbe_shots dirtysoft soft; then
		result dirty FAIL "$(cat /tmp/dirtykvm.out /tmp/dirtykvm.view /tmp/dirtysoft.out 2>/dev/null | tail -n 4 | tr '\n' '|') e9: $(cat /tmp/dirtykvm.e9 | tr '\n' '|')"
	elif cmp -s /tmp/dirtykvm-a.png /tmp/dirtykvm-b.png; then
		result dirty FAIL "the square drawn through KVM never reached the screen"
	elif ! cmp -s /tmp/dirtykvm-a.png /tmp/dirtysoft-a.png || ! cmp -s /tmp/dirtykvm-b.png /tmp/dirtysoft-b.png; then
		result dirty FAIL "the KVM engine's screenshots differ from the soft engine's"
	else
		result dirty PASS "VBE drawing seen through KVM's dirty log, screenshots as on the soft engine"
	fi
}

# SeaBIOS's boot menu on KVM: two disks whose boot sector
# (tests/guests/bootsect.asm) prints its own sector 2; ESC typed at the
# prompt with hv send-keys opens the menu, which must list both disks, and
# "2" must boot the second one.
bootmenu() {
	for d in A B; do
		dd if=/dev/zero of=/tmp/menu$d.img bs=1024 count=1024 2>/dev/null
		dd if=$G/bootsect.bin of=/tmp/menu$d.img conv=notrunc 2>/dev/null
		printf 'this is disk %s' $d | dd of=/tmp/menu$d.img bs=512 seek=1 conv=notrunc 2>/dev/null
	done
	cfg bootmenu /bios.bin kvm 32
	printf 'disk = [ "format=raw,vdev=hda,access=rw,target=/tmp/menuA.img", "format=raw,vdev=hdb,access=rw,target=/tmp/menuB.img" ]\nboot = "c"\nboot_menu_wait = 30000\n' >>/tmp/bootmenu.cfg
	hv create /tmp/bootmenu.cfg >/tmp/bootmenu.out 2>&1
	wait_e9 bootmenu "Press ESC" && hv send-keys bootmenu esc >>/tmp/bootmenu.out 2>&1 &&
		wait_e9 bootmenu "Select boot device" && sleep 1 &&
		hv send-keys bootmenu 2 >>/tmp/bootmenu.out 2>&1 && wait_e9 bootmenu "this is disk"
	hv destroy bootmenu >/dev/null 2>&1
	menu=$(grep -E "^[0-9]\. " /tmp/bootmenu.e9 | tr '\n' '|')
	if grep -q "this is disk B" /tmp/bootmenu.e9 && ! grep -q "this is disk A" /tmp/bootmenu.e9 &&
		grep -q "^1\. ata0-0" /tmp/bootmenu.e9 && grep -q "^2\. ata0-1" /tmp/bootmenu.e9; then
		result bootmenu PASS "menu $menu chose 2, booted the second disk"
	else
		result bootmenu FAIL "$(cat /tmp/bootmenu.out | tr '\n' '|') e9: $(tail -c 400 /tmp/bootmenu.e9 | tr '\n' '|')"
	fi
}

# Every 10 s while the checks run: run.sh takes a VM silent for 90 s as
# frozen (QEMU's emulated SVM has been seen to stop the whole VM, its
# watchdog included) and runs the checks not yet done in a new one.
heartbeat() {
	while :; do
		echo NESTED-ALIVE
		sleep 10
	done
}

# A check that hangs would leave nothing but run.sh's timeout: shortly
# before it (by the VM's uptime), the processes and the hv commands' output go to the console.
watchdog() {
	up=$(cut -d. -f1 /proc/uptime)
	sleep $(($(cat /limit) - 40 - up))
	echo "NESTED-WATCHDOG the checks are still running; $(cat /proc/loadavg); processes:"
	ps -o pid,ppid,stat,args | sed 's/^/NESTED-WATCHDOG /'
	for f in /tmp/*.out /tmp/*.e9; do
		echo "NESTED-WATCHDOG $f: $(tail -c 300 "$f" | tr '\n' '|')"
	done
	timeout 20 hv list 2>&1 | sed "s/^/NESTED-WATCHDOG /"
}

# run.sh's HV_NESTED_CHECKS (/checks): only the checks listed there.
want() {
	[ -f /checks ] || return 0
	case ",$(cat /checks)," in *",$1,"*) return 0 ;; esac
	return 1
}

# A check that runs only when HV_NESTED_CHECKS names it (not in the
# default run: the modern guest's files are staged only then).
asked() {
	[ -f /checks ] && want "$1"
}

bench() {
	[ -x /bench.sh ] && /bench.sh
}

# The KVM unit suite, on a /dev/kvm that runs vCPUs (its summary line).
kvmunit() {
	if CK_DEFAULT_TIMEOUT=120 /bin/test_kvm >/tmp/kvmunit.out 2>&1; then
		result kvmunit PASS "$(grep -m 1 'Checks:' /tmp/kvmunit.out)"
	else
		result kvmunit FAIL "$(grep -v '^Running' /tmp/kvmunit.out | tail -n 3 | tr '\n' '|')"
	fi
}

dbg=$(sed -n 's/.*hvdebug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
if [ "$dbg" = linux ] && load_modules; then
	linux linux /linux 128 i686
	tr -d '\r' </tmp/linux.out | grep -v "POST code" | tail -n 60
elif [ "$dbg" = linux64 ] && load_modules; then
	# up to 10 boots, to catch a rare failure: the console of the last
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -f /tmp/linux64.diag
		linux linux64 /linux64 160 x86_64 | tee /tmp/linux64.result
		grep -q PASS /tmp/linux64.result || break
	done
	# the judge: QEMU's own KVM mode booting the same guest here
	for n in 1 2 3; do
		# -L: this binary looks for its firmware beside itself (/share)
		qemu-system-x86_64 -accel kvm -m 160 -display none -nic none -vga none -no-reboot \
			-L /usr/share/qemu -L /usr/share/seabios \
			-kernel /linux64/vmlinuz -initrd /linux64/initramfs.cpio.gz -serial stdio \
			-append "console=ttyS0,115200 quiet panic=-1" </dev/null >/tmp/q64.out 2>&1 &
		q=$!
		i=0
		while [ $i -lt 1200 ] && ! grep -q HV-LINUX-READY /tmp/q64.out; do
			sleep 0.1
			i=$((i + 1))
		done
		kill $q
		wait $q
		echo "NESTED-INFO qemu -accel kvm boot $n: $(grep -c HV-LINUX-READY /tmp/q64.out) marker(s) after $i tenths; $(tail -c 200 /tmp/q64.out | tr '\r\n' '||')"
	done
	tr -d '\r' </tmp/linux64.out | grep -v "POST code" | tail -n 40
	cat /tmp/linux64.diag 2>/dev/null
elif [ "$dbg" = modern ] && load_modules; then
	modern_log=ignore_loglevel
	modern
	grep -m 1 "engine" /tmp/modern.out
	cat /tmp/modern.list /tmp/modern.diag 2>/dev/null
	tr -d '\r' </tmp/modern.out | grep -v "POST code" | tail -n 150
elif [ -n "$dbg" ] && load_modules; then
	debug "$dbg"
elif load_modules; then
	# not jobs of this shell: the checks' bare `wait`s must not wait for them
	(heartbeat &)
	(watchdog &)
	want kvmunit && kvmunit
	want auto && auto
	want hello && guest hello 67 "hello from the debug console"
	want pmode && guest pmode 33 "PASS pmode done"
	want paging && guest paging 33 "PASS paging done"
	want ring3 && guest ring3 33 "PASS ring3 done"
	want tasks && guest tasks 33 "PASS tasks done"
	want v86 && guest v86 33 "PASS v86 done"
	{ want seabios || want pause || want stats; } && seabios
	want bootmenu && bootmenu
	want regs && regs
	want saverest && saverest
	want dirty && dirty
	asked modern && modern
	want linux && linux linux /linux 128 i686
	want linux64 && linux linux64 /linux64 160 x86_64 /linux64v
	want apicsave && [ -n "$want_apic" ] && apicsave
	want linuxsave && linuxsave linuxsave /linux 128
	asked linux64save && linuxsave linux64save /linux64 160 /linux64v
	bench
fi
finish
