/* PNG: write/read round trip, other PNG kinds, and errors that leave no
 * file behind. */
#include <check.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/png.h"

#include "unit.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/hv-png-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void path_in_dir(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

START_TEST(test_roundTrip_keepsEveryPixelWithStride)
{
	enum { W = 37, H = 11, STRIDE = 40 * 4 };
	static uint32_t px[H * STRIDE / 4];
	struct image img;
	char path[128], err[256];

	for (unsigned i = 0; i < H * STRIDE / 4; i++)
		px[i] = (i * 2654435761u) & 0xffffff;
	path_in_dir(path, sizeof path, "a.png");
	ck_assert_int_eq(png_write_xrgb(path, px, W, H, STRIDE, err, sizeof err), 0);
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), 0);
	ck_assert_uint_eq(img.width, W);
	ck_assert_uint_eq(img.height, H);
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++)
			ck_assert_uint_eq(img.pixels[y * W + x],
					  0xff000000u | px[y * STRIDE / 4 + x]);
	image_free(&img);
}
END_TEST

START_TEST(test_write_ignoresTheXByte)
{
	uint32_t px[2] = {0xff102030, 0x00405060};
	struct image img;
	char path[128], err[256];

	path_in_dir(path, sizeof path, "x.png");
	ck_assert_int_eq(png_write_xrgb(path, px, 2, 1, 8, err, sizeof err), 0);
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), 0);
	ck_assert_uint_eq(img.pixels[0], 0xff102030);
	ck_assert_uint_eq(img.pixels[1], 0xff405060);
	image_free(&img);
}
END_TEST

START_TEST(test_read_convertsGreyscalePng)
{
	uint8_t grey[4] = {0, 85, 170, 255};
	png_image pi;
	struct image img;
	char path[128], err[256];

	path_in_dir(path, sizeof path, "g.png");
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	pi.width = 2;
	pi.height = 2;
	pi.format = PNG_FORMAT_GRAY;
	ck_assert(png_image_write_to_file(&pi, path, 0, grey, 2, NULL));
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), 0);
	ck_assert_uint_eq(img.pixels[0], 0xff000000);
	ck_assert_uint_eq(img.pixels[3], 0xffffffff);
	ck_assert_uint_eq(img.pixels[1] & 0xff, img.pixels[1] >> 8 & 0xff);
	image_free(&img);
}
END_TEST

START_TEST(test_read_missingFileNamesIt)
{
	struct image img;
	char path[128], err[256] = "";

	path_in_dir(path, sizeof path, "none.png");
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "none.png"));
	ck_assert_ptr_null(img.pixels);
}
END_TEST

START_TEST(test_read_rejectsTruncatedAndForeignFiles)
{
	uint32_t px[64] = {0};
	struct image img;
	char path[128], err[256];
	FILE *f;

	path_in_dir(path, sizeof path, "t.png");
	ck_assert_int_eq(png_write_xrgb(path, px, 8, 8, 32, err, sizeof err), 0);
	ck_assert_int_eq(truncate(path, 40), 0);
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), -1);
	f = fopen(path, "w");
	fputs("GIF89a not a png at all", f);
	fclose(f);
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "t.png"));
}
END_TEST

START_TEST(test_write_failureLeavesNoFile)
{
	uint32_t px[4] = {0};
	char path[128], err[256] = "";

	path_in_dir(path, sizeof path, "missing-dir/s.png");
	ck_assert_int_eq(png_write_xrgb(path, px, 2, 2, 8, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing-dir"));
	path_in_dir(path, sizeof path, "empty.png");
	ck_assert_int_eq(png_write_xrgb(path, px, 0, 2, 8, err, sizeof err), -1);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(png_write_xrgb(path, px, 2, 2, 4, err, sizeof err), -1);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_write_replacesAnExistingFile)
{
	uint32_t a = 0x00ff0000, b = 0x000000ff;
	struct image img;
	char path[128], err[256];

	path_in_dir(path, sizeof path, "r.png");
	ck_assert_int_eq(png_write_xrgb(path, &a, 1, 1, 4, err, sizeof err), 0);
	ck_assert_int_eq(png_write_xrgb(path, &b, 1, 1, 4, err, sizeof err), 0);
	ck_assert_int_eq(png_read(path, &img, err, sizeof err), 0);
	ck_assert_uint_eq(img.pixels[0], 0xff0000ff);
	image_free(&img);
}
END_TEST

static Suite *png_suite(void)
{
	Suite *su = suite_create("png");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundTrip_keepsEveryPixelWithStride);
	tcase_add_test(tc, test_write_ignoresTheXByte);
	tcase_add_test(tc, test_read_convertsGreyscalePng);
	tcase_add_test(tc, test_read_missingFileNamesIt);
	tcase_add_test(tc, test_read_rejectsTruncatedAndForeignFiles);
	tcase_add_test(tc, test_write_failureLeavesNoFile);
	tcase_add_test(tc, test_write_replacesAnExistingFile);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return unit_run(png_suite());
}
