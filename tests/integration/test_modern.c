/* End to end: the modern guest of assets/guests/modern (built by
 * assets/setup.sh) boots Debian's 686 kernel directly, with its root on a
 * virtio-blk disk: the initramfs loads virtio_pci, virtio_blk and ext4,
 * mounts /dev/vda read-write and runs busybox init, whose shell on COM1
 * then
 *   - writes and syncs a file on the root, which debugfs finds in the
 *     image after the power-off (and e2fsck finds the file system clean);
 *   - reads a second, read-only disk (/dev/vdb), which stays
 *     byte-identical, and cannot write to it;
 *   - mounts the ext4 file system on a fourth, read-only disk (/dev/vdd):
 *     read-only by itself, since virtio-blk reports the disk so;
 *   - discards all of a third disk (/dev/vdc), which punches a hole in
 *     its image;
 *   - reads random bytes from virtio-rng (/dev/hwrng);
 *   - answers a command typed through `hv console -t pv` on its second
 *     shell, on hvc0 (the virtio-console), whose console log then holds
 *     the answer;
 * and `hv list -l` shows the devices' counters.
 * Runs on copies of the images; the guest missing is a failure, not a
 * skip. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_MODERN_GUEST_DIR
#error "CMake passes HV_MODERN_GUEST_DIR: where assets/guests/modern/build.sh puts its files"
#endif

#define NAME "modern"
/* The soft CPU boots this in a few minutes on a loaded machine, more
 * under ASan. Generous: only a hang waits this long. */
#define BOOT_TIMEOUT_S	  1200
#define COMMAND_TIMEOUT_S 300
#define NOTE_PATH	  "/root/hv-note"
#define NOTE_TEXT	  "hv wrote 42 through virtio-blk"
#define DATA_BYTES	  (1u << 20)
#define SCRATCH_BYTES	  (4u << 20)

/* A file of n bytes: a byte pattern, synced, with every block allocated. */
static void make_filled(const char *path, uint32_t n, uint8_t seed)
{
	uint8_t block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	for (uint32_t off = 0; off < n; off += sizeof block) {
		for (unsigned i = 0; i < sizeof block; i++)
			block[i] = (uint8_t)((off + i) * 31 + seed + (off >> 12));
		ck_assert_int_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
	}
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
}

static long blocks_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (long)st.st_blocks;
}

/* A small ext4 file system holding RO_TEXT in /hello, for xvdd. */
#define RO_TEXT "an ext4 file system on a read-only virtio disk"
static void make_ro_ext4(void)
{
	char cmd[1400];
	const char *out;

	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && echo '" RO_TEXT
		 "' >'%s/hello' && mkfs.ext4 -q -F -d '%s' '%s' 4M",
		 h_path("ro-tree"), h_path("ro-tree"), h_path("ro-tree"), h_path("ro.ext4"));
	ck_assert_msg(h_run_tool(cmd, &out) == 0, "%s:\n%s", cmd, out);
}

/* The test's config; keys (more lines) are appended. */
static const char *modern_cfg(const char *keys)
{
	char text[3200];

	h_modern_root(HV_MODERN_GUEST_DIR);
	make_filled(h_path("data.img"), DATA_BYTES, 7);
	make_filled(h_path("scratch.img"), SCRATCH_BYTES, 9);
	make_ro_ext4();
	snprintf(text, sizeof text,
		 "virtio_rng = 1\nvirtio_console = 1\n"
		 "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s',\n"
		 "         'format=raw,vdev=xvdb,access=ro,target=%s',\n"
		 "         'format=raw,vdev=xvdc,access=rw,target=%s',\n"
		 "         'format=raw,vdev=xvdd,access=ro,target=%s' ]\n%s",
		 h_path("root.img"), h_path("data.img"), h_path("scratch.img"), h_path("ro.ext4"),
		 keys);
	return h_modern_cfg(HV_MODERN_GUEST_DIR, NAME, "", text);
}

/* The md5sum of a file's first `bytes` bytes, as md5sum prints it. */
static const char *host_md5(const char *path, unsigned bytes)
{
	static char sum[40];
	char cmd[800];
	const char *out;

	snprintf(cmd, sizeof cmd, "head -c %u '%s' | md5sum", bytes, path);
	ck_assert_int_eq(h_run_tool(cmd, &out), 0);
	snprintf(sum, sizeof sum, "%.32s", out);
	return sum;
}

/* Boots until COM1 says the root is up (else the test fails: when the
 * initramfs gave up finding the disk, it printed what the kernel said). */
static void boot(struct h_proc *p)
{
	h_spawn(p, (const char *const[]){"run", modern_cfg(""), NULL});
	h_modern_wait(p, BOOT_TIMEOUT_S);
}

/* Whether some `tag` in text is followed by n hex digits, not all zero
 * (the shell's echo of the command has "$(" there instead). */
static bool random_hex_after(const char *text, const char *tag, size_t n)
{
	for (const char *t = strstr(text, tag); t; t = strstr(t + 1, tag)) {
		const char *h = t + strlen(tag);

		if (strspn(h, "0123456789abcdef") >= n && strspn(h, "0") < n)
			return true;
	}
	return false;
}

