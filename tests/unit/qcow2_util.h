/* Helpers of the qcow2 suites: a scratch directory, shell commands
 * (qemu-img, qemu-io), files compared byte for byte. Header-only: each
 * suite is one executable. */
#ifndef HV_TEST_QCOW2_UTIL_H
#define HV_TEST_QCOW2_UTIL_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/block/disk.h"

#include "unit.h"

static char dir[64];
static char err[8192];

/* DIR/name */
static inline const char *at(const char *name)
{
	static char p[8][256];
	static unsigned k;

	k = (k + 1) % 8;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

/* Runs a shell command (in DIR, output discarded unless it fails);
 * returns its exit status. */
static inline int sh(const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd %s && (%s) >%s/out.log 2>&1", dir, cmd, dir);
	rc = system(full);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

/* Runs a command that must succeed, showing its output if it does not. */
static inline void must(const char *fmt, ...)
{
	char cmd[2048], log[1200] = "";
	va_list ap;
	FILE *f;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	rc = sh("%s", cmd);
	/* the end of the output: Check's messages are short */
	if (rc != 0 && (f = fopen(at("out.log"), "r"))) {
		fseek(f, -(long)(sizeof log - 1), SEEK_END);
		log[fread(log, 1, sizeof log - 1, f)] = '\0';
		fclose(f);
	}
	ck_assert_msg(rc == 0, "`%s` exited %d:\n%s", cmd, rc, log);
}

static inline uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n ? (size_t)n : 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* `qemu-img convert -O raw` of image equals want (len bytes). */
static inline void converts_to(const char *image, const uint8_t *want, size_t len)
{
	size_t n;
	uint8_t *got;

	must("qemu-img convert -O raw %s conv.raw", image);
	got = slurp(at("conv.raw"), &n);
	ck_assert_uint_eq(n, len);
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			ck_abort_msg("%s: byte %zu is 0x%02x, hv wrote 0x%02x", image, i, got[i],
				     want[i]);
	free(got);
}

static inline void make_dir(void)
{
	strcpy(dir, "/tmp/hv-qcow2-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	err[0] = '\0';
}

static inline void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* DIR/name opened as a writable qcow2 image (the test fails if not). */
static inline struct disk *open_rw(const char *name)
{
	struct disk *d = disk_open_format(at(name), DISK_FORMAT_QCOW2, false, err, sizeof err);

	ck_assert_msg(d != NULL, "%s", err);
	return d;
}

/* n bytes of the unit tests' random sequence from seed. */
static inline void fill(uint8_t *p, size_t n, uint32_t seed)
{
	unit_seed(seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)unit_rand();
}

#endif
