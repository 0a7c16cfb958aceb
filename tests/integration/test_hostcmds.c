/* The toolstack's host-side commands against real domains: `hv top -b`
 * and `--csv` (frames for scripts, like xentop -b), `hv info` (the host,
 * checked against /proc and against the engine a domain really got) and
 * `hv dmesg` (the domains' logs merged in time order). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const char *cfg(const char *name, const char *guest)
{
	char text[1024], file[80];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 16\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"pty\"\n",
		 name, h_guest(guest));
	snprintf(file, sizeof file, "%s.cfg", name);
	return h_write_file(file, text);
}

static void create(const char *name, const char *guest, const char *override)
{
	const char *path = cfg(name, guest);
	struct h_result *r = h_hv(NULL, 60, (const char *const[]){"create", path, override, NULL});

	ck_assert_msg(r->status == 0, "hv create %s failed: %s", name, r->err);
}

/* A running counter and a halted idle guest (once it is blocked). */
static void two_domains(void)
{
	create("busy", "counter", NULL);
	create("calm", "idle", NULL);
	for (int i = 0; i < 300 && strcmp(h_info("calm", "state"), "blocked") != 0; i++)
		usleep(100 * 1000);
	ck_assert_str_eq(h_info("calm", "state"), "blocked");
}

static int count_lines_starting(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, len) == 0)
			n++;
	return n;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (const char *p = text; (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

START_TEST(test_top_batch_prints_n_frames_of_every_domain_and_exits)
{
	struct h_result *r;

	two_domains();
	r = h_hv(NULL, 60, (const char *const[]){"top", "-b", "-d", "0.3", "-i", "3", NULL});
	ck_assert_msg(r->status == 0, "hv top -b: %s", r->err);
	ck_assert_int_eq(count_lines_starting(r->out, "NAME "), 3);
	ck_assert_int_eq(count_lines_starting(r->out, "busy "), 3);
	ck_assert_int_eq(count_lines_starting(r->out, "calm "), 3);
	/* The header is the interactive list's; rows are sorted by name. */
	ck_assert_ptr_nonnull(strstr(r->out, "STATE"));
	ck_assert_ptr_nonnull(strstr(r->out, "CPU%"));
	/* The last column, the JIT's: translations/s and the buffer's fill,
	 * or "-" in a run with HV_JIT=0. */
	ck_assert_ptr_nonnull(strstr(r->out, " JIT\n"));
	if (getenv("HV_JIT") && strcmp(getenv("HV_JIT"), "0") == 0)
		ck_assert_msg(!strstr(r->out, "%\n"), "JIT figures: %s", r->out);
	else
		ck_assert_msg(strstr(r->out, "%\n"), "no JIT figures: %s", r->out);
	ck_assert(strstr(r->out, "\nbusy ") < strstr(r->out, "\ncalm "));
	ck_assert_ptr_nonnull(strstr(r->out, " blocked "));
	ck_assert_ptr_nonnull(strstr(r->out, " running "));
	/* Only with a frame count of batch mode. */
	r = h_hv(NULL, 30, (const char *const[]){"top", "-i", "2", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "--batch"));
	r = h_hv(NULL, 30, (const char *const[]){"top", "-b", "-i", "0", NULL});
	ck_assert_int_eq(r->status, 1);
}
END_TEST

/* Field `col` (0-based) of a CSV row. */
static const char *field(const char *row, int col)
{
	static char out[128];
	const char *p = row;

	for (int i = 0; i < col && p; i++)
		p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
	ck_assert_ptr_nonnull(p);
	snprintf(out, sizeof out, "%.*s", (int)strcspn(p, ",\n"), p);
	return out;
}

START_TEST(test_top_csv_has_a_header_and_a_row_per_domain_and_frame)
{
	static char out[sizeof((struct h_result *)0)->out];
	struct h_result *r;
	const char *busy, *calm;
	char id[16];

	two_domains();
	snprintf(id, sizeof id, "%s", h_info("busy", "id"));
	r = h_hv(NULL, 60, (const char *const[]){"top", "--csv", "-d", "0.5", "-i", "2", NULL});
	ck_assert_msg(r->status == 0, "hv top --csv: %s", r->err);
	memcpy(out, r->out, sizeof out); /* h_hv's result is reused */

	ck_assert_int_eq(strncmp(out,
				 "time,name,id,state,engine,vcpus,mem_mib,cpu_pct,cpu_seconds,"
				 "insns_per_s,exits_per_s,uptime_s\n",
				 92),
			 0);
	ck_assert_int_eq(count_lines_starting(out, "time,"), 1);
	/* 1 header + 2 frames x 2 domains, each row "SECONDS.MS,NAME,...". */
	ck_assert_int_eq(count_lines(out), 5);
	ck_assert_ptr_nonnull(strstr(strstr(out, ",busy,") + 1, ",busy,"));
	ck_assert_ptr_nonnull(strstr(strstr(out, ",calm,") + 1, ",calm,"));
	busy = strstr(out, ",busy,");
	calm = strstr(out, ",calm,");
	ck_assert_ptr_nonnull(busy);
	ck_assert_ptr_nonnull(calm);
	while (busy[-1] != '\n')
		busy--;
	while (calm[-1] != '\n')
		calm--;
	ck_assert_str_eq(field(busy, 2), id);
	ck_assert_str_eq(field(busy, 3), "running");
	ck_assert_str_eq(field(busy, 4), "soft");
	ck_assert_str_eq(field(busy, 5), "1");
	ck_assert_str_eq(field(busy, 6), "16");
	ck_assert_str_eq(field(calm, 3), "blocked");
	/* A guest halted with interrupts off runs no instruction; the
	 * counter runs some in any half second. */
	ck_assert_str_eq(field(calm, 9), "0");
	ck_assert_double_gt(atof(field(busy, 9)), 0);
	ck_assert_int_eq((int)strlen(field(busy, 0)), 14); /* seconds.milliseconds */
}
END_TEST

/* The value of "key : value" in hv info's output. */
static const char *info_value(const char *out, const char *key)
{
	static char v[512];
	char pattern[64];
	const char *p;

	snprintf(pattern, sizeof pattern, "\n%s ", key);
	p = strncmp(out, pattern + 1, strlen(pattern) - 1) == 0 ? out : strstr(out, pattern);
	ck_assert_msg(p, "no %s in: %s", key, out);
	p = strstr(p, ": ");
	ck_assert_ptr_nonnull(p);
	snprintf(v, sizeof v, "%.*s", (int)strcspn(p + 2, "\n"), p + 2);
	return v;
}

static void cpuinfo_model(char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
			char *v = strchr(line, ':') + 2;
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			break;
		}
	}
	if (f)
		fclose(f);
}

