/* hv/core/capfile.c: files hv creates are never links, FIFOs or devices,
 * and never grow past their cap. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/capfile.h"
#include "unit.h"

static char dir[64];
static char path[PATH_MAX];
static char err[PATH_MAX + 128];

static void make_dir(void)
{
	strcpy(dir, "/tmp/hv-test-capfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f.log", dir);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static long long file_size(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? (long long)st.st_size : -1;
}

START_TEST(test_rotates_at_the_cap_keeping_one_old_part)
{
	struct capfile f;
	char old[PATH_MAX + 2], line[100];

	make_dir();
	ck_assert_int_eq(capfile_open(&f, path, 1000, true, true, err, sizeof err), 0);
	memset(line, 'x', sizeof line);
	for (int i = 0; i < 1000; i++)
		capfile_write(&f, line, sizeof line);
	snprintf(old, sizeof old, "%s.1", path);
	ck_assert_int_le(file_size(path), 1000);
	ck_assert_int_ge(file_size(path), 1);
	ck_assert_int_eq(file_size(old), 1000);
	ck_assert_uint_eq(f.dropped, 0);
	ck_assert_uint_ge(f.rotations, 99);
	capfile_close(&f);
	remove_dir();
}
END_TEST

START_TEST(test_without_rotation_drops_and_counts_past_the_cap)
{
	struct capfile f;
	char line[300];

	make_dir();
	ck_assert_int_eq(capfile_open(&f, path, 1000, false, false, err, sizeof err), 0);
	memset(line, 'y', sizeof line);
	for (int i = 0; i < 10; i++)
		capfile_write(&f, line, sizeof line);
	ck_assert_int_eq(file_size(path), 1000);
	ck_assert_uint_eq(f.dropped, 2000);
	capfile_close(&f);
	remove_dir();
}
END_TEST

START_TEST(test_a_symbolic_link_is_refused_and_its_target_untouched)
{
	struct capfile f;
	char target[PATH_MAX];
	FILE *t;

	make_dir();
	snprintf(target, sizeof target, "%s/victim", dir);
	t = fopen(target, "w");
	fputs("precious", t);
	fclose(t);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(capfile_open(&f, path, 0, true, true, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	ck_assert_int_eq(file_size(target), 8);
	remove_dir();
}
END_TEST

START_TEST(test_a_fifo_is_refused_without_blocking)
{
	struct capfile f;
	int reader;

	make_dir();
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* With no reader, opening for writing would fail; with one, it
	 * succeeds, and only the type check stops it. */
	reader = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(reader, 0);
	ck_assert_int_eq(capfile_open(&f, path, 0, false, false, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	close(reader);
	ck_assert_int_eq(capfile_open(&f, path, 0, false, false, err, sizeof err), -1);
	remove_dir();
}
END_TEST

START_TEST(test_created_with_mode_0640)
{
	struct capfile f;
	struct stat st;
	mode_t old = umask(0);

	make_dir();
	ck_assert_int_eq(capfile_open(&f, path, 0, true, true, err, sizeof err), 0);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	ck_assert_int_ne(fcntl(f.fd, F_GETFD) & FD_CLOEXEC, 0);
	capfile_close(&f);
	remove_dir();
}
END_TEST

/* A file opened in a directory by its descriptor stays in that directory
 * when the directory's path is taken over afterwards: renamed away and
 * replaced by a symbolic link to another directory, the file still grows
 * and rotates where it was checked, and nothing appears in the other. */
START_TEST(test_a_directory_swapped_after_the_check_does_not_redirect)
{
	struct capfile f;
	char moved[96], other[96], p[PATH_MAX + 8], line[100];
	int dirfd;

	make_dir();
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dirfd, 0);
	ck_assert_int_eq(capfile_open_at(&f, dirfd, path, 1000, true, true, err, sizeof err), 0);
	close(dirfd); /* the capfile keeps its own */
	snprintf(moved, sizeof moved, "%s.moved", dir);
	snprintf(other, sizeof other, "%s.other", dir);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	ck_assert_int_eq(rename(dir, moved), 0);
	ck_assert_int_eq(symlink(other, dir), 0);
	memset(line, 'x', sizeof line);
	for (int i = 0; i < 25; i++)
		capfile_write(&f, line, sizeof line);
	capfile_close(&f);
	ck_assert_uint_eq(f.rotations, 2);
	snprintf(p, sizeof p, "%s/f.log.1", moved);
	ck_assert_int_eq(file_size(p), 1000);
	snprintf(p, sizeof p, "%s/f.log", moved);
	ck_assert_int_eq(file_size(p), 500);
	snprintf(p, sizeof p, "%s/f.log", other);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof p, "%s/f.log.1", other);
	ck_assert_int_eq(file_size(p), -1);
	unlink(dir);
	snprintf(p, sizeof p, "rm -rf '%s' '%s'", moved, other);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capfile");
	TCase *tc = tcase_create("capfile");

	tcase_add_test(tc, test_rotates_at_the_cap_keeping_one_old_part);
	tcase_add_test(tc, test_without_rotation_drops_and_counts_past_the_cap);
	tcase_add_test(tc, test_a_symbolic_link_is_refused_and_its_target_untouched);
	tcase_add_test(tc, test_a_fifo_is_refused_without_blocking);
	tcase_add_test(tc, test_created_with_mode_0640);
	tcase_add_test(tc, test_a_directory_swapped_after_the_check_does_not_redirect);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
