/* End to end: the modern guest of assets/guests/modern with
 * vfb = [ 'type=virtio' ]: its initramfs loads virtio-gpu (with drm and
 * drm_kms_helper), whose fbdev emulation gives /dev/fb0 at the mode hv
 * offers (1024x768). The guest writes a known picture (the recipe's
 * /etc/fb-pattern) to /dev/fb0; the kernel transfers and flushes it
 * through the control queue, the domain's surface follows the scanout
 * instead of the VGA, and the pixels of `hv screenshot` must be the
 * picture's. `hv list -l` shows gpu0's scanout and no refused command.
 * `hv screen --text` says the screen is graphical.
 * Then the recipe's KMS program (/bin/hvdraw, assets/guests/modern/
 * hvdraw.c) sets its own picture on the CRTC and a pointer on the cursor
 * plane, which the guest's driver sends through the cursor queue
 * (UPDATE_CURSOR with the image, MOVE_CURSOR): the screenshot must show
 * the picture with the pointer drawn over it where the guest moved it,
 * and a viewer must see the guest's pointer image, pixel for pixel.
 * The guest's virtio-input keyboard is an evdev device: a key a viewer
 * sends (through the display protocol, as `hv view` does) arrives there,
 * and the recipe's shell on tty1 (fbcon) takes a command typed so.
 * The guest missing is a failure, not a skip. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/client.h"
#include "display/png.h"
#include "harness.h"

#ifndef HV_MODERN_GUEST_DIR
#error "CMake passes HV_MODERN_GUEST_DIR: where assets/guests/modern/build.sh puts its files"
#endif

#define NAME		  "moderngpu"
#define BOOT_TIMEOUT_S	  1200
#define COMMAND_TIMEOUT_S 300
#define SHOT_TIMEOUT_S	  120 /* fbdev's deferred flush, on a loaded machine */
#define FB_W		  1024
#define FB_H		  768
#define TOP_SKIP	  32	/* rows fbcon's cursor may draw in */
#define PTR_XS		  "300" /* where hvdraw moves its pointer */
#define PTR_YS		  "200"
#define PTR_X		  300
#define PTR_Y		  200

static const char *gpu_cfg(void)
{
	char keys[1000];

	snprintf(keys, sizeof keys,
		 "vfb = [ 'type=virtio' ]\n"
		 "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s' ]\n",
		 h_modern_root(HV_MODERN_GUEST_DIR));
	return h_modern_cfg(HV_MODERN_GUEST_DIR, NAME, "", keys);
}

/* The recipe's picture (assets/guests/modern/build.sh, fb_pattern). */
static uint32_t expected(unsigned x, unsigned y)
{
	unsigned s = x / 128, b = y / 192;

	return (32 * s + 16) << 16 | (64 * b + 32) << 8 | (37 * s + 91 * b) % 256;
}

/* hvdraw's pointer image (hvdraw.c): an arrow, black edges, transparent
 * outside it. */
static uint32_t pointer(unsigned x, unsigned y)
{
	if (y >= 48 || 3 * x > 2 * y)
		return 0;
	if (x == 0 || 3 * (x + 1) > 2 * y || y == 47)
		return 0xFF000000;
	return 0xFF000000 | (255 - 4 * y) << 16 | 8 * x << 8 | 0xFF;
}

/* hvdraw's picture with its pointer at (PTR_X, PTR_Y): the pointer's
 * pixels are opaque or transparent, so no blending to follow. */
static uint32_t drawn(unsigned x, unsigned y)
{
	uint32_t b = ((x / 32 + y / 32) & 1) ? 0xE0 : 0x30;

	if (x >= PTR_X && y >= PTR_Y && x < PTR_X + 64 && y < PTR_Y + 64 &&
	    pointer(x - PTR_X, y - PTR_Y))
		return pointer(x - PTR_X, y - PTR_Y) & 0xFFFFFF;
	return (255 * x / (FB_W - 1)) << 16 | (255 * y / (FB_H - 1)) << 8 | b;
}

/* Compares a screenshot with want() from row `top` down: 0 when it
 * matches, else the count of wrong pixels (the first described in why). */
static long compare(const struct image *img, uint32_t (*want)(unsigned, unsigned), unsigned top,
		    char *why, size_t len)
{
	long bad = 0;

	if (img->width != FB_W || img->height != FB_H) {
		snprintf(why, len, "screenshot is %ux%u, not %ux%u", img->width, img->height, FB_W,
			 FB_H);
		return -1;
	}
	for (unsigned y = top; y < FB_H; y++)
		for (unsigned x = 0; x < FB_W; x++) {
			uint32_t got = img->pixels[y * FB_W + x] & 0xFFFFFF;

			if (got == want(x, y))
				continue;
			if (!bad++)
				snprintf(why, len, "pixel (%u,%u) is %06x, not %06x", x, y, got,
					 want(x, y));
		}
	return bad;
}

