# Shared by the benchmarks that boot a guest (linux.sh, linux-disk.sh,
# virtio-blk.sh, virtio-net.sh, ...). It makes $work (a scratch directory with
# hv's runtime and state directories, removed on exit). once, median and
# report want $marker (the line that says the guest is up), $stop (what to
# type on COM1 then, to power off) and $runs set first.
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_RUNTIME_DIR"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The kernel command line of the modern guest (assets/guests/modern).
modern_cmdline="console=ttyS0,115200 root=/dev/vda panic=-1 cryptomgr.notests"

# modern_cfg NAME EXTRA DISK...: writes the configuration of the modern
# guest ($guest: assets/guests/modern/out) as domain NAME: soft engine,
# 128 MiB, COM1 on stdio, $modern_cmdline, $work/root.img as xvda (rw),
# then each DISK, "FORMAT ACCESS PATH" (ACCESS rw or ro), as xvdb, xvdc...
# EXTRA: further lines as they are ("" for none). Prints the file's path.
modern_cfg() {
  local name=$1 extra=$2 disks letter=b format access path
  shift 2
  disks="'format=raw,vdev=xvda,access=rw,target=$work/root.img'"
  for d in "$@"; do
    read -r format access path <<<"$d"
    disks="$disks, 'format=$format,vdev=xvd$letter,access=$access,target=$path'"
    letter=$(tr 'a-y' 'b-z' <<<"$letter")
  done
  printf 'name = "%s"\nmemory = 128\nengine = "soft"\nkernel = "%s"\nramdisk = "%s"\nextra = "%s"\nserial = "stdio"\n%sdisk = [ %s ]\n' \
    "$name" "$guest/vmlinuz" "$guest/initramfs.cpio.gz" "$modern_cmdline" "$extra" "$disks" \
    >"$work/$name.cfg"
  echo "$work/$name.cfg"
}

# modern_qemu [DISK...]: sets the array qemu_cmd to QEMU 7.2 TCG's command line
# for the same guest, disks (virtio-blk-pci each) and kernel command line;
# the caller adds the display (-display none for none) and other devices.
# shellcheck disable=SC2120 # no DISK: the root disk alone
modern_qemu() {
  local format access path ro
  qemu_cmd=(qemu-system-i386 -accel tcg -M pc -m 128 -serial stdio -monitor none -no-reboot
    -kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio.gz" -append "$modern_cmdline"
    -drive "file=$work/root.img,format=raw,if=virtio")
  for d in "$@"; do
    read -r format access path <<<"$d"
    ro=
    [ "$access" = ro ] && ro=,readonly=on
    qemu_cmd+=(-drive "file=$path,format=$format,if=virtio$ro")
  done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# CPU time (user + system, all threads) of $pid in centiseconds: on a
# shared host the steadiest figure of what a transfer costs.
cpu_cs() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 100 / hz }' "/proc/$pid/stat" 2>/dev/null || echo 0; }

# start NAME COMMAND...: runs COMMAND in the background with COM1 on
# stdio: stdin a FIFO, open on fd 9, and stdout and stderr the file
# $work/NAME.txt, whose path goes into $out; $pid is its process.
start() {
  local fifo="$work/$1.in"
  out="$work/$1.txt"
  shift
  rm -f "$out" "$fifo"
  mkfifo "$fifo"
  "$@" <"$fifo" >"$out" 2>&1 &
  pid=$!
  exec 9>"$fifo"
}

# wait_for PATTERN TICKS: true once $out holds PATTERN; false when $pid
# ends without it or TICKS times 10 ms pass.
wait_for() {
  for _ in $(seq 1 "$2"); do
    grep -q "$1" "$out" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  grep -q "$1" "$out" 2>/dev/null
}

# once NAME COMMAND...: runs COMMAND (start) until $marker, types $stop
# and waits for the end; prints "READY_MS TOTAL_MS".
once() {
  local name=$1 t0 ready=
  shift
  t0=$(now_ms)
  start "$name" "$@"
  wait_for "$marker" 60000 && ready=$(($(now_ms) - t0)) # 600 s at most
  if [ -z "$ready" ]; then
    echo "no '$marker' from $name; its output ends:" >&2
    tail -5 "$out" >&2
    exec 9>&-
    return 1
  fi
  sleep 0.5 # the shell's prompt
  echo "$stop" >&9
  wait "$pid" || true
  pid=
  exec 9>&-
  echo "$ready $(($(now_ms) - t0))"
}

# median [FIELD]: the median line of runs lines, by FIELD (default 2: the
# total of "READY TOTAL" lines)
median() { sort -n -k"${1:-2}" | sed -n "$(((runs + 1) / 2))p"; }

# alternate QFILE HFILE: runs pairs of qemu_once and hv_once, one after
# the other, their lines appended to QFILE and HFILE; a noisy minute on
# this shared host then falls on both sides rather than on one's three runs.
alternate() {
  for _ in $(seq "$runs"); do
    qemu_once >>"$1"
    hv_once >>"$2"
  done
}

# report TITLE RATIO_FIELD HV QEMU: the two medians side by side and
# hv/qemu of field 1 (ready) or 2 (total).
report() {
  local h_ready h_total q_ready q_total
  read -r h_ready h_total <<<"$3"
  read -r q_ready q_total <<<"$4"
  printf '%s (median of %d, ms):\n' "$1" "$runs"
  printf '  %-22s ready %7d   total %7d\n' "hv (soft)" "$h_ready" "$h_total" \
    "qemu-system-i386 tcg" "$q_ready" "$q_total"
  if [ "$2" = 1 ]; then
    awk -v h="$h_ready" -v q="$q_ready" 'BEGIN { printf "  ratio hv/qemu (to the marker): %.2fx\n", h / q }'
  else
    awk -v h="$h_total" -v q="$q_total" 'BEGIN { printf "  ratio hv/qemu: %.2fx\n", h / q }'
  fi
}
