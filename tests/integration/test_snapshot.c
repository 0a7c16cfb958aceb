/* hv snapshot-create / -list / -revert / -delete end to end, with the
 * modern guest (assets/guests/modern) on two disks: its ext4 root on a raw
 * image (a raw base under the overlay) and a scratch disk on a qcow2 image
 * made by qemu-img (a qcow2 base). In the guest: a file written and a
 * counter loop started; the snapshot; then the file deleted, another
 * written and the scratch disk overwritten; the revert. The guest goes on
 * from the snapshot (its counter continues from the value it had then,
 * no reboot), the first file is back, the second gone, the scratch disk
 * reads what it held; delete is refused while the domain runs on the
 * snapshot's overlay, allowed after; qemu-img check passes on every qcow2
 * image. The guest missing is a failure, not a skip. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_MODERN_GUEST_DIR
#error "CMake passes HV_MODERN_GUEST_DIR: where assets/guests/modern/build.sh puts its files"
#endif

#define NAME		  "snapg"
#define BOOT_TIMEOUT_S	  1200
#define COMMAND_TIMEOUT_S 300

/* A shell command run in the test's directory. */
static int run(const char *command, const char **out)
{
	char cmd[1700];

	snprintf(cmd, sizeof cmd, "cd '%s' && %s", h_setup_dir(), command);
	return h_run_tool(cmd, out);
}

static void must(const char *command)
{
	const char *out;
	int status = run(command, &out);

	ck_assert_msg(status == 0, "`%s`: status %d:\n%s", command, status, out);
}

static struct h_result *hv_ok(int timeout_s, const char *const *args)
{
	struct h_result *r = h_hv(NULL, timeout_s, args);

	ck_assert_msg(r->status == 0, "hv %s failed (%d): %s", args[0], r->status, r->err);
	return r;
}

static const char *snap_cfg(void)
{
	char text[3000];

	h_modern_check(HV_MODERN_GUEST_DIR);
	must("cp --sparse=always '" HV_MODERN_GUEST_DIR "/root.img' root.raw && "
	     "qemu-img create -q -f qcow2 scratch.qcow2 4M");
	snprintf(text, sizeof text,
		 "name = \"" NAME "\"\nmemory = 128\nengine = \"soft\"\n"
		 "kernel = \"%s/vmlinuz\"\nramdisk = \"%s/initramfs.cpio.gz\"\n"
		 "extra = \"console=ttyS0,115200 root=/dev/vda panic=-1 cryptomgr.notests\"\n"
		 "serial = \"pty\"\n"
		 "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s',\n"
		 "         'format=qcow2,vdev=xvdb,access=rw,target=%s' ]\n",
		 HV_MODERN_GUEST_DIR, HV_MODERN_GUEST_DIR, h_path("root.raw"),
		 h_path("scratch.qcow2"));
	return h_write_file(NAME ".cfg", text);
}

static void attach(struct h_proc *p, bool history)
{
	h_spawn(p, history ? (const char *const[]){"console", NAME, NULL}
			   : (const char *const[]){"console", "--live", NAME, NULL});
}

static void detach(struct h_proc *p)
{
	kill(p->pid, SIGTERM);
	h_wait(p, 10);
}

/* The last whole "CNT=<n> E" in p's output, or -1. */
static long last_count(const struct h_proc *p)
{
	long v = -1;

	for (const char *s = p->buf; (s = strstr(s, "CNT=")); s += 4) {
		char *end;
		long x = strtol(s + 4, &end, 10);

		if (end != s + 4 && strncmp(end, " E", 2) == 0)
			v = x;
	}
	return v;
}

static long wait_count(struct h_proc *p)
{
	h_consume(p);
	for (int i = 0; i < COMMAND_TIMEOUT_S; i++) {
		long v = last_count(p);

		if (v >= 0)
			return v;
		h_expect(p, "\n__never__", 1);
	}
	ck_abort_msg("no counter in:\n%s", p->buf);
	return -1;
}

