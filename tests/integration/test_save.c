/* hv save / hv restore end to end. Fast: the counter guest (firmware,
 * VGA, IDE, floppy controller and the PC's chips) checkpointed with -c
 * goes on counting; saved without -c it ends, and its restore counts on
 * from where it was; truncated, corrupted, wrong-version and foreign
 * files are refused with a clear error and leave no domain behind; a
 * mode-13h animation paused, saved and restored paused shows the same
 * screen pixel for pixel, and goes on once unpaused. Slow: the Linux
 * guest with a counter loop in its shell is saved, destroyed and
 * restored: the counter and /proc/uptime go on (no reboot). */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/png.h"
#include "harness.h"

#ifndef HV_LINUX_GUEST_DIR
#error "CMake passes HV_LINUX_GUEST_DIR: where assets/guests/linux/build.sh puts its files"
#endif

#define BOOT_TIMEOUT_S	1500
#define SHELL_TIMEOUT_S 120

static const char *fmt_cp(const char *from, const char *to)
{
	static char cmd[1200];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	return cmd;
}

static void hv_ok(int timeout_s, const char *const *args)
{
	struct h_result *r = h_hv(NULL, timeout_s, args);

	ck_assert_msg(r->status == 0, "hv %s failed (%d): %s", args[0], r->status, r->err);
}

static void wait_ticks(const char *name, long above)
{
	for (int i = 0; i < 60; i++) {
		if (h_last_tick(name) > above)
			return;
	}
	ck_abort_msg("%s: no tick above %ld", name, above);
}

START_TEST(test_checkpoint_goes_on_and_a_save_ends_and_restores)
{
	const char *cfg = h_guest_cfg("ctr", "counter", "serial = \"pty\"\n");
	char file[512];
	long before, after;

	snprintf(file, sizeof file, "%s", h_path("ctr.sav"));

	hv_ok(60, (const char *const[]){"create", cfg, NULL});
	wait_ticks("ctr", 3);
	hv_ok(120, (const char *const[]){"save", "-c", "ctr", file, NULL});
	ck_assert_ptr_nonnull(h_info("ctr", "state")); /* still there */
	before = h_last_tick("ctr");
	wait_ticks("ctr", before);
	hv_ok(120, (const char *const[]){"save", "ctr", file, NULL});
	ck_assert_ptr_null(h_info("ctr", "state")); /* ended, as xl save */
	before = h_last_tick("ctr");
	ck_assert_int_eq(before, -1);
	hv_ok(120, (const char *const[]){"restore", file, NULL});
	after = h_last_tick("ctr");
	ck_assert_int_gt(after, 3); /* the scrollback came back */
	wait_ticks("ctr", after);
	/* Restored from the checkpoint's file under another name, beside it. */
	hv_ok(60, (const char *const[]){"save", "-c", "ctr", file, NULL});
	hv_ok(120, (const char *const[]){"restore", file, "name=ctr2", NULL});
	wait_ticks("ctr2", h_last_tick("ctr2"));
	hv_ok(30, (const char *const[]){"destroy", "ctr2", NULL});
	hv_ok(30, (const char *const[]){"destroy", "ctr", NULL});
}
END_TEST

/* `hv screenshot NAME` read back into img (freed by the caller); false
 * while the domain shows nothing yet. */
static bool shot(const char *name, struct image *img)
{
	char err[256];
	const char *file = h_path("shot.png");

	*img = (struct image){0};
	return h_hv(NULL, 30, (const char *const[]){"screenshot", name, file, NULL})->status == 0 &&
	       png_read(file, img, err, sizeof err) == 0;
}

static bool same_pixels(const struct image *a, const struct image *b)
{
	return a->width == b->width && a->height == b->height &&
	       memcmp(a->pixels, b->pixels, (size_t)a->width * a->height * 4) == 0;
}

/* tests/guests/anim.asm repaints the mode-13h screen in a new colour over
 * and over (through SeaBIOS and the VGA BIOS). Paused mid-animation and
 * saved, then restored paused: the screen is the same pixel for pixel;
 * unpaused, the animation goes on (the screen changes). */
