/* `hv run`: guest programs booted through firmware=, checked on COM1, the
 * debug console and the exit status; and the errors bad input gets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

START_TEST(test_hello_prints_on_com1_and_debugcon_and_exits_with_code)
{
	char extra[600];
	struct h_result *r;

	snprintf(extra, sizeof extra, "serial = \"stdio\"\ndebugcon = \"file:%s/e9.txt\"\n",
		 h_setup_dir());
	r = h_hv(NULL, 120,
		 (const char *const[]){"run", h_guest_cfg("hello", "hello", extra), NULL});
	ck_assert_int_eq(r->status, (0x21 << 1) | 1);
	ck_assert_ptr_nonnull(strstr(r->out, "hello from COM1\r\n"));
	snprintf(extra, sizeof extra, "%s/e9.txt", h_setup_dir());
	ck_assert_str_eq(h_slurp(extra), "hello from the debug console\n");
}
END_TEST

START_TEST(test_serial_input_from_stdin_reaches_the_guest)
{
	struct h_result *r =
	    h_hv("hello there\rquit\r", 120,
		 (const char *const[]){"run", h_guest_cfg("echo", "echo", ""), NULL});

	ck_assert_int_eq(r->status, (5 << 1) | 1);
	ck_assert_ptr_nonnull(strstr(r->out, "you said: HELLO THERE"));
	ck_assert_ptr_nonnull(strstr(r->out, "bye"));
}
END_TEST

START_TEST(test_serial_file_receives_com1_output)
{
	char extra[600], path[512];
	struct h_result *r;

	snprintf(path, sizeof path, "%s/com1.txt", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"file:%s\"\n", path);
	r = h_hv(NULL, 120,
		 (const char *const[]){"run", h_guest_cfg("hello", "hello", extra), NULL});
	ck_assert_int_eq(r->status, 0x43);
	ck_assert_str_eq(h_slurp(path), "hello from COM1\r\n");
	ck_assert_ptr_null(strstr(r->out, "hello from COM1"));
}
END_TEST

START_TEST(test_timeout_ends_a_running_guest_with_status_124)
{
	struct h_result *r = h_hv(NULL, 120,
				  (const char *const[]){"run", "--timeout", "1",
							h_guest_cfg("count", "counter", ""), NULL});

	ck_assert_int_eq(r->status, 124);
	ck_assert_ptr_nonnull(strstr(r->out, "tick 1\r\n"));
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

START_TEST(test_command_line_override_replaces_a_config_key)
{
	struct h_result *r = h_hv(NULL, 120,
				  (const char *const[]){"run", h_guest_cfg("hello", "hello", ""),
							"serial=none", "name=other", NULL});

	ck_assert_int_eq(r->status, 0x43);
	ck_assert_ptr_null(strstr(r->out, "hello from COM1"));
}
END_TEST

START_TEST(test_malformed_config_names_file_and_line)
{
	const char *path = h_write_file("bad.cfg", "name = \"x\"\nmemory = lots\n");
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"run", path, NULL});

	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "bad.cfg:2:"));
	ck_assert_ptr_nonnull(strstr(r->err, "memory"));
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

START_TEST(test_missing_firmware_is_a_one_line_error)
{
	const char *path =
	    h_write_file("nofw.cfg", "name = \"x\"\nfirmware = \"/nonexistent.rom\"\n");
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"run", path, NULL});

	ck_assert_int_eq(r->status, 1);
	/* The config line that named the file comes first. */
	ck_assert_ptr_nonnull(strstr(r->err, "hv: "));
	ck_assert_ptr_nonnull(
	    strstr(r->err, "/nofw.cfg:2: firmware /nonexistent.rom: No such file or directory\n"));
	ck_assert_ptr_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1); /* one line */
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

START_TEST(test_rom_of_wrong_size_is_refused)
{
	const char *rom = h_write_file("small.rom", "not a rom");
	char text[700];
	struct h_result *r;

	snprintf(text, sizeof text, "name = \"x\"\nfirmware = \"%s\"\n", rom);
	r = h_hv(NULL, 30, (const char *const[]){"run", h_write_file("small.cfg", text), NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "size 9 bytes is not a ROM image"));
	ck_assert_ptr_null(strchr(strchr(r->err, '\n') + 1, '\n'));
}
END_TEST

START_TEST(test_kvm_engine_request_is_refused_clearly)
{
	struct h_result *r =
	    h_hv(NULL, 30,
		 (const char *const[]){"run", h_guest_cfg("k", "hello", ""), "engine=kvm", NULL});

	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "kvm"));
}
END_TEST

START_TEST(test_benchmark_guest_runs_its_loops_to_the_end)
{
	struct h_result *r =
	    h_hv(NULL, 120, (const char *const[]){"run", h_guest_cfg("bench", "bench", ""), NULL});

	ck_assert_int_eq(r->status, (0x10 << 1) | 1);
}
END_TEST

static Suite *run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *t = tcase_create("guests");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_hello_prints_on_com1_and_debugcon_and_exits_with_code);
	tcase_add_test(t, test_serial_input_from_stdin_reaches_the_guest);
	tcase_add_test(t, test_serial_file_receives_com1_output);
	tcase_add_test(t, test_timeout_ends_a_running_guest_with_status_124);
	tcase_add_test(t, test_command_line_override_replaces_a_config_key);
	tcase_add_test(t, test_malformed_config_names_file_and_line);
	tcase_add_test(t, test_missing_firmware_is_a_one_line_error);
	tcase_add_test(t, test_rom_of_wrong_size_is_refused);
	tcase_add_test(t, test_kvm_engine_request_is_refused_clearly);
	tcase_add_test(t, test_benchmark_guest_runs_its_loops_to_the_end);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(run_suite());
}