START_TEST(test_revert_brings_back_state_and_disks)
{
	struct h_proc p;
	struct h_result *r;
	long before, after, reverted, last;
	const char *out;
	int status;

	hv_ok(60, (const char *const[]){"create", snap_cfg(), NULL});
	attach(&p, true);
	for (int waited = 0; waited < BOOT_TIMEOUT_S && !strstr(p.buf, "HV-MODERN-READY");
	     waited += 5)
		h_expect(&p, "HV-MODERN-READY", 5);
	ck_assert_msg(strstr(p.buf, "HV-MODERN-READY"), "no ready marker:\n%s", p.buf);
	h_run_cmd(&p,
		  "echo kept-$((6*7)) >/root/a && printf SNAPDATA1 | busybox dd of=/dev/vdb "
		  "conv=fsync 2>/dev/null && sync && echo wrote-$((1+1))\n",
		  "wrote-2", COMMAND_TIMEOUT_S);
	h_send(&p, "i=0; while true; do i=$((i+1)); echo CNT=$i E; sleep 1; done &\n");
	ck_assert(h_expect(&p, "CNT=3 E", COMMAND_TIMEOUT_S));
	before = wait_count(&p);
	r = hv_ok(300, (const char *const[]){"snapshot-create", NAME, "s1", NULL});
	ck_assert_str_eq(r->out, "s1\n");
	after = wait_count(&p);

	/* Changes after the snapshot, which the revert must discard. */
	h_run_cmd(&p,
		  "rm /root/a && echo gone >/root/b && printf SNAPDATA2 | busybox dd of=/dev/vdb "
		  "conv=fsync 2>/dev/null && sync && echo changed-$((2+3))\n",
		  "changed-5", COMMAND_TIMEOUT_S);
	last = wait_count(&p);
	detach(&p);
	ck_assert_int_gt(last, after);

	r = hv_ok(60, (const char *const[]){"snapshot-list", NAME, NULL});
	ck_assert_msg(strstr(r->out, "s1 ") && strstr(r->out, "xvda,xvdb"), "list:\n%s", r->out);

	r = hv_ok(300, (const char *const[]){"snapshot-revert", NAME, "s1", NULL});
	ck_assert_str_eq(r->out, NAME "\n");
	attach(&p, false);
	reverted = wait_count(&p);
	/* On from the snapshot's value: not from 1 (a reboot), not from the
	 * value before the revert. */
	ck_assert_msg(reverted >= before && reverted < last,
		      "counter %ld after the revert; %ld at the snapshot, %ld before the revert",
		      reverted, before, last);
	h_run_cmd(&p,
		  "cat /root/a; ls /root/b; busybox dd if=/dev/vdb bs=9 count=1 2>/dev/null; "
		  "echo; echo checked-$((3+4))\n",
		  "checked-7", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "kept-42"), "/root/a is not back:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "No such file"), "/root/b survived the revert:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "SNAPDATA1") && !strstr(p.buf, "SNAPDATA2"),
		      "vdb does not read as at the snapshot:\n%s", p.buf);
	detach(&p);

	r = h_hv(NULL, 60, (const char *const[]){"snapshot-delete", NAME, "s1", NULL});
	ck_assert_msg(r->status != 0 && strstr(r->err, "runs on its overlay"),
		      "delete while in use: %d %s", r->status, r->err);
	hv_ok(60, (const char *const[]){"destroy", NAME, NULL});
	status = run("for f in scratch.qcow2 state/hv/snapshots/" NAME "/*.qcow2; do "
		     "qemu-img check -q \"$f\" || exit 1; done; "
		     "ls state/hv/snapshots/" NAME " | wc -l",
		     &out);
	ck_assert_msg(status == 0, "qemu-img check: status %d:\n%s", status, out);
	/* s1.meta, s1.state, an overlay per disk from the create and the revert. */
	ck_assert_msg(atoi(out) == 6, "snapshot directory holds %s", out);
	hv_ok(60, (const char *const[]){"snapshot-delete", NAME, "s1", NULL});
	r = hv_ok(60, (const char *const[]){"snapshot-list", NAME, NULL});
	ck_assert_ptr_null(strstr(r->out, "s1 "));
	must("test -z \"$(ls state/hv/snapshots/" NAME ")\"");
}
END_TEST

static Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("modern");

	h_fixture(tc);
	tcase_set_timeout(tc, BOOT_TIMEOUT_S + 10 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_revert_brings_back_state_and_disks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(snapshot_suite());
}
