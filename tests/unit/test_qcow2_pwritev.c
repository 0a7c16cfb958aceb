/* qcow2 writes that go to the file in one pwritev: guest data of
 * consecutive clusters landing at consecutive host offsets (new clusters
 * allocated in a row, or clusters written in place) is written straight
 * from the request's vector, once per request, not once per cluster;
 * requests with partial first and last clusters, over a backing file,
 * still give the bytes written (`qemu-img convert`) and a clean `qemu-img
 * check`; and a failed write puts the L2 entries of its new clusters back
 * and frees them (no leak, the old contents read back); requests cut
 * short at many points, with write-backs in their middle, leave the file
 * as a crash would find it clean. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "hv/block/disk.h"
#include "hv/block/qcow2.h"

#include "qcow2_util.h"
#include "unit.h"

#define MB (1u << 20)

/* Writes len bytes of buf at off as pieces of piece bytes (the last
 * shorter), as virtio-blk hands over guest pages. No Check assertion
 * inside: some callers limit the size of files (Check's own too). */
static int write_pieces(struct disk *d, uint64_t off, const uint8_t *buf, size_t len, size_t piece)
{
	struct iovec v[1024];
	int n = 0;

	for (size_t at = 0; at < len; at += piece, n++) {
		if (n == 1024)
			abort();
		v[n].iov_base = (void *)(buf + at);
		v[n].iov_len = len - at < piece ? len - at : piece;
	}
	return disk_writev(d, off, v, n);
}

static void reads_back(struct disk *d, const uint8_t *want, size_t size)
{
	uint8_t *got = malloc(size);

	ck_assert_int_eq(disk_read(d, 0, got, size), 0);
	for (size_t i = 0; i < size; i++)
		if (got[i] != want[i])
			ck_abort_msg("hv reads 0x%02x at %zu, not 0x%02x", got[i], i, want[i]);
	free(got);
}

/* 1 MiB requests of 4 KiB pieces into 64 KiB clusters: one write call
 * each, whether the 16 clusters are new or written in place. */
START_TEST(one_write_call_per_request)
{
	size_t size = 8 * MB;
	uint8_t *shadow = calloc(1, size);
	struct disk *d;

	must("qemu-img create -f qcow2 t.qcow2 %zu", size);
	d = open_rw("t.qcow2");
	fill(shadow, size, 5);
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned m = 0; m < size / MB; m++) {
			uint64_t before = d->qcow2->host_writes;

			if (pass)
				fill(shadow + m * MB, MB, 50 + m);
			ck_assert_int_eq(write_pieces(d, m * MB, shadow + m * MB, MB, 4096), 0);
			ck_assert_msg(d->qcow2->host_writes - before == 1,
				      "pass %d, request %u: %llu write calls", pass, m,
				      (unsigned long long)(d->qcow2->host_writes - before));
		}
	}
	reads_back(d, shadow, size);
	disk_close(d);
	must("qemu-img check t.qcow2");
	converts_to("t.qcow2", shadow, size);
	free(shadow);
}
END_TEST

/* Requests starting and ending inside a cluster, in odd pieces, over
 * clusters new, written before, and (with a backing file) inherited. */
static void partial_edges(const char *create)
{
	size_t size = 16 * MB, cs = 65536;
	uint8_t *shadow = calloc(1, size), *buf = malloc(3 * MB);
	struct disk *d;

	must("head -c %zu /dev/urandom >base.raw", size);
	must("%s", create);
	if (strstr(create, "base.raw")) {
		size_t n;
		uint8_t *base = slurp(at("base.raw"), &n);

		memcpy(shadow, base, size);
		free(base);
	}
	d = open_rw("t.qcow2");
	for (unsigned i = 0; i < 40; i++) {
		uint64_t off = (i * 7919u % 200) * cs + (i * 1536u) % cs;
		size_t len = cs * (i % 37) + 512 * (i % 5 + 1);

		if (off + len > size)
			off = size - len;
		fill(buf, len, 100 + i);
		ck_assert_int_eq(write_pieces(d, off, buf, len, 4096 * (i % 4 + 1) - 512 * (i % 3)),
				 0);
		memcpy(shadow + off, buf, len);
	}
	reads_back(d, shadow, size);
	disk_close(d);
	must("qemu-img check t.qcow2");
	converts_to("t.qcow2", shadow, size);
	free(buf);
	free(shadow);
}

START_TEST(partial_first_and_last_clusters)
{
	partial_edges("qemu-img create -f qcow2 t.qcow2 16M");
}
END_TEST

START_TEST(partial_clusters_over_a_backing_file)
{
	partial_edges("qemu-img create -f qcow2 -b base.raw -F raw t.qcow2 16M");
}
END_TEST

static void file_size_limit(rlim_t limit)
{
	struct rlimit r;

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &r), 0);
	r.rlim_cur = limit;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &r), 0);
}

/* Each cluster of [off, off + len) reads either as before (old) or as
 * written (new); the last one as before. */
