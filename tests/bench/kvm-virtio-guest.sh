#!/bin/busybox sh
# Runs inside the nested-KVM VM (tests/nested/run.sh --bench-virtio puts
# it at /bench.sh): virtio-blk and virtio-net on hv's KVM engine next to
# QEMU's KVM mode (virtio-blk-pci, virtio-net-pci on its user-mode
# networking) with the same guest: Debian's amd64 kernel and the busybox
# initramfs of /linux64 with that kernel's virtio modules (/linux64v),
# 160 MiB. QEMU's KVM mode cannot run the 686 modern guest here (the
# emulated SVM of the outer QEMU aborts on its 32-bit TSS: "invalid tss
# type"), so both run the 64-bit one. In one boot each, busybox in the
# guest:
#   - runs a shell loop of 20000 rounds, which uses no device: the
#     control, the engine's cost when the guest only computes (its timer
#     ticks, hv's slices);
#   - reads a 64 MiB disk (/dev/vda) with dd bs=1M;
#   - writes a 64 MiB disk (/dev/vdb) with dd bs=1M conv=fsync;
#   - runs the shell loop again (how far this VM's pace drifted);
#   - sends 16 MiB of zeros with nc to a sink on this VM (10.0.2.2, the
#     gateway of both user-mode networks, libslirp in both).
# Each is timed on this VM's clock, from typing the command to its marker
# (to the sink holding every byte for the network).
# For hv it also prints, per phase, its counters' growth (exits by
# reason), each of its threads' CPU time and virtio-blk's host time per
# stage (queued_ms, disk_ms, completing_ms); the guest's own view of its
# requests is the /sys/block stat line after each marker. For both VMMs,
# KVM's own counters (debugfs) over the control, the read, the write and
# the network: every exit,
# those KVM handles itself included (the in-kernel PIC's port I/O, nested
# page faults as pf_fixed); and the guest's own interrupts per source over
# the read, the write and the network (its timer, each queue's vector).
# Prints
#   BENCH <what> hv=<value> qemu=<value> MB/s (ratio ...)
# Under nested TCG only the ratios mean anything.
L=/linux64
# slirp reaches the sink through this VM's loopback, which nothing else
# brings up: down, its connect() fails with ENETUNREACH and the guest is
# told "Network is unreachable".
ip link set lo up
CMDLINE="console=ttyS0,115200 quiet panic=-1"

# KVM's own counters in this VM (debugfs, all VMs summed; one runs at a
# time): the exits KVM handles itself too, which hv's counters do not see.
# pv_eoi: the EOIs the guest made through KVM's paravirtual EOI, which
# cost no exit (KVM's kvm_pv_eoi trace event: the events this VM's one
# CPU logged, those the ring buffer overwrote included).
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
T=/sys/kernel/debug/tracing
echo 1 >$T/events/kvm/kvm_pv_eoi/enable 2>/dev/null || true
# vmm_cpu: the VMM process's CPU ticks (all its threads, user + system);
# l1_*: this VM's one CPU's ticks by state (/proc/stat), where the rest
# of the wall time went (idle: nothing to run, the VMMs waiting).
KVM_KEYS="exits io_exits mmio_exits irq_exits halt_exits signal_exits irq_injections insn_emulation pf_fixed pv_eoi vmm_cpu l1_user l1_sys l1_idle l1_iowait l1_irq l1_softirq"
kvm_stat() {
	case $1 in
	vmm_cpu) sed 's/.*) //' /proc/$vpid/stat 2>/dev/null | awk '{ print $12 + $13 } END { if (NR == 0) print 0 }' ;;
	l1_user) awk '$1 == "cpu" { print $2 + $3 }' /proc/stat ;;
	l1_sys) awk '$1 == "cpu" { print $4 }' /proc/stat ;;
	l1_idle) awk '$1 == "cpu" { print $5 }' /proc/stat ;;
	l1_iowait) awk '$1 == "cpu" { print $6 }' /proc/stat ;;
	l1_irq) awk '$1 == "cpu" { print $7 }' /proc/stat ;;
	l1_softirq) awk '$1 == "cpu" { print $8 }' /proc/stat ;;
	pv_eoi) if [ -f $T/per_cpu/cpu0/stats ]; then
		awk '/^(entries|overrun):/ { n += $2 } END { print n + 0 }' $T/per_cpu/cpu0/stats
	else echo 0; fi ;;
	*) cat /sys/kernel/debug/kvm/$1 2>/dev/null || echo 0 ;;
	esac
}
kvm_stats() {
	for k in $KVM_KEYS; do kvm_stat $k; done | tr '\n' ' '
}
kvm_delta() { # NAME PHASE BEFORE AFTER
	echo "BENCH-INFO $1 $2 kvm: $(echo "$KVM_KEYS|$3|$4" | awk -F'|' '{ n = split($1, k, " "); split($2, a, " "); split($3, b, " "); for (i = 1; i <= n; i++) printf "%s=%d ", k[i], b[i] - a[i] }')"
}

