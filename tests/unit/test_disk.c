/* disk: opening raw images, the lock between domains (two open file
 * descriptions in one process, and a second process), read-only images
 * refusing writes, bounds, and errors that name the file. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/block/disk.h"

#include "unit.h"

static char path[64];
static char err[512];

static void setup(void)
{
	int fd;

	strcpy(path, "/tmp/hv-test-disk-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 64 * 512), 0);
	close(fd);
	err[0] = '\0';
}

static void teardown(void)
{
	unlink(path);
}

START_TEST(missing_file_names_it)
{
	ck_assert_ptr_null(disk_open("/nonexistent/hv.img", false, err, sizeof err));
	ck_assert_str_eq(err, "/nonexistent/hv.img: No such file or directory");
	ck_assert_ptr_null(disk_open("/tmp", true, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/tmp: "));
}
END_TEST

START_TEST(read_write_round_trip_and_bounds)
{
	struct disk *d = disk_open(path, false, err, sizeof err);
	uint8_t in[512], out[512];

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_uint_eq(d->size, 64 * 512);
	memset(out, 0xA5, sizeof out);
	ck_assert_int_eq(disk_write(d, 63 * 512, out, 512), 0);
	ck_assert_int_eq(disk_flush(d), 0);
	ck_assert_int_eq(disk_read(d, 63 * 512, in, 512), 0);
	ck_assert_mem_eq(in, out, 512);
	/* never past the end: the image does not grow */
	ck_assert_int_eq(disk_write(d, 63 * 512 + 1, out, 512), -1);
	ck_assert_int_eq(disk_write(d, UINT64_MAX - 10, out, 512), -1);
	ck_assert_int_eq(disk_read(d, 64 * 512, in, 1), -1);
	disk_close(d);
	d = disk_open(path, true, err, sizeof err);
	ck_assert_uint_eq(d->size, 64 * 512);
	disk_close(d);
}
END_TEST

/* What hv top's DSK rates count: bytes of transfers that succeeded,
 * plain and scatter-gather; refused ones count nothing. */
START_TEST(byte_counters_count_what_was_transferred)
{
	struct disk *d = disk_open(path, false, err, sizeof err);
	uint8_t a[512] = {1}, b[1024] = {2};
	struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
	uint64_t rd, wr;

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(disk_write(d, 0, a, sizeof a), 0);
	ck_assert_int_eq(disk_writev(d, 512, iov, 2), 0);
	ck_assert_int_eq(disk_read(d, 0, b, sizeof b), 0);
	ck_assert_int_eq(disk_readv(d, 1024, iov, 2), 0);
	ck_assert_int_eq(disk_write(d, 64 * 512, a, 1), -1);
	ck_assert_int_eq(disk_readv(d, 63 * 512, iov, 2), -1);
	disk_bytes(d, &rd, &wr);
	ck_assert_uint_eq(rd, 1024 + 1536);
	ck_assert_uint_eq(wr, 512 + 1536);
	disk_close(d);
}
END_TEST

START_TEST(read_only_refuses_writes)
{
	struct disk *d = disk_open(path, true, err, sizeof err);
	uint8_t b[512] = {1}, in[512];

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(disk_write(d, 0, b, sizeof b), -1);
	ck_assert_int_eq(disk_read(d, 0, in, sizeof in), 0);
	ck_assert_uint_eq(in[0], 0);
	disk_close(d);
}
END_TEST

/* An image from a passed descriptor (hv cd-insert): read through, locked
 * like a path's, and a pipe or a read-only descriptor asked to write are
 * refused (each descriptor is taken, so nothing leaks). */
START_TEST(open_fd_reads_locks_and_refuses_what_is_not_an_image)
{
	int fd = open(path, O_RDWR), fds[2];
	struct disk *d, *w;
	char buf[4] = "abc", back[4] = "";

	ck_assert_int_eq(pwrite(fd, buf, 4, 512), 4);
	d = disk_open_fd(fd, "passed.iso", true, err, sizeof err);
	ck_assert_msg(d, "%s", err);
	ck_assert_uint_eq(d->size, 64 * 512);
	ck_assert_int_eq(disk_read(d, 512, back, 4), 0);
	ck_assert_str_eq(back, "abc");
	ck_assert_int_lt(disk_write(d, 0, buf, 4), 0);
	w = disk_open(path, false, err, sizeof err); /* a writer waits for the reader */
	ck_assert_ptr_null(w);
	disk_close(d);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[1]);
	ck_assert_ptr_null(disk_open_fd(fds[0], "pipe", true, err, sizeof err));
	ck_assert_msg(strstr(err, "pipe: "), "%s", err);
	ck_assert_int_lt(fcntl(fds[0], F_GETFD), 0); /* taken and closed */
	fd = open(path, O_RDONLY);
	ck_assert_ptr_null(disk_open_fd(fd, "ro", false, err, sizeof err));
	ck_assert_msg(strstr(err, "not opened for writing"), "%s", err);
	ck_assert_int_lt(fcntl(fd, F_GETFD), 0);
}
END_TEST

START_TEST(two_writers_conflict)
{
	struct disk *a = disk_open(path, false, err, sizeof err);
	struct disk *b, *r1, *r2;
	char want[128];

	ck_assert_ptr_nonnull(a);
	snprintf(want, sizeof want, "%s: in use by another domain", path);
	ck_assert_ptr_null(disk_open(path, false, err, sizeof err));
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(disk_open(path, true, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "in use by another domain"));
	disk_close(a);
	/* readers share; a writer must wait for all of them */
	r1 = disk_open(path, true, err, sizeof err);
	r2 = disk_open(path, true, err, sizeof err);
	ck_assert_ptr_nonnull(r1);
	ck_assert_ptr_nonnull(r2);
	ck_assert_ptr_null(disk_open(path, false, err, sizeof err));
	disk_close(r1);
	disk_close(r2);
	b = disk_open(path, false, err, sizeof err);
	ck_assert_ptr_nonnull(b);
	disk_close(b);
}
END_TEST

START_TEST(lock_holds_across_processes)
{
	int ready[2], done[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct disk *d = disk_open(path, false, err, sizeof err);

		if (write(ready[1], d ? "y" : "n", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(2);
		_exit(d ? 0 : 1);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	ck_assert_ptr_null(disk_open(path, false, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "in use by another domain"));
	ck_assert_int_eq(write(done[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	/* the lock went with the process */
	struct disk *d = disk_open(path, false, err, sizeof err);
	ck_assert_msg(d != NULL, "%s", err);
	disk_close(d);
	close(ready[0]), close(ready[1]), close(done[0]), close(done[1]);
}
END_TEST

static Suite *disk_suite(void)
{
	Suite *s = suite_create("disk");
	TCase *t = tcase_create("disk");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, missing_file_names_it);
	tcase_add_test(t, read_write_round_trip_and_bounds);
	tcase_add_test(t, byte_counters_count_what_was_transferred);
	tcase_add_test(t, read_only_refuses_writes);
	tcase_add_test(t, two_writers_conflict);
	tcase_add_test(t, open_fd_reads_locks_and_refuses_what_is_not_an_image);
	tcase_add_test(t, lock_holds_across_processes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(disk_suite());
}
