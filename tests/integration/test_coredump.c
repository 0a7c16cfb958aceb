/* on_crash = "coredump-destroy" / "coredump-restart": a guest that
 * crashes with known registers and RAM (tests/guests/crashdump.asm)
 * leaves an ELF core in the state directory that readelf and gdb read,
 * holding its EIP, its registers and the bytes it wrote. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define MAGIC	  "HVCOREDUMP-RAM!!"
#define MAGIC_GPA 0x5000

/* The core files of domain `name` in the state directory; the first in
 * *first (static storage). */
static unsigned cores_of(const char *name, const char **first)
{
	static char path[700];
	char pattern[700];
	unsigned n;
	glob_t g;

	snprintf(pattern, sizeof pattern, "%s/state/hv/%s-*.core", h_setup_dir(), name);
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	n = (unsigned)g.gl_pathc;
	snprintf(path, sizeof path, "%s", g.gl_pathv[0]);
	globfree(&g);
	if (first)
		*first = path;
	return n;
}

static const char *log_of(const char *name)
{
	static char path[700];

	snprintf(path, sizeof path, "%s/state/hv/%s.log", h_setup_dir(), name);
	return h_slurp(path);
}

/* Reads the core's ELF header and program headers directly: the RAM byte
 * at gpa through the PT_LOAD that holds it. */
static void check_ram_bytes(const char *core, uint64_t gpa, const char *want)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	char got[64] = "";
	bool found = false;
	int fd = open(core, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &eh, sizeof eh, 0), sizeof eh);
	ck_assert_int_eq(eh.e_type, ET_CORE);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ck_assert_int_eq(pread(fd, &ph, sizeof ph, eh.e_phoff + i * sizeof ph), sizeof ph);
		if (ph.p_type != PT_LOAD || gpa < ph.p_paddr || gpa >= ph.p_paddr + ph.p_filesz)
			continue;
		ck_assert_int_eq(pread(fd, got, strlen(want), ph.p_offset + (gpa - ph.p_paddr)),
				 strlen(want));
		found = true;
	}
	close(fd);
	ck_assert_msg(found, "no PT_LOAD holds %#llx", (unsigned long long)gpa);
	ck_assert_str_eq(got, want);
}

static void check_core(const char *core)
{
	struct stat st;
	const char *out;
	char cmd[1000];

	ck_assert_int_eq(lstat(core, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	/* 16 MiB of RAM, nearly all zero: a sparse file. */
	ck_assert_int_ge(st.st_size, 16 << 20);
	ck_assert_int_lt((long long)st.st_blocks * 512, 1 << 20);
	snprintf(cmd, sizeof cmd, "readelf -h -l -n '%s'", core);
	ck_assert_int_eq(h_run_tool(cmd, &out), 0);
	ck_assert_msg(strstr(out, "CORE (Core file)"), "%s", out);
	ck_assert_msg(strstr(out, "Intel 80386"), "%s", out);
	ck_assert_msg(strstr(out, "0x00000000 0x00000000 0x1000000 0x1000000"), "%s", out);
	ck_assert_msg(strstr(out, "NT_PRSTATUS"), "%s", out);
	snprintf(cmd, sizeof cmd, "gdb -nx -batch -ex 'info registers' -c '%s'", core);
	ck_assert_int_eq(h_run_tool(cmd, &out), 0);
	ck_assert_msg(strstr(out, "eip            0x800 "), "%s", out);
	ck_assert_msg(strstr(out, "eax            0xc0dedead "), "%s", out);
	ck_assert_msg(strstr(out, "ebx            0x11223344 "), "%s", out);
	ck_assert_msg(strstr(out, "cs             0xf000 "), "%s", out);
	snprintf(cmd, sizeof cmd, "gdb -nx -batch -ex 'x/s %#x' -c '%s'", MAGIC_GPA, core);
	ck_assert_int_eq(h_run_tool(cmd, &out), 0);
	ck_assert_msg(strstr(out, "\"" MAGIC "\""), "%s", out);
	check_ram_bytes(core, MAGIC_GPA, MAGIC);
}

START_TEST(test_coredump_destroy_writes_a_core_gdb_reads_then_destroys)
{
	const char *core = NULL;
	struct h_result *r;

	r = h_hv(NULL, 120,
		 (const char *const[]){
		     "run",
		     h_guest_cfg("dumped", "crashdump",
				 "serial = \"none\"\non_crash = \"coredump-destroy\"\n"),
		     NULL});
	ck_assert_msg(r->status == 2, "status %d: %s", r->status, r->err);
	ck_assert_uint_eq(cores_of("dumped", &core), 1);
	ck_assert_msg(strstr(log_of("dumped"), "core dump written to "), "%s", log_of("dumped"));
	ck_assert_ptr_nonnull(strstr(log_of("dumped"), "guest crashed; domain destroyed"));
	check_core(core);
}
END_TEST

/* Restarted after every crash, with a core each time, until the cap. */
START_TEST(test_coredump_restart_restarts_and_stops_dumping_at_the_cap)
{
	const char *cfg = h_guest_cfg("again", "crashdump",
				      "serial = \"none\"\non_crash = \"coredump-restart\"\n");
	const char *core = NULL;
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL});
	int i;

	ck_assert_msg(r->status == 0, "create: %s", r->err);
	for (i = 0; i < 1200 && !strstr(log_of("again"), "core dump skipped"); i++)
		usleep(100000);
	ck_assert_msg(strstr(log_of("again"), "core dump skipped: 4 written already"), "%s",
		      log_of("again"));
	ck_assert_ptr_nonnull(strstr(log_of("again"), "on_crash = coredump-restart: resetting"));
	ck_assert_ptr_null(strstr(log_of("again"), "domain destroyed"));
	ck_assert_str_ne(h_info("again", "state"), "crashed");
	ck_assert_int_gt(atoll(h_info("again", "reboots")), 4 * 100);
	ck_assert_uint_eq(cores_of("again", &core), 4);
	check_core(core);
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "again", NULL})->status,
			 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("coredump");
	TCase *t = tcase_create("coredump");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_coredump_destroy_writes_a_core_gdb_reads_then_destroys);
	tcase_add_test(t, test_coredump_restart_restarts_and_stops_dumping_at_the_cap);
	suite_add_tcase(s, t);
	return h_main(s);
}
