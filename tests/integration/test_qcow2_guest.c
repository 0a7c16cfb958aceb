/* End to end: the modern guest (assets/guests/modern) with every disk a
 * qcow2 image made by qemu-img:
 *   - its ext4 root (/dev/vda) is root.img converted to qcow2;
 *   - /dev/vdb is a qcow2 overlay on a raw backing file: the guest reads
 *     the backing data through it, then writes into it;
 *   - /dev/vdc is an empty qcow2 image that a loop in the guest keeps
 *     writing (allocating clusters, flushing) when the domain process is
 *     killed with SIGKILL.
 * After the kill `qemu-img check` finds all three images clean, the
 * overlay converts to what the guest last read from it, and the root
 * (remounted read-only before the kill) passes e2fsck and holds the file
 * the guest wrote. The guest missing is a failure, not a skip. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_MODERN_GUEST_DIR
#error "CMake passes HV_MODERN_GUEST_DIR: where assets/guests/modern/build.sh puts its files"
#endif

#define NAME		  "qguest"
#define BOOT_TIMEOUT_S	  1200
#define COMMAND_TIMEOUT_S 300
#define NOTE_TEXT	  "hv wrote 42 through qcow2"
#define DATA_BYTES	  (1u << 20)

/* Runs a shell command in the setup directory; returns its exit status
 * and its output (static storage) in *out. */
static int run_tool(const char *command, const char **out)
{
	static char text[8192];
	char cmd[2000];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof cmd, "cd '%s' && PATH=\"$PATH:/sbin:/usr/sbin\" %s 2>&1",
		 h_setup_dir(), command);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(text, 1, sizeof text - 1, p);
	text[n] = '\0';
	*out = text;
	return pclose(p);
}

static void must(const char *command)
{
	const char *out;
	int status = run_tool(command, &out);

	ck_assert_msg(status == 0, "`%s`: status %d:\n%s", command, status, out);
}

static const char *md5_of(const char *command)
{
	static char sum[40];
	const char *out;

	ck_assert_int_eq(run_tool(command, &out), 0);
	snprintf(sum, sizeof sum, "%.32s", out);
	return sum;
}

static const char *qcow2_cfg(void)
{
	char keys[1400];

	h_modern_check(HV_MODERN_GUEST_DIR);
	must("qemu-img convert -f raw -O qcow2 '" HV_MODERN_GUEST_DIR "/root.img' root.qcow2");
	must("head -c 1048576 /dev/urandom > data.img && "
	     "qemu-img create -q -f qcow2 -b data.img -F raw over.qcow2 && "
	     "qemu-img create -q -f qcow2 scratch.qcow2 16M");
	snprintf(keys, sizeof keys,
		 "disk = [ 'format=qcow2,vdev=xvda,access=rw,target=%s',\n"
		 "         'format=qcow2,vdev=xvdb,access=rw,target=%s',\n"
		 "         'format=qcow2,vdev=xvdc,access=rw,target=%s' ]\n",
		 h_path("root.qcow2"), h_path("over.qcow2"), h_path("scratch.qcow2"));
	return h_modern_cfg(HV_MODERN_GUEST_DIR, NAME, "", keys);
}

/* The 32 hex digits the guest's md5sum printed before "  -". */
static const char *guest_md5(const struct h_proc *p)
{
	static char sum[40];
	const char *end = strstr(p->buf, "  -");

	ck_assert_msg(end && end - p->buf >= 32, "no md5sum line in:\n%s", p->buf);
	snprintf(sum, sizeof sum, "%.32s", end - 32);
	return sum;
}

static long vdc_writes(void)
{
	const char *info = h_info(NAME, "vdc"), *w = info ? strstr(info, " writes=") : NULL;

	return w ? atol(w + 8) : -1;
}

