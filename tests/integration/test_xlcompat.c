/* xl.cfg compatibility through `hv create --dry-run`: configs shaped like
 * Xen's own examples (tests/integration/xl/, rewritten for these tests)
 * are parsed, checked and printed as the resolved domain; the printed
 * config loads back to the same domain; nothing is started. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define XL_DIR HV_SOURCE_DIR "/tests/integration/xl"

/* Copies tests/integration/xl/NAME into the test directory, so that its
 * relative paths meet the files the test makes there. */
static const char *xl_cfg(const char *name)
{
	char src[512];

	snprintf(src, sizeof src, "%s/%s", XL_DIR, name);
	ck_assert_msg(access(src, R_OK) == 0, "%s is missing", src);
	h_write_file(name, h_slurp(src));
	return name;
}

/* The files the configs name: a disk image, an ISO and the test kernel. */
static void make_guest_files(void)
{
	char path[512], kernel[512];
	FILE *f;

	/* Relative names, in the configs and in messages, as a user has them. */
	ck_assert_int_eq(chdir(h_setup_dir()), 0);
	snprintf(path, sizeof path, "%s/guest-volume.img", h_setup_dir());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 1 << 20), 0);
	fclose(f);
	h_write_file("install.iso", "not much of a CD");
	snprintf(kernel, sizeof kernel, "%s/vmlinuz", HV_LINUX_GUEST_DIR);
	/* Not a skip: assets/setup.sh builds the Linux test guest. */
	ck_assert_msg(access(kernel, R_OK) == 0, "%s is missing: run assets/setup.sh", kernel);
	snprintf(path, sizeof path, "%s/vmlinuz", h_setup_dir());
	ck_assert_int_eq(symlink(kernel, path), 0);
}

static struct h_result *dry_run(const char *cmd, const char *cfg, const char *override)
{
	return h_hv(NULL, 60, (const char *const[]){cmd, "--dry-run", cfg, override, NULL});
}

/* out without its comment lines: the domain itself. */
static const char *body(const char *out)
{
	static char buf[65536];
	size_t n = 0;

	while (*out) {
		const char *nl = strchr(out, '\n');
		size_t len = nl ? (size_t)(nl - out + 1) : strlen(out);
		if (out[0] != '#' && n + len < sizeof buf) {
			memcpy(buf + n, out, len);
			n += len;
		}
		out += len;
	}
	buf[n] = '\0';
	return buf;
}

static void ck_has(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL, "\"%s\" not in:\n%s", needle, text);
}

/* The resolved config loads back and resolves to the same lines. */
static void ck_round_trip(const char *out)
{
	char first[65536];
	struct h_result *r;

	h_write_file("resolved.cfg", out);
	snprintf(first, sizeof first, "%s", body(out));
	r = dry_run("create", "resolved.cfg", NULL);
	ck_assert_msg(r->status == 0, "the printed config does not load: %s", r->err);
	ck_assert_str_eq(body(r->out), first);
}

START_TEST(test_xen_hvm_example_reports_all_its_problems_in_one_run)
{
	struct h_result *r;

	make_guest_files();
	r = dry_run("create", xl_cfg("xen-hvm.cfg"), NULL);
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "hv: xen-hvm.cfg:8: vcpus: hv runs one vCPU per domain until SMP exists "
		       "(the limit is 1), got 2\n");
	/* xl's example NIC (vif = [ '' ]) is a virtio-net NIC here. */
	ck_assert_ptr_null(strstr(r->err, "vif"));
	ck_assert_str_eq(r->out, "");
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

