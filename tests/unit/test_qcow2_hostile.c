/* qcow2 images that lie: headers and tables patched after qemu-img made
 * them (bad magic, versions, cluster sizes, huge sizes, tables outside the
 * file, overlapping or in the header, unknown incompatible features,
 * backing chains that loop) are refused at open with a message naming the
 * problem, and bad table entries fail the request, never crash. Also the
 * process killed (SIGKILL) in the middle of writes: `qemu-img check` stays
 * clean. */
#include <check.h>
#include <endian.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv/block/disk.h"

#include "qcow2_util.h"
#include "unit.h"

static void poke(const char *name, long off, int width, uint64_t v)
{
	int fd = open(at(name), O_WRONLY);
	uint8_t b[8];

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
	ck_assert_int_eq(pwrite(fd, b, (size_t)width, off), width);
	close(fd);
}

static uint64_t peek(const char *name, long off, int width)
{
	int fd = open(at(name), O_RDONLY);
	uint8_t b[8];
	uint64_t v = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, b, (size_t)width, off), width);
	close(fd);
	for (int i = 0; i < width; i++)
		v = v << 8 | b[i];
	return v;
}

/* A fresh 1 GiB image (two L2 tables' worth) with data in its first
 * cluster. */
static void fresh(void)
{
	must("rm -f h.qcow2 && qemu-img create -f qcow2 h.qcow2 1G && "
	     "qemu-io -c 'write -P 0x5a 0 128k' h.qcow2");
}

static void refused(bool readonly, const char *want)
{
	struct disk *d =
	    disk_open_format(at("h.qcow2"), DISK_FORMAT_QCOW2, readonly, err, sizeof err);

	if (d)
		disk_close(d);
	ck_assert_msg(d == NULL, "opened although it should fail with \"%s\"", want);
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" does not say \"%s\"", err, want);
	ck_assert_msg(strstr(err, "h.qcow2") != NULL, "\"%s\" does not name the file", err);
}

static void patched(long off, int width, uint64_t v, const char *want)
{
	fresh();
	poke("h.qcow2", off, width, v);
	refused(false, want);
	refused(true, want);
}

START_TEST(bad_headers_are_refused)
{
	patched(0, 4, 0x514649fa, "bad magic");
	patched(4, 4, 4, "version 4");
	patched(4, 4, 1, "version 1");
	patched(20, 4, 8, "cluster_bits 8");
	patched(20, 4, 22, "cluster_bits 22");
	patched(20, 4, 0xffffffff, "cluster_bits");
	patched(32, 4, 1, "encrypted");
	patched(24, 8, 1ull << 62, "virtual size too large");
	patched(24, 8, 1ull << 45, "L1 table size");
	patched(36, 4, 0x7fffffff, "L1 table size");
	patched(40, 8, 1ull << 40, "L1 table outside the file");
	patched(40, 8, 0, "L1 table outside the file or misaligned");
	patched(40, 8, 65536 + 8, "misaligned");
	patched(40, 8, peek("h.qcow2", 48, 8), "overlap");
	patched(48, 8, 1ull << 45, "refcount table outside the file");
	patched(56, 4, 0x40000000, "bad refcount table size");
	patched(56, 4, 0, "bad refcount table size");
	patched(72, 8, 1ull << 4, "unsupported incompatible features 0x10");
	patched(72, 8, 1ull << 40, "unsupported incompatible features");
	patched(96, 4, 7, "refcount_order");
	patched(100, 4, 1u << 20, "bad header length");
	patched(100, 4, 50, "bad header length");
	/* a backing name running past cluster 0 */
	patched(8, 8, 65530, "backing file name");
	fresh();
	poke("h.qcow2", 8, 8, 512);
	poke("h.qcow2", 16, 4, 3000);
	refused(true, "backing file name");
	/* too short to be anything */
	must("head -c 40 /dev/zero > h.qcow2");
	refused(true, "too short");
}
END_TEST

/* The dirty (lazy refcounts) and corrupt bits: read-only opens only. */
START_TEST(dirty_and_corrupt_images_open_read_only)
{
	for (int bit = 0; bit < 2; bit++) {
		struct disk *d;

		fresh();
		poke("h.qcow2", 72, 8, 1ull << bit);
		refused(false, bit ? "marked corrupt" : "dirty");
		d = disk_open_format(at("h.qcow2"), DISK_FORMAT_QCOW2, true, err, sizeof err);
		ck_assert_msg(d != NULL, "%s", err);
		disk_close(d);
	}
	fresh();
	must("qemu-img snapshot -c s1 h.qcow2");
	refused(false, "internal snapshots");
}
END_TEST

