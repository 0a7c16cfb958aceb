/* SeaBIOS's boot menu on the VGA text screen, driven like a person would:
 * the POST banner and the "Press ESC for boot menu." prompt appear, ESC
 * typed through `hv send-keys` opens "Select boot device:" listing the
 * hard disk (tests/guests/bootsect.asm) and the CD (cdboot.asm), and the
 * CD's number boots the CD although boot = "c" prefers the disk. Typing
 * nothing lets the prompt time out and the disk boot. hv turns the prompt
 * on through fw_cfg key 0Eh (legacy/pc.c), off with boot_menu = 0;
 * SeaBIOS skips it when only one boot device exists. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define BIOS   "/usr/share/seabios/bios.bin"
#define PROMPT "for boot menu"
#define MENU   "Select boot device:"
#define NAME   "menu"
#define WAIT_S 300 /* bounds a hang only: a slow machine just waits longer */

static char e9[512];

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copies the first sector of a built guest program into dst, padded with
 * zeros to `bytes`. */
static void copy_guest(const char *guest, const char *dst, size_t bytes)
{
	static unsigned char buf[1 << 20];
	FILE *in = fopen(h_guest(guest), "rb"), *out;

	ck_assert_ptr_nonnull(in);
	ck_assert_uint_le(bytes, sizeof buf);
	memset(buf, 0, bytes);
	ck_assert_int_eq(fread(buf, 1, 512, in), 512);
	fclose(in);
	out = fopen(dst, "wb");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(fwrite(buf, 1, bytes, out), bytes);
	fclose(out);
}

/* A no-emulation El Torito CD booting cdboot.bin, made with xorriso. */
static const char *make_iso(void)
{
	static char iso[600];
	char dir[560], path[600], cmd[2048];

	snprintf(dir, sizeof dir, "%s/iso", h_setup_dir());
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/cdboot.bin", dir);
	copy_guest("cdboot", path, 512);
	snprintf(iso, sizeof iso, "%s/cd.iso", h_setup_dir());
	/* Not a skip: the set-up script installs xorriso. */
	snprintf(cmd, sizeof cmd,
		 "xorriso -as mkisofs -quiet -o '%s' -b cdboot.bin -no-emul-boot "
		 "-boot-load-size 4 '%s' 2>&1",
		 iso, dir);
	ck_assert_msg(system(cmd) == 0, "xorriso failed (install Debian's xorriso package)");
	return iso;
}

/* Starts domain NAME with SeaBIOS, a read-only hard disk holding
 * bootsect.bin and a CD holding cdboot.bin; boot = "c" prefers the disk.
 * `extra` is appended to the config. */
static void create_domain(const char *extra)
{
	char img[560], text[3072];
	const char *iso;

	/* Not a skip: the set-up script installs seabios. */
	ck_assert_msg(access(BIOS, R_OK) == 0, "install Debian's seabios package");
	snprintf(img, sizeof img, "%s/disk.img", h_setup_dir());
	copy_guest("bootsect", img, 1 << 20);
	iso = make_iso();
	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"" NAME "\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ \"format=raw,vdev=hda,access=ro,target=%s\",\n"
		 "         \"vdev=hdc,devtype=cdrom,access=ro,target=%s\" ]\n"
		 "boot = \"c\"\n%s",
		 BIOS, e9, img, iso, extra);
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file("menu.cfg", text), NULL})
		->status,
	    0);
}

/* The text screen now, or "" while the domain cannot answer. */
static const char *screen(void)
{
	static char text[sizeof((struct h_result *)0)->out];
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"screen", NAME, "--text", NULL});

	snprintf(text, sizeof text, "%s", r->status == 0 ? r->out : "");
	return text;
}

/* Polls the screen until it contains needle; returns it, or fails. */
static const char *screen_until(const char *needle)
{
	double end = wall_seconds() + WAIT_S;
	const char *s;

	while (!strstr(s = screen(), needle)) {
		ck_assert_msg(wall_seconds() < end, "no \"%s\" on screen:\n%s\ndebug console:\n%s",
			      needle, s, h_slurp(e9));
		usleep(100 * 1000);
	}
	return s;
}

/* Polls the debug console until it contains needle, or fails. */
static void e9_until(const char *needle)
{
	double end = wall_seconds() + WAIT_S;

	while (!strstr(h_slurp(e9), needle)) {
		ck_assert_msg(wall_seconds() < end,
			      "no \"%s\" on the debug console:\n%s\nscreen:\n%s", needle,
			      h_slurp(e9), screen());
		usleep(100 * 1000);
	}
}

static void send_key(const char *key)
{
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"send-keys", NAME, key, NULL});

	ck_assert_msg(r->status == 0, "send-keys %s: %d %s", key, r->status, r->err);
}

/* The menu's number for the entry whose line contains `what`, e.g. "1" for
 * "1. DVD/CD [ata1-0: ...]"; fails if the menu lacks it. */
