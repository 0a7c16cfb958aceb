/* Huge-page tables (hv/core/bigmem.h): size rounding, alignment, zeroed
 * and writable memory. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "hv/core/bigmem.h"

#include "unit.h"

START_TEST(test_size_rounds_up_to_whole_huge_pages)
{
	ck_assert_uint_eq(bigmem_size(1), BIGMEM_ALIGN);
	ck_assert_uint_eq(bigmem_size(BIGMEM_ALIGN), BIGMEM_ALIGN);
	ck_assert_uint_eq(bigmem_size(BIGMEM_ALIGN + 1), 2 * BIGMEM_ALIGN);
	ck_assert_uint_eq(bigmem_size(3014656), 2 * BIGMEM_ALIGN);
}
END_TEST

START_TEST(test_size_refuses_zero_and_overflow)
{
	ck_assert_uint_eq(bigmem_size(0), 0);
	ck_assert_uint_eq(bigmem_size(SIZE_MAX), 0);
	ck_assert_uint_eq(bigmem_size(SIZE_MAX - BIGMEM_ALIGN), 0);
	ck_assert_ptr_null(bigmem_alloc(0));
	ck_assert_ptr_null(bigmem_alloc(SIZE_MAX));
}
END_TEST

START_TEST(test_alloc_is_aligned_zeroed_and_writable)
{
	/* Several in a row, so one lands off the alignment mmap gives. */
	for (int i = 0; i < 4; i++) {
		size_t n = 3000000 + (size_t)i * 4096;
		uint8_t *p = bigmem_alloc(n);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % BIGMEM_ALIGN, 0);
		ck_assert_uint_eq(p[0] | p[n / 2] | p[n - 1] | p[bigmem_size(n) - 1], 0);
		memset(p, 0xa5, n);
		ck_assert_uint_eq(p[n - 1], 0xa5);
		bigmem_free(p, n);
	}
	bigmem_free(NULL, 1);
}
END_TEST

static Suite *bigmem_suite(void)
{
	Suite *s = suite_create("bigmem");
	TCase *t = tcase_create("bigmem");

	tcase_add_test(t, test_size_rounds_up_to_whole_huge_pages);
	tcase_add_test(t, test_size_refuses_zero_and_overflow);
	tcase_add_test(t, test_alloc_is_aligned_zeroed_and_writable);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(bigmem_suite());
}
