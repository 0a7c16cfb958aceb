/* qcow2 through the disk layer, on images that qemu-img makes: random
 * writes (unaligned, across clusters, scatter-gather) then `qemu-img
 * check` clean and `qemu-img convert -O raw` equal byte for byte to what
 * was written; versions 2 and 3, small clusters (the refcount table must
 * grow), odd refcount widths; backing chains (raw and qcow2, relative
 * paths); zero clusters; discard and the reuse of freed clusters; images
 * with compressed clusters read and overwritten; threads writing, reading
 * and flushing one image at once (virtio-blk's worker and a vCPU). */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/block/disk.h"

#include "qcow2_util.h"
#include "unit.h"

#define MB (1u << 20)

/* Random writes into d mirrored in shadow: single buffers and 3-piece
 * vectors, 512-byte aligned, up to 3 clusters long. */
static void random_writes(struct disk *d, uint8_t *shadow, size_t size, unsigned count,
			  uint32_t seed)
{
	uint8_t *buf = malloc(256 * 1024);

	for (unsigned i = 0; i < count; i++) {
		size_t len, off;

		unit_seed(seed + i);
		len = (unit_rand() % 384 + 1) * 512;
		off = (unit_rand() % (size / 512)) * 512;
		if (off + len > size)
			off = size - len;
		fill(buf, len, seed * 7 + i);
		if (i % 2) {
			struct iovec v[3] = {
			    {buf, 512}, {buf + 512, len / 2 - 512}, {buf + len / 2, len - len / 2}};

			ck_assert_int_eq(disk_writev(d, off, v, len > 1024 ? 3 : 1), 0);
			if (len <= 1024)
				len = 512;
		} else {
			ck_assert_int_eq(disk_write(d, off, buf, len), 0);
		}
		memcpy(shadow + off, buf, len);
		if (i % 17 == 0)
			ck_assert_int_eq(disk_flush(d), 0);
	}
	free(buf);
}

/* Reads the whole disk through hv and compares. */
static void reads_back(struct disk *d, const uint8_t *want, size_t size)
{
	uint8_t *got = malloc(size);
	struct iovec v[2] = {{got, size / 3}, {got + size / 3, size - size / 3}};

	ck_assert_int_eq(disk_readv(d, 0, v, 2), 0);
	for (size_t i = 0; i < size; i++)
		if (got[i] != want[i])
			ck_abort_msg("hv reads 0x%02x at %zu, not 0x%02x", got[i], i, want[i]);
	free(got);
}

/* create with OPTS, random writes through hv, then check and convert. */
static void write_and_verify(const char *opts, size_t size, unsigned writes)
{
	uint8_t *shadow = calloc(1, size);
	struct disk *d;

	must("qemu-img create -f qcow2 %s t.qcow2 %zu", opts, size);
	d = open_rw("t.qcow2");
	ck_assert_uint_eq(d->size, size);
	random_writes(d, shadow, size, writes, 11);
	reads_back(d, shadow, size);
	disk_close(d);
	must("qemu-img check t.qcow2");
	converts_to("t.qcow2", shadow, size);
	/* open again: the metadata on disk gives the same bytes */
	d = open_rw("t.qcow2");
	reads_back(d, shadow, size);
	random_writes(d, shadow, size, writes / 4, 99);
	disk_close(d);
	must("qemu-img check t.qcow2");
	converts_to("t.qcow2", shadow, size);
	free(shadow);
}

START_TEST(v3_random_writes_check_and_convert)
{
	write_and_verify("", 24 * MB, 300);
}
END_TEST

START_TEST(v2_random_writes_check_and_convert)
{
	write_and_verify("-o compat=0.10", 24 * MB, 200);
}
END_TEST

/* 512-byte clusters: one refcount table cluster covers 8 MiB, so writing
 * 24 MiB makes hv grow the table (and add refcount blocks). */
