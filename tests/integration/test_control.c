/* The control socket under a client that hoards connections: held,
 * idle and slow connections never lock the toolstack out (the least
 * recently used request connection makes room; console streams are
 * bounded), and a request left unfinished is cut off. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

static void create(const char *name)
{
	const char *cfg = h_guest_cfg(name, "counter", "serial = \"pty\"\n");
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL});

	ck_assert_msg(r->status == 0, "hv create failed: %s", r->err);
}

static int dial(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/run/hv/%s.sock", h_setup_dir(), name);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/* Everything the domain sends on fd within timeout_ms, or until EOF. */
static const char *drain(int fd, int timeout_ms, bool *eof)
{
	static char buf[8192];
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	*eof = false;
	while (len + 1 < sizeof buf && poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0) {
			*eof = true;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static void toolstack_still_works(const char *name)
{
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"list", NULL});

	ck_assert_msg(r->status == 0 && strstr(r->out, name), "hv list: %d %s %s", r->status,
		      r->out, r->err);
	r = h_hv(NULL, 60, (const char *const[]){"pause", name, NULL});
	ck_assert_msg(r->status == 0, "hv pause: %s", r->err);
	ck_assert_str_eq(h_info(name, "state"), "paused");
	r = h_hv(NULL, 60, (const char *const[]){"unpause", name, NULL});
	ck_assert_msg(r->status == 0, "hv unpause: %s", r->err);
}

START_TEST(test_forty_held_connections_do_not_lock_the_toolstack_out)
{
	int fds[40];
	bool eof;

	create("hoard");
	for (int i = 0; i < 40; i++)
		fds[i] = dial("hoard");
	toolstack_still_works("hoard");
	/* The oldest were told why they were closed. */
	ck_assert_ptr_nonnull(
	    strstr(drain(fds[0], 2000, &eof), "error too many clients: this connection"));
	ck_assert(eof);
	for (int i = 0; i < 40; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_console_streams_are_bounded_and_requests_keep_room)
{
	int fds[30], refused = 0;
	bool eof;

	create("streams");
	for (int i = 0; i < 30; i++) {
		fds[i] = dial("streams");
		ck_assert_int_eq(write(fds[i], "console live\n", 13), 13);
		if (strstr(drain(fds[i], 300, &eof), "error too many console clients"))
			refused++;
	}
	ck_assert_int_eq(refused, 30 - 24);
	toolstack_still_works("streams");
	for (int i = 0; i < 30; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_a_request_left_unfinished_is_cut_off)
{
	int fd;
	bool eof;
	const char *got;

	create("slow");
	fd = dial("slow");
	/* A byte every second, never a newline: the slow-client attack. */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(write(fd, "i", 1), 1);
		sleep(1);
	}
	got = drain(fd, 15000, &eof);
	ck_assert_msg(strstr(got, "error request not finished in time"), "%s", got);
	ck_assert(eof);
	close(fd);
	toolstack_still_works("slow");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *t = tcase_create("limits");

	h_fixture(t);
	tcase_set_timeout(t, 180);
	tcase_add_test(t, test_forty_held_connections_do_not_lock_the_toolstack_out);
	tcase_add_test(t, test_console_streams_are_bounded_and_requests_keep_room);
	tcase_add_test(t, test_a_request_left_unfinished_is_cut_off);
	suite_add_tcase(s, t);
	return h_main(s);
}
