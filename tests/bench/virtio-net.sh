#!/usr/bin/env bash
# virtio-net throughput over user-mode networking, both directions in one
# boot: the modern guest of assets/guests/modern (its rcS takes a DHCP
# lease on eth0) sends 16 MiB of zeros with busybox nc to a sink on the
# host's 127.0.0.1 (socat), reached through the gateway 10.0.2.2, then
# receives 16 MiB from a socat source there; the guest times each by its
# uptime.
# hv (virtio-net + libslirp) and QEMU 7.2 TCG (-device virtio-net-pci
# -netdev user, also libslirp) run the same guest: Debian's 686 kernel
# booted directly with 128 MiB (QEMU's with noapic: hv's PC has no I/O
# APIC, and on a loaded host QEMU's timer check through it can fail).
# Prints figures and the ratio; asserts nothing.
#
# HV_BENCH_VIF gives hv's vif its options (say mtu=65520: QEMU 7.2's
# user network has no such option and stays at 1500); HV_BENCH_QEMU=0
# leaves QEMU out. With HV_BENCH_PERF=PREFIX, perf records hv's process during each
# transfer into PREFIX-tx.data and PREFIX-rx.data (perf report
# --sort comm,tid,dso,symbol -i ... shows where each thread's time goes).
# After both transfers it prints hv's NIC counters (hv list -l: packets,
# rx_dropped, rx_coalesced, ...) and what each transfer took of them
# (queue notifications, interrupts and bursts, also per MiB), and for each
# process the time its threads were runnable but waited for a CPU
# (/proc/PID/task/*/schedstat). HV_BENCH_QEMU_TRACE=1 has QEMU log its
# notifications and interrupts (trace events) to print the same counts
# for its NIC.
#
#   bash tests/bench/virtio-net.sh [BUILD_DIR] [GUEST_DIR]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv="$root/${1:-build}/hv"
guest=${2:-$root/assets/guests/modern/out}
bash "$root/assets/guests/modern/build.sh" "$guest"
# shellcheck source=tests/bench/lib.sh
source "$root/tests/bench/lib.sh"
sink= src=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$sink" ] && kill "$sink" 2>/dev/null
  [ -n "$src" ] && kill "$src" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mib=16
port=$((20000 + RANDOM % 20000))
port2=$((port + 1))
cmdline=$modern_cmdline
# Guest time in centiseconds around each transfer; the sink closes the
# connection once it has every byte, which ends nc; the source closes it
# after the last byte, which ends the receiving nc.
netcmd="t() { busybox cut -d\" \" -f1 /proc/uptime | busybox tr -d .; }; echo TX\$((1))GO; a=\$(t); busybox dd if=/dev/zero bs=65536 count=$((mib * 16)) 2>/dev/null | busybox nc 10.0.2.2 $port; b=\$(t); echo TXRATE \$((b - a)) tx; a=\$(t); busybox nc 10.0.2.2 $port2 </dev/null | busybox wc -c; b=\$(t); echo RXRATE \$((b - a)) rx bench-\$((6*7)); sleep 1; poweroff"

# Time all of $pid's threads spent runnable but waiting for a CPU, in
# centiseconds (schedstat's run_delay, threads alive now): on a crowded
# host the part of a transfer that was neither hv's work nor its waiting.
wait_cs() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $2 } END { printf "%d", s / 1e7 }'; }

# hv's NIC counters now, as "notifies_rx notifies_tx interrupts_rx
# interrupts_tx tx_bursts rx_bursts" (zeros when hv does not answer).
nic_counts() {
  local l
  l=$("$hv" list -l 2>/dev/null | grep -o 'net0.*' | head -1) || true
  awk -v l="$l" 'function v(k,  i, r) { i = index(l, " " k "="); if (!i) return "0"; r = substr(l, i + length(k) + 2); sub(/ .*/, "", r); return r }
    BEGIN { n = v("queue_notifies"); i = v("queue_interrupts"); gsub(",", " ", n); gsub(",", " ", i)
      if (n == "0") n = "0 0"; if (i == "0") i = "0 0"
      print n, i, v("tx_bursts"), v("rx_bursts") }'
}

# nic_phase WHAT BEFORE AFTER: the counters' growth over a phase, and
# per MiB moved.
nic_phase() {
  awk -v what="$1" -v a="$2" -v b="$3" -v mib="$mib" 'BEGIN { split(a, x); split(b, y)
    for (k = 1; k <= 6; k++) d[k] = y[k] - x[k]
    printf "    %s: kicks rx/tx %d/%d, interrupts rx/tx %d/%d, bursts tx/rx %d/%d; per MiB kicks %.0f/%.0f, interrupts %.0f/%.0f\n",
      what, d[1], d[2], d[3], d[4], d[5], d[6], d[1] / mib, d[2] / mib, d[3] / mib, d[4] / mib }'
}

