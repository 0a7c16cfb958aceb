/* The VGA seen through `hv screen NAME --text`: a bare-metal guest's
 * text written straight into B8000h, and SeaBIOS's POST banner drawn by
 * vgabios-stdvga through the Bochs VBE device. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls the screen of `name` until it contains needle (deadline only
 * bounds a hang). Returns the last result. */
static struct h_result *screen_until(const char *name, const char *needle, int timeout_s)
{
	struct h_result *r = NULL;

	for (int i = 0; i < timeout_s * 10; i++) {
		r = h_hv(NULL, 30, (const char *const[]){"screen", name, "--text", NULL});
		if (r->status == 0 && strstr(r->out, needle))
			break;
		usleep(100 * 1000);
	}
	return r;
}

START_TEST(test_text_written_to_b8000_appears_in_hv_screen)
{
	const char *cfg = h_guest_cfg("vgatext", "vgatext", "serial = \"none\"\n");
	const char *want = "hv vgatext: hello from B8000h\n\n"
			   "          \xe2\x95\x94\xe2\x95\x90\xe2\x95\x97 code page 437\n\n";
	struct h_result *r;

	ck_assert_int_eq(h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL})->status, 0);
	r = screen_until("vgatext", "hello from B8000h", 120);
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->err);
	/* Row 0, row 1 empty, row 2 from column 10 with CP437 box drawing;
	 * trailing blanks trimmed, 25 rows in all. */
	ck_assert_msg(strncmp(r->out, want, strlen(want)) == 0, "screen:\n%s", r->out);
	{
		int rows = 0;
		for (const char *p = r->out; (p = strchr(p, '\n')); p++)
			rows++;
		ck_assert_int_eq(rows, 25);
	}
	h_hv(NULL, 30, (const char *const[]){"destroy", "vgatext", NULL});
}
END_TEST

START_TEST(test_a_graphics_mode_is_named_instead_of_text)
{
	char path[512], line[600];
	struct h_result *r = NULL;

	snprintf(path, sizeof path, "%s/e9.txt", h_setup_dir());
	snprintf(line, sizeof line, "serial = \"none\"\ndebugcon = \"file:%s\"\n", path);
	ck_assert_int_eq(
	    h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("vgamode", "vgamode", line), NULL})
		->status,
	    0);
	for (int i = 0; i < 1200 && !strstr(h_slurp(path), "vgamode set"); i++)
		usleep(100 * 1000);
	r = h_hv(NULL, 30, (const char *const[]){"screen", "vgamode", "--text", NULL});
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->err);
	ck_assert_str_eq(r->out, "");
	ck_assert_str_eq(r->err, "graphics mode 640x480x4 (mode 12h)\n");
	h_hv(NULL, 30, (const char *const[]){"destroy", "vgamode", NULL});
}
END_TEST

START_TEST(test_hv_screen_rejects_bad_usage_and_unknown_domains)
{
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"screen", "x", NULL})->status, 2);
	ck_assert_int_eq(
	    h_hv(NULL, 30, (const char *const[]){"screen", "nosuch", "--text", NULL})->status, 1);
}
END_TEST

START_TEST(test_seabios_and_vgabios_show_the_post_banner_on_the_text_screen)
{
	const char *bios = "/usr/share/seabios/bios-256k.bin";
	const char *vgabios = "/usr/share/seabios/vgabios-stdvga.bin";
	char text[1024], path[512];
	struct h_result *r;
	const char *log;
	double t0;

	/* Not a skip: the set-up script installs seabios. */
	ck_assert_msg(access(bios, R_OK) == 0 && access(vgabios, R_OK) == 0,
		      "install Debian's seabios package");
	snprintf(path, sizeof path, "%s/seabios.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"seavga\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n",
		 bios, path);
	t0 = wall_seconds();
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file("seavga.cfg", text), NULL})
		->status,
	    0);
	r = screen_until("seavga", "No bootable device", 300);
	fprintf(stderr, "SeaBIOS + vgabios: banner and boot failure on screen after %.2f s\n",
		wall_seconds() - t0);
	ck_assert_msg(strncmp(r->out, "SeaBIOS (version ", 17) == 0, "screen:\n%s\n%s", r->out,
		      r->err);
	ck_assert_msg(strstr(r->out, "Boot failed") || strstr(r->out, "No bootable device"),
		      "screen:\n%s", r->out);
	ck_assert_msg(strstr(r->out, "No bootable device"), "screen:\n%s", r->out);
	h_hv(NULL, 30, (const char *const[]){"destroy", "seavga", NULL});
	/* vgabios-stdvga ran from fw_cfg as the VGA's option ROM, found the
	 * Bochs VBE interface and the LFB on BAR 0 (so it offers VESA modes). */
	log = h_slurp(path);
	ck_assert_msg(strstr(log, "Start SeaVGABIOS"), "%s", log);
	ck_assert_msg(strstr(log, "VBE DISPI: bdf 00:02.0, bar 0"), "%s", log);
	ck_assert_msg(strstr(log, "size 16 MB"), "%s", log);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vga");
	TCase *t = tcase_create("screen");

	h_fixture(t);
	tcase_set_timeout(t, 500);
	tcase_add_test(t, test_text_written_to_b8000_appears_in_hv_screen);
	tcase_add_test(t, test_a_graphics_mode_is_named_instead_of_text);
	tcase_add_test(t, test_hv_screen_rejects_bad_usage_and_unknown_domains);
	tcase_add_test(t, test_seabios_and_vgabios_show_the_post_banner_on_the_text_screen);
	suite_add_tcase(s, t);
	return h_main(s);
}
