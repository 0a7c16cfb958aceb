/* memtest86+ (Debian's 32-bit ISO) booted by SeaBIOS from the ATAPI CD
 * through El Torito floppy emulation: its boot sector runs in real mode
 * at 07C0h and stores through CS: after a far jump, then its protected-
 * mode kernel draws the status screen and starts the first test pass. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MEMTEST_ISO "/usr/lib/memtest86+/memtest86+ia32.iso"

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether the screen shows a test under way: "Test #N [name]" once the
 * first test has started (the start-up screen has "Test #" alone). */
static bool test_running(const char *screen)
{
	const char *p = strstr(screen, "Test #");

	return p && p[6] >= '0' && p[6] <= '9';
}

/* Polls the text screen until a test runs (the deadline only bounds a
 * hang). Returns the last result. */
static struct h_result *screen_until_testing(const char *name, int timeout_s)
{
	struct h_result *r = NULL;
	double end = wall_seconds() + timeout_s;

	do {
		r = h_hv(NULL, 30, (const char *const[]){"screen", name, "--text", NULL});
		if (r->status == 0 && test_running(r->out))
			break;
		usleep(200 * 1000);
	} while (wall_seconds() < end);
	return r;
}

START_TEST(test_memtest_boots_from_the_cd_and_starts_its_first_pass)
{
	char text[1024], path[512];
	struct h_result *r;
	double t0;

	/* Not a skip: the set-up script installs memtest86+ and seabios. */
	ck_assert_msg(access(MEMTEST_ISO, R_OK) == 0, "install Debian's memtest86+ package");
	ck_assert_msg(access("/usr/share/seabios/bios.bin", R_OK) == 0,
		      "install Debian's seabios package");
	snprintf(path, sizeof path, "%s/e9.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"memtest\"\nfirmware = \"/usr/share/seabios/bios.bin\"\n"
		 "memory = 64\nserial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ \"format=raw,vdev=hdc,access=ro,devtype=cdrom,target=%s\" ]\n"
		 "boot = \"d\"\n",
		 path, MEMTEST_ISO);
	t0 = wall_seconds();
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file("memtest.cfg", text), NULL})
		->status,
	    0);
	r = screen_until_testing("memtest", 400);
	fprintf(stderr, "memtest86+: first test running after %.2f s\n", wall_seconds() - t0);
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->err);
	ck_assert_msg(strstr(r->out, "Memtest86+ v"), "screen:\n%s", r->out);
	ck_assert_msg(strstr(r->out, "Memory  :   64MB"), "screen:\n%s", r->out);
	ck_assert_msg(test_running(r->out), "screen:\n%s", r->out);
	ck_assert_msg(strstr(r->out, "Status: Testing"), "screen:\n%s", r->out);
	ck_assert_msg(strstr(h_slurp(path), "Booting from DVD/CD"), "%s", h_slurp(path));
	h_hv(NULL, 30, (const char *const[]){"destroy", "memtest", NULL});
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memtest");
	TCase *t = tcase_create("boot");

	h_fixture(t);
	tcase_set_timeout(t, 500);
	tcase_add_test(t, test_memtest_boots_from_the_cd_and_starts_its_first_pass);
	suite_add_tcase(s, t);
	return h_main(s);
}
