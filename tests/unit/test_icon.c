/* hv's scalable icon (assets/icon/hv.svg, installed for the desktop
 * entry) is the same picture as the window icon hv-icon.png that
 * make_icon.c draws: rendered at 64x64 by librsvg's rsvg-convert, it
 * matches pixel for pixel but for the rounded corners. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "display/png.h"
#include "unit.h"

static int channel_diff(uint32_t a, uint32_t b, int shift)
{
	return abs((int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
}

START_TEST(test_the_svg_icon_is_the_window_icons_picture)
{
	char out[] = "/tmp/hv-icon-XXXXXX", cmd[PATH_MAX + 128], err[256];
	struct image svg, png;
	unsigned differ = 0;
	int fd = mkstemp(out);

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "rsvg-convert -w 64 -h 64 -b black -o %s %s/icon/hv.svg", out,
		 HV_ASSET_DIR);
	ck_assert_msg(system(cmd) == 0, "%s failed (Debian package librsvg2-bin)", cmd);
	ck_assert_msg(png_read(out, &svg, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(png_read(HV_ASSET_DIR "/hv-icon.png", &png, err, sizeof err) == 0, "%s", err);
	unlink(out);
	ck_assert_uint_eq(svg.width, 64);
	ck_assert_uint_eq(svg.height, 64);
	ck_assert_uint_eq(png.width, 64);
	ck_assert_uint_eq(png.height, 64);
	for (unsigned i = 0; i < 64 * 64; i++) {
		uint32_t a = svg.pixels[i], b = png.pixels[i];
		if (channel_diff(a, b, 16) > 40 || channel_diff(a, b, 8) > 40 ||
		    channel_diff(a, b, 0) > 40)
			differ++;
	}
	/* The corners: a 3x3 square cut in the PNG, a 6-pixel radius in the
	 * SVG; everything else is the same. */
	ck_assert_msg(differ <= 4 * 12, "%u pixels differ", differ);
	image_free(&svg);
	image_free(&png);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("icon");
	TCase *tc = tcase_create("icon");

	tcase_add_test(tc, test_the_svg_icon_is_the_window_icons_picture);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