START_TEST(test_mode13h_animation_restores_to_the_same_screen_and_goes_on)
{
	char cfg[1024], img[512], file[512];
	struct image a, b, c = {0};
	bool moved = false;
	int i;

	snprintf(img, sizeof img, "%s", h_path("anim.img"));
	snprintf(file, sizeof file, "%s", h_path("anim.sav"));
	ck_assert_int_eq(system(fmt_cp(h_guest("anim"), img)), 0);
	snprintf(cfg, sizeof cfg,
		 "name = \"an\"\nmemory = 16\nengine = \"soft\"\n"
		 "firmware = \"/usr/share/seabios/bios.bin\"\nserial = \"none\"\n"
		 "disk = [ \"format=raw,vdev=hda,access=ro,target=%s\" ]\nboot = \"c\"\n",
		 img);
	hv_ok(60, (const char *const[]){"create", h_write_file("an.cfg", cfg), NULL});
	/* Mode 13h: a 320x200 screen. */
	for (i = 0; i < 300; i++) {
		if (shot("an", &a) && a.width == 320 && a.height == 200)
			break;
		image_free(&a);
		usleep(100 * 1000);
	}
	ck_assert_msg(i < 300, "no mode-13h screen");
	image_free(&a);
	hv_ok(30, (const char *const[]){"pause", "an", NULL});
	ck_assert(shot("an", &a));
	hv_ok(120, (const char *const[]){"save", "an", file, NULL});
	ck_assert_ptr_null(h_info("an", "state"));
	hv_ok(120, (const char *const[]){"restore", "-p", file, NULL});
	ck_assert(shot("an", &b));
	ck_assert_msg(same_pixels(&a, &b), "the restored screen differs (%ux%u, was %ux%u)",
		      b.width, b.height, a.width, a.height);
	hv_ok(30, (const char *const[]){"unpause", "an", NULL});
	for (i = 0; i < 100 && !moved; i++) {
		usleep(100 * 1000);
		image_free(&c);
		moved = shot("an", &c) && c.width == 320 && !same_pixels(&b, &c);
	}
	ck_assert_msg(moved, "the animation stopped after the restore");
	image_free(&a);
	image_free(&b);
	image_free(&c);
	hv_ok(30, (const char *const[]){"destroy", "an", NULL});
}
END_TEST

/* A copy of src at dst with `fix` applied to its bytes. */
static const char *variant(const char *src, const char *name,
			   void (*fix)(unsigned char *b, size_t *n))
{
	static unsigned char b[64 << 20];
	FILE *f = fopen(src, "rb");
	size_t n;
	const char *dst = h_path(name);

	ck_assert_ptr_nonnull(f);
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_lt(n, sizeof b);
	fix(b, &n);
	f = fopen(dst, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
	return dst;
}

static void cut(unsigned char *b, size_t *n)
{
	(void)b;
	*n = *n * 2 / 3;
}

static void flip(unsigned char *b, size_t *n)
{
	b[*n / 2] ^= 0x40;
}

static void version(unsigned char *b, size_t *n)
{
	(void)n;
	b[8] = 99;
}

static void foreign(unsigned char *b, size_t *n)
{
	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	(void)n;
}

static void refused(const char *file, const char *why)
{
	int before = h_runtime_entries();
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"restore", file, NULL});

	ck_assert_msg(r->status != 0, "%s was restored", file);
	ck_assert_msg(strstr(r->err, why), "%s: expected '%s' in: %s", file, why, r->err);
	ck_assert_int_eq(h_runtime_entries(), before); /* no domain left */
}

START_TEST(test_damaged_files_are_refused_with_a_clear_error)
{
	const char *cfg = h_guest_cfg("dmg", "counter", "serial = \"pty\"\n");
	char file[512];

	snprintf(file, sizeof file, "%s", h_path("dmg.sav"));

	hv_ok(60, (const char *const[]){"create", cfg, NULL});
	wait_ticks("dmg", 1);
	hv_ok(120, (const char *const[]){"save", "dmg", file, NULL});
	refused(variant(file, "cut.sav", cut), "truncated");
	refused(variant(file, "flip.sav", flip), "corrupted");
	refused(variant(file, "version.sav", version), "format version 99");
	refused(variant(file, "foreign.sav", foreign), "not an hv save file");
	refused(h_path("missing.sav"), "No such file");
	/* The file itself still restores. */
	hv_ok(120, (const char *const[]){"restore", file, NULL});
	hv_ok(30, (const char *const[]){"destroy", "dmg", NULL});
}
END_TEST

