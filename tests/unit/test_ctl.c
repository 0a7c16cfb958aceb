/* Reply encoding of the control protocol: key=value pairs with quoting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv/core/ctl.h"

#include "unit.h"

START_TEST(test_bare_values_round_trip)
{
	char buf[256] = "", out[64];

	kv_put(buf, sizeof buf, "name", "demo");
	kv_put(buf, sizeof buf, "id", "3");
	ck_assert_str_eq(buf, " name=demo id=3");
	ck_assert(kv_get(buf, "name", out, sizeof out));
	ck_assert_str_eq(out, "demo");
	ck_assert(kv_get(buf, "id", out, sizeof out));
	ck_assert_str_eq(out, "3");
	ck_assert(!kv_get(buf, "nam", out, sizeof out));
	ck_assert(!kv_get(buf, "missing", out, sizeof out));
}
END_TEST

START_TEST(test_values_with_spaces_quotes_and_backslashes_are_quoted)
{
	char buf[256] = "", out[64];

	kv_put(buf, sizeof buf, "why", "chosen \"by\" c:\\x");
	kv_put(buf, sizeof buf, "empty", "");
	kv_put(buf, sizeof buf, "after", "x");
	ck_assert_str_eq(buf, " why=\"chosen \\\"by\\\" c:\\\\x\" empty=\"\" after=x");
	ck_assert(kv_get(buf, "why", out, sizeof out));
	ck_assert_str_eq(out, "chosen \"by\" c:\\x");
	ck_assert(kv_get(buf, "empty", out, sizeof out));
	ck_assert_str_eq(out, "");
	ck_assert(kv_get(buf, "after", out, sizeof out));
	ck_assert_str_eq(out, "x");
}
END_TEST

START_TEST(test_a_key_inside_a_quoted_value_is_not_matched)
{
	char out[64];

	ck_assert(kv_get("a=\"b=1 c=2\" c=3", "c", out, sizeof out));
	ck_assert_str_eq(out, "3");
	ck_assert(!kv_get("a=\"b=1\"", "b", out, sizeof out));
}
END_TEST

START_TEST(test_long_values_are_truncated_not_overflowed)
{
	char out[4];

	ck_assert(kv_get("k=abcdefgh", "k", out, sizeof out));
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(test_greeting_line_parses_as_pairs)
{
	char out[16];

	ck_assert(kv_get("hv-control 1 id=7 name=x", "id", out, sizeof out));
	ck_assert_str_eq(out, "7");
}
END_TEST

/* A client end of a socket pair; *peer is the domain's end. */
static struct ctl client(int *peer)
{
	struct ctl c = {.passed_fd = -1};
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c.fd = sv[0];
	*peer = sv[1];
	return c;
}

START_TEST(test_a_silent_domain_is_reported_not_waited_for)
{
	int peer;
	struct ctl c = client(&peer);
	char reply[100];

	ck_assert_int_eq(ctl_call_timeout(&c, "pause", reply, sizeof reply, 200), -1);
	ck_assert_str_eq(reply, "the domain did not answer within 0.2 s (hung?)");
	close(peer);
	close(c.fd);
}
END_TEST

START_TEST(test_replies_and_a_closed_domain_are_told_apart)
{
	int peer;
	struct ctl c = client(&peer);
	char reply[100];

	ck_assert_int_eq(write(peer, "ok state=r\nerror no such disk\n", 30), 30);
	ck_assert_int_eq(ctl_call(&c, "info", reply, sizeof reply), 0);
	ck_assert_str_eq(reply, "state=r");
	ck_assert_int_eq(ctl_call(&c, "eject hdc", reply, sizeof reply), -1);
	ck_assert_str_eq(reply, "no such disk");
	close(peer);
	ck_assert_int_eq(ctl_call(&c, "info", reply, sizeof reply), -1);
	ck_assert_str_eq(reply, "connection to the domain lost");
	close(c.fd);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *t = tcase_create("encoding");

	tcase_add_test(t, test_bare_values_round_trip);
	tcase_add_test(t, test_values_with_spaces_quotes_and_backslashes_are_quoted);
	tcase_add_test(t, test_a_key_inside_a_quoted_value_is_not_matched);
	tcase_add_test(t, test_long_values_are_truncated_not_overflowed);
	tcase_add_test(t, test_greeting_line_parses_as_pairs);
	suite_add_tcase(s, t);
	t = tcase_create("calls");
	tcase_add_test(t, test_a_silent_domain_is_reported_not_waited_for);
	tcase_add_test(t, test_replies_and_a_closed_domain_are_told_apart);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(ctl_suite());
}
