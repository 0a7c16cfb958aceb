/* engine = "kvm" and engine = "auto" through `hv run` on this host. Where
 * the KVM probe fails (no /dev/kvm, or a PVM one that cannot run ordinary
 * guests), a forced kvm engine is refused at once with the probe's reason
 * and auto runs the guest on the soft CPU, saying why; where it succeeds,
 * both run the guest on KVM. (The KVM engine itself is exercised under
 * nested virtualization by tests/nested/run.sh.) */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "hv/core/engine.h"

static const char *hello_cfg(const char *engine)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "name = \"hello\"\nmemory = 16\nengine = \"%s\"\nfirmware = \"%s\"\n"
		 "debugcon = \"file:%s/e9.txt\"\n",
		 engine, h_guest("hello"), h_setup_dir());
	return h_write_file("hello.cfg", text);
}

static bool kvm_usable(char *why, size_t len)
{
	return engine_kvm.probe(why, len) == 0;
}

static const char *e9(void)
{
	char path[512];

	snprintf(path, sizeof path, "%s/e9.txt", h_setup_dir());
	return h_slurp(path);
}

START_TEST(test_forced_kvm_runs_or_is_refused_with_the_reason)
{
	char why[256];
	bool usable = kvm_usable(why, sizeof why);
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"run", hello_cfg("kvm"), NULL});

	if (usable) {
		ck_assert_int_eq(r->status, (0x21 << 1) | 1);
		ck_assert_str_eq(e9(), "hello from the debug console\n");
	} else {
		ck_assert_int_eq(r->status, 1);
		ck_assert_msg(strstr(r->err, "engine \"kvm\" cannot run guests here"), "%s",
			      r->err);
		ck_assert_msg(strstr(r->err, why), "no probe reason (%s) in: %s", why, r->err);
		ck_assert_int_eq(h_runtime_entries(), 0);
	}
}
END_TEST

START_TEST(test_auto_runs_the_guest_and_says_which_engine_and_why)
{
	char why[256], expect[400];
	bool usable = kvm_usable(why, sizeof why);
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"run", hello_cfg("auto"), NULL});

	ck_assert_int_eq(r->status, (0x21 << 1) | 1);
	ck_assert_str_eq(e9(), "hello from the debug console\n");
	if (usable)
		snprintf(expect, sizeof expect, "engine kvm (auto: %s)", why);
	else
		snprintf(expect, sizeof expect, "engine soft (auto: soft, since %s)", why);
	ck_assert_msg(strstr(r->err, expect) || strstr(r->out, expect), "no \"%s\" in:\n%s%s",
		      expect, r->out, r->err);
}
END_TEST

static Suite *kvm_engine_suite(void)
{
	Suite *s = suite_create("kvm_engine");
	TCase *t = tcase_create("select");

	h_fixture(t);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_forced_kvm_runs_or_is_refused_with_the_reason);
	tcase_add_test(t, test_auto_runs_the_guest_and_says_which_engine_and_why);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(kvm_engine_suite());
}
