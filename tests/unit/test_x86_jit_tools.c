/* The JIT's tooling (hv/x86/jit_stats.c, jit_perfmap.c): the counters
 * `hv list -l` shows (blocks, translation time, code in use, invalidations
 * by self-modifying code, flushes) and the perf map HV_JIT_PERFMAP=1
 * writes (a line per translation, started again when the code buffer is
 * emptied, capped, refusing a planted link). Code runs in real mode at
 * 0000:7C00 with SS:SP = 0000:7000 (bytes from nasm, bits 16). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/x86/cpu.h"
#include "hv/x86/jit_perfmap.h"
#include "unit.h"
#include "x86_fixture.h"

/* Five turns of a loop that writes into its own code page (7C09h, the
 * immediate of its ADD) on each turn. */
static const uint8_t smc_loop[] = {
    0x66, 0x31, 0xc0,	    /* xor eax, eax */
    0xb9, 0x05, 0x00,	    /* mov cx, 5 */
    0x66, 0x83, 0xc0, 0x01, /* a: add eax, 1 (its 01h at 7C09h) */
    0xfe, 0x06, 0x09, 0x7c, /* inc byte [7C09h] */
    0xe2, 0xf6,		    /* loop a */
    0xf4,		    /* hlt */
};

/* A loop of 1000 turns on registers, in one page. */
static const uint8_t hot_loop[] = {
    0x66, 0x31, 0xc0, /* xor eax, eax */
    0xb9, 0xe8, 0x03, /* mov cx, 1000 */
    0x66, 0x40,	      /* a: inc eax */
    0xe2, 0xfc,	      /* loop a */
    0xf4,	      /* hlt */
};

static void run(const uint8_t *code, size_t len)
{
	ck_assert_ptr_nonnull(cpu->jit);
	cpu->jit->threshold = 1;
	x86f_load(code, len, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
}

START_TEST(test_stats_count_translations_and_code)
{
	struct vcpu_stats st = {0};

	x86_cpu_jit_stats(cpu, &st);
	ck_assert(st.jit);
	ck_assert_uint_eq(st.jit_blocks, 0);
	ck_assert_uint_eq(st.jit_code_size, X86_JIT_BUF_SIZE);
	run(hot_loop, sizeof hot_loop);
	ck_assert_uint_eq(reg(X86_EAX), 1000);
	x86_cpu_jit_stats(cpu, &st);
	ck_assert_uint_ge(st.jit_blocks, 2); /* the set-up, the loop */
	ck_assert_uint_eq(st.jit_blocks, cpu->jit->blocks);
	ck_assert_uint_gt(st.jit_code_used, 0);
	ck_assert_uint_eq(st.jit_code_used, cpu->jit->buf.used + cpu->jit->buf.cold_used);
	ck_assert_uint_gt(st.jit_ns, 0);
	ck_assert_uint_eq(st.jit_invalidated, 0);
	ck_assert_uint_eq(st.jit_flushes, 0);
}
END_TEST

/* Each turn's store to the code page ends its block there (the LOOP after
 * it runs as a block of its own, at 7C0Eh) and makes every translation of
 * the page stale. Turn 1 runs the block at 7C00h and translates LOOP's;
 * turn 2 translates the loop's block at 7C06h and finds LOOP's stale;
 * turns 3 to 5 find both stale: 1 + 3 x 2 translations dropped. */
START_TEST(test_stats_count_invalidations)
{
	struct vcpu_stats st = {0};

	run(smc_loop, sizeof smc_loop);
	ck_assert_uint_eq(reg(X86_EAX), 1 + 2 + 3 + 4 + 5);
	x86_cpu_jit_stats(cpu, &st);
	ck_assert_uint_eq(st.jit_invalidated, 7);
}
END_TEST

START_TEST(test_stats_without_jit)
{
	struct vcpu_stats st;

	memset(&st, 0xff, sizeof st);
	st.jit = true;
	x86_jit_destroy(cpu);
	x86_cpu_jit_stats(cpu, &st);
	ck_assert(!st.jit);
}
END_TEST

/* A line of a map file: START SIZE hv-jit:GPA or hv-jit-cold:GPA. */
static void parse_line(const char *line, unsigned long *s, unsigned long *z, unsigned long long *g,
		       bool *cold)
{
	int used = 0;

	*cold = sscanf(line, "%lx %lx hv-jit-cold:%llx\n%n", s, z, g, &used) == 3;
	if (!*cold)
		ck_assert_msg(sscanf(line, "%lx %lx hv-jit:%llx\n%n", s, z, g, &used) == 3,
			      "bad perf map line '%s'", line);
	ck_assert_msg((size_t)used == strlen(line), "bad perf map line '%s'", line);
}

/* The lines of a map file, parsed (cold[i]: a translation's cold bytes);
 * returns how many. */
static unsigned read_map_parts(const char *path, unsigned long start[], unsigned long size[],
			       unsigned long long gpa[], bool cold[], unsigned max)
{
	FILE *f = fopen(path, "r");
	char line[128];
	unsigned n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long s, z;
		unsigned long long g;
		bool c;

		parse_line(line, &s, &z, &g, &c);
		if (n < max) {
			start[n] = s;
			size[n] = z;
			gpa[n] = g;
			cold[n] = c;
		}
		n++;
	}
	fclose(f);
	return n;
}

static unsigned read_map(const char *path, unsigned long start[], unsigned long size[],
			 unsigned long long gpa[], unsigned max)
{
	bool cold[16];

	ck_assert_uint_le(max, 16);
	return read_map_parts(path, start, size, gpa, cold, max);
}

static char map_path[64];

