/* Snapshot records (hv/core/snapmeta.h): a record writes and reads back
 * the same; every hostile or damaged record is refused with the line and
 * the reason; bounds hold (names, paths, counts, numbers); random damage
 * to a good record never crashes the parser and what still parses writes
 * back to itself. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/snapmeta.h"

#include "unit.h"

static const char good[] = "hv-snapshot 1\n"
			   "domain lx\n"
			   "name s1\n"
			   "time 1764921600\n"
			   "disk xvda raw 67108864 /images/root disk.img\n"
			   "disk xvdb qcow2 4194304 /state/hv/snapshots/lx/s0.xvdb.0.qcow2\n"
			   "overlay xvda s1.xvda.0.qcow2\n"
			   "overlay xvdb s1.xvdb.0.qcow2\n";

static struct snapmeta m, again;
static char err[256];

static int parse(const char *text)
{
	return snapmeta_parse(text, strlen(text), &m, err, sizeof err);
}

static char *written(const struct snapmeta *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(snapmeta_write(r, f), 0);
	fclose(f);
	return text;
}

START_TEST(a_record_reads_and_writes_back)
{
	char *text;

	ck_assert_msg(parse(good) == 0, "%s", err);
	ck_assert_str_eq(m.domain, "lx");
	ck_assert_str_eq(m.name, "s1");
	ck_assert_int_eq(m.time, 1764921600);
	ck_assert_uint_eq(m.ndisks, 2);
	ck_assert_str_eq(m.disks[0].image, "/images/root disk.img");
	ck_assert_uint_eq(m.disks[1].size, 4194304);
	ck_assert_str_eq(m.disks[1].format, "qcow2");
	ck_assert_uint_eq(m.noverlays, 2);
	ck_assert_str_eq(snapmeta_disk(&m, "xvdb")->image,
			 "/state/hv/snapshots/lx/s0.xvdb.0.qcow2");
	ck_assert_ptr_null(snapmeta_disk(&m, "hda"));
	ck_assert_int_eq(snapmeta_add_overlay(&m, "xvda", "s1.xvda.1.qcow2"), 0);
	ck_assert_int_eq(snapmeta_add_overlay(&m, "hda", "s1.hda.1.qcow2"), -1);
	ck_assert_int_eq(snapmeta_add_overlay(&m, "xvda", "../x"), -1);
	text = written(&m);
	ck_assert_int_eq(snapmeta_parse(text, strlen(text), &again, err, sizeof err), 0);
	ck_assert_int_eq(memcmp(&m, &again, sizeof m), 0);
	free(text);
}
END_TEST

/* Each replaces the good record's line `line` (1-based) by `with`, or
 * appends it (line 0), and must be refused naming `why`. */
static const struct {
	unsigned line;
	const char *with, *why;
} bad[] = {
    {1, "hv-snapshot 2", "version 1"},
    {2, "domain ../etc", "not a valid name"},
    {2, "domain .hidden", "not a valid name"},
    {3, "name a/b", "not a valid name"},
    {3, "name ", "not a valid name"},
    {4, "time -1", "not a number"},
    {4, "time 99999999999999999999", "not a number"},
    {4, "time 012", "not a number"},
    {5, "disk xvda raw 67108864 relative/path", "absolute path"},
    {5, "disk xvda vmdk 67108864 /a", "neither raw nor qcow2"},
    {5, "disk xvda raw 0 /a", "bad size"},
    {5, "disk xvda raw 36028797018963969 /a", "bad size"},
    {5, "disk XVDA raw 1 /a", "bad device name"},
    {5, "disk xvdb raw 1 /a", "given twice"},
    {5, "disk xvda raw 1 /a\tb", "absolute path"},
    {7, "overlay hda s.qcow2", "not of a disk"},
    {7, "overlay xvda ../../etc/passwd", "plain file name"},
    {7, "overlay xvda .meta", "plain file name"},
    {7, "overlay xvdb s1.xvdb.0.qcow2", "given twice"},
    {0, "name again", "given twice"},
    {0, "colour blue", "unknown key"},
    {0, "", "no value"},
};

