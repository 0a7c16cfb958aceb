/* hv/core/file.c: whole-file reads with errors that name the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/file.h"
#include "unit.h"

static char err[512];
static char path[64];

static const char *temp_file(const void *bytes, size_t len)
{
	int fd;

	strcpy(path, "/tmp/hv-test-file-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

START_TEST(test_reads_whole_file)
{
	uint8_t bytes[3000];
	size_t size = 0;
	uint8_t *buf;

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 7 + 1);
	buf = file_read("thing", temp_file(bytes, sizeof bytes), 4096, &size, err, sizeof err);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(size, sizeof bytes);
	ck_assert_mem_eq(buf, bytes, sizeof bytes);
	free(buf);
	unlink(path);
}
END_TEST

START_TEST(test_empty_file_is_zero_bytes_not_an_error)
{
	size_t size = 99;
	uint8_t *buf = file_read("thing", temp_file("", 0), 16, &size, err, sizeof err);

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(size, 0);
	free(buf);
	unlink(path);
}
END_TEST

START_TEST(test_errors_name_what_and_where)
{
	char want[600];
	size_t size = 0;

	ck_assert_ptr_null(file_read("ROM", "/nonexistent/x", 16, &size, err, sizeof err));
	ck_assert_str_eq(err, "ROM /nonexistent/x: No such file or directory");
	ck_assert_ptr_null(file_read("ROM", "/tmp", 16, &size, err, sizeof err));
	ck_assert_str_eq(err, "ROM /tmp: not a regular file");

	temp_file("0123456789", 10);
	ck_assert_ptr_null(file_read("ROM", path, 9, &size, err, sizeof err));
	snprintf(want, sizeof want, "ROM %s: 10 bytes is too big (the limit is 9 bytes)", path);
	ck_assert_str_eq(err, want);
	free(file_read("ROM", path, 10, &size, err, sizeof err));
	ck_assert_uint_eq(size, 10);
	unlink(path);
}
END_TEST

START_TEST(test_limit_in_mib_for_big_limits)
{
	char want[600];
	size_t size = 0;
	uint8_t *big = calloc(1, (1u << 20) + 1);

	temp_file(big, (1u << 20) + 1);
	ck_assert_ptr_null(file_read("kernel", path, 1u << 20, &size, err, sizeof err));
	snprintf(want, sizeof want, "kernel %s: 1048577 bytes is too big (the limit is 1 MiB)",
		 path);
	ck_assert_str_eq(err, want);
	unlink(path);
	free(big);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("file");
	TCase *t = tcase_create("read");

	tcase_add_test(t, test_reads_whole_file);
	tcase_add_test(t, test_empty_file_is_zero_bytes_not_an_error);
	tcase_add_test(t, test_errors_name_what_and_where);
	tcase_add_test(t, test_limit_in_mib_for_big_limits);
	suite_add_tcase(s, t);
	return unit_run(s);
}
