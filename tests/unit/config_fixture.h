/* The config suites' fixture (test_config*.c): each test runs in a fresh
 * temporary directory that is also the working directory, so files are
 * named as "dos.cfg", with HV_SEABIOS unset. */
#ifndef HV_TEST_CONFIG_FIXTURE_H
#define HV_TEST_CONFIG_FIXTURE_H

#include <check.h>
#include <limits.h>
#include <stddef.h>

#include "hv/config/config.h"

extern char cwd[PATH_MAX]; /* the test directory as getcwd spells it */
extern struct domain_config cfg;
extern char err[1024];

/* Adds the fixture to the test case (checked: per test). */
void config_fixture(TCase *tc);

/* Writes len bytes to the file name in the test directory. */
void write_bytes(const char *name, const char *bytes, size_t len);
void write_text(const char *name, const char *text);

/* Writes text as the file name and loads it into cfg (err set on -1). */
int load_file(const char *name, const char *text);

/* A path under the test directory, as the parser should make it. */
const char *in_dir(const char *rel);

/* Loading text with the suite's own load() fails with exactly msg. */
#define ck_load_error(text, msg)                                                                   \
	do {                                                                                       \
		ck_assert_int_eq(load(text), -1);                                                  \
		ck_assert_str_eq(err, msg);                                                        \
	} while (0)

#endif
