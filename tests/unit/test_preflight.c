/* hv/domain/preflight.c: what a domain's files and RAM must be before
 * anything is opened for real. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/domain/preflight.h"
#include "unit.h"

static char dir[64];
static char path[PATH_MAX];
static char err[PATH_MAX + 256];

static const char *in_dir(const char *name)
{
	if (!dir[0]) {
		strcpy(dir, "/tmp/hv-test-preflight-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	dir[0] = '\0';
}

START_TEST(test_a_fifo_to_read_is_refused_without_waiting_for_a_writer)
{
	uint64_t size;

	ck_assert_int_eq(mkfifo(in_dir("f"), 0600), 0);
	ck_assert_int_eq(preflight_readable(path, false, &size, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a FIFO, not a regular file (refused)"));
	cleanup();
}
END_TEST

START_TEST(test_a_device_is_no_firmware_but_a_regular_file_is)
{
	uint64_t size = 0;
	FILE *f;

	ck_assert_int_eq(preflight_readable("/dev/zero", false, &size, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a character device"));
	f = fopen(in_dir("rom"), "w");
	fputs("1234", f);
	fclose(f);
	ck_assert_int_eq(preflight_readable(path, false, &size, err, sizeof err), 0);
	ck_assert_uint_eq(size, 4);
	cleanup();
}
END_TEST

START_TEST(test_a_file_to_append_to_may_be_missing_but_not_a_link_or_fifo)
{
	ck_assert_int_eq(preflight_writable(in_dir("new"), err, sizeof err), 0);
	ck_assert_int_eq(symlink("/etc/passwd", in_dir("link")), 0);
	ck_assert_int_eq(preflight_writable(path, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a symbolic link (refused)"));
	ck_assert_int_eq(mkfifo(in_dir("fifo"), 0600), 0);
	ck_assert_int_eq(preflight_writable(path, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a FIFO"));
	cleanup();
}
END_TEST

START_TEST(test_memory_beyond_the_host_is_refused)
{
	ck_assert_int_eq(preflight_memory(65536, 23ull << 30, err, sizeof err), -1);
	ck_assert_str_eq(err, "memory = 65536: more than the host's 23552 MiB of RAM");
	ck_assert_int_eq(preflight_memory(1024, 23ull << 30, err, sizeof err), 0);
}
END_TEST

START_TEST(test_disk_images_must_hold_whole_sectors)
{
	ck_assert_int_eq(preflight_disk_size(1, false, err, sizeof err), -1);
	ck_assert_int_eq(preflight_disk_size(1000, false, err, sizeof err), -1);
	ck_assert_str_eq(
	    err, "1000 bytes is not a hard disk image (a whole number of 512-byte sectors)");
	ck_assert_int_eq(preflight_disk_size(512, false, err, sizeof err), 0);
	ck_assert_int_eq(preflight_disk_size(1000, true, err, sizeof err), -1);
	ck_assert_int_eq(preflight_disk_size(2048, true, err, sizeof err), 0);
}
END_TEST

START_TEST(test_errors_name_the_config_line)
{
	struct domain_config cfg;

	config_defaults(&cfg);
	strcpy(cfg.file, "x.cfg");
	strcpy(cfg.name, "x");
	snprintf(cfg.firmware, sizeof cfg.firmware, "%s", in_dir("missing.rom"));
	cfg.line.firmware = 7;
	ck_assert_int_eq(preflight_check(&cfg, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "x.cfg:7: firmware "));
	ck_assert_ptr_nonnull(strstr(err, "missing.rom: No such file or directory"));
	cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("preflight");
	TCase *tc = tcase_create("preflight");

	tcase_add_test(tc, test_a_fifo_to_read_is_refused_without_waiting_for_a_writer);
	tcase_add_test(tc, test_a_device_is_no_firmware_but_a_regular_file_is);
	tcase_add_test(tc, test_a_file_to_append_to_may_be_missing_but_not_a_link_or_fifo);
	tcase_add_test(tc, test_memory_beyond_the_host_is_refused);
	tcase_add_test(tc, test_disk_images_must_hold_whole_sectors);
	tcase_add_test(tc, test_errors_name_the_config_line);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
