/* End to end: GRUB 2 (Debian's grub-pc) installed on a raw disk image by
 * assets/guests/grub/build.sh boots from the IDE disk through SeaBIOS on
 * the soft CPU: its menu with the image's two entries appears on the VGA
 * text screen, `c` opens its command line, and typed commands answer
 * there (echo, and ls listing the disk and its partition). The image
 * missing is a failure, not a skip. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_GRUB_GUEST_DIR
#error "CMake passes HV_GRUB_GUEST_DIR: where assets/guests/grub/build.sh puts grub.img"
#endif

#define BIOS "/usr/share/seabios/bios-256k.bin"
/* Seconds on the soft CPU; generous, only a hang waits this long. */
#define MENU_TIMEOUT_S	  300
#define COMMAND_TIMEOUT_S 120
/* An echo whose line fills most of a row, typed in one request. */
#define ECHOED "hello from grub: this whole line came in one send-keys"

/* Polls the screen of domain "grub" until it contains needle; returns
 * the last screen, or NULL when the deadline passed without it. */
static const char *screen_until(const char *needle, int timeout_s)
{
	struct h_result *r = NULL;

	for (int i = 0; i < timeout_s * 4; i++) {
		r = h_hv(NULL, 30, (const char *const[]){"screen", "grub", "--text", NULL});
		if (r->status == 0 && strstr(r->out, needle))
			return r->out;
		usleep(250 * 1000);
	}
	return NULL;
}

static const char *last_screen(void)
{
	return h_hv(NULL, 30, (const char *const[]){"screen", "grub", "--text", NULL})->out;
}

static void send_keys(const char *const *args)
{
	struct h_result *r = h_hv(NULL, 30, args);

	ck_assert_msg(r->status == 0, "send-keys: status %d: %s", r->status, r->err);
}

/* Types `command` at the grub> prompt in one request (hv types at a
 * pace SeaBIOS's 15-key buffer and GRUB keep up with), sees it echoed,
 * and presses Enter. */
static void type_command(const char *command)
{
	char line[300];

	snprintf(line, sizeof line, "grub> %s", command);
	send_keys((const char *const[]){"send-keys", "grub", "--text", command, NULL});
	ck_assert_msg(screen_until(line, COMMAND_TIMEOUT_S), "'%s' not echoed:\n%s", line,
		      last_screen());
	send_keys((const char *const[]){"send-keys", "grub", "ret", NULL});
}

/* A private copy of the image: GRUB may write to it (its environment
 * block), and the domain locks it. */
static const char *grub_cfg(void)
{
	char img[600], cmd[1400], text[1600];

	ck_assert_msg(access(HV_GRUB_GUEST_DIR "/grub.img", R_OK) == 0, HV_GRUB_GUEST_DIR
		      "/grub.img is missing: run bash assets/guests/grub/build.sh");
	snprintf(img, sizeof img, "%s/grub.img", h_setup_dir());
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", HV_GRUB_GUEST_DIR "/grub.img", img);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(text, sizeof text,
		 "name = \"grub\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\n"
		 "disk = [ 'format=raw, vdev=hda, access=rw, target=%s' ]\nboot = \"c\"\n",
		 BIOS, img);
	return h_write_file("grub.cfg", text);
}

START_TEST(test_grub_menu_appears_and_its_command_line_answers)
{
	const char *screen;

	ck_assert_int_eq(h_hv(NULL, 60, (const char *const[]){"create", grub_cfg(), NULL})->status,
			 0);
	screen = screen_until("hv GRUB entry two", MENU_TIMEOUT_S);
	ck_assert_msg(screen, "no GRUB menu; the screen:\n%s", last_screen());
	ck_assert_ptr_nonnull(strstr(screen, "GNU GRUB"));
	ck_assert_ptr_nonnull(strstr(screen, "*hv GRUB entry one")); /* the default, marked */

	send_keys((const char *const[]){"send-keys", "grub", "c", NULL});
	ck_assert_msg(screen_until("grub>", COMMAND_TIMEOUT_S), "no command line:\n%s",
		      last_screen());
	type_command("echo " ECHOED);
	/* The answer on a line of its own (the command's line starts grub>). */
	ck_assert_msg(screen_until("\n" ECHOED "\n", COMMAND_TIMEOUT_S), "no answer to echo:\n%s",
		      last_screen());
	type_command("ls");
	ck_assert_msg(screen_until("(hd0) (hd0,msdos1)", COMMAND_TIMEOUT_S),
		      "ls did not list the disk:\n%s", last_screen());
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "grub", NULL})->status, 0);
}
END_TEST

static Suite *grub_suite(void)
{
	Suite *s = suite_create("grub");
	TCase *tc = tcase_create("boot");

	h_fixture(tc);
	tcase_set_timeout(tc, MENU_TIMEOUT_S + 8 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_grub_menu_appears_and_its_command_line_answers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(grub_suite());
}