centis() { # this VM's uptime in 1/100 s
	read up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

wait_out() { # PATTERN SECONDS: polls /tmp/vb.out
	end=$(($(centis) + $2 * 100))
	while ! tr -d '\r' </tmp/vb.out | grep -q "$1"; do
		[ "$(centis)" -lt $end ] || return 1
		sleep 0.05
	done
}

timed() { # MARKER COMMAND: types COMMAND, then the centiseconds to MARKER (or n/a)
	t0=$(centis)
	echo "$2" >&5
	if wait_out "^$1" 600; then echo $(($(centis) - t0)); else echo n/a; fi
}

# net_timed: 16 MiB to the sink; centiseconds until it has them (or n/a).
net_timed() {
	rm -f /tmp/vb.sink /tmp/vb.nc-in && mkfifo /tmp/vb.nc-in
	# busybox nc half-closes the connection at its stdin's end, and the
	# guest's nc exits on that: the sink's stdin is a FIFO it holds open
	# itself, which never ends (with /dev/null the sink got 64 KiB).
	nc -l -p 5001 <>/tmp/vb.nc-in >/tmp/vb.sink &
	sink=$!
	sleep 1
	t0=$(centis)
	end=$((t0 + 30000))
	echo 'dd if=/dev/zero bs=65536 count=256 2>/dev/null | nc 10.0.2.2 5001; echo "TX-$((6*7)) eth0 tx_packets $(cat /sys/class/net/eth0/statistics/tx_packets) rx_packets $(cat /sys/class/net/eth0/statistics/rx_packets) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")"' >&5
	while [ "$(wc -c </tmp/vb.sink)" -lt 16777216 ] && [ "$(centis)" -lt $end ]; do
		sleep 0.05
	done
	if [ "$(wc -c </tmp/vb.sink)" -ge 16777216 ]; then echo $(($(centis) - t0)); else echo n/a; fi
	kill $sink 2>/dev/null # which ends the guest's nc
	wait_out "^TX-42" 60 >/dev/null
}

# stats NAME PHASE: hv's counters of the domain (hv list -l) at the end
# of PHASE, in /tmp/vb-PHASE.list (only for hv's run).
stats() {
	[ "$1" = hv ] || return 0
	hv list -l vb >/tmp/vb-$2.list 2>&1 || true
	# each thread's CPU time (utime+stime, in ticks), for where it went
	for t in /proc/$vpid/task/*; do
		echo "$(tr -d ' ' <$t/comm)/${t##*/}=$(sed 's/.*) //' $t/stat | awk '{print $12 + $13}')"
	done | tr '\n' ' ' >/tmp/vb-$2.threads
}

counter() { # FILE KEY: the value of KEY in an hv list -l dump
	case $2 in
	injected) sed -n 's/.*kvm_irq *injected=\([0-9]*\).*/\1/p' "$1" ;;
	*) awk -v k="$2" '$1 == k {print $2}' "$1" ;;
	esac
}