# With HV_BENCH_QEMU_TRACE=1, QEMU logs each queue notification and each
# interrupt it raises (its virtio_queue_notify and virtio_notify trace
# events) into its output: qemu_phase counts those of the NIC (the device
# notified on queue 1) between two lines of the output, as nic_phase does.
qemu_phase() {
  awk -v what="$1" -v from="$2" -v to="$3" -v mib="$mib" '
    FNR == NR { if (fl == 0 && $0 ~ from) fl = FNR; else if (tl == 0 && fl && $0 ~ to) tl = FNR; next }
    /virtio_queue_notify / { for (k = 1; k < NF; k++) { if ($k == "vdev") d = $(k + 1); if ($k == "n") q = $(k + 1); if ($k == "vq") v = $(k + 1) }
      if (q == 1) net = d; if (d == net && q == 1) txvq = v; if (d == net && FNR > fl && FNR < tl) kick[q]++ }
    /virtio_notify / { for (k = 1; k < NF; k++) { if ($k == "vdev") d = $(k + 1); if ($k == "vq") v = $(k + 1) }
      if (d == net && FNR > fl && FNR < tl) irq[v == txvq ? 1 : 0]++ }
    END { printf "    %s: kicks rx/tx %d/%d, interrupts rx/tx %d/%d; per MiB kicks %.0f/%.0f, interrupts %.0f/%.0f\n",
      what, kick[0], kick[1], irq[0], irq[1], kick[0] / mib, kick[1] / mib, irq[0] / mib, irq[1] / mib }' "$4" "$4"
}

rate() { awk -v cs="$1" -v mib="$mib" 'BEGIN { if (cs > 0) printf "%.2f MB/s (%.2f s)", mib * 1.048576 / (cs / 100), cs / 100; else print "?" }'; }

# run NAME COMMAND...: starts the sink and the source, boots, types
# $netcmd once the guest is up; sets $cs and $rcs to the centiseconds
# each direction took (0: none).
run() {
  local name=$1
  socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
    "SYSTEM:head -c $((mib << 20)) >$work/received" &
  sink=$!
  # From a file, not a command: socat ends half a second after its
  # command does, with what is still in the pipe, when the reader is slow.
  head -c $((mib << 20)) /dev/zero >"$work/source"
  socat -u "OPEN:$work/source,rdonly" "TCP-LISTEN:$port2,bind=127.0.0.1,reuseaddr" &
  src=$!
  start "$@"
  wait_for "HV-MODERN-READY" 180000 || true
  sleep 1
  if ! grep -q "HV-MODERN-READY" "$out" || ! kill -0 "$pid" 2>/dev/null; then
    echo "  $name: the guest did not come up; its output ends:"
    tail -5 "$out" | sed 's/^/    /'
    kill "$pid" "$sink" "$src" 2>/dev/null || true
    wait "$pid" "$sink" "$src" 2>/dev/null || true
    pid= sink= src= cs=0 rcs=0 wtx=0 wrx=0 ctx=0 crx=0
    exec 9>&-
    return
  fi
  echo "$netcmd" >&9
  # The host's clock too: on a loaded host the guest's (PIT) clock can
  # lose ticks, and a guest clock that slips flatters the run.
  local t0=0 t1=0 t2=0
  local perf= c0=0 c1=0 c2=0 q0=0 q1=0 q2=0
  local n0='' n1='' n2=''
  wait_for "TX1GO" 180000 && t0=$(now_ms) && c0=$(cpu_cs) && q0=$(wait_cs)
  [ "$name" = "hv (soft)" ] && n0=$(nic_counts)
  if [ -n "${HV_BENCH_PERF:-}" ] && [ "$name" = "hv (soft)" ]; then
    perf record -q -g -p "$pid" -o "$HV_BENCH_PERF-tx.data" 2>/dev/null &
    perf=$!
  fi
  # (the patterns match the output, not the echoed command)
  wait_for "TXRATE [0-9]" 180000 && t1=$(now_ms) && c1=$(cpu_cs) && q1=$(wait_cs)
  [ -n "$n0" ] && n1=$(nic_counts)
  if [ -n "$perf" ]; then
    kill -INT "$perf" 2>/dev/null; wait "$perf" || true
    perf record -q -g -p "$pid" -o "$HV_BENCH_PERF-rx.data" 2>/dev/null &
    perf=$!
  fi
  wait_for "RXRATE [0-9]" 180000 && t2=$(now_ms) && c2=$(cpu_cs) && q2=$(wait_cs)
  [ -n "$n1" ] && n2=$(nic_counts)
  # The NIC's counters (rx_dropped, rx_waiting, ...) once both are done.
  [ "$name" = "hv (soft)" ] && "$hv" list -l 2>/dev/null | grep -o 'net0[^|]*\|net_rx_dropped[^ ]*' | sed 's/^/    /' || true
  [ -n "$n1" ] && nic_phase "guest to host" "$n0" "$n1"
  [ -n "$n2" ] && nic_phase "host to guest" "$n1" "$n2"
  if [ "${HV_BENCH_QEMU_TRACE:-0}" = 1 ] && [ "$name" != "hv (soft)" ]; then
    qemu_phase "guest to host" "TX1GO" "TXRATE [0-9]" "$out"
    qemu_phase "host to guest" "TXRATE [0-9]" "RXRATE [0-9]" "$out"
  fi
  wait_for "bench-42" 180000 || true
  [ -n "$perf" ] && { kill -INT "$perf" 2>/dev/null; wait "$perf" || true; }
  wtx=$((t1 > t0 && t0 > 0 ? (t1 - t0) / 10 : 0))
  wrx=$((t2 > t1 && t1 > 0 ? (t2 - t1) / 10 : 0))
  # 0: not measured (the process ended before its counters were read)
  ctx=$((c0 > 0 && c1 > c0 ? c1 - c0 : 0)) crx=$((c1 > 0 && c2 > c1 ? c2 - c1 : 0))
  wait "$pid" || true
  pid=
  kill "$sink" 2>/dev/null || true
  wait "$sink" 2>/dev/null || true
  kill "$src" 2>/dev/null || true
  wait "$src" 2>/dev/null || true
  sink= src=
  exec 9>&-
  cs=$(sed -n 's/^.*TXRATE \([0-9][0-9]*\) tx.*$/\1/p' "$out" | head -1)
  cs=${cs:-0}
  rcs=$(sed -n 's/^.*RXRATE \([0-9][0-9]*\) rx.*$/\1/p' "$out" | head -1)
  rcs=${rcs:-0}
  printf '  %-24s guest to host %s by its clock, %s by the host'"'"'s; %s bytes reached the host\n' \
    "$name" "$(rate "$cs")" "$(rate "$wtx")" "$(stat -c %s "$work/received" 2>/dev/null || echo 0)"
  printf '  %-24s CPU time of the whole process: %s s sending, %s s receiving\n' "" \
    "$(awk -v c="$ctx" 'BEGIN { if (c > 0) printf "%.2f", c / 100; else print "?" }')" \
    "$(awk -v c="$crx" 'BEGIN { if (c > 0) printf "%.2f", c / 100; else print "?" }')"
  printf '  %-24s waiting for a CPU (run queue): %s s sending, %s s receiving\n' "" \
    "$(awk -v c="$((q1 - q0))" 'BEGIN { printf "%.2f", c / 100 }')" \
    "$(awk -v c="$((q2 - q1))" 'BEGIN { printf "%.2f", c / 100 }')"
  printf '  %-24s host to guest %s by its clock, %s by the host'"'"'s; the guest counted %s bytes\n' \
    "" "$(rate "$rcs")" "$(rate "$wrx")" \
    "$(grep -o '^[0-9][0-9]*\s*$' "$out" | tail -1 | tr -d '[:space:]')"
  grep -q "HV-NET-UP" "$out" || echo "  ($name: no DHCP lease; output in $out)"
}

