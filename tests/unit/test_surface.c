/* Display surfaces: resize limits, damage clipping and union, the memfd
 * that a viewer maps seeing the same pixels. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/surface.h"

#include "unit.h"

static struct surface s;

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(surface_init(&s, "test", err, sizeof err), 0);
}

static void teardown(void)
{
	surface_fini(&s);
}

START_TEST(test_init_startsAt640x480FullyDamaged)
{
	struct rect r;

	ck_assert_uint_eq(s.width, 640);
	ck_assert_uint_eq(s.height, 480);
	ck_assert_uint_eq(s.stride, 640 * 4);
	ck_assert(surface_take_damage(&s, &r));
	ck_assert_uint_eq(r.x, 0);
	ck_assert_uint_eq(r.w, 640);
	ck_assert_uint_eq(r.h, 480);
	ck_assert(!surface_take_damage(&s, &r));
}
END_TEST

START_TEST(test_resize_refusesZeroAndOversize)
{
	uint32_t gen = s.gen;

	ck_assert_int_eq(surface_resize(&s, 0, 200), -1);
	ck_assert_int_eq(surface_resize(&s, 320, 0), -1);
	ck_assert_int_eq(surface_resize(&s, SURFACE_MAX_WIDTH + 1, 200), -1);
	ck_assert_int_eq(surface_resize(&s, 320, SURFACE_MAX_HEIGHT + 1), -1);
	ck_assert_uint_eq(s.gen, gen);
	ck_assert_uint_eq(s.width, 640);
	ck_assert_int_eq(surface_resize(&s, SURFACE_MAX_WIDTH, SURFACE_MAX_HEIGHT), 0);
	ck_assert_uint_eq(s.gen, gen + 1);
	s.pixels[SURFACE_MAX_WIDTH * SURFACE_MAX_HEIGHT - 1] = 0xffffff;
}
END_TEST

START_TEST(test_resize_clearsPixelsAndDamagesAll)
{
	struct rect r;

	s.pixels[5] = 0x123456;
	surface_take_damage(&s, &r);
	ck_assert_int_eq(surface_resize(&s, 720, 400), 0);
	ck_assert_uint_eq(s.pixels[5], 0);
	ck_assert(surface_take_damage(&s, &r));
	ck_assert_uint_eq(r.w, 720);
	ck_assert_uint_eq(r.h, 400);
}
END_TEST

START_TEST(test_damage_unionsRectangles)
{
	struct rect r;

	surface_take_damage(&s, &r);
	surface_damage(&s, 10, 20, 5, 5);
	surface_damage(&s, 100, 2, 10, 1);
	ck_assert(surface_take_damage(&s, &r));
	ck_assert_uint_eq(r.x, 10);
	ck_assert_uint_eq(r.y, 2);
	ck_assert_uint_eq(r.w, 100);
	ck_assert_uint_eq(r.h, 23);
}
END_TEST

START_TEST(test_damage_clipsToSurfaceAndIgnoresOutside)
{
	struct rect r;

	surface_take_damage(&s, &r);
	surface_damage(&s, 640, 0, 10, 10);
	surface_damage(&s, 0, 480, 10, 10);
	surface_damage(&s, 5, 5, 0, 10);
	ck_assert(!surface_take_damage(&s, &r));
	surface_damage(&s, 630, 470, UINT32_MAX, UINT32_MAX);
	ck_assert(surface_take_damage(&s, &r));
	ck_assert_uint_eq(r.x, 630);
	ck_assert_uint_eq(r.w, 10);
	ck_assert_uint_eq(r.h, 10);
}
END_TEST

START_TEST(test_rectUnion_emptyIsIdentity)
{
	struct rect a = {3, 4, 5, 6}, e = {100, 100, 0, 7};
	struct rect u = rect_union(e, a);

	ck_assert_uint_eq(u.x, 3);
	ck_assert_uint_eq(u.h, 6);
	u = rect_union(a, e);
	ck_assert_uint_eq(u.w, 5);
}
END_TEST

/* The pointer: a torn header (odd seq) or a hot spot outside the image is
 * refused by readers; drawing blends by alpha and clips at every edge. */
START_TEST(test_cursor_readerChecksAndDrawClips)
{
	static uint32_t image[SURFACE_CURSOR_SIZE * SURFACE_CURSOR_SIZE];
	static uint32_t px[8 * 8];
	struct surface_cursor *c = malloc(sizeof *c), *got = malloc(sizeof *got);

	image[0] = 0xFFFF0000;			 /* opaque red at (0,0) */
	image[1] = 0x80FFFFFF;			 /* half white at (1,0) */
	image[SURFACE_CURSOR_SIZE] = 0x00FFFFFF; /* transparent at (0,1) */
	surface_set_cursor(&s, true, 3, 2, image, 1, 0);
	ck_assert(s.cursor_dirty);
	ck_assert(surface_read_cursor(s.cursor, got));
	ck_assert(got->visible);
	for (unsigned i = 0; i < 64; i++)
		px[i] = 0x000000FF;
	surface_draw_cursor(px, 8, 8, 32, got);
	ck_assert_uint_eq(px[2 * 8 + 2], 0xFF0000); /* hot spot (1,0) at (3,2) */
	ck_assert_uint_eq(px[2 * 8 + 3], 0x8080FF); /* 50% white over blue */
	ck_assert_uint_eq(px[3 * 8 + 2], 0x0000FF); /* transparent */
	/* Partly off every edge: no write outside px (ASan would see one). */
	got->x = -2;
	got->y = 7;
	surface_draw_cursor(px, 8, 8, 32, got);
	got->x = 7;
	got->y = -63;
	surface_draw_cursor(px, 8, 8, 32, got);
	got->x = 1000000;
	surface_draw_cursor(px, 8, 8, 32, got);

	memcpy(c, s.cursor, sizeof *c);
	c->seq |= 1; /* a writer that never finishes */
	ck_assert(!surface_read_cursor(c, got));
	ck_assert(!got->visible);
	c->seq++;
	c->hot_x = SURFACE_CURSOR_SIZE;
	ck_assert(!surface_read_cursor(c, got));
	ck_assert(!got->visible);
	c->hot_x = 0;
	ck_assert(surface_read_cursor(c, got));
	free(c);
	free(got);
}
END_TEST

START_TEST(test_memfd_isSharedWithASecondMapping)
{
	uint32_t *view = mmap(NULL, SURFACE_BYTES, PROT_READ, MAP_SHARED, s.fd, 0);

	ck_assert_ptr_ne(view, MAP_FAILED);
	s.pixels[641] = 0x00abcdef;
	ck_assert_uint_eq(view[641], 0x00abcdef);
	munmap(view, SURFACE_BYTES);
}
END_TEST

static Suite *surface_suite(void)
{
	Suite *su = suite_create("surface");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_startsAt640x480FullyDamaged);
	tcase_add_test(tc, test_resize_refusesZeroAndOversize);
	tcase_add_test(tc, test_resize_clearsPixelsAndDamagesAll);
	tcase_add_test(tc, test_damage_unionsRectangles);
	tcase_add_test(tc, test_damage_clipsToSurfaceAndIgnoresOutside);
	tcase_add_test(tc, test_rectUnion_emptyIsIdentity);
	tcase_add_test(tc, test_cursor_readerChecksAndDrawClips);
	tcase_add_test(tc, test_memfd_isSharedWithASecondMapping);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return unit_run(surface_suite());
}