/* Takes screenshots until one shows want() (below row top), or the time
 * is up. */
static void check_screen(uint32_t (*want)(unsigned, unsigned), unsigned top, const char *what)
{
	const char *shot = h_path("screen.png");
	char why[160] = "no screenshot", err[256];
	long bad = -1;

	for (int waited = 0; waited < SHOT_TIMEOUT_S && bad != 0; waited += 2) {
		struct image img;

		if (h_hv(NULL, 30, (const char *const[]){"screenshot", NAME, shot, NULL})->status ==
			0 &&
		    png_read(shot, &img, err, sizeof err) == 0) {
			bad = compare(&img, want, top, why, sizeof why);
			image_free(&img);
		}
		if (bad != 0)
			sleep(2);
	}
	ck_assert_msg(bad == 0, "the screen is not %s: %s (%ld wrong)", what, why, bad);
}

/* A viewer's copy of the guest's pointer: hvdraw's image, hot spot (0,0),
 * where the guest moved it. */
static void check_pointer(void)
{
	struct display_client dc;
	struct surface_cursor c;
	char err[256];
	long bad = 0;

	ck_assert_msg(display_client_open(&dc, NAME, err, sizeof err) == 0, "%s", err);
	display_client_cursor(&dc, &c);
	display_client_close(&dc);
	ck_assert_msg(c.visible && c.x == PTR_X && c.y == PTR_Y && c.hot_x == 0 && c.hot_y == 0,
		      "the viewer's pointer: visible %u at (%d,%d) hot (%u,%u)", c.visible, c.x,
		      c.y, c.hot_x, c.hot_y);
	for (unsigned y = 0; y < SURFACE_CURSOR_SIZE; y++)
		for (unsigned x = 0; x < SURFACE_CURSOR_SIZE; x++)
			bad += c.image[y * SURFACE_CURSOR_SIZE + x] != pointer(x, y);
	ck_assert_msg(bad == 0, "%ld pixels of the pointer image are not hvdraw's", bad);
}

/* Sends KEY_A down and up as a viewer, every 2 s until the guest's
 * reader of the keyboard's event device prints `marker`. */
static void type_until(struct h_proc *p, const char *marker)
{
	struct display_client dc;
	char err[256];
	bool seen = false;

	ck_assert_msg(display_client_open(&dc, NAME, err, sizeof err) == 0, "%s", err);
	for (int waited = 0; waited < COMMAND_TIMEOUT_S && !seen; waited += 2) {
		ck_assert_int_eq(display_client_key(&dc, 30, true), 0);
		ck_assert_int_eq(display_client_key(&dc, 30, false), 0);
		seen = h_expect(p, marker, 2);
	}
	display_client_close(&dc);
	ck_assert_msg(seen, "no '%s' from the guest's evdev reader:\n%s", marker, p->buf);
}

/* The evdev code of a lowercase letter, a space or a newline. */
static unsigned key_code(char c)
{
	static const char *const rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
	static const unsigned first[] = {16, 30, 44}; /* KEY_Q, KEY_A, KEY_Z */

	if (c == '\n')
		return 28; /* KEY_ENTER */
	for (unsigned r = 0; r < 3; r++)
		if (c >= 'a' && c <= 'z' && strchr(rows[r], c))
			return first[r] + (unsigned)(strchr(rows[r], c) - rows[r]);
	return 57; /* KEY_SPACE */
}

/* Types text (lowercase letters, spaces, newlines) as a viewer does. */
static void type_text(const char *text)
{
	struct display_client dc;
	char err[256];

	ck_assert_msg(display_client_open(&dc, NAME, err, sizeof err) == 0, "%s", err);
	for (const char *c = text; *c; c++) {
		ck_assert_int_eq(display_client_key(&dc, key_code(*c), true), 0);
		ck_assert_int_eq(display_client_key(&dc, key_code(*c), false), 0);
	}
	display_client_close(&dc);
}