# The counters' growth over each phase: where hv's time went.
delta_report() {
	prev=up
	for ph in busy rd wr net; do
		[ -f /tmp/vb-$ph.list ] && [ -f /tmp/vb-$prev.list ] || break
		line=""
		for k in exits exits_io exits_mmio exits_hlt exits_intr exits_other injected doorbells_rung cpu_time; do
			a=$(counter /tmp/vb-$prev.list $k)
			b=$(counter /tmp/vb-$ph.list $k)
			line="$line $k=$(awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { d = b - a; if (d == int(d)) printf "%d", d; else printf "%.2f", d }')"
		done
		echo "BENCH-INFO hv $ph counters:$line"
		echo "BENCH-INFO hv $ph threads (CPU ticks, cumulative): $(cat /tmp/vb-$ph.threads)"
		echo "BENCH-INFO hv $ph blk (cumulative): $(grep -o 'reads=.*' /tmp/vb-$ph.list | tr '\n' '|')"
		echo "BENCH-INFO hv $ph nic (cumulative): $(grep 'mac=' /tmp/vb-$ph.list | grep -o 'queue_notifies=.*' | tr '\n' '|')"
		prev=$ph
	done
}

# irq_report NAME: the guest's interrupts per source over each phase, the
# growth of its /proc/interrupts between the markers (CPU-42 before the
# read, RD-42, WR-42, TX-42): LOC its local APIC timer, the virtio vectors
# summed by queue name (the two VMMs number their devices differently).
irq_report() {
	tr -d '\r' </tmp/vb.out | awk -v who="$1" '
	function take(line, c,    n, seg, i, t, k, j, name) {
		sub(/^[^I]*IRQ /, "", line)
		n = split(line, seg, ";")
		for (i = 1; i <= n; i++) {
			k = split(seg[i], t, " ")
			for (j = 1; j < k && t[j] !~ /^([0-9]+|LOC):$/; j++)
				;
			if (j >= k || (t[j] != "LOC:" && t[k] !~ /^virtio/))
				continue
			name = t[j] == "LOC:" ? "LOC" : t[k]
			sub(/^virtio[0-9]+-/, "", name)
			c[name] += t[j + 1]
		}
	}
	BEGIN { phase["RD-42"] = "rd"; phase["WR-42"] = "wr"; phase["TX-42"] = "net"; nk = split("LOC input.0 output.0 req.0 config", key, " ") }
	/^(CPU|RD|WR|TX)-42/ {
		split("", cur)
		take($0, cur)
		if (have) {
			out = ""
			for (i = 1; i <= nk; i++)
				out = out " " key[i] "=" cur[key[i]] - prev[key[i]]
			print "BENCH-INFO " who " " phase[$1] " guest irqs:" out
		}
		split("", prev)
		for (q in cur)
			prev[q] = cur[q]
		have = 1
	}'
}