/* Whether a line of text starting with tag (after its newline) holds
 * word: the answer, not the command echoed. */
static bool line_has(const char *text, const char *tag, const char *word)
{
	for (const char *t = strstr(text, tag); t; t = strstr(t + 1, tag)) {
		const char *end = strchr(t + 1, '\n'), *w = strstr(t, word);

		if (w && (!end || w < end))
			return true;
	}
	return false;
}

/* `hv console -t pv`: a command typed on hvc0 answers there, and the
 * answer is in hvc0's console log and counted by the device. */
static void check_hvc0(void)
{
	struct h_proc c;
	const char *info, *log;

	h_spawn(&c, (const char *const[]){"console", "-t", "pv", NAME, NULL});
	h_send(&c, "echo hvc-$((6*7))\n");
	ck_assert_msg(h_expect(&c, "hvc-42", COMMAND_TIMEOUT_S), "no answer on hvc0:\n%s", c.buf);
	h_send(&c, "\x1d"); /* hv console's escape: detach */
	ck_assert_int_eq(h_wait(&c, 60), 0);
	log = h_info(NAME, "console_hvc0_log");
	ck_assert_msg(log != NULL, "no console_hvc0_log in hv list -l");
	ck_assert_msg(strstr(h_slurp(log), "hvc-42"), "hvc0's log %s lacks the answer:\n%s", log,
		      h_slurp(log));
	info = h_info(NAME, "hvc0");
	ck_assert_msg(info && strstr(info, "status=0xf") && !strstr(info, "tx_bytes=0 ") &&
			  !strstr(info, "rx_bytes=0"),
		      "hvc0 in hv list -l: %s", info ? info : "(none)");
}

START_TEST(test_modern_guest_boots_from_virtio_blk_and_writes_its_root)
{
	struct h_proc p;
	char want[80];
	const char *info;
	long scratch_blocks;
	int threads;

	boot(&p);
	scratch_blocks = blocks_of(h_path("scratch.img"));
	ck_assert_msg(h_expect(&p, "root=/dev/vda", COMMAND_TIMEOUT_S), "root not on vda:\n%s",
		      p.buf);

	/* A file on the root, synced. */
	h_run_cmd(&p,
		  "echo \"hv wrote $((6*7)) through virtio-blk\" >" NOTE_PATH " && sync && "
		  "echo note-$((1+1))\n",
		  "note-2", COMMAND_TIMEOUT_S);

	/* The read-only disk: the guest reads what the host wrote, and a
	 * write fails. */
	snprintf(want, sizeof want, "%s", host_md5(h_path("data.img"), DATA_BYTES));
	h_run_cmd(&p,
		  "busybox dd if=/dev/vdb bs=65536 count=16 2>/dev/null | busybox md5sum; "
		  "echo md5-$((2+3))\n",
		  "md5-5", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, want), "vdb reads differently (host md5 %s):\n%s", want, p.buf);
	info = h_info(NAME, "disk_read_bytes"); /* hv top's DSK-R counts from this */
	ck_assert_msg(info && strtoull(info, NULL, 10) >= DATA_BYTES, "disk_read_bytes %s",
		      info ? info : "(none)");
	/* virtio-blk's worker, started by the first request, is confined. */
	info = h_threads_confined(NAME, &threads);
	ck_assert_msg(!info, "%s", info);
	ck_assert_int_ge(threads, 3); /* main, the vCPU, virtio-blk's worker */
	h_run_cmd(&p,
		  "busybox dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; "
		  "echo ro=$? end-$((3*3))\n",
		  "end-9", COMMAND_TIMEOUT_S);
	ck_assert_msg(!strstr(p.buf, "ro=0 "), "a write to the read-only disk succeeded:\n%s",
		      p.buf);

	/* An ext4 file system on the read-only disk: virtio-blk reports it
	 * read-only, so Linux mounts it read-only by itself. */
	h_run_cmd(&p,
		  "busybox mkdir -p /mnt-ro; busybox mount -t ext4 /dev/vdd /mnt-ro; busybox cat "
		  "/mnt-ro/hello; busybox grep vdd /proc/mounts; echo mnt-$((6*6))\n",
		  "mnt-36", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "\n" RO_TEXT) && strstr(p.buf, "/dev/vdd /mnt-ro ext4 ro,"),
		      "vdd not mounted read-only with its file:\n%s", p.buf);

	/* Discard all of the scratch disk. */
	h_run_cmd(&p, "busybox blkdiscard /dev/vdc; echo discard=$? end-$((4*4))\n", "end-16",
		  COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "discard=0 "), "blkdiscard failed:\n%s", p.buf);

	/* The HPET of ACPI's HPET table is among the guest's clock sources:
	 * its watchdog checks the TSC against it rather than the PIT's
	 * jiffies, which a loaded host holds back. */
	h_run_cmd(&p,
		  "echo cs=$(busybox cat "
		  "/sys/devices/system/clocksource/clocksource0/available_clocksource) "
		  "end-$((7*7))\n",
		  "end-49", COMMAND_TIMEOUT_S);
	ck_assert_msg(line_has(p.buf, "\ncs=", "hpet"), "no hpet clock source:\n%s", p.buf);

	/* Entropy, and the counters of `hv list -l`. */
	h_run_cmd(&p,
		  "echo rng=$(busybox hexdump -n 32 -e '32/1 \"%02x\"' /dev/hwrng) end-$((5*5))\n",
		  "end-25", COMMAND_TIMEOUT_S);
	ck_assert_msg(random_hex_after(p.buf, "rng=", 64), "no random bytes from /dev/hwrng:\n%s",
		      p.buf);
	info = h_info(NAME, "vda");
	ck_assert_msg(info && strstr(info, "status=0xf") && strstr(info, "errors=0 ") &&
			  !strstr(info, " writes=0 "),
		      "vda in hv list -l: %s", info ? info : "(none)");
	info = h_info(NAME, "rng0");
	ck_assert_msg(info && strstr(info, "bytes=") && !strstr(info, " bytes=0 "),
		      "rng0 in hv list -l: %s", info ? info : "(none)");
	check_hvc0();

	h_consume(&p);
	h_power_off(&p, "poweroff\n", COMMAND_TIMEOUT_S);
	h_check_ext4_file(h_path("root.img"), NOTE_PATH, NOTE_TEXT);
	ck_assert_str_eq(host_md5(h_path("data.img"), DATA_BYTES), want);
	ck_assert_msg(blocks_of(h_path("scratch.img")) < scratch_blocks / 4,
		      "the discard left %ld of %ld blocks allocated",
		      blocks_of(h_path("scratch.img")), scratch_blocks);
}
END_TEST