START_TEST(small_clusters_grow_the_refcount_table)
{
	write_and_verify("-o cluster_size=512", 24 * MB, 150);
	write_and_verify("-o cluster_size=4096,refcount_bits=1", 8 * MB, 100);
}
END_TEST

START_TEST(wide_refcounts_and_big_clusters)
{
	write_and_verify("-o cluster_size=2M,refcount_bits=64", 16 * MB, 60);
	write_and_verify("-o refcount_bits=8", 8 * MB, 60);
}
END_TEST

/* base.raw <- mid.qcow2 (raw backing) <- top.qcow2 (qcow2 backing), with
 * relative names, made and partly written by qemu. */
START_TEST(backing_chain_reads_and_writes)
{
	size_t size = 8 * MB, n;
	uint8_t *want, *base;
	struct disk *d;

	base = malloc(size);
	fill(base, size, 5);
	{
		FILE *f = fopen(at("base.raw"), "wb");

		ck_assert_uint_eq(fwrite(base, 1, size, f), size);
		fclose(f);
	}
	free(base);
	must("qemu-img create -f qcow2 -b base.raw -F raw mid.qcow2");
	must("qemu-io -c 'write -P 0x55 1M 100k' -c 'write -P 0x66 4000k 8k' mid.qcow2");
	must("qemu-img create -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2");
	must("qemu-io -c 'write -P 0x77 1050k 4k' -c 'write -z 2M 128k' top.qcow2");
	must("qemu-img convert -O raw top.qcow2 want.raw");
	want = slurp(at("want.raw"), &n);
	ck_assert_uint_eq(n, size);

	d = open_rw("top.qcow2");
	ck_assert_uint_eq(d->size, size);
	reads_back(d, want, size);
	random_writes(d, want, size, 80, 3);
	reads_back(d, want, size);
	disk_close(d);
	must("qemu-img check top.qcow2");
	must("qemu-img check mid.qcow2");
	converts_to("top.qcow2", want, size);
	/* the backing files were only read */
	must("qemu-img compare -f raw -F qcow2 base.raw mid.qcow2 || test $? = 1");
	free(want);
}
END_TEST

/* The backing file smaller than the image: the rest reads as zeros. */
START_TEST(short_backing_file_reads_zeros_past_its_end)
{
	uint8_t *want = calloc(1, 4 * MB);
	struct disk *d;

	memset(want, 0xAB, MB);
	must("head -c 1048576 /dev/zero | tr '\\0' '\\253' > small.raw");
	must("qemu-img create -f qcow2 -b small.raw -F raw big.qcow2 4M");
	d = open_rw("big.qcow2");
	reads_back(d, want, 4 * MB);
	memset(want + MB - 512, 0x11, 1024);
	ck_assert_int_eq(disk_write(d, MB - 512, want + MB - 512, 1024), 0);
	reads_back(d, want, 4 * MB);
	disk_close(d);
	must("qemu-img check big.qcow2");
	converts_to("big.qcow2", want, 4 * MB);
	free(want);
}
END_TEST

/* Zero clusters written by qemu read as zeros; hv's write-zeroes over a
 * backing file (version 3: the zero flag) hides the backing data. */
START_TEST(zero_clusters)
{
	size_t size = 4 * MB, n;
	uint8_t *want;
	struct disk *d;

	must("qemu-img create -f raw b.raw 4M && qemu-io -f raw -c 'write -P 0x42 0 4M' b.raw");
	must("qemu-img create -f qcow2 -b b.raw -F raw z.qcow2");
	must("qemu-io -c 'write -z 64k 64k' z.qcow2");
	d = open_rw("z.qcow2");
	want = malloc(size);
	memset(want, 0x42, size);
	memset(want + 65536, 0, 65536);
	reads_back(d, want, size);
	/* whole clusters (the zero flag) and a partial one (written zeros) */
	ck_assert_int_eq(disk_write_zeroes(d, MB, 3 * 65536 + 4096), 0);
	memset(want + MB, 0, 3 * 65536 + 4096);
	reads_back(d, want, size);
	disk_close(d);
	must("qemu-img check z.qcow2");
	converts_to("z.qcow2", want, size);
	must("qemu-img map --output=json z.qcow2 > map.json");
	free(slurp(at("map.json"), &n));
	ck_assert_int_eq(sh("grep -q '\"start\": 1048576, \"length\": 196608, \"depth\": 0, "
			    "\"present\": true, \"zero\": true, \"data\": false' map.json"),
			 0);
	free(want);
}
END_TEST