static const char *entry_number(const char *menu, const char *what)
{
	static char num[4];
	const char *hit = strstr(menu, what), *line;

	ck_assert_msg(hit, "no %s entry in the menu:\n%s", what, menu);
	for (line = hit; line > menu && line[-1] != '\n'; line--)
		;
	ck_assert_msg(line[0] >= '1' && line[0] <= '9' && line[1] == '.',
		      "entry %s unnumbered:\n%s", what, menu);
	num[0] = line[0];
	num[1] = '\0';
	return num;
}

/* Opens the menu with ESC once the prompt shows; types ESC again only if
 * the menu has not come up a while later and the prompt is still there
 * (a second ESC inside the menu would close it). */
static const char *open_menu(void)
{
	double end = wall_seconds() + WAIT_S, resend = 0;
	const char *s = screen_until(PROMPT);

	ck_assert_msg(strncmp(s, "SeaBIOS (version ", 17) == 0, "screen:\n%s", s);
	ck_assert_msg(strstr(s, "Press ESC " PROMPT), "screen:\n%s", s);
	for (;;) {
		if (strstr(s, MENU))
			return s;
		ck_assert_msg(wall_seconds() < end, "no boot menu:\n%s\n%s", s, h_slurp(e9));
		ck_assert_msg(!strstr(h_slurp(e9), "Booting from"),
			      "booted without a menu:\n%s\n%s", s, h_slurp(e9));
		if (strstr(s, PROMPT) && wall_seconds() >= resend) {
			send_key("esc");
			resend = wall_seconds() + 5;
		}
		usleep(100 * 1000);
		s = screen();
	}
}

START_TEST(test_esc_menu_lists_both_drives_and_boots_the_chosen_cd)
{
	const char *menu;

	create_domain("");
	menu = open_menu();
	/* the drives as the menu names them, the preferred disk first */
	menu = screen_until("DVD/CD");
	ck_assert_msg(strstr(menu, "\n1. ata0-0: HV HARDDISK"), "menu:\n%s", menu);
	ck_assert_msg(strstr(menu, ". DVD/CD [ata1-0: HV DVD-ROM"), "menu:\n%s", menu);
	send_key(entry_number(menu, "DVD/CD"));
	e9_until("booted from CD\n");
	ck_assert_msg(strstr(h_slurp(e9), "Booting from DVD/CD"), "%s", h_slurp(e9));
	ck_assert_msg(!strstr(h_slurp(e9), "booted from disk"), "%s", h_slurp(e9));
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

START_TEST(test_without_a_key_the_prompt_times_out_and_the_disk_boots)
{
	const char *s;

	create_domain("");
	s = screen_until(PROMPT);
	ck_assert_msg(strncmp(s, "SeaBIOS (version ", 17) == 0, "screen:\n%s", s);
	e9_until("booted from disk\n");
	ck_assert_msg(strstr(h_slurp(e9), "Booting from Hard Disk"), "%s", h_slurp(e9));
	ck_assert_msg(!strstr(h_slurp(e9), "booted from CD"), "%s", h_slurp(e9));
	ck_assert_msg(!strstr(h_slurp(e9), MENU), "%s", h_slurp(e9));
	/* SeaBIOS prints its prompt on the debug console too. */
	ck_assert_msg(strstr(h_slurp(e9), "Press ESC " PROMPT), "%s", h_slurp(e9));
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

/* boot_menu_wait = 60000: the prompt still waits well after SeaBIOS's own
 * 2.5 s, then ESC opens the menu. */
START_TEST(test_boot_menu_wait_holds_the_prompt)
{
	const char *menu;

	create_domain("boot_menu_wait = 60000\n");
	screen_until(PROMPT);
	sleep(4);
	ck_assert_msg(!strstr(h_slurp(e9), "Booting from"), "booted without waiting:\n%s",
		      h_slurp(e9));
	menu = open_menu();
	ck_assert_msg(strstr(menu, MENU), "menu:\n%s", menu);
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

/* boot_menu = 0 clears fw_cfg's boot menu flag: no prompt, no wait, the
 * disk boots straight away. */
START_TEST(test_boot_menu_0_boots_without_a_prompt)
{
	create_domain("boot_menu = 0\n");
	e9_until("booted from disk\n");
	ck_assert_msg(strstr(h_slurp(e9), "Booting from Hard Disk"), "%s", h_slurp(e9));
	ck_assert_msg(!strstr(h_slurp(e9), PROMPT), "%s", h_slurp(e9));
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

static Suite *menu_suite(void)
{
	Suite *s = suite_create("boot_menu");
	TCase *t = tcase_create("seabios");

	h_fixture(t);
	tcase_set_timeout(t, 600);
	tcase_add_test(t, test_esc_menu_lists_both_drives_and_boots_the_chosen_cd);
	tcase_add_test(t, test_without_a_key_the_prompt_times_out_and_the_disk_boots);
	tcase_add_test(t, test_boot_menu_0_boots_without_a_prompt);
	tcase_add_test(t, test_boot_menu_wait_holds_the_prompt);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(menu_suite());
}