START_TEST(test_modern_guest_draws_through_virtio_gpu)
{
	struct h_proc p;
	const char *info;
	struct h_result *r;

	h_spawn(&p, (const char *const[]){"run", gpu_cfg(), NULL});
	h_modern_wait(&p, BOOT_TIMEOUT_S);

	/* The framebuffer is virtio-gpu's, at the mode hv offered. */
	h_run_cmd(&p,
		  "echo fbname=$(cat /sys/class/graphics/fb0/name) "
		  "fbsize=$(cat /sys/class/graphics/fb0/virtual_size) end-$((2*3))\n",
		  "end-6", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "fbname=virtio"), "fb0 is not virtio-gpu's:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "fbsize=1024,768 "), "fb0 is not 1024x768:\n%s", p.buf);

	/* The picture, written where fbcon's cursor does not blink over it. */
	h_run_cmd(&p,
		  "echo 0 >/sys/class/graphics/fbcon/cursor_blink; "
		  "cat /etc/fb-pattern >/dev/fb0; echo fb=$? end-$((4*4))\n",
		  "end-16", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "fb=0 "), "writing /dev/fb0 failed:\n%s", p.buf);
	check_screen(expected, TOP_SKIP, "what the guest wrote to /dev/fb0");
	/* The screen is graphical now, whatever the VGA's text buffer holds. */
	r = h_hv(NULL, 30, (const char *const[]){"screen", NAME, "--text", NULL});
	ck_assert_msg(r->status == 0 && r->out[0] == '\0' &&
			  strstr(r->err, "virtio-gpu scanout 1024x768 (graphical)"),
		      "hv screen --text: status %d, out '%s', err '%s'", r->status, r->out, r->err);

	/* hvdraw's picture and pointer through KMS: the cursor plane is the
	 * cursor queue's UPDATE_CURSOR and MOVE_CURSOR. */
	h_consume(&p);
	h_send(&p, "hvdraw show " PTR_XS " " PTR_YS " &\n");
	ck_assert_msg(h_expect(&p, "HVDRAW-SHOWN 1024x768", COMMAND_TIMEOUT_S),
		      "hvdraw did not show its picture:\n%s", p.buf);
	check_screen(drawn, 0, "hvdraw's picture and pointer");
	check_pointer();
	h_run_cmd(&p, "kill %1; echo killed-$((8*8))\n", "killed-64", COMMAND_TIMEOUT_S);

	/* A key from a viewer reaches the virtio-input keyboard's evdev node
	 * (struct input_event on i386: 8 bytes of time, type, code, value). */
	h_run_cmd(&p,
		  "k=; for e in /sys/class/input/event*; do case $(cat $e/device/name) in "
		  "*virtio*keyboard*) k=${e##*/};; esac; done; echo kbd=$k end-$((5*5))\n",
		  "end-25", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "kbd=event"), "no virtio-input keyboard:\n%s", p.buf);
	h_consume(&p);
	h_send(&p, "busybox dd if=/dev/input/$k bs=16 count=1 2>/dev/null | "
		   "busybox hexdump -v -e '16/1 \"%02x\" \"\\n\"'; echo ev-$((6*6))\n");
	type_until(&p, "ev-36");
	ck_assert_msg(strstr(p.buf, "01001e0001000000"), "not KEY_A down:\n%s", p.buf);
	info = h_info(NAME, "kbd0");
	ck_assert_msg(info && strstr(info, "kind=keyboard") && !strstr(info, " events=0 "),
		      "kbd0 in hv list -l: %s", info ? info : "(none)");

	info = h_info(NAME, "gpu0");
	ck_assert_msg(info && strstr(info, "scanout=1024x768") && strstr(info, " errors=0 ") &&
			  !strstr(info, " flushes=0"),
		      "gpu0 in hv list -l: %s", info ? info : "(none)");
	/* tty1's shell, on fbcon, reads the same keyboard: the line of
	 * KEY_A presses ends first, then `poweroff` typed there ends the
	 * domain. */
	type_text("\npoweroff\n");
	ck_assert_msg(h_expect(&p, "guest powered off (exit status 0)", COMMAND_TIMEOUT_S),
		      "no power-off typed on tty1:\n%s", p.buf);
	ck_assert_int_eq(h_wait(&p, COMMAND_TIMEOUT_S), 0);
}
END_TEST

static Suite *modern_gpu_suite(void)
{
	Suite *s = suite_create("modern_gpu");
	TCase *tc = tcase_create("screen");

	h_fixture(tc);
	tcase_set_timeout(tc, BOOT_TIMEOUT_S + 4 * COMMAND_TIMEOUT_S + SHOT_TIMEOUT_S);
	tcase_add_test(tc, test_modern_guest_draws_through_virtio_gpu);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(modern_gpu_suite());
}