/* Types a command through `hv console ARGS... NAME` and detaches. */
static void console_answers(const char *const *args, const char *command, const char *answer)
{
	const char *argv[8] = {"console"};
	struct h_proc c;
	int n = 1;

	while (*args && n < 6)
		argv[n++] = *args++;
	argv[n++] = NAME;
	argv[n] = NULL;
	h_spawn(&c, argv);
	h_send(&c, command);
	ck_assert_msg(h_expect(&c, answer, COMMAND_TIMEOUT_S), "no '%s' from %s:\n%s", answer,
		      command, c.buf);
	h_send(&c, "\x1d");
	ck_assert_int_eq(h_wait(&c, 60), 0);
}

/* console = "hvc0" (modern.cfg's and the demo's choice): the terminal of
 * hv run is the shell on hvc0, `hv console` without -t attaches to hvc0,
 * `-t serial` to COM1, whose log holds the kernel's messages. */
START_TEST(test_modern_guest_with_its_primary_console_on_hvc0)
{
	struct h_proc p;
	const char *log;

	h_spawn(&p, (const char *const[]){"run", modern_cfg("console = \"hvc0\"\n"), NULL});
	/* The terminal shows hvc0 only: its shell's banner, no boot
	 * messages. Typing waits for the shell: Linux's virtio_console may
	 * discard what reaches the port before its hvc0 is set up (much as
	 * the 8250 driver flushes COM1's FIFO). */
	ck_assert_msg(h_expect(&p, "built-in shell (ash)", BOOT_TIMEOUT_S),
		      "no shell on hv run's terminal:\n%s", p.buf);
	ck_assert_msg(h_expect(&p, "# ", COMMAND_TIMEOUT_S), "no prompt:\n%s", p.buf);
	h_send(&p, "echo up-$((2*3))\n");
	ck_assert_msg(h_expect(&p, "up-6", COMMAND_TIMEOUT_S),
		      "no answer on hv run's terminal:\n%s", p.buf);
	ck_assert_msg(!strstr(p.buf, "Linux version"), "COM1's output on the terminal:\n%s", p.buf);
	ck_assert_str_eq(h_info(NAME, "primary_console"), "hvc0");
	console_answers((const char *const[]){NULL}, "echo prim-$((3*3))\n", "prim-9");
	console_answers((const char *const[]){"-t", "serial", NULL}, "echo com-$((4*4))\n",
			"com-16");
	log = h_info(NAME, "console_log");
	ck_assert_msg(log && strstr(h_slurp(log), "Linux version") &&
			  strstr(h_slurp(log), "com-16"),
		      "COM1's log %s:\n%s", log ? log : "(none)", log ? h_slurp(log) : "");
	log = h_info(NAME, "console_hvc0_log");
	ck_assert_msg(log && strstr(h_slurp(log), "up-6") && strstr(h_slurp(log), "prim-9"),
		      "hvc0's log %s:\n%s", log ? log : "(none)", log ? h_slurp(log) : "");
	h_consume(&p);
	h_power_off(&p, "poweroff\n", COMMAND_TIMEOUT_S);
}
END_TEST

static Suite *modern_suite(void)
{
	Suite *s = suite_create("modern");
	TCase *tc = tcase_create("boot");

	h_fixture(tc);
	tcase_set_timeout(tc, BOOT_TIMEOUT_S + 8 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_modern_guest_boots_from_virtio_blk_and_writes_its_root);
	tcase_add_test(tc, test_modern_guest_with_its_primary_console_on_hvc0);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(modern_suite());
}