/* ---- Linux ---- */

static void attach(struct h_proc *p)
{
	h_spawn(p, (const char *const[]){"console", "--live", "lx", NULL});
}

static void detach(struct h_proc *p)
{
	kill(p->pid, SIGTERM);
	h_wait(p, 10);
}

/* Waits for `needle` on lx's console; a failure quotes the console's end
 * and what hv says of the domain (h_describe): a stalled guest, a silent
 * timer or a lost stream. */
static void expect_lx(struct h_proc *p, const char *needle, const char *when)
{
	ck_assert_msg(h_expect(p, needle, SHELL_TIMEOUT_S), "no %s %s; the console's end:\n%s\n%s",
		      needle, when, p->buf + (p->len > 3000 ? p->len - 3000 : 0), h_describe("lx"));
}

static double uptime(struct h_proc *p)
{
	h_consume(p);
	h_send(p, "echo UP=$(cut -d' ' -f1 /proc/uptime) E\n");
	expect_lx(p, "UP=", "for uptime");
	return h_wait_number(p, SHELL_TIMEOUT_S, "UP=");
}

START_TEST(test_linux_counter_and_uptime_go_on_after_save_destroy_restore)
{
	char file[512];
	struct h_proc p;
	double up0, up1, n0, n1;

	snprintf(file, sizeof file, "%s", h_path("lx.sav"));

	hv_ok(60,
	      (const char *const[]){"create", h_linux_cfg(HV_LINUX_GUEST_DIR, "lx", "pty"), NULL});
	attach(&p);
	h_send(&p, "\n");
	ck_assert_msg(h_expect(&p, "# ", BOOT_TIMEOUT_S), "no shell:\n%s", p.buf);
	h_send(&p, "i=0; while true; do i=$((i+1)); echo CNT=$i E; sleep 1; done &\n");
	expect_lx(&p, "CNT=4 E", "from the counter");
	up0 = uptime(&p);
	h_consume(&p);
	expect_lx(&p, "CNT=", "before the save");
	n0 = h_wait_number(&p, SHELL_TIMEOUT_S, "CNT=");
	detach(&p);
	ck_assert_double_gt(up0, 0);
	ck_assert_double_gt(n0, 3);

	hv_ok(300, (const char *const[]){"save", "lx", file, NULL});
	ck_assert_ptr_null(h_info("lx", "state"));
	hv_ok(300, (const char *const[]){"restore", file, NULL});

	attach(&p);
	expect_lx(&p, "CNT=", "after the restore");
	n1 = h_wait_number(&p, SHELL_TIMEOUT_S, "CNT=");
	/* The loop goes on from where it was: no reboot started it again. */
	ck_assert_msg(n1 > n0, "counter %g after restore, %g before", n1, n0);
	ck_assert_msg(n1 < n0 + 60, "counter jumped from %g to %g", n0, n1);
	up1 = uptime(&p);
	ck_assert_msg(up1 > up0 && up1 < up0 + 120, "uptime %g before, %g after", up0, up1);
	ck_assert_ptr_null(strstr(p.buf, "HV-LINUX-READY"));
	detach(&p);
	hv_ok(30, (const char *const[]){"destroy", "lx", NULL});
}
END_TEST

static Suite *save_suite(void)
{
	Suite *s = suite_create("save");
	TCase *files = tcase_create("files"), *lx = tcase_create("linux");

	h_fixture(files);
	tcase_set_timeout(files, 600);
	tcase_add_test(files, test_checkpoint_goes_on_and_a_save_ends_and_restores);
	tcase_add_test(files, test_damaged_files_are_refused_with_a_clear_error);
	tcase_add_test(files, test_mode13h_animation_restores_to_the_same_screen_and_goes_on);
	suite_add_tcase(s, files);
	h_fixture(lx);
	tcase_set_timeout(lx, BOOT_TIMEOUT_S + 6 * SHELL_TIMEOUT_S);
	tcase_add_test(lx, test_linux_counter_and_uptime_go_on_after_save_destroy_restore);
	suite_add_tcase(s, lx);
	return s;
}

int main(void)
{
	return h_main(save_suite());
}
