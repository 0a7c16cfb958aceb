/* Issue 15's hostile probes, kept: a guest cannot fill the host's disk
 * through logs or serial files, a reset storm ends as a crash, and files
 * hv creates or reads are refused when they are links, FIFOs or too small
 * to be what they claim, each refusal naming its config line. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char state[512];

/* Each call has its own buffer, in a ring of four. */
static const char *state_file(const char *name)
{
	static char paths[4][700];
	static unsigned next;
	char *path = paths[next++ % 4];

	snprintf(state, sizeof state, "%s/state/hv", h_setup_dir());
	snprintf(path, sizeof paths[0], "%s/%s", state, name);
	return path;
}

static long long size_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 0;
}

/* Waits (up to timeout_s) until path exists. */
static bool wait_for_file(const char *path, int timeout_s)
{
	for (int i = 0; i < timeout_s * 10; i++) {
		if (access(path, F_OK) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

START_TEST(test_a_triple_fault_storm_ends_as_a_crash_with_a_short_log)
{
	struct h_result *r;
	const char *log;

	r = h_hv(NULL, 120,
		 (const char *const[]){
		     "run",
		     h_guest_cfg("storm", "triplefault", "serial = \"none\"\nlog_max_kb = 16\n"),
		     NULL});
	ck_assert_msg(r->status == 2, "status %d: %s", r->status, r->err);
	log = h_slurp(state_file("storm.log"));
	ck_assert_msg(strstr(log, "reset storm: more than 100 resets"), "log: %s", log);
	ck_assert_ptr_nonnull(strstr(log, "guest crashed"));
	ck_assert_int_le(size_of(state_file("storm.log")), 16 * 1024);
	ck_assert_uint_eq(mode_of(state_file("storm.log")), 0640);
}
END_TEST

START_TEST(test_a_console_spin_keeps_the_console_log_under_its_cap)
{
	const char *cfg = h_guest_cfg("spin", "uartspin", "serial = \"pty\"\nlog_max_kb = 16\n");
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL});
	const char *old;

	ck_assert_msg(r->status == 0, "create: %s", r->err);
	old = state_file("spin.console.log.1");
	/* Rotated at least once, so the guest has written past the cap. */
	ck_assert_msg(wait_for_file(old, 120), "no rotation");
	ck_assert_int_eq(size_of(old), 16 * 1024);
	ck_assert_int_le(size_of(state_file("spin.console.log")), 16 * 1024);
	ck_assert_uint_eq(mode_of(old), 0640);
	ck_assert_str_eq(h_info("spin", "state"), "running");
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "spin", NULL})->status, 0);
	ck_assert_int_le(size_of(state_file("spin.console.log")), 16 * 1024);
}
END_TEST

START_TEST(test_a_serial_file_stops_growing_at_its_cap)
{
	char extra[700], out[600];
	struct h_result *r;

	snprintf(out, sizeof out, "%s/com1.txt", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"file:%s\"\nlog_max_kb = 16\n", out);
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("sfile", "uartspin", extra), NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	ck_assert_msg(wait_for_file(state_file("sfile.console.log.1"), 120), "no rotation");
	/* The console log rotated, so the same bytes reached the file. */
	ck_assert_int_eq(size_of(out), 16 * 1024);
	ck_assert_uint_eq(mode_of(out), 0640);
	ck_assert_int_gt(atoll(h_info("sfile", "serial_dropped")), 0); /* counted, not written */
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "sfile", NULL})->status,
			 0);
	ck_assert_ptr_nonnull(
	    strstr(h_slurp(state_file("sfile.log")), "reached its cap of 16 KiB"));
}
END_TEST

START_TEST(test_a_symlinked_console_log_is_refused_and_its_target_untouched)
{
	char victim[600];
	struct h_result *r;

	snprintf(victim, sizeof victim, "%s/victim", h_setup_dir());
	h_write_file("victim", "precious");
	snprintf(victim, sizeof victim, "%s/state", h_setup_dir());
	mkdir(victim, 0700);
	mkdir(state_file(""), 0700);
	snprintf(victim, sizeof victim, "%s/victim", h_setup_dir());
	ck_assert_int_eq(symlink(victim, state_file("evil.console.log")), 0);
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("evil", "hello", "serial = \"pty\"\n"),
				       NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "evil.console.log: is a symbolic link (refused)"),
		      "stderr: %s", r->err);
	ck_assert_str_eq(h_slurp(victim), "precious");
}
END_TEST

START_TEST(test_a_symlinked_state_directory_is_refused)
{
	char elsewhere[600], link[600];
	struct h_result *r;

	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", h_setup_dir());
	snprintf(link, sizeof link, "%s/state", h_setup_dir());
	mkdir(elsewhere, 0700);
	mkdir(link, 0700);
	strcat(link, "/hv");
	ck_assert_int_eq(symlink(elsewhere, link), 0);
	r = h_hv(
	    NULL, 60,
	    (const char *const[]){"run", h_guest_cfg("lnk", "hello", "serial = \"none\"\n"), NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "state/hv: not a directory (a symbolic link is refused)"),
		      "stderr: %s", r->err);
}
END_TEST