START_TEST(test_guest_writes_qcow2_disks_and_survives_sigkill)
{
	struct h_proc p;
	char want[40], over_md5[40];
	const char *pid, *out;
	long before;
	int status;

	h_spawn(&p, (const char *const[]){"run", qcow2_cfg(), NULL});
	h_modern_wait(&p, BOOT_TIMEOUT_S);

	h_run_cmd(&p,
		  "echo \"hv wrote $((6*7)) through qcow2\" >/root/hv-note && sync && "
		  "echo note-$((1+1))\n",
		  "note-2", COMMAND_TIMEOUT_S);

	/* The overlay reads as its raw backing file, then takes writes. */
	snprintf(want, sizeof want, "%s", md5_of("md5sum data.img"));
	h_run_cmd(&p,
		  "busybox dd if=/dev/vdb bs=65536 count=16 2>/dev/null | busybox md5sum; "
		  "echo md5-$((2+3))\n",
		  "md5-5", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, want), "vdb reads differently (backing md5 %s):\n%s", want,
		      p.buf);
	h_run_cmd(&p,
		  "busybox dd if=/dev/urandom of=/dev/vdb bs=4096 seek=37 count=70 conv=fsync "
		  "2>/dev/null; busybox dd if=/dev/vdb bs=65536 count=16 2>/dev/null | "
		  "busybox md5sum; echo md5-$((3+4))\n",
		  "md5-7", COMMAND_TIMEOUT_S);
	snprintf(over_md5, sizeof over_md5, "%s", guest_md5(&p));
	ck_assert_str_ne(over_md5, want);

	/* The root read-only (clean), then a writer on vdc that never ends. */
	h_run_cmd(&p, "mount -o remount,ro / ; echo remount=$? end-$((4*4))\n", "end-16",
		  COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "remount=0 "), "remount failed:\n%s", p.buf);
	h_run_cmd(&p,
		  "(i=0; while :; do busybox dd if=/dev/urandom of=/dev/vdc bs=65536 seek=$i "
		  "count=5 conv=fsync 2>/dev/null; i=$(( (i + 5) % 250 )); done) & "
		  "echo writer-$((5*5))\n",
		  "writer-25", COMMAND_TIMEOUT_S);
	before = vdc_writes();
	for (int i = 0; i < 600 && vdc_writes() < before + 40; i++)
		usleep(100000);
	ck_assert_msg(vdc_writes() >= before + 40, "the guest's writes to vdc do not arrive");
	pid = h_info(NAME, "pid");
	ck_assert_ptr_nonnull(pid);
	ck_assert_int_eq(kill(atoi(pid), SIGKILL), 0);
	h_wait(&p, 60);

	/* All three images clean; the overlay holds what the guest read. */
	status = run_tool("qemu-img check root.qcow2 && qemu-img check over.qcow2 && "
			  "qemu-img check scratch.qcow2",
			  &out);
	ck_assert_msg(status == 0, "qemu-img check after SIGKILL: status %d:\n%s", status, out);
	ck_assert_str_eq(md5_of("qemu-img convert -O raw over.qcow2 over.raw && "
				"head -c 1048576 over.raw | md5sum"),
			 over_md5);
	must("qemu-img convert -O raw root.qcow2 root.raw");
	status = run_tool("e2fsck -fn root.raw", &out);
	ck_assert_msg(status == 0, "e2fsck -fn on the root: status %d:\n%s", status, out);
	status = run_tool("debugfs -R 'cat /root/hv-note' root.raw", &out);
	ck_assert_msg(status == 0 && strstr(out, NOTE_TEXT "\n"), "no note on the root:\n%s", out);
}
END_TEST

static Suite *qcow2_guest_suite(void)
{
	Suite *s = suite_create("qcow2_guest");
	TCase *tc = tcase_create("boot");

	h_fixture(tc);
	tcase_set_timeout(tc, BOOT_TIMEOUT_S + 8 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_guest_writes_qcow2_disks_and_survives_sigkill);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(qcow2_guest_suite());
}
