#!/bin/busybox sh
# Runs inside the nested-KVM VM (tests/nested/run.sh --bench-virtio puts
# it at /bench.sh): virtio-blk and virtio-net on hv's KVM engine next to
# QEMU's KVM mode (virtio-blk-pci, virtio-net-pci on its user-mode
# networking) with the same guest: Debian's amd64 kernel and the busybox
# initramfs of /linux64 with that kernel's virtio modules (/linux64v),
# 160 MiB. QEMU's KVM mode cannot run the 686 modern guest here (the
# emulated SVM of the outer QEMU aborts on its 32-bit TSS: "invalid tss
# type"), so both run the 64-bit one. ROUNDS rounds (/bench-rounds, from
# HV_BENCH_ROUNDS; 3 by default), each a fresh boot of each VMM, in the
# order hv qemu, qemu hv, hv qemu... (so a drift of this VM's pace falls
# on both); in each boot busybox in the guest:
#   - runs a shell loop of 20000 rounds, which uses no device: the
#     control, the engine's cost when the guest only computes (its timer
#     ticks, hv's slices);
#   - reads a 64 MiB disk (/dev/vda) with dd bs=1M;
#   - writes a 64 MiB disk (/dev/vdb) with dd bs=1M conv=fsync;
#   - runs the shell loop again (how far this VM's pace drifted);
#   - sends 16 MiB of zeros with nc to a sink on this VM (10.0.2.2, the
#     gateway of both user-mode networks, libslirp in both);
#   - runs the loop, the read and the write REPS-1 times more (/bench-reps,
#     from HV_BENCH_REPS; 3 in all by default), and keeps the least time
#     of each: the same loop's cost varies 2x within one boot here.
# The loops, the read and the write are timed by the guest itself (its
# uptime, kvm-clock, before and after, carried in its marker); the network
# on this VM's clock, from typing the command to the sink holding every
# byte (checked every 0.25 s). Markers are polled every 0.5 s with one
# grep: a tighter poll took 30-40% of this VM's one CPU from the VMMs.
# For hv's first round it also prints, per phase, its counters' growth
# (exits by reason), each of its threads' CPU time and virtio-blk's host
# time per stage (queued_ms, disk_ms, completing_ms); the guest's own view
# of its requests is the /sys/block stat line after each marker. For the
# first round of both VMMs, KVM's own counters (debugfs) over the control,
# the read, the write and the network: every exit,
# those KVM handles itself included (the in-kernel PIC's port I/O, nested
# page faults as pf_fixed); and the guest's own interrupts per source over
# the read, the write and the network (its timer, each queue's vector).
# Prints per round and VMM
#   BENCH-ROUND <n> <vmm> busy=<cs> rd=<cs> wr=<cs> busy2=<cs> net=<cs> ...
#   BENCH-ROUND <n> ratio hv/qemu ... control-normalized ...
# then, over the rounds,
#   BENCH <what> hv=<value> qemu=<value> MB/s (ratio ...)
# where the values are the MEDIANS over the rounds and the ratio is that
# of the medians, with the rounds' spread (min-max). /bench-offload0 (from
# HV_BENCH_OFFLOAD0=1) adds one boot of hv with vif offload=0.
# Under nested TCG only the ratios mean anything.
L=/linux64
# slirp reaches the sink through this VM's loopback, which nothing else
# brings up: down, its connect() fails with ENETUNREACH and the guest is
# told "Network is unreachable".
ip link set lo up
# The console, for mark() within the $(...) that capture the figures.
exec 3>&1
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
	[ "$info" = 1 ] || return 0
	for k in $KVM_KEYS; do kvm_stat $k; done | tr '\n' ' '
}
kvm_delta() { # NAME PHASE BEFORE AFTER
	[ "$info" = 1 ] || return 0
	echo "BENCH-INFO $1 $2 kvm: $(echo "$KVM_KEYS|$3|$4" | awk -F'|' '{ n = split($1, k, " "); split($2, a, " "); split($3, b, " "); for (i = 1; i <= n; i++) printf "%s=%d ", k[i], b[i] - a[i] }')"
}