/* Discard frees clusters (refcounts drop, check stays clean) and later
 * writes reuse them: the file does not grow. */
START_TEST(discard_frees_and_reuses_clusters)
{
	size_t size = 16 * MB;
	uint8_t *want = malloc(size);
	struct disk *d;
	struct stat st1, st2;

	fill(want, size, 8);
	must("qemu-img create -f qcow2 d.qcow2 16M");
	d = open_rw("d.qcow2");
	ck_assert_int_eq(disk_write(d, 0, want, size), 0);
	ck_assert_int_eq(disk_flush(d), 0);
	ck_assert_int_eq(disk_discard(d, 2 * MB, 4 * MB + 512), 0);
	memset(want + 2 * MB, 0, 4 * MB); /* whole clusters only */
	reads_back(d, want, size);
	disk_close(d);
	must("qemu-img check d.qcow2");
	converts_to("d.qcow2", want, size);
	ck_assert_int_eq(stat(at("d.qcow2"), &st1), 0);
	d = open_rw("d.qcow2");
	fill(want + 2 * MB, 4 * MB, 9);
	ck_assert_int_eq(disk_write(d, 2 * MB, want + 2 * MB, 4 * MB), 0);
	disk_close(d);
	ck_assert_int_eq(stat(at("d.qcow2"), &st2), 0);
	ck_assert_int_eq(st1.st_size, st2.st_size);
	must("qemu-img check d.qcow2");
	converts_to("d.qcow2", want, size);
	free(want);
}
END_TEST

/* hv top's DSK rates: a qcow2 image's bytes are counted as a raw one's,
 * plain and scatter-gather, once each. */
START_TEST(byte_counters_count_qcow2_transfers)
{
	uint8_t a[4096], b[512];
	struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
	struct disk *d;
	uint64_t rd, wr;

	fill(a, sizeof a, 3);
	must("qemu-img create -f qcow2 n.qcow2 1M");
	d = open_rw("n.qcow2");
	ck_assert_int_eq(disk_write(d, 0, a, sizeof a), 0);
	ck_assert_int_eq(disk_writev(d, 65536, iov, 2), 0);
	ck_assert_int_eq(disk_read(d, 512, b, sizeof b), 0);
	ck_assert_int_eq(disk_readv(d, 0, iov, 2), 0);
	ck_assert_int_eq(disk_read(d, MB, b, 1), -1); /* past the end: nothing */
	disk_bytes(d, &rd, &wr);
	ck_assert_uint_eq(wr, 4096 + 4608);
	ck_assert_uint_eq(rd, 512 + 4608);
	disk_close(d);
}
END_TEST

/* qemu-img convert -c: compressed clusters read back; writing into one
 * copies it to a new cluster and frees the compressed data. */
START_TEST(compressed_clusters)
{
	size_t size = 4 * MB, n;
	uint8_t *want;
	struct disk *d;

	/* compressible but not uniform data */
	must("for i in $(seq 1 40000); do echo \"line $i of the compressed image test\"; done "
	     "| head -c 4194304 > src.raw && truncate -s 4M src.raw");
	must("qemu-img convert -c -f raw -O qcow2 src.raw c.qcow2");
	want = slurp(at("src.raw"), &n);
	ck_assert_uint_eq(n, size);
	d = open_rw("c.qcow2");
	reads_back(d, want, size);
	memset(want + 99840, 0xEE, 70144);
	ck_assert_int_eq(disk_write(d, 99840, want + 99840, 70144), 0);
	reads_back(d, want, size);
	ck_assert_int_eq(disk_discard(d, 2 * MB, 65536), 0);
	memset(want + 2 * MB, 0, 65536);
	disk_close(d);
	must("qemu-img check c.qcow2");
	converts_to("c.qcow2", want, size);
	free(want);
}
END_TEST

