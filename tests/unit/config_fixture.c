#include "config_fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[PATH_MAX];
char cwd[PATH_MAX];
struct domain_config cfg;
char err[1024];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/hv-test-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	unsetenv("HV_SEABIOS");
	err[0] = '\0';
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	ck_assert_int_eq(chdir("/"), 0);
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("HV_SEABIOS");
}

void config_fixture(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
}

void write_bytes(const char *name, const char *bytes, size_t len)
{
	FILE *f = fopen(name, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void write_text(const char *name, const char *text)
{
	write_bytes(name, text, strlen(text));
}

int load_file(const char *name, const char *text)
{
	write_text(name, text);
	return config_load(name, &cfg, err, sizeof err);
}

const char *in_dir(const char *rel)
{
	static char path[PATH_MAX * 2];

	snprintf(path, sizeof path, "%s/%s", cwd, rel);
	return path;
}