START_TEST(test_info_describes_this_host_and_the_engine_domains_get)
{
	static char out[sizeof((struct h_result *)0)->out];
	struct h_result *r;
	char model[512], n[16], engine[16];

	create("auto1", "idle", "engine=\"auto\"");
	snprintf(engine, sizeof engine, "%s", h_info("auto1", "engine"));
	r = h_hv(NULL, 60, (const char *const[]){"info", NULL});
	ck_assert_msg(r->status == 0, "hv info: %s", r->err);
	memcpy(out, r->out, sizeof out);
	cpuinfo_model(model, sizeof model);
	ck_assert_str_eq(info_value(out, "cpu_model"), model);
	snprintf(n, sizeof n, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_str_eq(info_value(out, "nr_cpus"), n);
	ck_assert_int_gt(atol(info_value(out, "total_memory")), 0);
	ck_assert_str_eq(info_value(out, "hv_version"), HV_VERSION);
	ck_assert_str_eq(info_value(out, "domains"), "1");
	/* What "auto" picks for a domain is what info says it picks. */
	ck_assert_str_eq(info_value(out, "engine_auto"), engine);
	ck_assert_ptr_nonnull(strstr(info_value(out, "engine_soft"), "available"));
	if (strcmp(engine, "kvm") == 0)
		ck_assert_int_eq(strncmp(info_value(out, "engine_kvm"), "available: ", 11), 0);
	else
		ck_assert_int_eq(strncmp(info_value(out, "engine_kvm"), "unavailable: ", 13), 0);
	ck_assert_ptr_nonnull(strstr(info_value(out, "data_dir"), "(source tree)"));
	ck_assert_str_eq(info_value(out, "runtime_dir"),
			 strcat(strcpy(model, h_setup_dir()), "/run/hv"));
	r = h_hv(NULL, 30, (const char *const[]){"info", "extra", NULL});
	ck_assert_int_eq(r->status, 1);
}
END_TEST

static bool stamps_in_order(const char *out)
{
	char last[20] = "";

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strlen(p) < 19)
			break;
		if (strncmp(p, last, 19) < 0)
			return false;
		snprintf(last, sizeof last, "%.19s", p);
	}
	return true;
}

START_TEST(test_dmesg_merges_the_domains_logs_in_time_order)
{
	struct h_result *r;
	const char *created, *destroyed;

	create("first", "idle", NULL);
	sleep(1); /* distinct stamps: the merge must interleave, not concatenate */
	create("second", "idle", NULL);
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "first", NULL})->status,
			 0);
	r = h_hv(NULL, 30, (const char *const[]){"dmesg", NULL});
	ck_assert_msg(r->status == 0, "hv dmesg: %s", r->err);
	created = strstr(r->out, " first: info: domain ");
	destroyed = strstr(r->out, " first: info: destroyed");
	ck_assert_ptr_nonnull(created);
	ck_assert_ptr_nonnull(destroyed);
	ck_assert(created < destroyed);
	/* second was created between them. */
	ck_assert_ptr_nonnull(strstr(r->out, " second: info: domain "));
	ck_assert(created < strstr(r->out, " second: info: domain "));
	ck_assert(strstr(r->out, " second: info: domain ") < destroyed);
	ck_assert(stamps_in_order(r->out));
	/* The guests' consoles are not hv's log. */
	ck_assert_ptr_null(strstr(r->out, "idle now"));
	/* One domain's only. */
	r = h_hv(NULL, 30, (const char *const[]){"dmesg", "second", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, " second: "));
	ck_assert_ptr_null(strstr(r->out, " first: "));
	r = h_hv(NULL, 30, (const char *const[]){"dmesg", "../x", NULL});
	ck_assert_int_eq(r->status, 1);
}
END_TEST

static Suite *hostcmds_suite(void)
{
	Suite *s = suite_create("hostcmds");
	TCase *t = tcase_create("hostcmds");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_top_batch_prints_n_frames_of_every_domain_and_exits);
	tcase_add_test(t, test_top_csv_has_a_header_and_a_row_per_domain_and_frame);
	tcase_add_test(t, test_info_describes_this_host_and_the_engine_domains_get);
	tcase_add_test(t, test_dmesg_merges_the_domains_logs_in_time_order);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(hostcmds_suite());
}