START_TEST(test_hvm_guest_resolves_to_seabios_and_round_trips)
{
	char line[600];
	struct h_result *r;

	make_guest_files();
	r = dry_run("create", xl_cfg("hvm.cfg"), NULL);
	ck_assert_msg(r->status == 0, "%s", r->err);
	ck_assert_ptr_null(strstr(r->err, "sdl"));
	ck_has(r->err, "hv: warning: hvm.cfg: maxmem: hv has no ballooning");
	ck_has(r->err, "hv: warning: hvm.cfg:18: device_model_version: ignored");
	ck_has(r->out, "\nsdl = 1\n");
	ck_has(r->out,
	       "\nname = \"xl-hvm\"\ntype = \"hvm\"\n"
	       "uuid = \"5e1f0c2a-7d3b-4c8e-9a61-0b2d4f6e8a10\"\nmemory = 128\nvcpus = 1\n");
	ck_has(r->out, "\nfirmware = \"/usr/share/seabios/bios.bin\"\n");
	snprintf(line, sizeof line, "    \"vdev=hda,access=rw,target=%s/guest-volume.img\",\n",
		 h_setup_dir());
	ck_has(r->out, line);
	snprintf(line, sizeof line,
		 "    \"vdev=hdc,access=ro,devtype=cdrom,target=%s/install.iso\",\n",
		 h_setup_dir());
	ck_has(r->out, line);
	ck_has(r->out, "\nserial = \"pty\"\nserial2 = \"none\"\n");
	ck_has(r->out, "\nlocaltime = 1\n");
	ck_has(r->out, "\non_reboot = \"restart\"\non_crash = \"destroy\"\n");
	ck_round_trip(r->out);
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

START_TEST(test_xen_pvlinux_example_boots_its_kernel_directly_once_fixed)
{
	char line[600];
	struct h_result *r;

	make_guest_files();
	r = dry_run("create", xl_cfg("xen-pvlinux.cfg"), NULL);
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "hv: xen-pvlinux.cfg:9: vcpus: hv runs one vCPU per domain");
	ck_assert_ptr_null(strstr(r->err, "vif")); /* a virtio-net NIC */
	/* Without the card, vcpus = 1 from the command line does. */
	h_write_file("pvlinux.cfg", "name = 'pvlinux'\nkernel = 'vmlinuz'\n"
				    "extra = 'root=/dev/sda1'\nmemory = 128\nvcpus = 2\n"
				    "disk = [ 'guest-volume.img,raw,hda,rw' ]\n");
	r = dry_run("create", "pvlinux.cfg", "vcpus=1");
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "pvlinux.cfg:5: vcpus: hv runs one vCPU per domain");
	r = dry_run("run", xl_cfg("pvh.cfg"), NULL);
	ck_assert_msg(r->status == 0, "%s", r->err);
	snprintf(line, sizeof line, "\nkernel = \"%s/vmlinuz\"\n", h_setup_dir());
	ck_has(r->out, line);
	ck_has(r->out, "\nextra = \"console=ttyS0 root=/dev/sda1\"\n");
	ck_assert_ptr_null(strstr(r->out, "firmware ="));
	ck_round_trip(r->out);
}
END_TEST

START_TEST(test_dry_run_checks_what_create_checks_and_starts_nothing)
{
	struct h_result *r;

	make_guest_files();
	xl_cfg("hvm.cfg");
	r = dry_run("create", "hvm.cfg", "disk=missing.img,raw,hda,rw");
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "disk hda: ");
	ck_has(r->err, "missing.img: No such file or directory");
	r = dry_run("create", "hvm.cfg", "firmware=install.iso");
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "install.iso");
	r = dry_run("create", xl_cfg("pvh.cfg"), "kernel=\"\"");
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "hv: pvh.cfg: type = \"pvh\" boots a kernel directly: give kernel= (or use "
		       "type = \"hvm\" for SeaBIOS)\n");
	setenv("HV_SEABIOS", "/nonexistent/bios.bin", 1);
	r = dry_run("create", "hvm.cfg", NULL);
	unsetenv("HV_SEABIOS");
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "install Debian's seabios package (apt-get install seabios)");
	ck_assert_int_eq(h_runtime_entries(), 0);
	r = h_hv(NULL, 30, (const char *const[]){"create", "--dry-run", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_has(r->err, "usage: hv create [-c] [--dry-run] CFG [KEY=VALUE...]");
}
END_TEST

/* on_reboot with the a20 guest, whose first act after its A20 checks is a
 * reset through the i8042. */
static const char *a20_cfg(const char *name, const char *lines, char *e9, size_t e9len)
{
	char extra[1200];

	snprintf(e9, e9len, "%s/%s.e9", h_setup_dir(), name);
	snprintf(extra, sizeof extra, "debugcon = \"file:%s\"\n%s", e9, lines);
	return h_guest_cfg(name, "a20", extra);
}

START_TEST(test_on_reboot_destroy_ends_the_domain_when_the_guest_resets)
{
	char e9[512];
	const char *cfg = a20_cfg("a20", "on_reboot = \"destroy\"\n", e9, sizeof e9);
	struct h_result *r = h_hv(NULL, 120, (const char *const[]){"run", cfg, NULL});

	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->err);
	ck_assert_str_eq(h_slurp(e9), "a20 ok\n");
}
END_TEST

