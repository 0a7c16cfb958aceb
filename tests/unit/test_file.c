/* hv/core/file.c: whole-file reads with errors that name the file; whole
 * writes and vectored transfers that retry and report where they
 * failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
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

START_TEST(test_pwrite_all_writes_at_offset)
{
	uint8_t big[200000], back[sizeof big];
	int fd;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	temp_file("", 0);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(file_pwrite_all(fd, big, sizeof big, 4096, NULL), 0);
	ck_assert_int_eq(pread(fd, back, sizeof back, 4096), (ssize_t)sizeof back);
	ck_assert_mem_eq(back, big, sizeof big);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 4096 + (off_t)sizeof big);
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_write_all_through_a_pipe)
{
	static uint8_t big[300000]; /* more than a pipe holds: short writes */
	uint8_t got[4096];
	size_t total = 0;
	int p[2];
	pid_t pid;

	memset(big, 0x5a, sizeof big);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(file_write_all(p[1], big, sizeof big) == 0 ? 0 : 1);
	}
	close(p[1]);
	for (ssize_t n; (n = read(p[0], got, sizeof got)) > 0;) {
		for (ssize_t i = 0; i < n; i++)
			ck_assert_uint_eq(got[i], 0x5a);
		total += (size_t)n;
	}
	close(p[0]);
	ck_assert_uint_eq(total, sizeof big);
}
END_TEST

START_TEST(test_write_errors_say_where)
{
	uint64_t at = 0;
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_int_eq(file_write_all(fd, "x", 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);

	temp_file("abc", 3);
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(file_pwrite_all(fd, "x", 1, 12345, &at), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_uint_eq(at, 12345);
	close(fd);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(file_pwrite_all(fd, "xy", 2, (uint64_t)INT64_MAX - 1, &at), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_eq(file_pwrite_all(fd, "x", 1, UINT64_MAX, &at), -1);
	ck_assert_int_eq(errno, EFBIG);
	close(fd);
	unlink(path);
}
END_TEST

/* Vectors with empty buffers first, amid and last (a transfer of only
 * empty buffers would read as no progress): written at an offset, read
 * back through another split. */
START_TEST(test_transfer_v_round_trip_with_empty_buffers)
{
	static uint8_t a[5000], b[3], x[4001], y[1002];
	struct iovec out[] = {{a, 0}, {a, sizeof a}, {b, 0}, {b, sizeof b}, {a, 0}};
	struct iovec in[] = {{x, 0}, {x, sizeof x}, {y, sizeof y}, {y, 0}};
	int fd;

	for (size_t i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)(i * 13 + 1);
	memcpy(b, "xyz", 3);
	temp_file("", 0);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(file_transfer_v(fd, out, 5, 100, true, NULL), 0);
	ck_assert_int_eq(file_transfer_v(fd, in, 4, 100, false, NULL), 0);
	ck_assert_mem_eq(x, a, sizeof x);
	ck_assert_mem_eq(y, a + sizeof x, sizeof a - sizeof x);
	ck_assert_mem_eq(y + sizeof a - sizeof x, "xyz", 3);
	ck_assert_int_eq(file_transfer_v(fd, out, 1, 100, true, NULL), 0); /* nothing */
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 100 + 5003);
	close(fd);
	unlink(path);
}
END_TEST

/* A write cut short by the file size limit: the bytes up to the limit
 * written, then the error at the limit (in a child, SIGXFSZ ignored). */
static int write_past_limit(int fd)
{
	static uint8_t buf[3][4096];
	struct iovec v[] = {{buf[0], 4096}, {buf[1], 4096}, {buf[2], 4096}};
	struct rlimit r = {8192, 8192};
	uint64_t at = 0;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &r) < 0)
		return 2;
	if (file_transfer_v(fd, v, 3, 0, true, &at) != -1 || errno != EFBIG)
		return 3;
	return at == 8192 && lseek(fd, 0, SEEK_END) == 8192 ? 0 : 4;
}

START_TEST(test_transfer_v_errors_say_where)
{
	uint8_t buf[10];
	struct iovec v = {buf, sizeof buf};
	uint64_t at = 0;
	int fd, status;
	pid_t pid;

	temp_file("abc", 3);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(file_transfer_v(fd, &v, 1, 0, false, &at), -1);
	ck_assert_int_eq(errno, ENODATA); /* the end of the file after 3 bytes */
	ck_assert_uint_eq(at, 3);
	ck_assert_int_eq(file_transfer_v(fd, &v, IOV_MAX + 1, 0, true, &at), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(file_transfer_v(fd, &v, -1, 0, false, &at), -1);
	ck_assert_int_eq(file_transfer_v(fd, &v, 1, UINT64_MAX, true, &at), -1);
	ck_assert_uint_eq(at, UINT64_MAX);
	pid = fork();
	if (pid == 0)
		_exit(write_past_limit(fd));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	close(fd);
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(file_transfer_v(fd, &v, 1, 7, true, &at), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_uint_eq(at, 7);
	close(fd);
	unlink(path);
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
	t = tcase_create("write");
	tcase_add_test(t, test_pwrite_all_writes_at_offset);
	tcase_add_test(t, test_write_all_through_a_pipe);
	tcase_add_test(t, test_write_errors_say_where);
	tcase_add_test(t, test_transfer_v_round_trip_with_empty_buffers);
	tcase_add_test(t, test_transfer_v_errors_say_where);
	suite_add_tcase(s, t);
	return unit_run(s);
}
