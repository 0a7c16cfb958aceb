/* Where hv finds its assets (hv/core/datadir.c): a fake install tree in a
 * temporary directory, the build's own binary, $HV_DATA_DIR. */
#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/datadir.h"
#include "unit.h"

static char base[PATH_MAX];

static void make_base(void)
{
	snprintf(base, sizeof base, "/tmp/hv-datadir-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
}

static void remove_base(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static void mkdirs(const char *path)
{
	char cmd[PATH_MAX + 16];

	ck_assert_uint_lt((size_t)snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path), sizeof cmd);
	ck_assert_int_eq(system(cmd), 0);
}

/* PREFIX/bin/hv and, with `data`, the data directory where the install
 * puts it relative to the binary (HV_DATADIR_REL), holding programs/. */
static void fake_install(const char *prefix, bool data, char exe[PATH_MAX])
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/bin", base, prefix);
	mkdirs(path);
	snprintf(exe, PATH_MAX, "%.*s/%s/bin/hv", PATH_MAX / 2, base, prefix);
	f = fopen(exe, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	if (data) {
		snprintf(path, sizeof path, "%s/%s/bin/%s/programs", base, prefix, HV_DATADIR_REL);
		mkdirs(path);
	}
}

START_TEST(test_an_installed_binary_finds_the_data_beside_its_prefix)
{
	char exe[PATH_MAX], want[PATH_MAX], rel[PATH_MAX * 2];
	struct datadir d;

	make_base();
	fake_install("stage/usr", true, exe);
	snprintf(rel, sizeof rel, "%s/stage/usr/bin/%s", base, HV_DATADIR_REL);
	ck_assert_ptr_nonnull(realpath(rel, want));
	datadir_resolve(exe, NULL, &d);
	ck_assert_int_eq(d.kind, DATADIR_INSTALLED);
	ck_assert_str_eq(d.assets, want);
	ck_assert_str_eq(d.programs, strcat(want, "/programs"));
	remove_base();
}
END_TEST

START_TEST(test_a_binary_with_no_data_beside_it_falls_back_to_the_source_tree)
{
	char exe[PATH_MAX];
	struct datadir d;

	make_base();
	fake_install("bare", false, exe);
	datadir_resolve(exe, "", &d);
	/* Unless this machine has hv installed at the configured prefix. */
	if (d.kind == DATADIR_INSTALLED) {
		ck_assert_str_eq(d.assets, HV_INSTALL_DATADIR);
	} else {
		ck_assert_int_eq(d.kind, DATADIR_SOURCE);
		ck_assert_str_eq(d.assets, HV_ASSET_DIR);
		ck_assert_str_eq(d.programs, HV_BUILD_GUEST_DIR);
	}
	/* A data directory without programs/ is not an install. */
	mkdirs(strcat(base, "/bare/share/hv/guests"));
	datadir_resolve(exe, NULL, &d);
	ck_assert_int_ne(d.kind, DATADIR_ENV);
	ck_assert_ptr_null(strstr(d.assets, "/bare/"));
	*strstr(base, "/bare/") = '\0';
	remove_base();
}
END_TEST

START_TEST(test_the_builds_own_binary_reads_the_source_tree)
{
	char exe[PATH_MAX];
	struct datadir d;

	snprintf(exe, sizeof exe, "%s/hv", HV_BUILD_DIR);
	datadir_resolve(exe, NULL, &d);
	ck_assert_int_eq(d.kind, DATADIR_SOURCE);
	ck_assert_str_eq(d.assets, HV_ASSET_DIR);
	ck_assert_str_eq(d.programs, HV_BUILD_GUEST_DIR);
	/* This suite is the build's too. */
	ck_assert_int_eq(datadir_get()->kind, getenv("HV_DATA_DIR") ? DATADIR_ENV : DATADIR_SOURCE);
}
END_TEST

START_TEST(test_hv_data_dir_overrides_everything)
{
	char exe[PATH_MAX];
	struct datadir d;

	make_base();
	fake_install("stage/usr", true, exe);
	datadir_resolve(exe, "/opt/hvdata", &d);
	ck_assert_int_eq(d.kind, DATADIR_ENV);
	ck_assert_str_eq(d.assets, "/opt/hvdata");
	ck_assert_str_eq(d.programs, "/opt/hvdata/programs");
	snprintf(exe, sizeof exe, "%s/hv", HV_BUILD_DIR);
	datadir_resolve(exe, "/opt/hvdata", &d);
	ck_assert_int_eq(d.kind, DATADIR_ENV);
	ck_assert_str_eq(datadir_kind_name(d.kind), "HV_DATA_DIR");
	remove_base();
}
END_TEST

START_TEST(test_no_binary_path_or_a_relative_one_is_no_crash)
{
	struct datadir d;

	datadir_resolve(NULL, NULL, &d);
	ck_assert_int_ne(d.kind, DATADIR_ENV);
	datadir_resolve("hv", NULL, &d);
	ck_assert_int_ne(d.kind, DATADIR_ENV);
	datadir_resolve("/", NULL, &d);
	ck_assert_int_ne(d.kind, DATADIR_ENV);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("datadir");
	TCase *tc = tcase_create("datadir");

	tcase_add_test(tc, test_an_installed_binary_finds_the_data_beside_its_prefix);
	tcase_add_test(tc, test_a_binary_with_no_data_beside_it_falls_back_to_the_source_tree);
	tcase_add_test(tc, test_the_builds_own_binary_reads_the_source_tree);
	tcase_add_test(tc, test_hv_data_dir_overrides_everything);
	tcase_add_test(tc, test_no_binary_path_or_a_relative_one_is_no_crash);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