/* A read-only open of an image leaves it as it was and refuses writes. */
START_TEST(read_only_open)
{
	uint8_t b[512] = {1};
	struct disk *d;

	must("qemu-img create -f qcow2 r.qcow2 1M && qemu-io -c 'write -P 9 0 512' r.qcow2");
	d = disk_open_format(at("r.qcow2"), DISK_FORMAT_QCOW2, true, err, sizeof err);
	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(disk_read(d, 0, b, 512), 0);
	ck_assert_int_eq(b[0], 9);
	ck_assert_int_eq(disk_write(d, 0, b, 512), -1);
	ck_assert_int_eq(disk_read(d, MB - 512, b, 512), 0);
	ck_assert_int_eq(disk_read(d, MB, b, 1), -1);
	disk_close(d);
}
END_TEST

struct worker {
	struct disk *d;
	uint8_t *shadow;
	size_t from, len; /* the range this thread owns */
	uint32_t seed;
	int failures;
};

/* Writes, reads back and flushes inside its own range. */
static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[3 * 65536 + 512], got[sizeof buf];

	for (unsigned i = 0; i < 150; i++) {
		size_t len, off;

		len = ((size_t)rand_r(&w->seed) % (sizeof buf / 512) + 1) * 512;
		off = w->from + ((size_t)rand_r(&w->seed) % ((w->len - len) / 512)) * 512;
		memset(buf, (int)(w->seed + i), len);
		buf[0] = (uint8_t)i;
		if (disk_write(w->d, off, buf, len) < 0 || disk_read(w->d, off, got, len) < 0 ||
		    memcmp(buf, got, len) != 0)
			w->failures++;
		memcpy(w->shadow + off, buf, len);
		if (i % 10 == 0 && disk_flush(w->d) < 0)
			w->failures++;
		if (i % 25 == 0 && disk_discard(w->d, w->from, 65536) < 0)
			w->failures++;
		if (i % 25 == 0)
			memset(w->shadow + w->from, 0, 65536);
	}
	return NULL;
}

START_TEST(threads_share_one_image)
{
	size_t size = 32 * MB;
	uint8_t *shadow = calloc(1, size);
	struct worker w[3];
	pthread_t t[3];
	struct disk *d;

	must("qemu-img create -f qcow2 -o cluster_size=4096 m.qcow2 32M");
	d = open_rw("m.qcow2");
	for (int i = 0; i < 3; i++) {
		w[i] = (struct worker){d,
				       shadow,
				       (size_t)i * (size / 3) & ~(size_t)65535,
				       size / 3 - 65536,
				       (uint32_t)i + 1,
				       0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].failures, 0);
	}
	reads_back(d, shadow, size);
	disk_close(d);
	must("qemu-img check m.qcow2");
	converts_to("m.qcow2", shadow, size);
	free(shadow);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qcow2");
	TCase *tc = tcase_create("qcow2");

	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, v3_random_writes_check_and_convert);
	tcase_add_test(tc, v2_random_writes_check_and_convert);
	tcase_add_test(tc, small_clusters_grow_the_refcount_table);
	tcase_add_test(tc, wide_refcounts_and_big_clusters);
	tcase_add_test(tc, backing_chain_reads_and_writes);
	tcase_add_test(tc, short_backing_file_reads_zeros_past_its_end);
	tcase_add_test(tc, zero_clusters);
	tcase_add_test(tc, discard_frees_and_reuses_clusters);
	tcase_add_test(tc, byte_counters_count_qcow2_transfers);
	tcase_add_test(tc, compressed_clusters);
	tcase_add_test(tc, read_only_open);
	tcase_add_test(tc, threads_share_one_image);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