static bool wait_state(const char *name, const char *state)
{
	for (int i = 0; i < 600; i++) {
		const char *s = h_info(name, "state");
		if (s && strcmp(s, state) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

START_TEST(test_on_reboot_preserve_keeps_the_domain_and_hv_reboot_resets_it)
{
	char e9[512];
	const char *cfg = a20_cfg("kept",
				  "on_reboot = \"preserve\"\n"
				  "uuid = \"5E1F0C2A-7D3B-4C8E-9A61-0B2D4F6E8A10\"\n",
				  e9, sizeof e9);
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL});

	ck_assert_msg(r->status == 0, "%s", r->err);
	ck_assert_msg(wait_state("kept", "shutdown"), "state %s", h_info("kept", "state"));
	ck_assert_str_eq(h_slurp(e9), "a20 ok\n");
	ck_assert_str_eq(h_info("kept", "on_reboot"), "preserve");
	ck_assert_str_eq(h_info("kept", "on_crash"), "destroy");
	ck_assert_str_eq(h_info("kept", "uuid"), "5e1f0c2a-7d3b-4c8e-9a61-0b2d4f6e8a10");
	/* hv reboot resets whatever on_reboot says; the guest's own next
	 * reset (through port 92h) is preserved again. */
	r = h_hv(NULL, 60, (const char *const[]){"reboot", "kept", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	for (int i = 0; i < 600 && !strstr(h_slurp(e9), "reset by i8042\n"); i++)
		usleep(100000);
	ck_assert_str_eq(h_slurp(e9), "a20 ok\nreset by i8042\n");
	ck_assert(wait_state("kept", "shutdown"));
	ck_assert_str_eq(h_info("kept", "reboots"), "1");
	r = h_hv(NULL, 60, (const char *const[]){"destroy", "kept", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
}
END_TEST

START_TEST(test_help_mentions_dry_run)
{
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"help", "create", NULL});

	ck_assert_int_eq(r->status, 0);
	ck_has(r->out, "--dry-run");
	r = h_hv(NULL, 30, (const char *const[]){"--help", NULL});
	ck_has(r->out, "--dry-run");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xlcompat");
	TCase *t = tcase_create("dry-run");

	h_fixture(t);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_xen_hvm_example_reports_all_its_problems_in_one_run);
	tcase_add_test(t, test_hvm_guest_resolves_to_seabios_and_round_trips);
	tcase_add_test(t, test_xen_pvlinux_example_boots_its_kernel_directly_once_fixed);
	tcase_add_test(t, test_dry_run_checks_what_create_checks_and_starts_nothing);
	tcase_add_test(t, test_help_mentions_dry_run);
	tcase_add_test(t, test_on_reboot_destroy_ends_the_domain_when_the_guest_resets);
	tcase_add_test(t, test_on_reboot_preserve_keeps_the_domain_and_hv_reboot_resets_it);
	suite_add_tcase(s, t);
	return h_main(s);
}