START_TEST(backing_loops_are_refused)
{
	must("qemu-img create -f qcow2 b.qcow2 1M && "
	     "qemu-img create -f qcow2 -b b.qcow2 -F qcow2 a.qcow2 && "
	     "qemu-img rebase -u -b a.qcow2 -F qcow2 b.qcow2 && cp a.qcow2 h.qcow2");
	/* h -> b -> a -> b -> ... */
	refused(true, "too deep");
	refused(false, "too deep");
	must("qemu-img rebase -u -b h.qcow2 -F qcow2 h.qcow2");
	refused(false, "in use"); /* itself, read-write and read-only at once */
	refused(true, "too deep");
	must("qemu-img rebase -u -b missing.img -F raw h.qcow2");
	refused(true, "missing.img: No such file");
	must("qemu-img rebase -u -b b.qcow2 -F vmdk h.qcow2");
	refused(true, "neither raw nor qcow2");
}
END_TEST

/* Table entries that point at the header or the tables, or hold reserved
 * bits, fail the read or write touching them, and only that one. */
START_TEST(bad_table_entries_fail_the_request)
{
	uint8_t buf[4096];
	uint64_t l1 = 0, l2 = 0, rt = 0;
	struct disk *d;

	for (int k = 0; k < 6; k++) {
		fresh();
		l1 = peek("h.qcow2", 40, 8);
		rt = peek("h.qcow2", 48, 8);
		l2 = peek("h.qcow2", (long)l1, 8) & 0x00fffffffffffe00ull;
		switch (k) {
		case 0: poke("h.qcow2", (long)l1, 8, (1ull << 63) | rt); break;	 /* L2 = reftable */
		case 1: poke("h.qcow2", (long)l1, 8, (1ull << 63) | 512); break; /* misaligned */
		case 2: poke("h.qcow2", (long)l2, 8, (1ull << 63) | 0x1fe); break; /* reserved */
		case 3: poke("h.qcow2", (long)l2, 8, (1ull << 63) | l1); break;	   /* data = L1 */
		case 4: poke("h.qcow2", (long)l2, 8, (1ull << 62) | 0x3fffffffffull); break;
		case 5: poke("h.qcow2", (long)l2, 8, (1ull << 62) | 1); break; /* garbage zlib */
		}
		d = disk_open_format(at("h.qcow2"), DISK_FORMAT_QCOW2, false, err, sizeof err);
		ck_assert_msg(d != NULL, "%s", err);
		ck_assert_int_eq(disk_read(d, 0, buf, sizeof buf), k == 3 ? 0 : -1);
		/* (k = 3: never written into the L1 table) */
		ck_assert_int_eq(disk_write(d, 0, buf, sizeof buf), -1);
		/* the rest of the disk (another L2 table) still works */
		memset(buf, 0x33, sizeof buf);
		ck_assert_int_eq(disk_write(d, 600u << 20, buf, sizeof buf), 0);
		memset(buf, 0, sizeof buf);
		ck_assert_int_eq(disk_read(d, 600u << 20, buf, sizeof buf), 0);
		ck_assert_int_eq(buf[4095], 0x33);
		disk_close(d);
	}
}
END_TEST

/* A child writes (flushing now and then) until SIGKILL. */
static void writer(unsigned seed)
{
	struct disk *d = disk_open_format(at("k.qcow2"), DISK_FORMAT_QCOW2, false, err, sizeof err);
	static uint8_t buf[256 * 1024];

	if (!d)
		_exit(71);
	unit_seed(seed);
	for (unsigned i = 0;; i++) {
		size_t len = (unit_rand() % 512 + 1) * 512;
		uint64_t off = (uint64_t)(unit_rand() % (120u << 11)) * 512;

		memset(buf, (int)i, len);
		if (disk_write(d, off, buf, len) < 0)
			_exit(72);
		if (i % 64 == 63 && disk_flush(d) < 0)
			_exit(73);
	}
}

START_TEST(sigkill_during_writes_leaves_a_clean_image)
{
	must("qemu-img create -f qcow2 k.qcow2 128M");
	for (unsigned round = 0; round < 10; round++) {
		struct timespec t = {0, 40000000 + 37000000 * (long)round};
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			writer(round);
		nanosleep(&t, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "the writer stopped by itself: %d", status);
		must("qemu-img check k.qcow2");
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qcow2_hostile");
	TCase *tc = tcase_create("qcow2_hostile");

	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, bad_headers_are_refused);
	tcase_add_test(tc, dirty_and_corrupt_images_open_read_only);
	tcase_add_test(tc, backing_loops_are_refused);
	tcase_add_test(tc, bad_table_entries_fail_the_request);
	tcase_add_test(tc, sigkill_during_writes_leaves_a_clean_image);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