static char *replaced(unsigned line, const char *with)
{
	static char out[2048];
	const char *p = good;
	size_t n = 0;

	for (unsigned l = 1; *p; l++) {
		const char *nl = strchr(p, '\n');

		if (l == line)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s\n", with);
		else
			n += (size_t)snprintf(out + n, sizeof out - n, "%.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}
	if (line == 0)
		snprintf(out + n, sizeof out - n, "%s\n", with);
	return out;
}

START_TEST(hostile_records_are_refused)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse(replaced(bad[i].line, bad[i].with)) == -1, "accepted: %s",
			      bad[i].with);
		ck_assert_msg(strstr(err, bad[i].why) && strncmp(err, "line ", 5) == 0,
			      "%s: error '%s', want '%s'", bad[i].with, err, bad[i].why);
	}
	/* Missing keys, no final newline, a NUL, not the format at all. */
	ck_assert_int_eq(parse("hv-snapshot 1\ndomain a\nname b\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	ck_assert_int_eq(parse("hv-snapshot 1\ndomain a\nname b\ntime 1"), -1);
	ck_assert_int_eq(snapmeta_parse("hv-snapshot 1\ndomain a\0\n", 24, &m, err, sizeof err),
			 -1);
	ck_assert_int_eq(parse("\x7f"
			       "ELF"),
			 -1);
	ck_assert_int_eq(snapmeta_parse(good, 0, &m, err, sizeof err), -1);
}
END_TEST

START_TEST(bounds_hold)
{
	static char text[SNAPMETA_BYTES_MAX + 2];
	size_t n = (size_t)snprintf(text, sizeof text, "hv-snapshot 1\ndomain a\nname b\ntime 1\n");
	char name[80];

	/* 63-byte names fit, 64 do not. */
	memset(name, 'n', 63);
	name[63] = '\0';
	ck_assert(snapmeta_name_ok(name));
	name[63] = 'n';
	name[64] = '\0';
	ck_assert(!snapmeta_name_ok(name));
	ck_assert(!snapmeta_name_ok("-x"));
	ck_assert(!snapmeta_name_ok("a b"));
	/* More disks than the limit. */
	for (unsigned i = 0; i <= SNAPMETA_DISKS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "disk %c%c%c raw 1 /d\n",
				      'a' + i / 26 % 26, 'a' + i % 26, 'a');
	ck_assert_int_eq(snapmeta_parse(text, n, &m, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than"));
	/* Too long altogether. */
	memset(text, 'x', sizeof text);
	memcpy(text, "hv-snapshot 1\n", 14);
	ck_assert_int_eq(snapmeta_parse(text, SNAPMETA_BYTES_MAX + 1, &m, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
}
END_TEST

START_TEST(damage_never_crashes_and_what_parses_writes_back)
{
	char buf[sizeof good];

	unit_seed(5);
	for (unsigned round = 0; round < 5000; round++) {
		size_t len = sizeof good - 1;

		memcpy(buf, good, len);
		for (unsigned k = unit_rand() % 4 + 1; k; k--)
			buf[unit_rand() % len] =
			    (char)(unit_rand() % 3 ? ' ' + unit_rand() % 95 : unit_rand() % 256);
		if (unit_rand() % 4 == 0)
			len = unit_rand() % len;
		if (snapmeta_parse(buf, len, &m, err, sizeof err) == 0) {
			char *text = written(&m);

			ck_assert_int_eq(
			    snapmeta_parse(text, strlen(text), &again, err, sizeof err), 0);
			ck_assert_int_eq(memcmp(&m, &again, sizeof m), 0);
			free(text);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snapmeta");
	TCase *tc = tcase_create("snapmeta");

	tcase_add_test(tc, a_record_reads_and_writes_back);
	tcase_add_test(tc, hostile_records_are_refused);
	tcase_add_test(tc, bounds_hold);
	tcase_add_test(tc, damage_never_crashes_and_what_parses_writes_back);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