# one NAME COMMAND...: boots, loads the modules, sets $r $w $n.
one() {
	name=$1
	shift
	dd if=/dev/zero of=/tmp/vb-data.img bs=1M count=64 2>/dev/null # zeros, read through the device all the same
	rm -f /tmp/vb-scratch.img /tmp/vb-*.list && truncate -s 64M /tmp/vb-scratch.img
	rm -f /tmp/vb.in && mkfifo /tmp/vb.in
	"$@" </tmp/vb.in >/tmp/vb.out 2>&1 &
	vpid=$!
	exec 5>/tmp/vb.in
	r=n/a w=n/a n=n/a busy=n/a busy2=n/a
	rm -f /tmp/vb.kvm
	if wait_out HV-LINUX-READY 600 && sleep 1 &&
		[ "$(timed UP-42 'for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done; i=0; while [ ! -b /dev/vdb -o ! -d /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2; echo "UP-$((6*7)) $(ls /dev/vd*) $(ls /sys/class/net | tr "\n" " ")"')" != n/a ]; then
		echo 'echo "NET-$((6*7)) $(ip -4 addr show dev eth0 | grep inet) / $(ip route | tr "\n" ";") clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) vda max_sectors_kb $(cat /sys/block/vda/queue/max_sectors_kb) max_segments $(cat /sys/block/vda/queue/max_segments) read_ahead_kb $(cat /sys/block/vda/queue/read_ahead_kb)"' >&5
		wait_out "^NET-42" 60 || true
		stats $name up
		# no device at all: the guest's CPU and the engine's time-driven
		# exits (timer ticks, slices) alone, the control for the rest
		k0=$(kvm_stats)
		busy=$(timed BUSY-42 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo "BUSY-$((6*7))"')
		stats $name busy
		kvm_delta $name busy "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# what the guest's CPU is told (features, the mitigations they
		# pick) and how its ticks arrive, to compare the two VMMs' guests
		echo 'echo "CPU-$((6*7)) $(grep -m1 "^flags" /proc/cpuinfo | cut -d: -f2) VULN $(cd /sys/devices/system/cpu/vulnerabilities && grep . * | tr "\n" ";") IRQ $(grep -E "virtio|^ *(0|1[01]|LOC|TLB|RES|CAL):" /proc/interrupts | tr -s " " | tr "\n" ";")"' >&5
		wait_out "^CPU-42" 60 || true
		k0=$(kvm_stats)
		r=$(timed RD-42 'dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null; echo "RD-$((6*7)) $(cat /sys/block/vda/stat) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")"')
		stats $name rd
		kvm_delta $name rd "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# how the VMM's RAM is mapped: in 2 MiB pages (ShmemPmdMapped
		# for hv's memfd, AnonHugePages for QEMU's) or not, in its
		# process and in KVM's tables (pages_4k, pages_2m)
		echo "BENCH-INFO $name rd huge: $(grep -m 1 -o 'guest RAM in [0-9]* [KM]iB pages' /tmp/vb.out) $(grep -E '^(AnonHugePages|ShmemPmdMapped|FilePmdMapped|Rss)' /proc/$vpid/smaps_rollup | tr -s ' \n' ' ')kvm pages_4k=$(cat /sys/kernel/debug/kvm/pages_4k) pages_2m=$(cat /sys/kernel/debug/kvm/pages_2m)" >>/tmp/vb.kvm
		k0=$(kvm_stats)
		w=$(timed WR-42 'dd if=/dev/zero of=/dev/vdb bs=1M count=64 conv=fsync 2>/dev/null; echo "WR-$((6*7)) $(cat /sys/block/vdb/stat) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")"')
		stats $name wr
		kvm_delta $name wr "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# the control again: how far this VM's pace (the outer host's
		# load) drifted over the disk phases
		busy2=$(timed AGAIN-42 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo "AGAIN-$((6*7))"')
		k0=$(kvm_stats)
		n=$(net_timed)
		stats $name net
		kvm_delta $name net "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		echo 'poweroff -f' >&5
	fi
	i=0
	while kill -0 $vpid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $vpid 2>/dev/null
	wait $vpid 2>/dev/null
	exec 5>&-
	echo "BENCH-INFO $name: busy $busy cs (after the write $busy2 cs), read $r cs, write $w cs, net $n cs; $(tr -d '\r' </tmp/vb.out | grep -E '^UP-42|^NET-42|^CPU-42|^(RD|WR|TX)-42' | tr '\n' ' ')"
	[ "$name" != hv ] || delta_report
	cat /tmp/vb.kvm 2>/dev/null || true
	irq_report $name
	[ "$n" != n/a ] || echo "BENCH-INFO $name ends: $(tr -d '\r' </tmp/vb.out | tail -n 6 | tr '\n' '|')"
}

rate() { # MIB CENTISECONDS: MB/s
	awk -v m="$1" -v cs="$2" 'BEGIN { if (cs + 0 > 0) printf "%.2f", m * 1.048576 / (cs / 100); else print "n/a" }'
}

ratio() {
	awk -v h="$1" -v q="$2" 'BEGIN { if (h + 0 > 0 && q + 0 > 0) printf "%.2f", h / q; else print "n/a" }'
}

printf 'name = "vb"\nmemory = 160\nengine = "kvm"\nkernel = "%s/vmlinuz"\nramdisk = "/linux64v/initramfs.cpio.gz"\nextra = "%s"\nserial = "stdio"\n' \
	$L "$CMDLINE" >/tmp/vb.cfg
printf 'disk = [ "format=raw,vdev=xvda,access=ro,target=/tmp/vb-data.img", "format=raw,vdev=xvdb,access=rw,target=/tmp/vb-scratch.img" ]\nvif = [ "model=virtio" ]\n' >>/tmp/vb.cfg
one hv hv run --timeout 1200 /tmp/vb.cfg
hv_r=$r hv_w=$w hv_n=$n hv_busy=$busy hv_busy2=$busy2
one qemu qemu-system-x86_64 -accel kvm -m 160 -display none -vga none -monitor none -no-reboot \
	-L /usr/share/qemu -L /usr/share/seabios -serial stdio \
	-kernel $L/vmlinuz -initrd /linux64v/initramfs.cpio.gz -append "$CMDLINE" \
	-drive file=/tmp/vb-data.img,format=raw,if=virtio,readonly=on \
	-drive file=/tmp/vb-scratch.img,format=raw,if=virtio \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=
q_r=$r q_w=$w q_n=$n q_busy=$busy q_busy2=$busy2
# hv again with offload=0: no checksum or TSO offload, as QEMU offers none
# on its user network (the guest then sends frames of the MTU)
sed 's/vif = \[ "model=virtio" \]/vif = [ "model=virtio,offload=0" ]/' /tmp/vb.cfg >/tmp/vb0.cfg
one hv-offload0 hv run --timeout 1200 /tmp/vb0.cfg
h0_r=$r h0_w=$w h0_n=$n
echo "BENCH guest-busy-loop hv=$hv_busy qemu=$q_busy cs (ratio qemu/hv $(ratio $q_busy $hv_busy); a shell loop of 20000 rounds, no device; amd64 guest, 160 MiB)"
for x in "virtio-blk-read 64 $hv_r $q_r dd 64 MiB bs=1M from /dev/vda" \
	"virtio-blk-write 64 $hv_w $q_w dd 64 MiB bs=1M conv=fsync to /dev/vdb" \
	"virtio-net-tx 16 $hv_n $q_n 16 MiB over TCP, guest to host, user-mode networking"; do
	set -- $x
	what=$1 mib=$2 h=$(rate $2 $3) q=$(rate $2 $4)
	shift 4
	echo "BENCH $what hv=$h qemu=$q MB/s (ratio hv/qemu $(ratio $h $q); $*; amd64 guest, 160 MiB)"
done
# The VMMs run one after the other, and the outer host's load (other
# jobs on a shared machine) changes this VM's pace between them: the
# control loop then differs as much as a device phase. Each phase over
# the mean of its own run's two control loops cancels that drift.
norm() { # HV_PHASE Q_PHASE: (q / q's control) over (hv / hv's control)
	awk -v h="$1" -v q="$2" -v hb="$hv_busy" -v hb2="$hv_busy2" -v qb="$q_busy" -v qb2="$q_busy2" 'BEGIN {
		if (h + 0 > 0 && q + 0 > 0 && hb + 0 > 0 && hb2 + 0 > 0 && qb + 0 > 0 && qb2 + 0 > 0)
			printf "%.2f", (q / ((qb + qb2) / 2)) / (h / ((hb + hb2) / 2))
		else print "n/a" }'
}
echo "BENCH-INFO control-normalized ratios hv/qemu: read $(norm $hv_r $q_r) write $(norm $hv_w $q_w) net $(norm $hv_n $q_n) (each phase's time over the mean of its run's two control loops: hv $hv_busy/$hv_busy2 cs, qemu $q_busy/$q_busy2 cs)"
h=$(rate 16 $h0_n) q=$(rate 16 $q_n)
echo "BENCH virtio-net-tx-offload0 hv=$h qemu=$q MB/s (ratio hv/qemu $(ratio $h $q); the same with hv's vif offload=0; its blk read/write $(rate 64 $h0_r) / $(rate 64 $h0_w) MB/s)"