static void tmp_map(void)
{
	snprintf(map_path, sizeof map_path, "/tmp/hv-test-perfmap-%ld.map", (long)getpid());
	unlink(map_path);
}

START_TEST(test_perfmap_lines_flush_and_cap)
{
	struct x86_jit_perfmap *pm;
	unsigned long s[8], z[8];
	unsigned long long g[8];
	static const uint8_t code[64];

	tmp_map();
	pm = x86_jit_perfmap_open(map_path, 5);
	ck_assert_ptr_nonnull(pm);
	x86_jit_perfmap_add(pm, code, 48, 0x7c00);
	x86_jit_perfmap_add(pm, code + 48, 16, 0xfffff0);
	ck_assert_uint_eq(read_map(map_path, s, z, g, 8), 2);
	ck_assert_uint_eq(s[0], (unsigned long)code);
	ck_assert_uint_eq(z[0], 48);
	ck_assert_uint_eq(g[0], 0x7c00);
	ck_assert_uint_eq(s[1], (unsigned long)(code + 48));
	ck_assert_uint_eq(g[1], 0xfffff0);
	/* The buffer emptied: its addresses will hold other code. */
	x86_jit_perfmap_flushed(pm);
	ck_assert_uint_eq(read_map(map_path, s, z, g, 8), 0);
	ck_assert_uint_eq(x86_jit_perfmap_lines(pm), 0);
	x86_jit_perfmap_add(pm, code, 8, 0x1000);
	ck_assert_uint_eq(read_map(map_path, s, z, g, 8), 1);
	ck_assert_uint_eq(g[0], 0x1000);
	/* At most 5 lines until the next flush. */
	for (unsigned i = 0; i < 20; i++)
		x86_jit_perfmap_add(pm, code, 8, 0x2000 + i);
	ck_assert_uint_eq(read_map(map_path, s, z, g, 8), 5);
	x86_jit_perfmap_flushed(pm);
	x86_jit_perfmap_add(pm, code, 8, 0x3000);
	ck_assert_uint_eq(read_map(map_path, s, z, g, 8), 1);
	x86_jit_perfmap_close(pm);
	unlink(map_path);
}
END_TEST

/* /tmp is shared: a link planted at the name is not followed. */
START_TEST(test_perfmap_refuses_a_link)
{
	char target[80];

	tmp_map();
	snprintf(target, sizeof target, "%s.target", map_path);
	ck_assert_int_eq(symlink(target, map_path), 0);
	ck_assert_ptr_null(x86_jit_perfmap_open(map_path, 5));
	ck_assert_int_eq(access(target, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	unlink(map_path);
}
END_TEST

/* HV_JIT_PERFMAP=1: the CPU's translations are named in /tmp/perf-PID.map
 * by the guest physical address of their first instruction, their hot
 * bytes within the code buffer's hot area (executable view), their cold
 * bytes within its cold area; a second CPU of the process writes none. */
START_TEST(test_perfmap_names_translations)
{
	unsigned long s[16], z[16];
	unsigned long long g[16];
	bool cold[16];
	char path[64];
	unsigned n, hot = 0;
	bool loop = false;
	struct x86_cpu *other;
	const struct x86_jit_buf *buf;

	snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
	x86f_teardown();
	setenv("HV_JIT_PERFMAP", "1", 1);
	x86f_setup(1u << 20);
	ck_assert_ptr_nonnull(cpu->jit->perfmap);
	other = x86_cpu_create(&m);
	ck_assert_ptr_nonnull(other->jit);
	ck_assert_ptr_null(other->jit->perfmap);
	x86_cpu_destroy(other);
	run(hot_loop, sizeof hot_loop);
	buf = &cpu->jit->buf;
	n = read_map_parts(path, s, z, g, cold, 16);
	ck_assert_uint_eq(n, 2 * cpu->jit->blocks);
	for (unsigned i = 0; i < n && i < 16; i++) {
		const uint8_t *lo = cold[i] ? buf->rx + buf->cold : buf->rx;
		const uint8_t *hi = cold[i] ? lo + buf->cold_used : lo + buf->used;

		ck_assert_uint_ge(s[i], (unsigned long)lo);
		ck_assert_uint_le(s[i] + z[i], (unsigned long)hi);
		ck_assert_uint_gt(z[i], 0);
		loop |= g[i] == 0x7c06 && !cold[i];
		hot += !cold[i];
	}
	ck_assert_uint_eq(hot, cpu->jit->blocks);
	ck_assert_msg(loop, "no line for the loop at 7C06h");
	unsetenv("HV_JIT_PERFMAP");
	unlink(path);
}
END_TEST

START_TEST(test_guest_phys_of_host_pointers)
{
	int x;

	ck_assert_uint_eq(x86_jit_guest_phys(cpu, m.mem.ram + 0x7c00), 0x7c00);
	ck_assert_uint_eq(x86_jit_guest_phys(cpu, (const uint8_t *)&x), ~(uint64_t)0);
}
END_TEST

static void setup(void)
{
	unsetenv("HV_JIT");
	unsetenv("HV_JIT_PERFMAP");
	x86f_setup(1u << 20);
}

int main(void)
{
	const TTest *const tests[] = {
	    test_stats_count_translations_and_code,
	    test_stats_count_invalidations,
	    test_stats_without_jit,
	    test_perfmap_lines_flush_and_cap,
	    test_perfmap_refuses_a_link,
	    test_perfmap_names_translations,
	    test_guest_phys_of_host_pointers,
	};

	return unit_run(unit_suite("x86_jit_tools", "tools", setup, x86f_teardown, tests,
				   UNIT_COUNT(tests), NULL, 0));
}