centis() { # this VM's uptime in 1/100 s
	read up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

wait_out() { # PATTERN SECONDS: polls /tmp/vb.out every 0.5 s
	end=$(($(centis) + $2 * 100))
	while ! grep -q "$1" /tmp/vb.out; do
		[ "$(centis)" -lt $end ] || return 1
		sleep 0.5
	done
}

timed() { # MARKER COMMAND: types COMMAND, then the centiseconds to MARKER (or n/a)
	t0=$(centis)
	echo "$2" >&5
	if wait_out "^$1" 600; then echo $(($(centis) - t0)); else echo n/a; fi
}

# mark PHASE start|end: a BENCH-MARK line on the console, which run.sh
# stamps with the outer QEMU's CPU time (cpu=<ticks>): the work the whole
# nested stack did for the phase, whatever the outer host's load took
# from it in wall time.
mark() {
	echo "BENCH-MARK $name $round $1 $2" >&3
}

# gtimed MARKER COMMAND [REST]: types COMMAND between two reads of the
# guest's uptime, which its marker line (MARKER-42 T=<before>,<after>
# REST) carries; the centiseconds between them (or n/a).
# This VM's own time to the marker (0.5 s steps) goes to /tmp/vb.host.
gtimed() {
	mark "$1" start
	t0=$(centis)
	echo "read a _ </proc/uptime; $2; read b _ </proc/uptime; echo \"$1-\$((6*7)) T=\$a,\$b ${3:-}\"" >&5
	wait_out "^$1-42 " 600 || { echo n/a; return; }
	mark "$1" end
	echo "$1=$(($(centis) - t0))" >>/tmp/vb.host
	tr -d '\r' </tmp/vb.out | sed -n "s/^$1-42 T=\([0-9.]*\),\([0-9.]*\).*/\1 \2/p" |
		awk 'NR == 1 { printf "%d", ($2 - $1) * 100 + 0.5 } END { if (NR == 0) print "n/a" }'
}

# clk NAME: the guest prints its uptime at NAME-42, and /tmp/vb.clk gets
# this VM's as it typed the command: two of them (CLKA, CLKB) a minute
# apart give the pace of the guest's clock against this VM's.
clk() {
	echo "$1 $(centis)" >>/tmp/vb.clk
	echo "echo \"$1-\$((6*7)) \$(cut -d' ' -f1 /proc/uptime)\"" >&5
	wait_out "^$1-42 " 30 || true
}

clock_pace() { # guest seconds per second of this VM between CLKA and CLKB
	{
		tr -d '\r' </tmp/vb.out | sed -n 's/^\(CLK[AB]\)-42 \([0-9.]*\).*/guest \1 \2/p'
		sed 's/^/host /' /tmp/vb.clk 2>/dev/null
	} | awk '{ t[$1, $2] = $3 } END {
		g = t["guest", "CLKB"] - t["guest", "CLKA"]; h = (t["host", "CLKB"] - t["host", "CLKA"]) / 100
		if (t["guest", "CLKA"] != "" && t["guest", "CLKB"] != "" && h > 0) printf "%.3f", g / h; else print "n/a" }'
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
	mark NET start
	t0=$(centis)
	end=$((t0 + 30000))
	echo 'dd if=/dev/zero bs=65536 count=256 2>/dev/null | nc 10.0.2.2 5001; echo "TX-$((6*7)) eth0 tx_packets $(cat /sys/class/net/eth0/statistics/tx_packets) rx_packets $(cat /sys/class/net/eth0/statistics/rx_packets) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")"' >&5
	while [ "$(wc -c </tmp/vb.sink)" -lt 16777216 ] && [ "$(centis)" -lt $end ]; do
		sleep 0.25
	done
	mark NET end
	if [ "$(wc -c </tmp/vb.sink)" -ge 16777216 ]; then echo $(($(centis) - t0)); else echo n/a; fi
	kill $sink 2>/dev/null # which ends the guest's nc
	wait_out "^TX-42" 60 >/dev/null
}

