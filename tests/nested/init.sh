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
G=/guests

result() { echo "NESTED $1 $2 $3"; }

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

# Debian's 686 kernel by the Linux boot protocol (the 32-bit hand-over of
# vcpu_set_boot32) to a shell on COM1, a command, and ACPI power-off.
linux() {
	printf 'name = "linux"\nmemory = 128\nengine = "kvm"\nkernel = "/linux/vmlinuz"\nramdisk = "/linux/initramfs.cpio.gz"\nextra = "console=ttyS0,115200 quiet panic=-1"\nserial = "stdio"\n' >/tmp/linux.cfg
	rm -f /tmp/linux.in && mkfifo /tmp/linux.in
	hv run --timeout 240 /tmp/linux.cfg </tmp/linux.in >/tmp/linux.out 2>&1 &
	pid=$!
	exec 3>/tmp/linux.in
	wait_for HV-LINUX-READY 1800 && echo 'echo $((6*7))' >&3 && wait_for "^42" 300 &&
		echo 'poweroff -f' >&3
	wait $pid
	st=$?
	exec 3>&-
	if grep -q "^42" /tmp/linux.out && [ "$st" = 0 ]; then
		result linux PASS "shell answered, powered off, status 0"
	else
		result linux FAIL "status $st: $(tail -c 300 /tmp/linux.out | tr '\r\n' '||')"
	fi
}

wait_for() { # PATTERN TENTHS: polls /tmp/linux.out
	i=0
	while [ $i -lt "$2" ]; do
		tr -d '\r' </tmp/linux.out | grep -q "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

bench() {
	[ -x /bench.sh ] && /bench.sh
}

dbg=$(sed -n 's/.*hvdebug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
if [ "$dbg" = linux ] && load_modules; then
	linux
	tr -d '\r' </tmp/linux.out | grep -v "POST code" | tail -n 60
elif [ -n "$dbg" ] && load_modules; then
	debug "$dbg"
elif load_modules; then
	auto
	guest hello 67 "hello from the debug console"
	guest pmode 33 "PASS pmode done"
	guest paging 33 "PASS paging done"
	guest ring3 33 "PASS ring3 done"
	guest tasks 33 "PASS tasks done"
	guest v86 33 "PASS v86 done"
	seabios
	[ -f /linux/vmlinuz ] && linux
	bench
fi
finish
