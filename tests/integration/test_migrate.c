/* hv migrate / hv migrate-receive end to end between two "hosts" on this
 * machine: two runtime and state directories. The Linux guest runs a
 * counter loop in its shell. Migrations that fail leave it running where
 * it was: a receiver that dies midway, a receiver that stalls and a
 * Ctrl-C, a receiver fed a hostile stream. Then it migrates over TCP on
 * 127.0.0.1, and back through the ssh transport (a stand-in for ssh
 * running hv migrate-receive on the other "host"): each time the counter
 * and /proc/uptime go on (no reboot) and the console answers. Fast: the
 * counter guest migrates between two network namespaces joined by a veth
 * pair, each a host with its own directories, and counts on. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_LINUX_GUEST_DIR
#error "CMake passes HV_LINUX_GUEST_DIR: where assets/guests/linux/build.sh puts its files"
#endif

#define BOOT_TIMEOUT_S	1500
#define SHELL_TIMEOUT_S 120

static char home_a[300], run_a[300], state_a[300];
static char home_b[320], run_b[340], state_b[340];

/* The test's own directories are host A; host B sits beside them (where
 * the harness's clean-up after a failed test finds its domains too). */
static void setup_hosts(void)
{
	snprintf(home_a, sizeof home_a, "%s", h_setup_dir());
	snprintf(run_a, sizeof run_a, "%s", getenv("XDG_RUNTIME_DIR"));
	snprintf(state_a, sizeof state_a, "%s", getenv("XDG_STATE_HOME"));
	snprintf(home_b, sizeof home_b, "%.300sb", home_a);
	snprintf(run_b, sizeof run_b, "%.320s/run", home_b);
	snprintf(state_b, sizeof state_b, "%.320s/state", home_b);
	mkdir(home_b, 0700);
	mkdir(run_b, 0700);
	mkdir(state_b, 0700);
}

static void host(char which)
{
	setenv("XDG_RUNTIME_DIR", which == 'a' ? run_a : run_b, 1);
	setenv("XDG_STATE_HOME", which == 'a' ? state_a : state_b, 1);
}

static void teardown_b(void)
{
	char cmd[400];

	host('b');
	h_hv(NULL, 30, (const char *const[]){"destroy", "lx", NULL});
	host('a');
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home_b);
	if (system(cmd) != 0) {
		/* Left in /tmp: harmless. */
	}
}

/* On host `which`: the counter's next value and the guest's uptime, typed
 * into a live console (it answers), then detached. */
static void sample(char which, double *count, double *up)
{
	struct h_proc p;

	host(which);
	h_spawn(&p, (const char *const[]){"console", "--live", "lx", NULL});
	host('a');
	h_consume(&p);
	*count = h_wait_number(&p, SHELL_TIMEOUT_S, "CNT=");
	h_consume(&p);
	h_send(&p, "echo UP=$(cut -d' ' -f1 /proc/uptime) E\n");
	*up = h_wait_number(&p, SHELL_TIMEOUT_S, "UP=");
	ck_assert_ptr_null(strstr(p.buf, "HV-LINUX-READY"));
	kill(p.pid, SIGTERM);
	h_wait(&p, 10);
}

/* Asserts that the counter and the uptime went on from before. */
static void goes_on(char which, double *count, double *up)
{
	double n, u;

	sample(which, &n, &u);
	ck_assert_msg(n > *count && n < *count + 120, "counter %g, before %g", n, *count);
	ck_assert_msg(u > *up && u < *up + 240, "uptime %g, before %g", u, *up);
	*count = n;
	*up = u;
}

/* A receiver of our own on 127.0.0.1: it takes `take` bytes, then dies
 * (stall: it takes nothing and waits to be killed). Returns its pid. */
