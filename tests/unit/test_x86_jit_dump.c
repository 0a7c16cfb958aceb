/* HV_JIT_DUMP=DIR (hv/x86/jit_dump.c): each translation's hot and cold
 * bytes written to DIR/GPA.hot and DIR/GPA.cold, the bytes of the code
 * buffer; nothing without the variable. Real mode at 0000:7C00 (bytes
 * from nasm, bits 16). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/x86/jit.h"
#include "unit.h"
#include "x86_fixture.h"

/* A loop of 100 turns on registers, in one block at 7C03h. */
static const uint8_t loop[] = {
    0xb9, 0x64, 0x00, /* mov cx, 100 */
    0x66, 0x40,	      /* a: inc eax */
    0xe2, 0xfc,	      /* loop a */
    0xf4,	      /* hlt */
};

/* The size of dir/name, or -1 when there is none. */
static long size_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void run_loop(void)
{
	cpu->jit->threshold = 1;
	x86f_load(loop, sizeof loop, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
}

START_TEST(test_dump_writes_hot_and_cold_bytes)
{
	char dir[] = "/tmp/hv-jit-dump-XXXXXX";
	char path[256];
	const uint8_t *code;
	uint8_t bytes[64];
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	x86f_teardown(); /* (the JIT reads the variable as it starts) */
	setenv("HV_JIT_DUMP", dir, 1);
	x86f_setup(1u << 20);
	unsetenv("HV_JIT_DUMP");
	ck_assert_ptr_nonnull(cpu->jit);
	run_loop();
	ck_assert_int_gt(size_of(dir, "7c03.hot"), 0);
	ck_assert_int_gt(size_of(dir, "7c03.cold"), 0);
	/* the cold bytes start with the C entry */
	snprintf(path, sizeof path, "%s/7c03.cold", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(bytes, 1, sizeof bytes, f);
	fclose(f);
	code = (const uint8_t *)(uintptr_t)block_of(0x7c03)->code;
	ck_assert_uint_gt(n, 8);
	ck_assert_int_eq(memcmp(bytes, code, n), 0);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

START_TEST(test_no_dump_without_the_variable)
{
	char dir[] = "/tmp/hv-jit-dump-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	run_loop();
	ck_assert_int_eq(size_of(dir, "7c03.hot"), -1);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static void setup(void)
{
	unsetenv("HV_JIT");
	unsetenv("HV_JIT_DUMP");
	x86f_setup(1u << 20);
	ck_assert_ptr_nonnull(cpu->jit);
}

int main(void)
{
	const TTest *const tests[] = {
	    test_dump_writes_hot_and_cold_bytes,
	    test_no_dump_without_the_variable,
	};

	return unit_run(unit_suite("x86_jit_dump", "dump", setup, x86f_teardown, tests,
				   UNIT_COUNT(tests), NULL, 0));
}