START_TEST(test_a_state_directory_others_can_write_is_refused)
{
	char dir[600];
	struct h_result *r;

	snprintf(dir, sizeof dir, "%s/state", h_setup_dir());
	mkdir(dir, 0700);
	strcat(dir, "/hv");
	mkdir(dir, 0700);
	chmod(dir, 0777);
	r = h_hv(NULL, 60,
		 (const char *const[]){"run", h_guest_cfg("open", "hello", "serial = \"none\"\n"),
				       NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "writable by nobody else"), "stderr: %s", r->err);
}
END_TEST

START_TEST(test_a_fifo_as_firmware_is_refused_with_its_line)
{
	char fifo[600], text[800], want[700];
	struct h_result *r;

	snprintf(fifo, sizeof fifo, "%s/rom.fifo", h_setup_dir());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof text, "name = \"ff\"\nmemory = 16\nfirmware = \"%s\"\n", fifo);
	r = h_hv(NULL, 60, (const char *const[]){"run", h_write_file("ff.cfg", text), NULL});
	ck_assert_int_ne(r->status, 0);
	snprintf(want, sizeof want,
		 "ff.cfg:3: firmware %s: is a FIFO, not a regular file (refused)", fifo);
	ck_assert_msg(strstr(r->err, want), "stderr: %s", r->err);
}
END_TEST

START_TEST(test_a_fifo_as_serial_file_is_refused_with_its_line)
{
	char fifo[600], extra[800], want[700];
	struct h_result *r;

	snprintf(fifo, sizeof fifo, "%s/com1.fifo", h_setup_dir());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	snprintf(extra, sizeof extra, "serial = \"file:%s\"\n", fifo);
	r = h_hv(NULL, 60, (const char *const[]){"run", h_guest_cfg("sf", "hello", extra), NULL});
	ck_assert_int_ne(r->status, 0);
	snprintf(want, sizeof want, "guest.cfg:5: serial %s: is a FIFO", fifo);
	ck_assert_msg(strstr(r->err, want), "stderr: %s", r->err);
}
END_TEST

START_TEST(test_a_1000_byte_disk_image_is_refused_with_its_line)
{
	char img[600], extra[800];
	struct h_result *r;
	char junk[1000] = {0};
	FILE *f;

	snprintf(img, sizeof img, "%s/tiny.img", h_setup_dir());
	f = fopen(img, "w");
	ck_assert_uint_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	fclose(f);
	snprintf(extra, sizeof extra, "serial = \"none\"\ndisk = [ '%s,raw,hda,rw' ]\n", img);
	r = h_hv(NULL, 60, (const char *const[]){"run", h_guest_cfg("tiny", "hello", extra), NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "guest.cfg:6: disk hda: "), "stderr: %s", r->err);
	ck_assert_msg(strstr(r->err, "1000 bytes is not a hard disk image"), "stderr: %s", r->err);
}
END_TEST

START_TEST(test_a_domain_killed_with_sigkill_is_noted_in_its_log)
{
	const char *cfg = h_guest_cfg("doomed", "idle", "serial = \"none\"\n");
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL});
	pid_t pid;

	ck_assert_msg(r->status == 0, "create: %s", r->err);
	pid = (pid_t)atoi(h_info("doomed", "pid"));
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	/* Until its descriptors are closed, the socket still looks live. */
	for (int i = 0; i < 300; i++) {
		r = h_hv(NULL, 60, (const char *const[]){"list", NULL});
		ck_assert_int_eq(r->status, 0);
		if (!strstr(r->out, "doomed"))
			break;
		usleep(100000);
	}
	ck_assert_ptr_null(strstr(r->out, "doomed"));
	ck_assert_ptr_nonnull(strstr(h_slurp(state_file("doomed.log")),
				     "doomed: error: found dead: the domain process is gone"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");
	TCase *out = tcase_create("bounded output");
	TCase *files = tcase_create("safe files");

	h_fixture(out);
	tcase_set_timeout(out, 300);
	tcase_add_test(out, test_a_triple_fault_storm_ends_as_a_crash_with_a_short_log);
	tcase_add_test(out, test_a_console_spin_keeps_the_console_log_under_its_cap);
	tcase_add_test(out, test_a_serial_file_stops_growing_at_its_cap);
	suite_add_tcase(s, out);
	h_fixture(files);
	tcase_set_timeout(files, 300);
	tcase_add_test(files, test_a_symlinked_console_log_is_refused_and_its_target_untouched);
	tcase_add_test(files, test_a_symlinked_state_directory_is_refused);
	tcase_add_test(files, test_a_state_directory_others_can_write_is_refused);
	tcase_add_test(files, test_a_fifo_as_firmware_is_refused_with_its_line);
	tcase_add_test(files, test_a_fifo_as_serial_file_is_refused_with_its_line);
	tcase_add_test(files, test_a_1000_byte_disk_image_is_refused_with_its_line);
	tcase_add_test(files, test_a_domain_killed_with_sigkill_is_noted_in_its_log);
	suite_add_tcase(s, files);
	return h_main(s);
}