static pid_t fake_receiver(int port, size_t take, bool stall)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static char buf[65536];
		int c = accept(fd, NULL, NULL);

		if (stall)
			pause();
		while (take > 0) {
			ssize_t n = read(c, buf, take < sizeof buf ? take : sizeof buf);

			if (n <= 0)
				break;
			take -= (size_t)n;
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

static void still_running_on_a(void)
{
	const char *state;

	host('a');
	state = h_info("lx", "state");
	ck_assert_ptr_nonnull(state);
	ck_assert_msg(strcmp(state, "running") == 0 || strcmp(state, "blocked") == 0,
		      "state %s after a failed migration", state);
}

START_TEST(test_linux_migrates_and_failed_migrations_leave_it_running)
{
	int port = 20000 + getpid() % 20000;
	char dest[64], ssh[512], script[1024];
	struct h_result *r;
	struct h_proc p, rx;
	double n0, up0;
	pid_t fake;
	int entries;

	setup_hosts();
	host('a');
	r = h_hv(
	    NULL, 60,
	    (const char *const[]){"create", h_linux_cfg(HV_LINUX_GUEST_DIR, "lx", "pty"), NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	h_spawn(&p, (const char *const[]){"console", "--live", "lx", NULL});
	h_send(&p, "\n");
	ck_assert_msg(h_expect(&p, "# ", BOOT_TIMEOUT_S), "no shell:\n%s", p.buf);
	h_send(&p, "i=0; while true; do i=$((i+1)); echo CNT=$i E; sleep 1; done &\n");
	ck_assert(h_expect(&p, "CNT=2 E", SHELL_TIMEOUT_S));
	kill(p.pid, SIGTERM);
	h_wait(&p, 10);
	sample('a', &n0, &up0);

	/* The receiver dies after 2 MB. */
	snprintf(dest, sizeof dest, "tcp:127.0.0.1:%d", port);
	fake = fake_receiver(port, 2 << 20, false);
	r = h_hv(NULL, 120, (const char *const[]){"migrate", "lx", dest, NULL});
	waitpid(fake, NULL, 0);
	ck_assert_msg(r->status != 0, "migrated to a receiver that died: %s", r->out);
	ck_assert_msg(strstr(r->err, "failed") && strstr(r->err, "goes on here"), "%s", r->err);
	still_running_on_a();
	goes_on('a', &n0, &up0);

	/* A receiver that takes nothing, and Ctrl-C. */
	fake = fake_receiver(port + 1, 0, true);
	snprintf(dest, sizeof dest, "tcp:127.0.0.1:%d", port + 1);
	h_spawn(&p, (const char *const[]){"migrate", "lx", dest, NULL});
	sleep(2);
	kill(p.pid, SIGINT);
	ck_assert_msg(h_expect(&p, "goes on here", 60), "%s", p.buf);
	ck_assert_msg(strstr(p.buf, "cancelled"), "%s", p.buf);
	ck_assert_int_eq(h_wait(&p, 60), 1);
	kill(fake, SIGKILL);
	waitpid(fake, NULL, 0);
	still_running_on_a();
	goes_on('a', &n0, &up0);

	/* A hostile stream is refused, and leaves no domain on B. */
	host('b');
	entries = h_runtime_entries();
	r = h_hv("HVMIGR\r\n\2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0garbage garbage garbage", 30,
		 (const char *const[]){"migrate-receive", NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "RAM of 0 bytes") || strstr(r->err, "stream"), "%s", r->err);
	ck_assert_int_eq(h_runtime_entries(), entries);

	/* Over TCP to B. */
	snprintf(dest, sizeof dest, "tcp:%d", port + 2);
	h_spawn(&rx, (const char *const[]){"migrate-receive", "--listen", dest, NULL});
	ck_assert_msg(h_expect(&rx, "waiting for a migration", 30), "%s", rx.buf);
	host('a');
	snprintf(dest, sizeof dest, "tcp:127.0.0.1:%d", port + 2);
	r = h_hv(NULL, 300, (const char *const[]){"migrate", "lx", dest, NULL});
	ck_assert_msg(r->status == 0, "migrate: %s", r->err);
	ck_assert_msg(strstr(r->out, "downtime") && strstr(r->out, "rounds"), "%s", r->out);
	ck_assert_int_eq(h_wait(&rx, 60), 0);
	ck_assert_ptr_null(h_info("lx", "state")); /* gone from A */
	goes_on('b', &n0, &up0);

	/* Back to A through "ssh" (a script running hv migrate-receive on A). */
	snprintf(script, sizeof script,
		 "#!/bin/sh\nshift; shift\nXDG_RUNTIME_DIR='%s' XDG_STATE_HOME='%s' exec '%s' "
		 "\"$@\"\n",
		 run_a, state_a, HV_BIN);
	snprintf(ssh, sizeof ssh, "%s", h_write_file("fakessh", script));
	chmod(ssh, 0755);
	setenv("HV_MIGRATE_SSH", ssh, 1);
	host('b');
	r = h_hv(NULL, 300,
		 (const char *const[]){"migrate", "--downtime", "100", "lx", "hosta", NULL});
	host('a');
	unsetenv("HV_MIGRATE_SSH");
	ck_assert_msg(r->status == 0, "migrate through ssh: %s", r->err);
	goes_on('a', &n0, &up0);
	h_hv(NULL, 30, (const char *const[]){"destroy", "lx", NULL});
}
END_TEST

/* ---- two network namespaces joined by a veth pair, each a "host" ---- */

static char ns_a[32], ns_b[32];

static bool sh(const char *cmd)
{
	return system(cmd) == 0;
}

/* hv inside namespace ns (ip netns exec): its exit status. */
static int in_ns(const char *ns, const char *const *args, char *out, size_t outlen)
{
	const char *argv[16] = {"netns", "exec", ns, HV_BIN};
	struct h_proc p;
	int n = 4, st;

	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	h_spawn_prog(&p, "ip", argv);
	h_expect(&p, "\n__never__", 120); /* its output, until it exits */
	st = h_wait(&p, 10);
	snprintf(out, outlen, "%s", p.buf);
	return st;
}

static void teardown_ns(void)
{
	char cmd[128];

	host('b');
	h_hv(NULL, 30, (const char *const[]){"destroy", "ctr", NULL});
	host('a');
	h_hv(NULL, 30, (const char *const[]){"destroy", "ctr", NULL});
	teardown_b();
	snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_a,
		 ns_b);
	sh(cmd);
}

/* The last "tick N" in the scrollback of `hv console ctr` on host which. */
static long last_tick_on(char which)
{
	long last;

	host(which);
	last = h_last_tick("ctr");
	host('a');
	return last;
}

static void ticks_above(char which, long above)
{
	for (int i = 0; i < 60; i++)
		if (last_tick_on(which) > above)
			return;
	ck_abort_msg("host %c: no tick above %ld", which, above);
}

/* Host A and host B are network namespaces (a veth pair between them,
 * 10.77.N.1 and .2): the counter guest, created inside A, migrates over
 * TCP to hv migrate-receive listening inside B, and counts on there. */
START_TEST(test_bare_metal_guest_migrates_between_network_namespaces)
{
	char cmd[1024], out[65536], dest[64], veth[16];
	const char *cfg = h_guest_cfg("ctr", "counter", "serial = \"pty\"\n");
	int net = getpid() % 250 + 1, port = 20000 + getpid() % 20000;
	struct h_proc rx;
	long before;

	snprintf(ns_a, sizeof ns_a, "hvmig-a-%d", (int)getpid());
	snprintf(ns_b, sizeof ns_b, "hvmig-b-%d", (int)getpid());
	snprintf(veth, sizeof veth, "hvm%d", (int)getpid() % 100000);
	setup_hosts();
	snprintf(cmd, sizeof cmd, "ip netns add %s 2>&1", ns_a);
	if (!sh(cmd)) {
		fprintf(stderr,
			"test_migrate: SKIPPED the network-namespace migration: "
			"this machine refuses `ip netns add` (not root, or no CAP_SYS_ADMIN)\n");
		return;
	}
	snprintf(
	    cmd, sizeof cmd,
	    "set -e; ip netns add %s; ip link add %sa type veth peer name %sb; "
	    "ip link set %sa netns %s; ip link set %sb netns %s; "
	    "ip -n %s addr add 10.77.%d.1/24 dev %sa; ip -n %s addr add 10.77.%d.2/24 dev %sb; "
	    "ip -n %s link set %sa up; ip -n %s link set %sb up; "
	    "ip -n %s link set lo up; ip -n %s link set lo up",
	    ns_b, veth, veth, veth, ns_a, veth, ns_b, ns_a, net, veth, ns_b, net, veth, ns_a, veth,
	    ns_b, veth, ns_a, ns_b);
	ck_assert_msg(sh(cmd), "cannot join the namespaces: %s", cmd);

	host('a');
	ck_assert_int_eq(in_ns(ns_a, (const char *const[]){"create", cfg, NULL}, out, sizeof out),
			 0);
	ticks_above('a', 2);
	before = last_tick_on('a');

	host('b');
	snprintf(dest, sizeof dest, "tcp:10.77.%d.2:%d", net, port);
	{
		const char *argv[] = {"netns",		 "exec",     ns_b, HV_BIN,
				      "migrate-receive", "--listen", dest, NULL};

		h_spawn_prog(&rx, "ip", argv);
	}
	host('a');
	ck_assert_msg(h_expect(&rx, "waiting for a migration", 30), "%s", rx.buf);
	ck_assert_msg(
	    in_ns(ns_a, (const char *const[]){"migrate", "ctr", dest, NULL}, out, sizeof out) == 0,
	    "migrate: %s", out);
	ck_assert_msg(strstr(out, "downtime"), "%s", out);
	ck_assert_int_eq(h_wait(&rx, 60), 0);
	ck_assert_ptr_null(h_info("ctr", "state")); /* gone from A */
	ticks_above('b', before + 2);
	host('b');
	h_hv(NULL, 30, (const char *const[]){"destroy", "ctr", NULL});
	host('a');
}
END_TEST

static Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *lx = tcase_create("linux"), *ns = tcase_create("netns");

	h_fixture(lx);
	tcase_add_checked_fixture(lx, NULL, teardown_b);
	tcase_set_timeout(lx, BOOT_TIMEOUT_S + 10 * SHELL_TIMEOUT_S);
	tcase_add_test(lx, test_linux_migrates_and_failed_migrations_leave_it_running);
	suite_add_tcase(s, lx);
	h_fixture(ns);
	tcase_add_checked_fixture(ns, NULL, teardown_ns);
	tcase_set_timeout(ns, 300);
	tcase_add_test(ns, test_bare_metal_guest_migrates_between_network_namespaces);
	suite_add_tcase(s, ns);
	return s;
}

int main(void)
{
	return h_main(migrate_suite());
}
