/* End to end: Debian's 686 kernel with the busybox initramfs of
 * assets/guests/linux (built by assets/setup.sh) boots by the Linux boot
 * protocol on the soft CPU to a shell on COM1, runs a command sent to it,
 * reads a SysRq key from the i8042 (found through the DSDT's PNP0303), and
 * powers the machine off through ACPI S5: `hv run` exits with 0. The
 * kernel image missing is a failure, not a skip. The lockstep runs
 * (HV_X86_LOCKSTEP, HV_JIT_LOCKSTEP) have the kernel decompress itself:
 * its XZ decoder is the boot's densest integer code, the CPU's best
 * check; the others boot the kernel hv decompressed, reboot, and boot
 * it again (hv decompresses it anew for each boot). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_LINUX_GUEST_DIR
#error "CMake passes HV_LINUX_GUEST_DIR: where assets/guests/linux/build.sh puts its files"
#endif

/* The soft CPU unpacks and boots the kernel in a few minutes; under
 * ASan several times that. Generous: only a hang waits this long. */
#define BOOT_TIMEOUT_S	1500
#define SHELL_TIMEOUT_S 120

static bool env_on(const char *key)
{
	const char *v = getenv(key);

	return v && *v && strcmp(v, "0") != 0;
}

/* hv frees the kernel it decompressed once it is in guest RAM: a reboot
 * decompresses it again and boots it (not the kernel's own decompressor). */
static void reboot_into_the_kernel_again(struct h_proc *p)
{
	h_send(p, "reboot -f\n");
	ck_assert_msg(h_expect(p, "HV-LINUX-READY", BOOT_TIMEOUT_S),
		      "no ready marker after the reboot; output ends:\n%s",
		      p->buf + (p->len > 2000 ? p->len - 2000 : 0));
	ck_assert_msg(strstr(p->buf, "info: kernel decompressed by hv: "),
		      "the reboot did not boot a kernel hv decompressed:\n%.3000s", p->buf);
	h_consume(p);
	h_send(p, "echo $((6*7))\n");
	ck_assert_msg(h_expect(p, "\n42", SHELL_TIMEOUT_S), "no 42 after the reboot:\n%s", p->buf);
	h_consume(p);
}

START_TEST(test_linux_boots_to_a_shell_runs_a_command_and_powers_off)
{
	struct h_proc p;
	struct h_result *r;
	bool lockstep = env_on("HV_X86_LOCKSTEP") || env_on("HV_JIT_LOCKSTEP");

	setenv("HV_LOG", "info", 1); /* hv's log on stderr says who decompressed */
	h_spawn(&p, (const char *const[]){"run", h_linux_cfg(HV_LINUX_GUEST_DIR, "linux", "stdio"),
					  lockstep ? "kernel_decompress=0" : "kernel_decompress=1",
					  NULL});
	ck_assert_msg(h_expect(&p, "HV-LINUX-READY", BOOT_TIMEOUT_S),
		      "no ready marker; output ends:\n%s",
		      p.buf + (p.len > 2000 ? p.len - 2000 : 0));
	ck_assert_msg(strstr(p.buf, lockstep ? "info: the kernel decompresses itself"
					     : "info: kernel decompressed by hv: "),
		      "who decompressed the kernel?\n%.3000s", p.buf);
	h_consume(&p);
	h_send(&p, "echo $((6*7))\n");
	ck_assert_msg(h_expect(&p, "\n42", SHELL_TIMEOUT_S), "no 42 from the shell:\n%s", p.buf);
	h_consume(&p);
	r = h_hv(NULL, 60, (const char *const[]){"sysrq", "linux", "h", NULL});
	ck_assert_msg(r->status == 0, "sysrq: %d %s", r->status, r->err);
	ck_assert_msg(h_expect(&p, "sysrq: HELP : loglevel(0-9)", SHELL_TIMEOUT_S),
		      "no SysRq help on COM1 (is the i8042 probed?):\n%s", p.buf);
	h_consume(&p);
	if (!lockstep)
		reboot_into_the_kernel_again(&p);
	h_power_off(&p, "poweroff -f\n", SHELL_TIMEOUT_S);
}
END_TEST

static Suite *linux_suite(void)
{
	Suite *s = suite_create("linux");
	TCase *tc = tcase_create("boot");

	h_fixture(tc);
	tcase_set_timeout(tc, 2 * BOOT_TIMEOUT_S + 6 * SHELL_TIMEOUT_S);
	tcase_add_test(tc, test_linux_boots_to_a_shell_runs_a_command_and_powers_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(linux_suite());
}
