/* Guest RAM's mapping for huge pages (hv/core/ram_pages.h): the page size
 * read from a shmem_enabled file's text, the log line that says it, and
 * the aligned, shared mapping of a memfd. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/ram_pages.h"

#include "unit.h"

#define MIB (1024ull * 1024)

/* The kernel's texts, one per selected mode. */
START_TEST(test_policy_huge_for_the_modes_that_give_madvised_shmem_huge_pages)
{
	static const char *const huge[][2] = {
	    {"[always] within_size advise never deny force\n", "always"},
	    {"always [within_size] advise never deny force\n", "within_size"},
	    {"always within_size [advise] never deny force\n", "advise"},
	    {"always within_size advise never deny [force]\n", "force"},
	};

	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		struct ram_pages_policy p = ram_pages_policy_of(huge[i][0]);

		ck_assert_str_eq(p.mode, huge[i][1]);
		ck_assert_uint_eq(p.page_size, RAM_PAGES_HUGE);
	}
}
END_TEST

START_TEST(test_policy_small_for_never_deny_and_unreadable_texts)
{
	struct ram_pages_policy p =
	    ram_pages_policy_of("always within_size advise [never] deny force\n");

	ck_assert_str_eq(p.mode, "never");
	ck_assert_uint_eq(p.page_size, RAM_PAGES_SMALL);
	p = ram_pages_policy_of("always within_size advise never [deny] force");
	ck_assert_str_eq(p.mode, "deny");
	ck_assert_uint_eq(p.page_size, RAM_PAGES_SMALL);
	/* No file, no selection, an empty or overlong one: nothing known. */
	static const char *const unknown[] = {"always advise never", "[]", "[advise",
					      "[a-mode-name-too-long-to-be-one] never", ""};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		p = ram_pages_policy_of(unknown[i]);
		ck_assert_str_eq(p.mode, "");
		ck_assert_uint_eq(p.page_size, RAM_PAGES_SMALL);
	}
	p = ram_pages_policy_of(NULL);
	ck_assert_uint_eq(p.page_size, RAM_PAGES_SMALL);
}
END_TEST

/* A fake shmem_enabled in a file, as the domain reads the real one. */
static struct ram_pages_policy policy_from_file(const char *text)
{
	char path[] = "/tmp/hv-test-shmem-XXXXXX";
	int fd = mkstemp(path);
	struct ram_pages_policy p;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	p = ram_pages_policy_read(path);
	unlink(path);
	return p;
}

START_TEST(test_describe_says_the_page_size_and_how_to_get_huge_pages)
{
	struct ram_pages_policy p =
	    policy_from_file("always within_size [advise] never deny force\n");
	char line[256];

	ram_pages_describe(&p, line, sizeof line);
	ck_assert_str_eq(line, "guest RAM in 2 MiB pages (shmem_enabled advise)");
	p = policy_from_file("always within_size advise [never] deny force\n");
	ram_pages_describe(&p, line, sizeof line);
	ck_assert_ptr_nonnull(
	    strstr(line, "guest RAM in 4 KiB pages: shmem huge pages are \"never\""));
	ck_assert_ptr_nonnull(strstr(line, "'echo advise > " RAM_PAGES_SHMEM_KNOB "'"));
	p = ram_pages_policy_read("/nonexistent/shmem_enabled");
	ram_pages_describe(&p, line, sizeof line);
	ck_assert_ptr_nonnull(strstr(line, "guest RAM in 4 KiB pages: no "));
}
END_TEST

/* Several sizes in a row, so that some land off the alignment mmap
 * gives; the mapping is the file's (shared both ways) and what lay
 * around it in the reservation is given back. */
START_TEST(test_map_is_aligned_shared_and_trimmed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t size = 3 * MIB + (uint64_t)i * 4096;
		int fd = memfd_create("t", MFD_CLOEXEC);
		uint8_t *p, b = 0;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
		p = ram_pages_map(fd, size);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % RAM_PAGES_HUGE, 0);
		p[size - 1] = 0x5a;
		ck_assert_int_eq(pread(fd, &b, 1, (off_t)size - 1), 1);
		ck_assert_uint_eq(b, 0x5a);
		b = 0xc3;
		ck_assert_int_eq(pwrite(fd, &b, 1, 0), 1);
		ck_assert_uint_eq(p[0], 0xc3);
		/* msync fails with ENOMEM on an unmapped page: the pages on
		 * either side of the mapping are free again. */
		ck_assert_int_eq(msync(p + size, 4096, MS_ASYNC), -1);
		if ((uintptr_t)p > RAM_PAGES_HUGE)
			ck_assert_int_eq(msync(p - 4096, 4096, MS_ASYNC), -1);
		ck_assert_int_eq(munmap(p, size), 0);
		close(fd);
	}
}
END_TEST

START_TEST(test_map_refuses_zero_and_overflowing_sizes)
{
	ck_assert_ptr_null(ram_pages_map(-1, 0));
	ck_assert_ptr_null(ram_pages_map(-1, SIZE_MAX));
	ck_assert_ptr_null(ram_pages_map(-1, 4096)); /* no file */
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_policy_huge_for_the_modes_that_give_madvised_shmem_huge_pages,
	    test_policy_small_for_never_deny_and_unreadable_texts,
	    test_describe_says_the_page_size_and_how_to_get_huge_pages,
	    test_map_is_aligned_shared_and_trimmed,
	    test_map_refuses_zero_and_overflowing_sizes,
	};

	return unit_run(
	    unit_suite("ram_pages", "ram_pages", NULL, NULL, tests, UNIT_COUNT(tests), NULL, 0));
}