echo "$mib MiB each way over TCP (busybox nc to 10.0.2.2, user-mode networking):"
cp "$guest/root.img" "$work/root.img"
run "hv (soft)" "$hv" run --timeout 3000 "$(modern_cfg bench-net "vif = [ '${HV_BENCH_VIF:-}' ]"$'\n')"
hv_cs=$cs hv_rcs=$rcs hv_wtx=$wtx hv_wrx=$wrx hv_ctx=$ctx hv_crx=$crx
if [ "${HV_BENCH_QEMU:-1}" != 0 ] && command -v qemu-system-i386 >/dev/null; then
  cp "$guest/root.img" "$work/root.img"
  qemu_trace=
  [ "${HV_BENCH_QEMU_TRACE:-0}" = 1 ] && qemu_trace="-trace virtio_queue_notify -trace virtio_notify"
  # shellcheck disable=SC2086 # $qemu_trace: words
  run "qemu-system-i386 tcg" qemu-system-i386 -accel tcg -M pc -m 128 -display none \
    -serial stdio -monitor none -no-reboot -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio.gz" -append "$cmdline noapic" \
    -drive "file=$work/root.img,format=raw,if=virtio" \
    -device virtio-net-pci,netdev=n0 -netdev user,id=n0 $qemu_trace
  awk -v h="$hv_cs" -v q="$cs" -v hr="$hv_rcs" -v qr="$rcs" 'BEGIN {
    if (h > 0 && q > 0) printf "  ratio hv/qemu (throughput), guest to host: %.2f\n", q / h
    if (hr > 0 && qr > 0) printf "  ratio hv/qemu (throughput), host to guest: %.2f\n", qr / hr }'
  awk -v h="$hv_wtx" -v q="$wtx" -v hr="$hv_wrx" -v qr="$wrx" 'BEGIN {
    if (h > 0 && q > 0) printf "  by the host'"'"'s clock, guest to host: %.2f\n", q / h
    if (hr > 0 && qr > 0) printf "  by the host'"'"'s clock, host to guest: %.2f\n", qr / hr }'
  awk -v h="$hv_ctx" -v q="$ctx" -v hr="$hv_crx" -v qr="$crx" 'BEGIN {
    if (h > 0 && q > 0) printf "  CPU time qemu/hv, guest to host: %.2f\n", q / h
    if (hr > 0 && qr > 0) printf "  CPU time qemu/hv, host to guest: %.2f\n", qr / hr }'
fi