# stats NAME PHASE: hv's counters of the domain (hv list -l) at the end
# of PHASE, in /tmp/vb-PHASE.list (only for hv's run).
stats() {
	[ "$1" = hv ] && [ "$info" = 1 ] || return 0
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

rate() { # MIB CENTISECONDS: MB/s
	awk -v m="$1" -v cs="$2" 'BEGIN { if (cs + 0 > 0) printf "%.2f", m * 1.048576 / (cs / 100); else print "n/a" }'
}

ratio() {
	awk -v h="$1" -v q="$2" 'BEGIN { if (h + 0 > 0 && q + 0 > 0) printf "%.2f", h / q; else print "n/a" }'
}

least() { # the smallest of the centiseconds given (n/a left out), or n/a
	m=n/a
	for x; do
		case $x in '' | *[!0-9]*) ;; *) { [ "$m" = n/a ] || [ "$x" -lt "$m" ]; } && m=$x ;; esac
	done
	echo $m
}

# more_reps: the loop, the read and the write again, REPS-1 times (the
# guest's page cache dropped before each read), after the network; $busy,
# $r and $w become the least of their repeats (one boot's noise under
# nested TCG runs one way: a phase costs the same work or more), $reps
# lists them all.
more_reps() {
	reps="busy=$busy rd=$r wr=$w"
	k=2
	while [ $k -le "$REPS" ]; do
		b=$(gtimed BUSY$k 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done')
		echo 'sync; echo 3 >/proc/sys/vm/drop_caches' >&5
		x=$(gtimed RD$k 'dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null')
		y=$(gtimed WR$k 'dd if=/dev/zero of=/dev/vdb bs=1M count=64 conv=fsync 2>/dev/null')
		reps="$reps | busy=$b rd=$x wr=$y"
		busy=$(least "$busy" "$b") r=$(least "$r" "$x") w=$(least "$w" "$y")
		k=$((k + 1))
	done
}

# one NAME COMMAND...: boots, loads the modules, sets $r $w $n $busy
# $busy2 (centiseconds or n/a) and adds them to /tmp/vb.res as round
# $round; the detail (BENCH-INFO) only where $info is 1.
one() {
	name=$1
	shift
	dd if=/dev/zero of=/tmp/vb-data.img bs=1M count=64 2>/dev/null # zeros, read through the device all the same
	rm -f /tmp/vb-scratch.img /tmp/vb-*.list && truncate -s 64M /tmp/vb-scratch.img
	rm -f /tmp/vb.in && mkfifo /tmp/vb.in
	"$@" </tmp/vb.in >/tmp/vb.out 2>&1 &
	vpid=$!
	exec 5>/tmp/vb.in
	r=n/a w=n/a n=n/a busy=n/a busy2=n/a reps=""
	rm -f /tmp/vb.kvm /tmp/vb.host /tmp/vb.clk
	if wait_out HV-LINUX-READY 600 && sleep 1 &&
		[ "$(timed UP-42 'for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko; done; i=0; while [ ! -b /dev/vdb -o ! -d /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2; echo "UP-$((6*7)) $(ls /dev/vd*) $(ls /sys/class/net | tr "\n" " ")"')" != n/a ]; then
		echo 'echo "NET-$((6*7)) $(ip -4 addr show dev eth0 | grep inet) / $(ip route | tr "\n" ";") clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) vda max_sectors_kb $(cat /sys/block/vda/queue/max_sectors_kb) max_segments $(cat /sys/block/vda/queue/max_segments) read_ahead_kb $(cat /sys/block/vda/queue/read_ahead_kb)"' >&5
		wait_out "^NET-42" 60 || true
		clk CLKA
		stats $name up
		# no device at all: the guest's CPU and the engine's time-driven
		# exits (timer ticks, slices) alone, the control for the rest
		k0=$(kvm_stats)
		busy=$(gtimed BUSY 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done')
		stats $name busy
		kvm_delta $name busy "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# what the guest's CPU is told (features, the mitigations they
		# pick) and how its ticks arrive, to compare the two VMMs' guests
		echo 'echo "CPU-$((6*7)) $(grep -m1 "^flags" /proc/cpuinfo | cut -d: -f2) VULN $(cd /sys/devices/system/cpu/vulnerabilities && grep . * | tr "\n" ";") IRQ $(grep -E "virtio|^ *(0|1[01]|LOC|TLB|RES|CAL):" /proc/interrupts | tr -s " " | tr "\n" ";")"' >&5
		wait_out "^CPU-42" 60 || true
		k0=$(kvm_stats)
		r=$(gtimed RD 'dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null' '$(cat /sys/block/vda/stat) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")')
		stats $name rd
		kvm_delta $name rd "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# how the VMM's RAM is mapped: in 2 MiB pages (ShmemPmdMapped
		# for hv's memfd, AnonHugePages for QEMU's) or not, in its
		# process and in KVM's tables (pages_4k, pages_2m)
		[ "$info" != 1 ] || echo "BENCH-INFO $name rd huge: $(grep -m 1 -o 'guest RAM in [0-9]* [KM]iB pages' /tmp/vb.out) $(grep -E '^(AnonHugePages|ShmemPmdMapped|FilePmdMapped|Rss)' /proc/$vpid/smaps_rollup | tr -s ' \n' ' ')kvm pages_4k=$(cat /sys/kernel/debug/kvm/pages_4k) pages_2m=$(cat /sys/kernel/debug/kvm/pages_2m)" >>/tmp/vb.kvm
		k0=$(kvm_stats)
		w=$(gtimed WR 'dd if=/dev/zero of=/dev/vdb bs=1M count=64 conv=fsync 2>/dev/null' '$(cat /sys/block/vdb/stat) IRQ $(grep -E "virtio|^ *(1[01]|LOC):" /proc/interrupts | tr -s " " | tr "\n" ";")')
		stats $name wr
		kvm_delta $name wr "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		# the control again: how far this VM's pace (the outer host's
		# load) drifted over the disk phases
		busy2=$(gtimed AGAIN 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done')
		k0=$(kvm_stats)
		n=$(net_timed)
		stats $name net
		kvm_delta $name net "$k0" "$(kvm_stats)" >>/tmp/vb.kvm
		more_reps
		clk CLKB
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
	pace=$(clock_pace)
	echo "$round $name $busy $r $w $busy2 $n $pace" >>/tmp/vb.res
	echo "BENCH-ROUND $round $name busy=$busy rd=$r wr=$w busy2=$busy2 net=$n cs; read $(rate 64 "$r") write $(rate 64 "$w") net $(rate 16 "$n") MB/s (busy rd wr the least of $REPS: $reps); by this VM's clock (0.5 s steps) $(tr '\n' ' ' </tmp/vb.host 2>/dev/null)cs; guest clock pace $pace"
	if [ "$info" = 1 ]; then
		echo "BENCH-INFO $name: busy $busy cs (after the write $busy2 cs), read $r cs, write $w cs, net $n cs; $(tr -d '\r' </tmp/vb.out | grep -E '^UP-42|^NET-42|^CPU-42|^(RD|WR|TX)-42' | tr '\n' ' ')"
		[ "$name" != hv ] || delta_report
		cat /tmp/vb.kvm 2>/dev/null || true
		irq_report $name
	fi
	[ "$n" != n/a ] || echo "BENCH-INFO $name ends: $(tr -d '\r' </tmp/vb.out | tail -n 6 | tr '\n' '|')"
}

# summary: over the rounds of /tmp/vb.res (ROUND VMM BUSY RD WR BUSY2 NET,
# centiseconds), each round's ratios, then per phase the medians of hv
# and QEMU, the ratio of the medians and the rounds' spread.
summary() {
	awk "$(cat /bench-stats.awk)"'
	function num(x) { return x ~ /^[0-9]+$/ && x + 0 > 0 }
	function f2(x) { return x == "n/a" ? x : sprintf("%.2f", x) }
	function ctrl(r, m,    a, b) { # the mean of the boot\047s two control loops
		a = val[r, m, 3]; b = val[r, m, 6]
		if (num(a) && num(b)) return (a + b) / 2
		return num(a) ? a : num(b) ? b : 0
	}
	$2 == "hv" || $2 == "qemu" {
		if ($1 > nr) nr = $1
		for (i = 3; i <= 7; i++) val[$1, $2, i] = $i
		if ($8 ~ /^[0-9.]+$/) pace[$2] = pace[$2] " " $8
	}
	END {
		split("4 5 7", ph, " ")
		name[4] = "read"; name[5] = "write"; name[7] = "net"
		mib[4] = 64; mib[5] = 64; mib[7] = 16
		what[4] = "virtio-blk-read"; what[5] = "virtio-blk-write"; what[7] = "virtio-net-tx"
		how[4] = "dd 64 MiB bs=1M from /dev/vda, timed by the guest"
		how[5] = "dd 64 MiB bs=1M conv=fsync to /dev/vdb, timed by the guest"
		how[7] = "16 MiB over TCP, guest to host, user-mode networking, until the sink has it"
		for (r = 1; r <= nr; r++) {
			raw = ""; nrm = ""
			hc = ctrl(r, "hv"); qc = ctrl(r, "qemu")
			for (k = 1; k <= 3; k++) {
				p = ph[k]; h = val[r, "hv", p]; q = val[r, "qemu", p]
				x = y = "n/a"
				if (num(h)) { rt["hv", p] = rt["hv", p] " " mib[p] * 104.8576 / h; if (hc) pc["hv", p] = pc["hv", p] " " h / hc }
				if (num(q)) { rt["qemu", p] = rt["qemu", p] " " mib[p] * 104.8576 / q; if (qc) pc["qemu", p] = pc["qemu", p] " " q / qc }
				if (num(h) && num(q)) { x = q / h; ra[p] = ra[p] " " x }
				if (num(h) && num(q) && hc && qc) { y = (q / qc) / (h / hc); no[p] = no[p] " " y }
				raw = raw " " name[p] " " f2(x); nrm = nrm " " name[p] " " f2(y)
			}
			for (i = 3; i <= 6; i += 3)
				for (m = 0; m < 2; m++) {
					v = m ? "qemu" : "hv"
					if (num(val[r, v, i])) bz[v, i] = bz[v, i] " " val[r, v, i]
				}
			b = num(val[r, "hv", 3]) && num(val[r, "qemu", 3]) ? f2(val[r, "qemu", 3] / val[r, "hv", 3]) : "n/a"
			print "BENCH-ROUND " r " ratio hv/qemu" raw "; control-normalized" nrm "; busy qemu/hv " b
		}
		hb = med(bz["hv", 3]); qb = med(bz["qemu", 3])
		printf "BENCH guest-busy-loop hv=%s qemu=%s cs (ratio qemu/hv %s; medians of %d rounds, hv %s qemu %s; after the write hv %s qemu %s cs; a shell loop of 20000 rounds, no device, timed by the guest; amd64 guest, 160 MiB)\n", \
			hb, qb, num(hb) && num(qb) ? f2(qb / hb) : "n/a", nr, span(bz["hv", 3], "%d"), span(bz["qemu", 3], "%d"), med(bz["hv", 6]), med(bz["qemu", 6])
		for (k = 1; k <= 3; k++) {
			p = ph[k]; h = med(rt["hv", p]); q = med(rt["qemu", p])
			printf "BENCH %s hv=%s qemu=%s MB/s (ratio hv/qemu %s; medians of %d rounds, hv %s qemu %s MB/s; per-round ratios %s, median %s; %s; amd64 guest, 160 MiB)\n", \
				what[p], f2(h), f2(q), h != "n/a" && q != "n/a" ? f2(h / q) : "n/a", nr, span(rt["hv", p], "%.2f"), span(rt["qemu", p], "%.2f"), span(ra[p], "%.2f"), f2(med(ra[p])), how[p]
		}
		printf "BENCH-INFO control-normalized ratios hv/qemu: read %s write %s net %s (medians over %d rounds of each phase\047s time over the mean of its boot\047s two control loops, qemu\047s over hv\047s; per-round spread read %s write %s net %s)\n", \
			f2(med(no[4])), f2(med(no[5])), f2(med(no[7])), nr, span(no[4], "%.2f"), span(no[5], "%.2f"), span(no[7], "%.2f")
		printf "BENCH-INFO guest clock pace (guest s per s of this VM, from one minute of each boot; medians): hv %s (%s) qemu %s (%s)\n", \
			med(pace["hv"]), span(pace["hv"], "%.3f"), med(pace["qemu"]), span(pace["qemu"], "%.3f")
		printf "BENCH-INFO phase/control (medians): hv read %s write %s net %s; qemu read %s write %s net %s\n", \
			f2(med(pc["hv", 4])), f2(med(pc["hv", 5])), f2(med(pc["hv", 7])), f2(med(pc["qemu", 4])), f2(med(pc["qemu", 5])), f2(med(pc["qemu", 7]))
	}' /tmp/vb.res
}

printf 'name = "vb"\nmemory = 160\nengine = "kvm"\nkernel = "%s/vmlinuz"\nramdisk = "/linux64v/initramfs.cpio.gz"\nextra = "%s"\nserial = "stdio"\n' \
	$L "$CMDLINE" >/tmp/vb.cfg
printf 'disk = [ "format=raw,vdev=xvda,access=ro,target=/tmp/vb-data.img", "format=raw,vdev=xvdb,access=rw,target=/tmp/vb-scratch.img" ]\nvif = [ "model=virtio" ]\n' >>/tmp/vb.cfg
run_hv() { one hv hv run --timeout 1200 /tmp/vb.cfg; }
run_qemu() {
	one qemu qemu-system-x86_64 -accel kvm -m 160 -display none -vga none -monitor none -no-reboot \
		-L /usr/share/qemu -L /usr/share/seabios -serial stdio \
		-kernel $L/vmlinuz -initrd /linux64v/initramfs.cpio.gz -append "$CMDLINE" \
		-drive file=/tmp/vb-data.img,format=raw,if=virtio,readonly=on \
		-drive file=/tmp/vb-scratch.img,format=raw,if=virtio \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=
}
ROUNDS=$(cat /bench-rounds 2>/dev/null || echo 3)
case $ROUNDS in '' | *[!0-9]*) ROUNDS=3 ;; esac
[ "$ROUNDS" -ge 1 ] || ROUNDS=1
REPS=$(cat /bench-reps 2>/dev/null || echo 3)
case $REPS in '' | *[!0-9]*) REPS=3 ;; esac
rm -f /tmp/vb.res
round=1
while [ $round -le "$ROUNDS" ]; do
	# the detail for each VMM's first boot; hv qemu, qemu hv, hv qemu...
	info=0
	[ $round != 1 ] || info=1
	if [ $((round % 2)) = 1 ]; then
		run_hv
		run_qemu
	else
		run_qemu
		run_hv
	fi
	round=$((round + 1))
done
summary
# hv again with offload=0 (HV_BENCH_OFFLOAD0=1): no checksum or TSO
# offload, as QEMU offers none on its user network (the guest then sends
# frames of the MTU); one boot, against QEMU's median
if [ -f /bench-offload0 ]; then
	sed 's/vif = \[ "model=virtio" \]/vif = [ "model=virtio,offload=0" ]/' /tmp/vb.cfg >/tmp/vb0.cfg
	info=1 round=0
	one hv-offload0 hv run --timeout 1200 /tmp/vb0.cfg
	qn=$(awk '$2 == "qemu" { print $7 }' /tmp/vb.res | sort -n | awk '$1 ~ /^[0-9]+$/ { v[++n] = $1 } END { print n ? v[int((n + 1) / 2)] : "n/a" }')
	h=$(rate 16 "$n") q=$(rate 16 "$qn")
	echo "BENCH virtio-net-tx-offload0 hv=$h qemu=$q MB/s (ratio hv/qemu $(ratio "$h" "$q"); the same with hv's vif offload=0, one boot, against QEMU's median; its blk read/write $(rate 64 "$r") / $(rate 64 "$w") MB/s)"
fi