static void old_or_new(struct disk *d, uint64_t off, size_t len, const uint8_t *old,
		       const uint8_t *new)
{
	size_t cs = 65536;
	uint8_t *got = malloc(cs);

	for (size_t at = 0; at < len; at += cs) {
		ck_assert_int_eq(disk_read(d, off + at, got, cs), 0);
		ck_assert_msg(!memcmp(got, old + off + at, cs) ||
				  (at + cs < len && !memcmp(got, new + at, cs)),
			      "the cluster at %llu reads neither as before nor as written",
			      (unsigned long long)(off + at));
	}
	free(got);
}

/* The file may not grow (RLIMIT_FSIZE): a request that allocates past
 * its end fails part way (clusters reused inside the file written, then
 * one pwritev cut short at the end of the file). Each of its clusters
 * reads as before or as written, those past the end as before, and no
 * cluster leaks or is counted wrong (a new cluster whose write failed is
 * freed and its old L2 entry back). */
START_TEST(failed_write_puts_the_entries_back)
{
	size_t size = 8 * MB;
	uint8_t *shadow = calloc(1, size), *buf = malloc(4 * MB);
	struct disk *d;
	struct stat st;

	must("qemu-img create -f qcow2 t.qcow2 %zu", size);
	d = open_rw("t.qcow2");
	fill(shadow, MB, 1);
	ck_assert_int_eq(write_pieces(d, 0, shadow, MB, 4096), 0);
	/* holes inside the file for the next allocation, and the file's end */
	ck_assert_int_eq(disk_discard(d, 0, MB / 2), 0);
	memset(shadow, 0, MB / 2);
	ck_assert_int_eq(disk_flush(d), 0);
	ck_assert_int_eq(stat(at("t.qcow2"), &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	file_size_limit((rlim_t)st.st_size);
	fill(buf, 4 * MB, 2);
	ck_assert_int_eq(write_pieces(d, 2 * MB, buf, 4 * MB, 4096), -1);
	file_size_limit(RLIM_INFINITY);
	signal(SIGXFSZ, SIG_DFL);
	old_or_new(d, 2 * MB, 4 * MB, shadow, buf);
	disk_close(d);
	must("qemu-img check t.qcow2");
	free(buf);
	free(shadow);
}
END_TEST

/* The image as a crash would leave it now (a copy of the file while hv
 * has it open): `qemu-img check` clean, and each cluster of [off, off +
 * len) holds either the old bytes or the new ones. */
static void crash_copy_ok(const uint8_t *old, const uint8_t *new, size_t size, uint64_t off,
			  size_t len, size_t cs)
{
	uint8_t *got;
	size_t n;

	must("cp t.qcow2 crash.qcow2 && cp base.raw crashbase.raw && qemu-img rebase -u -b "
	     "crashbase.raw -F raw crash.qcow2 && qemu-img check crash.qcow2");
	must("qemu-img convert -O raw crash.qcow2 conv.raw");
	got = slurp(at("conv.raw"), &n);
	ck_assert_uint_eq(n, size);
	for (size_t at = 0; at < len; at += cs)
		ck_assert_msg(!memcmp(got + off + at, old + off + at, cs) ||
				  !memcmp(got + off + at, new + at, cs),
			      "after a crash the cluster at %llu holds neither the old nor the new "
			      "bytes",
			      (unsigned long long)(off + at));
	free(got);
}

/* 512-byte clusters over a backing file: a 2 MiB request changes so many
 * L2 tables that write-backs start in its middle. The file may grow only
 * so far (a little further each time), so the request fails at a
 * different point each time; what is on disk then (as a crash would
 * leave it) must be clean: no leak (a new L2 table's refcount written
 * back before the L1 entry that uses it), every cluster old or new. */
START_TEST(a_request_cut_short_leaves_a_clean_image)
{
	size_t size = 4 * MB, cs = 512, len = 2 * MB;
	uint8_t *old = malloc(size), *buf = malloc(len);
	struct stat st;

	fill(old, size, 7);
	fill(buf, len, 8);
	for (unsigned k = 0; k < 24; k++) {
		FILE *f = fopen(at("base.raw"), "wb");
		struct disk *d;

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(old, 1, size, f), size);
		fclose(f);
		must("rm -f t.qcow2 && qemu-img create -f qcow2 -o cluster_size=512 -b base.raw -F "
		     "raw t.qcow2 4M");
		d = open_rw("t.qcow2");
		ck_assert_int_eq(stat(at("t.qcow2"), &st), 0);
		signal(SIGXFSZ, SIG_IGN);
		file_size_limit((rlim_t)st.st_size + k * 64 * 1024);
		write_pieces(d, MB, buf, len, 4096);
		file_size_limit(RLIM_INFINITY);
		signal(SIGXFSZ, SIG_DFL);
		crash_copy_ok(old, buf, size, MB, len, cs);
		disk_close(d);
	}
	free(buf);
	free(old);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qcow2_pwritev");
	TCase *tc = tcase_create("qcow2_pwritev");

	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, one_write_call_per_request);
	tcase_add_test(tc, partial_first_and_last_clusters);
	tcase_add_test(tc, partial_clusters_over_a_backing_file);
	tcase_add_test(tc, failed_write_puts_the_entries_back);
	tcase_add_test(tc, a_request_cut_short_leaves_a_clean_image);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
