/* The software CPU's bare-metal guests booted with `hv run`: protected-mode
 * segmentation (pmode), privilege levels (ring3), paging (paging), hardware
 * task switching (tasks) and virtual-8086 mode (v86). Each
 * prints a PASS or FAIL line per check on the debug console and exits with
 * code 10h when every check passed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A config booting guest `guest` with the debug console in a file. */
static const char *cfg(const char *guest)
{
	char extra[600];

	snprintf(extra, sizeof extra, "debugcon = \"file:%s/e9.txt\"\n", h_setup_dir());
	return h_guest_cfg(guest, guest, extra);
}

/* Boots `guest`; checks exit code 10h, no FAIL line, and that `last` (the
 * final PASS line) was printed. Returns the debug console output. */
static const char *boot_and_check(const char *guest, const char *last)
{
	char path[512];
	const char *e9;
	struct h_result *r = h_hv(NULL, 120, (const char *const[]){"run", cfg(guest), NULL});

	snprintf(path, sizeof path, "%s/e9.txt", h_setup_dir());
	e9 = h_slurp(path);
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "%s: status %d, console:\n%s", guest,
		      r->status, e9);
	ck_assert_msg(!strstr(e9, "FAIL"), "%s failed:\n%s", guest, e9);
	ck_assert_ptr_nonnull(strstr(e9, last));
	return e9;
}

START_TEST(test_pmode_guest_passes_segmentation_checks)
{
	const char *e9 = boot_and_check("pmode", "PASS pmode done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS np carries the selector\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS far call into 16-bit code and back\n"));
}
END_TEST

START_TEST(test_ring3_guest_passes_privilege_checks)
{
	const char *e9 = boot_and_check("ring3", "PASS ring3 done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS the call gate copies the parameter\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS the i/o bitmap denies port 80h\n"));
}
END_TEST

START_TEST(test_paging_guest_passes_paging_checks)
{
	const char *e9 = boot_and_check("paging", "PASS paging done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS wp protects read-only pages from ring 0\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS invlpg picks up the new mapping\n"));
}
END_TEST

START_TEST(test_tasks_guest_passes_task_switch_checks)
{
	const char *e9 = boot_and_check("tasks", "PASS tasks done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS iret with nt returns to the calling task\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS the fault task receives the error code\n"));
}
END_TEST

START_TEST(test_v86_guest_passes_virtual_8086_checks)
{
	const char *e9 = boot_and_check("v86", "PASS v86 done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS v86 code runs and does port i/o\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS the monitor finds the v86 ds on its stack\n"));
}
END_TEST

START_TEST(test_smc_guest_runs_code_it_rewrote)
{
	const char *e9 = boot_and_check("smc", "PASS smc done\n");

	ck_assert_ptr_nonnull(strstr(e9, "PASS rep stosb over code is seen\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS a loop patching its next instruction\n"));
}
END_TEST

START_TEST(test_fpu_guest_computes_with_the_x87)
{
	const char *e9 = boot_and_check("fpu", "PASS fpu done\n");

	ck_assert_ptr_nonnull(strstr(e9, "pi*3*3*1000 = 28274\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS port f0h re-arms irq13\n"));
}
END_TEST

static Suite *cpu_guests_suite(void)
{
	Suite *s = suite_create("cpu_guests");
	TCase *t = tcase_create("guests");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_pmode_guest_passes_segmentation_checks);
	tcase_add_test(t, test_ring3_guest_passes_privilege_checks);
	tcase_add_test(t, test_paging_guest_passes_paging_checks);
	tcase_add_test(t, test_tasks_guest_passes_task_switch_checks);
	tcase_add_test(t, test_v86_guest_passes_virtual_8086_checks);
	tcase_add_test(t, test_smc_guest_runs_code_it_rewrote);
	tcase_add_test(t, test_fpu_guest_computes_with_the_x87);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(cpu_guests_suite());
}
