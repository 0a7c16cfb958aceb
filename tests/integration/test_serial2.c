/* COM2 end to end: a guest (tests/guests/com2.asm) writes to the UART at
 * 2F8h and takes a byte back through IRQ 3; `hv console --port 2` shows
 * the output and types the byte, while COM1's output stays on COM1. A
 * domain without serial2 refuses a COM2 console, and one terminal cannot
 * serve both ports. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define COM2_EXIT ((0x13 << 1) | 1)

static char com1[512], com2[512];

/* Creates domain "c2" running the com2 guest with both ports logged to
 * files (and served as consoles). */
static void create_c2(void)
{
	char extra[1200];
	struct h_result *r;

	snprintf(com1, sizeof com1, "%s/com1.txt", h_setup_dir());
	snprintf(com2, sizeof com2, "%s/com2.txt", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"file:%s\"\nserial2 = \"file:%s\"\n", com1, com2);
	r = h_hv(NULL, 60, (const char *const[]){"create", h_guest_cfg("c2", "com2", extra), NULL});
	ck_assert_msg(r->status == 0, "create: %d %s", r->status, r->err);
}

START_TEST(test_com2_talks_both_ways_through_its_console)
{
	struct h_proc p;
	char want[600];

	create_c2();
	snprintf(want, sizeof want, "file:%s", com2);
	ck_assert_str_eq(h_info("c2", "serial2"), want);
	h_spawn(&p, (const char *const[]){"console", "--port", "2", "c2", NULL});
	ck_assert_msg(h_expect(&p, "com2 ready\r\n", 60), "no greeting on COM2: %s", p.buf);
	ck_assert_ptr_null(strstr(p.buf, "com1 here"));
	h_send(&p, "x");
	ck_assert_msg(h_expect(&p, "com2 got x\r\n", 60), "no answer on COM2: %s", p.buf);
	h_wait(&p, 60); /* the guest powered off: the console ends */
	ck_assert_str_eq(h_slurp(com1), "com1 here\r\n");
	ck_assert_str_eq(h_slurp(com2), "com2 ready\r\ncom2 got x\r\n");
}
END_TEST

/* The control protocol's `console port=2` (with its scrollback) on a
 * foreground domain without COM1; the guest's exit code says it read the
 * byte through IRQ 3. */
START_TEST(test_console_port_2_request_and_the_guests_exit_code)
{
	char extra[1200], sock[700];
	struct h_proc p, ctl;

	snprintf(com2, sizeof com2, "%s/com2.txt", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"none\"\nserial2 = \"file:%s\"\n", com2);
	h_spawn(&p, (const char *const[]){"run", "--timeout", "120",
					  h_guest_cfg("c2", "com2", extra), NULL});
	for (int i = 0; i < 600 && !strstr(h_slurp(com2), "com2 ready"); i++)
		usleep(100 * 1000);
	snprintf(sock, sizeof sock, "UNIX-CONNECT:%s/run/hv/c2.sock", h_setup_dir());
	h_spawn_prog(&ctl, "socat", (const char *const[]){"-", sock, NULL});
	ck_assert_msg(h_expect(&ctl, "name=c2", 30), "%s", ctl.buf);
	h_send(&ctl, "console port=2\n");
	ck_assert_msg(h_expect(&ctl, "ok\ncom2 ready\r\n", 60), "%s", ctl.buf);
	h_send(&ctl, "Q");
	ck_assert_msg(h_expect(&ctl, "com2 got Q\r\n", 60), "%s", ctl.buf);
	h_wait(&ctl, 60);
	ck_assert_int_eq(h_wait(&p, 60), COM2_EXIT);
}
END_TEST

START_TEST(test_console_on_com2_without_serial2_is_refused)
{
	struct h_result *r;

	r = h_hv(
	    NULL, 60,
	    (const char *const[]){"create", h_guest_cfg("c2", "com2", "serial = \"pty\"\n"), NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_str_eq(h_info("c2", "serial2"), "none");
	r = h_hv(NULL, 30, (const char *const[]){"console", "--port", "2", "c2", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(
	    strstr(r->err, "domain 'c2' has no serial console on COM2 (serial2 = \"none\")"), "%s",
	    r->err);
	r = h_hv(NULL, 30, (const char *const[]){"console", "--port", "3", "c2", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "usage: hv console"), "%s", r->err);
	h_hv(NULL, 30, (const char *const[]){"destroy", "c2", NULL});
}
END_TEST

START_TEST(test_one_terminal_cannot_serve_both_ports)
{
	const char *cfg = h_guest_cfg("c2", "com2", "serial = \"stdio\"\nserial2 = \"stdio\"\n");
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"run", cfg, NULL});

	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "serial2 = \"stdio\": the terminal is COM1's already"), "%s",
		      r->err);
}
END_TEST

static Suite *serial2_suite(void)
{
	Suite *s = suite_create("serial2");
	TCase *t = tcase_create("com2");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_com2_talks_both_ways_through_its_console);
	tcase_add_test(t, test_console_port_2_request_and_the_guests_exit_code);
	tcase_add_test(t, test_console_on_com2_without_serial2_is_refused);
	tcase_add_test(t, test_one_terminal_cannot_serve_both_ports);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(serial2_suite());
}
