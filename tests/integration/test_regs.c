/* hv regs against soft-engine domains: the state a guest halts in (the
 * regs guest: known general registers, FS with limit FFFh, a null GS,
 * protected mode, RIP just past its HLT at 8000h) read while it is
 * blocked and while it is paused; a busy guest read several times keeps
 * running; bad requests. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void create(const char *name, const char *guest)
{
	char extra[600];
	struct h_result *r;

	snprintf(extra, sizeof extra, "debugcon = \"file:%s/%s.e9\"\n", h_setup_dir(), name);
	r = h_hv(NULL, 60, (const char *const[]){"create", h_guest_cfg(name, guest, extra), NULL});
	ck_assert_msg(r->status == 0, "hv create failed: %s", r->err);
}

static struct h_result *regs(const char *name)
{
	return h_hv(NULL, 60, (const char *const[]){"regs", name, NULL});
}

/* The value of `key=` in hv regs' output, up to the next blank. */
static const char *field(const char *out, const char *key)
{
	static char value[128];
	char pat[32];
	const char *p;

	snprintf(pat, sizeof pat, "%s=", key);
	for (p = strstr(out, pat); p && p != out && p[-1] != ' ' && p[-1] != '\n';)
		p = strstr(p + 1, pat);
	if (!p)
		return "";
	p += strlen(pat);
	snprintf(value, sizeof value, "%.*s", (int)strcspn(p, " \n"), p);
	return value;
}

/* hv regs once the guest sits in its final HLT. */
static struct h_result *regs_when_halted(const char *name)
{
	for (int i = 0; i < 300; i++) {
		struct h_result *r = regs(name);
		ck_assert_msg(r->status == 0, "hv regs: %s", r->err);
		if (strcmp(field(r->out, "halted"), "1") == 0 &&
		    strcmp(field(r->out, "rip"), "0x8001") == 0)
			return r;
		usleep(100000);
	}
	ck_abort_msg("the regs guest never halted at 8000h");
	return NULL;
}

static void check_known_state(const char *out)
{
	ck_assert_str_eq(field(out, "engine"), "soft");
	ck_assert_str_eq(field(out, "rax"), "0x12345678");
	ck_assert_str_eq(field(out, "rbx"), "0x9abcdef0");
	ck_assert_str_eq(field(out, "rcx"), "0xbadf00d");
	ck_assert_str_eq(field(out, "rdx"), "0xcafe0042");
	ck_assert_str_eq(field(out, "rsi"), "0x51515151");
	ck_assert_str_eq(field(out, "rdi"), "0xd1d1d1d1");
	ck_assert_str_eq(field(out, "rbp"), "0xb0b0b0b0");
	ck_assert_str_eq(field(out, "rsp"), "0x6ff0");
	ck_assert_str_eq(field(out, "r8"), "0x0");
	ck_assert_str_eq(field(out, "rip"), "0x8001");
	ck_assert_uint_eq(strtoul(field(out, "rflags"), NULL, 16) & 0x200, 0); /* CLI */
	/* pm.inc's selectors: 08h code at F0000h (64 KiB), 18h flat, 28h limit FFFh */
	ck_assert_str_eq(field(out, "cs"), "0x8,0xf0000,0xffff,0x409b");
	ck_assert_str_eq(field(out, "ss"), "0x18,0x0,0xffffffff,0xc093");
	ck_assert_str_eq(field(out, "fs"), "0x28,0x0,0xfff,0x4093");
	/* GS: null selector, marked unusable (10000h in the attributes) */
	ck_assert_msg(strncmp(field(out, "gs"), "0x0,", 4) == 0, "%s", field(out, "gs"));
	ck_assert_uint_eq(strtoul(strrchr(field(out, "gs"), ',') + 1, NULL, 16) >> 16, 1);
	ck_assert_str_eq(field(out, "gdtr"), "0x800,0x6f");
	ck_assert_uint_eq(strtoul(field(out, "cr0"), NULL, 16) & 1, 1); /* PE */
	ck_assert_str_eq(field(out, "efer"), "0x0");
}

START_TEST(test_regs_of_a_halted_guest_show_its_known_state)
{
	struct h_result *r;

	create("known", "regs");
	r = regs_when_halted("known");
	check_known_state(r->out);
	/* the layout: a line per group, the general registers first */
	ck_assert_msg(strncmp(r->out, "engine=soft\nrax=", 16) == 0, "%s", r->out);
	ck_assert_ptr_nonnull(strstr(r->out, "\ncs=0x8,"));
	ck_assert_str_eq(h_info("known", "state"), "blocked");
}
END_TEST

START_TEST(test_regs_of_a_paused_guest_and_it_resumes)
{
	struct h_result *r;

	create("held", "regs");
	regs_when_halted("held");
	r = h_hv(NULL, 60, (const char *const[]){"pause", "held", NULL});
	ck_assert_int_eq(r->status, 0);
	r = regs("held");
	ck_assert_msg(r->status == 0, "%s", r->err);
	check_known_state(r->out);
	ck_assert_str_eq(h_info("held", "state"), "paused"); /* a read does not unpause */
	r = h_hv(NULL, 60, (const char *const[]){"unpause", "held", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_str_eq(h_info("held", "state"), "blocked");
}
END_TEST

/* The counter guest is busy in real mode; each read holds its vCPU out of
 * the engine for a moment, and it goes on counting. */
START_TEST(test_regs_of_a_busy_guest_leave_it_running)
{
	uint64_t insns = 0;

	create("busy", "counter");
	for (int i = 0; i < 5; i++) {
		struct h_result *r = regs("busy");
		ck_assert_msg(r->status == 0, "%s", r->err);
		ck_assert_str_eq(field(r->out, "cr0"), "0x60000010"); /* real mode, as reset */
		ck_assert_uint_eq(strtoul(field(r->out, "cs"), NULL, 16), 0xf000);
		ck_assert_str_eq(field(r->out, "halted"), "0");
	}
	for (int i = 0; i < 300 && insns < 1000000; i++) {
		const char *v = h_info("busy", "insns");
		insns = v ? strtoull(v, NULL, 10) : 0;
		usleep(100000);
	}
	ck_assert_uint_ge(insns, 1000000);
	ck_assert_str_eq(h_info("busy", "state"), "running");
}
END_TEST

START_TEST(test_regs_needs_one_existing_domain)
{
	struct h_result *r = regs("nosuch");

	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "nosuch"));
	r = h_hv(NULL, 60, (const char *const[]){"regs", NULL});
	ck_assert_int_eq(r->status, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "usage: hv regs NAME"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("regs");
	TCase *t = tcase_create("regs");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_regs_of_a_halted_guest_show_its_known_state);
	tcase_add_test(t, test_regs_of_a_paused_guest_and_it_resumes);
	tcase_add_test(t, test_regs_of_a_busy_guest_leave_it_running);
	tcase_add_test(t, test_regs_needs_one_existing_domain);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(suite());
}
