/* The domain process's sandbox, in force: what `hv list -l` and
 * /proc/PID/status say, the switch that turns it off, and a violation
 * (made on purpose with HV_SANDBOX_SELFTEST=1) caught, logged with the
 * call's number and name, and ending the domain as crashed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static char status_text[4096];

/* The value of `key:` in /proc/PID/status of the domain `name`. */
static const char *proc_status(const char *name, const char *key)
{
	char path[64], want[64];
	const char *pid = h_info(name, "pid");
	const char *at;
	char *end;

	ck_assert_ptr_nonnull(pid);
	snprintf(path, sizeof path, "/proc/%s/status", pid);
	snprintf(status_text, sizeof status_text, "%s", h_slurp(path));
	snprintf(want, sizeof want, "\n%s:\t", key);
	at = strstr(status_text, want);
	ck_assert_msg(at, "no %s in %s", key, path);
	at += strlen(want);
	end = strchr(at, '\n');
	if (end)
		*end = '\0';
	return at;
}

static void create(const char *name, const char *extra)
{
	struct h_result *r =
	    h_hv(NULL, 60, (const char *const[]){"create", h_guest_cfg(name, "idle", extra), NULL});

	ck_assert_msg(r->status == 0, "create: %s", r->err);
}

START_TEST(test_a_domain_runs_confined_and_says_so)
{
	const char *sb;

	create("boxed", "serial = \"pty\"\n");
	sb = h_info("boxed", "sandbox");
	ck_assert_msg(strncmp(sb, "seccomp(", 8) == 0, "sandbox: %s", sb);
	ck_assert_ptr_nonnull(strstr(sb, " nnp "));
	ck_assert_ptr_nonnull(strstr(sb, "landlock="));
	ck_assert_ptr_nonnull(strstr(sb, "nofile=1024"));
	ck_assert_str_eq(proc_status("boxed", "Seccomp"), "2");
	ck_assert_str_eq(proc_status("boxed", "NoNewPrivs"), "1");
	if (getuid() == 0)
		ck_assert_str_eq(proc_status("boxed", "CapEff"), "0000000000000000");
	ck_assert_str_eq(h_info("boxed", "state"), "blocked");
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "boxed", NULL})->status,
			 0);
	ck_assert_int_eq(h_runtime_entries(), 0); /* it could still remove its socket */
}
END_TEST

START_TEST(test_sandbox_0_turns_it_off_for_debugging)
{
	create("open", "serial = \"none\"\nsandbox = 0\n");
	ck_assert_str_eq(h_info("open", "sandbox"), "off (sandbox = 0)");
	ck_assert_str_eq(proc_status("open", "Seccomp"), "0");
}
END_TEST

START_TEST(test_hv_sandbox_0_in_the_environment_turns_it_off)
{
	setenv("HV_SANDBOX", "0", 1);
	create("env", "serial = \"none\"\n");
	unsetenv("HV_SANDBOX");
	ck_assert_str_eq(h_info("env", "sandbox"), "off (HV_SANDBOX=0)");
}
END_TEST

START_TEST(test_a_forbidden_call_is_logged_and_ends_the_domain_as_crashed)
{
	char log_path[600];
	struct h_result *r;
	const char *log;

	setenv("HV_SANDBOX_SELFTEST", "1", 1);
	r = h_hv(NULL, 60,
		 (const char *const[]){"run", h_guest_cfg("victim", "idle", "serial = \"none\"\n"),
				       NULL});
	unsetenv("HV_SANDBOX_SELFTEST");
	ck_assert_msg(r->status == 2, "status %d: %s", r->status, r->err);
	ck_assert_msg(strstr(r->err, "victim: error: sandbox: forbidden system call 41 (socket); "
				     "the domain is killed as crashed\n"),
		      "stderr: %s", r->err);
	snprintf(log_path, sizeof log_path, "%s/state/hv/victim.log", h_setup_dir());
	log = h_slurp(log_path);
	ck_assert_msg(strstr(log, " victim: error: sandbox: forbidden system call 41 (socket)"),
		      "log: %s", log);
	ck_assert_int_eq(h_runtime_entries(), 0); /* its socket went with it */
}
END_TEST

/* HV_JIT_PERFMAP=1: the domain opens /tmp/perf-PID.map before its
 * sandbox and writes a line per translation from inside it (the counter
 * guest's loop gets translated), confined and alive. */
START_TEST(test_the_jit_perf_map_is_written_from_inside_the_sandbox)
{
	char path[64];
	const char *map = "";
	struct h_result *r;

	const char *jit = getenv("HV_JIT");
	char saved[16];

	/* The JIT on for this domain even in a run with HV_JIT=0. */
	snprintf(saved, sizeof saved, "%s", jit ? jit : "");
	unsetenv("HV_JIT");
	setenv("HV_JIT_PERFMAP", "1", 1);
	r = h_hv(NULL, 60,
		 (const char *const[]){
		     "create", h_guest_cfg("mapped", "counter", "serial = \"none\"\n"), NULL});
	unsetenv("HV_JIT_PERFMAP");
	if (jit)
		setenv("HV_JIT", saved, 1);
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	snprintf(path, sizeof path, "/tmp/perf-%s.map", h_info("mapped", "pid"));
	for (int i = 0; i < 300 && !strstr(map, " hv-jit:"); i++) {
		usleep(100 * 1000);
		if (access(path, R_OK) == 0)
			map = h_slurp(path);
	}
	ck_assert_msg(strstr(map, " hv-jit:"), "%s: '%s'", path, map);
	ck_assert_str_eq(h_info("mapped", "state"), "running");
	ck_assert_int_eq(strncmp(h_info("mapped", "sandbox"), "seccomp(", 8), 0);
	ck_assert_str_eq(proc_status("mapped", "Seccomp"), "2");
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "mapped", NULL})->status,
			 0);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	h_fixture(tc);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_a_domain_runs_confined_and_says_so);
	tcase_add_test(tc, test_sandbox_0_turns_it_off_for_debugging);
	tcase_add_test(tc, test_hv_sandbox_0_in_the_environment_turns_it_off);
	tcase_add_test(tc, test_a_forbidden_call_is_logged_and_ends_the_domain_as_crashed);
	tcase_add_test(tc, test_the_jit_perf_map_is_written_from_inside_the_sandbox);
	suite_add_tcase(s, tc);
	return h_main(s);
}
