/* qcow2: opening an image (header, extensions, tables, backing chain) and
 * reading from it. See qcow2.h. */
#include "hv/block/qcow2.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/file.h"
#include "hv/core/log.h"

#define EXT_END		 0x00000000u
#define EXT_BACKING_FMT	 0xe2792acau
#define INCOMPAT_DIRTY	 (1ull << 0)
#define INCOMPAT_CORRUPT (1ull << 1)

/* ---- host file access ------------------------------------------------ */

int qcow2_pread(struct qcow2 *q, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t k = pread(q->fd, p, len, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			log_limited(&q->rl, LOG_WARN, "%s: read at %llu: %s", q->path,
				    (unsigned long long)off, strerror(errno));
			return -1;
		}
		if (k == 0) {
			memset(p, 0, len); /* past the end of the file: a hole */
			return 0;
		}
		p += k;
		off += (uint64_t)k;
		len -= (size_t)k;
	}
	return 0;
}

int qcow2_pwrite(struct qcow2 *q, const void *buf, size_t len, uint64_t off)
{
	uint64_t at;

	q->host_writes++;
	if (file_pwrite_all(q->fd, buf, len, off, &at) < 0) {
		log_limited(&q->rl, LOG_WARN, "%s: write at %llu: %s", q->path,
			    (unsigned long long)at, strerror(errno));
		return -1;
	}
	if (off + len > q->file_size)
		q->file_size = off + len;
	return 0;
}

/* The entries of iov covering bytes [pos, pos + len) into out (at most
 * n); returns how many. */
static int iov_slice(const struct iovec *iov, int n, size_t pos, size_t len, struct iovec *out)
{
	int k = 0;

	for (int i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len, take;

		if (pos >= l) {
			pos -= l;
			continue;
		}
		take = l - pos < len ? l - pos : len;
		out[k++] =
		    (struct iovec){.iov_base = (uint8_t *)iov[i].iov_base + pos, .iov_len = take};
		len -= take;
		pos = 0;
	}
	return k;
}

int qcow2_pwritev(struct qcow2 *q, const struct iovec *iov, int n, size_t pos, size_t len,
		  uint64_t off)
{
	struct iovec v[IOV_MAX];
	uint64_t at = off + len;
	int rc;

	if (n > IOV_MAX)
		return -1;
	q->host_writes++;
	rc = file_transfer_v(q->fd, v, iov_slice(iov, n, pos, len, v), off, true, &at);
	if (rc < 0)
		log_limited(&q->rl, LOG_WARN, "%s: write at %llu: %s", q->path,
			    (unsigned long long)at, strerror(errno));
	/* what was written grew the file, if it failed part way too */
	if (at > q->file_size)
		q->file_size = at;
	return rc;
}

int qcow2_sync(struct qcow2 *q)
{
	if (fdatasync(q->fd) < 0) {
		log_limited(&q->rl, LOG_WARN, "%s: fdatasync: %s", q->path, strerror(errno));
		return -1;
	}
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The header cluster, the L1 table and the refcount table: never data. */
bool qcow2_overlaps_meta(const struct qcow2 *q, uint64_t off, uint64_t len)
{
	return ranges_overlap(off, len, 0, q->cluster_size) ||
	       ranges_overlap(off, len, q->l1_offset, (uint64_t)q->l1_size * 8) ||
	       ranges_overlap(off, len, q->rt_offset, q->rt_disk_len);
}

/* ---- the header ------------------------------------------------------- */

struct header {
	uint32_t magic, version;
	uint64_t backing_offset;
	uint32_t backing_size, cluster_bits;
	uint64_t size;
	uint32_t crypt, l1_size;
	uint64_t l1_offset, rt_offset;
	uint32_t rt_clusters, nb_snapshots;
	uint64_t snapshots_offset;
	uint64_t incompat, compat, autoclear;
	uint32_t refcount_order, header_length;
	uint8_t compression_type;
};

static uint32_t be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static void parse_header(const uint8_t *b, struct header *h)
{
	h->magic = be32(b);
	h->version = be32(b + 4);
	h->backing_offset = be64(b + 8);
	h->backing_size = be32(b + 16);
	h->cluster_bits = be32(b + 20);
	h->size = be64(b + 24);
	h->crypt = be32(b + 32);
	h->l1_size = be32(b + 36);
	h->l1_offset = be64(b + 40);
	h->rt_offset = be64(b + 48);
	h->rt_clusters = be32(b + 56);
	h->nb_snapshots = be32(b + 60);
	h->snapshots_offset = be64(b + 64);
	if (h->version < 3) {
		h->incompat = h->compat = h->autoclear = 0;
		h->refcount_order = 4;
		h->header_length = 72;
		h->compression_type = 0;
		return;
	}
	h->incompat = be64(b + 72);
	h->compat = be64(b + 80);
	h->autoclear = be64(b + 88);
	h->refcount_order = be32(b + 96);
	h->header_length = be32(b + 100);
	h->compression_type = h->header_length > 104 ? b[104] : 0;
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: qcow2: %s", path, what);
	return -1;
}

/* A table of bytes at off must be cluster aligned, past the header and
 * inside the file. */
static bool table_ok(const struct qcow2 *q, uint64_t off, uint64_t bytes)
{
	return off && off % q->cluster_size == 0 && off <= q->file_size &&
	       bytes <= q->file_size - off;
}

static int check_header(struct qcow2 *q, const struct header *h, char *err, size_t errlen)
{
	char what[160];
	uint64_t clusters, l1_need;

	if (h->magic != QCOW2_MAGIC)
		return fail(err, errlen, q->path, "not a qcow2 image (bad magic)");
	if (h->version != 2 && h->version != 3) {
		snprintf(what, sizeof what, "version %u (hv reads versions 2 and 3)", h->version);
		return fail(err, errlen, q->path, what);
	}
	if (h->cluster_bits < 9 || h->cluster_bits > 21) {
		snprintf(what, sizeof what, "cluster_bits %u out of range (9-21)", h->cluster_bits);
		return fail(err, errlen, q->path, what);
	}
	if (h->crypt)
		return fail(err, errlen, q->path, "encrypted images are not supported");
	if (h->version >= 3 &&
	    (h->header_length < 104 || h->header_length > (1u << h->cluster_bits)))
		return fail(err, errlen, q->path, "bad header length");
	if (h->refcount_order > 6)
		return fail(err, errlen, q->path, "refcount_order above 6");
	if (h->incompat & ~(INCOMPAT_DIRTY | INCOMPAT_CORRUPT)) {
		snprintf(what, sizeof what,
			 "unsupported incompatible features 0x%llx (external data file, "
			 "compression type or extended L2 entries)",
			 (unsigned long long)(h->incompat & ~(INCOMPAT_DIRTY | INCOMPAT_CORRUPT)));
		return fail(err, errlen, q->path, what);
	}
	if (h->compression_type != 0)
		return fail(err, errlen, q->path, "compression type other than zlib");
	if (h->size > (1ull << 55))
		return fail(err, errlen, q->path, "virtual size too large");
	clusters = (h->size + (1ull << h->cluster_bits) - 1) >> h->cluster_bits;
	l1_need = (clusters + (1ull << (h->cluster_bits - 3)) - 1) >> (h->cluster_bits - 3);
	if (h->l1_size < l1_need || (uint64_t)h->l1_size * 8 > QCOW2_L1_MAX_BYTES)
		return fail(err, errlen, q->path, "L1 table size does not fit the virtual size");
	if ((uint64_t)h->rt_clusters << h->cluster_bits > QCOW2_RT_MAX_BYTES || h->rt_clusters == 0)
		return fail(err, errlen, q->path, "bad refcount table size");
	return 0;
}

/* Refusals that depend on writing: a read-only open may still read. */
static int check_writable(struct qcow2 *q, const struct header *h, char *err, size_t errlen)
{
	if (q->readonly)
		return 0;
	if (h->incompat & INCOMPAT_DIRTY)
		return fail(err, errlen, q->path,
			    "refcounts marked dirty (lazy refcounts): repair it with "
			    "`qemu-img check -r all` or open it read-only");
	if (h->incompat & INCOMPAT_CORRUPT)
		return fail(err, errlen, q->path,
			    "marked corrupt: repair it with `qemu-img check -r all` or open it "
			    "read-only");
	if (h->nb_snapshots)
		return fail(err, errlen, q->path,
			    "has internal snapshots, which hv does not write: open it read-only");
	return 0;
}

static uint64_t *load_table(struct qcow2 *q, uint64_t off, uint64_t entries)
{
	uint64_t *t = calloc(entries ? entries : 1, 8);

	if (!t || qcow2_pread(q, t, entries * 8, off) < 0) {
		free(t);
		return NULL;
	}
	for (uint64_t i = 0; i < entries; i++)
		t[i] = be64toh(t[i]);
	return t;
}

static int load_tables(struct qcow2 *q, const struct header *h, char *err, size_t errlen)
{
	q->l1_size = h->l1_size;
	q->l1_offset = h->l1_offset;
	q->rt_offset = h->rt_offset;
	q->rt_entries = ((uint64_t)h->rt_clusters << h->cluster_bits) / 8;
	q->rt_disk_len = q->rt_entries * 8;
	if (!table_ok(q, q->l1_offset, (uint64_t)q->l1_size * 8) && q->l1_size)
		return fail(err, errlen, q->path, "L1 table outside the file or misaligned");
	if (!table_ok(q, q->rt_offset, q->rt_entries * 8))
		return fail(err, errlen, q->path, "refcount table outside the file or misaligned");
	if (q->l1_size &&
	    ranges_overlap(q->l1_offset, (uint64_t)q->l1_size * 8, q->rt_offset, q->rt_entries * 8))
		return fail(err, errlen, q->path, "L1 and refcount tables overlap");
	q->l1 = load_table(q, q->l1_offset, q->l1_size);
	q->rt = load_table(q, q->rt_offset, q->rt_entries);
	if (!q->l1 || !q->rt)
		return fail(err, errlen, q->path, "cannot read the L1 or refcount table");
	return 0;
}

/* Header extensions (after the header, inside cluster 0): only the backing
 * file format matters here. fmt gets "" when there is none. */
static int parse_extensions(struct qcow2 *q, const uint8_t *c0, const struct header *h, char *fmt,
			    size_t fmtlen, char *err, size_t errlen)
{
	uint64_t p = h->header_length, end = q->cluster_size;

	fmt[0] = '\0';
	if (h->backing_offset && h->backing_offset < end)
		end = h->backing_offset; /* the name follows the extensions */
	while (p + 8 <= end) {
		uint32_t type = be32(c0 + p), len = be32(c0 + p + 4);

		if (type == EXT_END)
			return 0;
		if (len > end - p - 8)
			return fail(err, errlen, q->path, "header extension past cluster 0");
		if (type == EXT_BACKING_FMT) {
			if (len >= fmtlen)
				return fail(err, errlen, q->path, "backing format name too long");
			memcpy(fmt, c0 + p + 8, len);
			fmt[len] = '\0';
		}
		p += 8 + (((uint64_t)len + 7) & ~7ull);
	}
	return 0;
}

/* The backing file's path: relative names are relative to the image. */
static int backing_path(struct qcow2 *q, const uint8_t *c0, const struct header *h, char *out,
			size_t outlen, char *err, size_t errlen)
{
	char name[1024];
	const char *slash;

	if (h->backing_size == 0 || h->backing_size >= sizeof name ||
	    h->backing_offset > q->cluster_size ||
	    h->backing_size > q->cluster_size - h->backing_offset || h->backing_offset < 72)
		return fail(err, errlen, q->path, "bad backing file name offset or length");
	memcpy(name, c0 + h->backing_offset, h->backing_size);
	name[h->backing_size] = '\0';
	if (strlen(name) != h->backing_size)
		return fail(err, errlen, q->path, "backing file name holds a NUL");
	slash = strrchr(q->path, '/');
	if (name[0] == '/' || !slash)
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%.*s/%s", (int)(slash - q->path), q->path, name);
	return 0;
}

static int open_backing(struct qcow2 *q, const uint8_t *c0, const struct header *h, unsigned depth,
			char *err, size_t errlen)
{
	char path[PATH_MAX], fmt[32], why[PATH_MAX + 256];
	int format = -1;

	if (parse_extensions(q, c0, h, fmt, sizeof fmt, err, errlen) < 0)
		return -1;
	if (!h->backing_offset)
		return q->backing_given
			   ? fail(err, errlen, q->path, "the overlay has no backing file")
			   : 0;
	if (depth + 1 >= QCOW2_MAX_CHAIN)
		return fail(err, errlen, q->path, "backing chain too deep (a loop?)");
	if (backing_path(q, c0, h, path, sizeof path, err, errlen) < 0)
		return -1;
	if (q->backing_given) {
		/* An overlay put on an open disk: that disk is its backing. */
		q->backing = q->backing_given;
		return 0;
	}
	if (!strcmp(fmt, "raw"))
		format = DISK_FORMAT_RAW;
	else if (!strcmp(fmt, "qcow2"))
		format = DISK_FORMAT_QCOW2;
	else if (fmt[0])
		return fail(err, errlen, q->path, "backing file format is neither raw nor qcow2");
	q->backing = disk_open_backing(path, format, depth + 1, why, sizeof why);
	if (!q->backing) {
		snprintf(err, errlen, "%s: backing file: %s", q->path, why);
		return -1;
	}
	return 0;
}

static int read_header(struct qcow2 *q, unsigned depth, char *err, size_t errlen)
{
	struct header h;
	uint8_t *c0 = calloc(1, 1u << 21);
	int rc = -1;

	if (!c0)
		return fail(err, errlen, q->path, "out of memory");
	if (q->file_size < 72 || qcow2_pread(q, c0, 512, 0) < 0) {
		fail(err, errlen, q->path, "too short for a qcow2 header");
		goto out;
	}
	parse_header(c0, &h);
	if (check_header(q, &h, err, errlen) < 0 || check_writable(q, &h, err, errlen) < 0)
		goto out;
	q->version = h.version;
	q->cluster_bits = h.cluster_bits;
	q->cluster_size = 1ull << h.cluster_bits;
	q->size = h.size;
	q->refcount_order = h.refcount_order;
	q->rb_bits = h.cluster_bits + 3 - h.refcount_order;
	if (qcow2_pread(q, c0, q->cluster_size, 0) < 0 || load_tables(q, &h, err, errlen) < 0 ||
	    open_backing(q, c0, &h, depth, err, errlen) < 0)
		goto out;
	/* Autoclear bits we do not know must be cleared by a writer: hv does
	 * not keep dirty bitmaps, so they would go stale. */
	if (!q->readonly && h.autoclear) {
		uint64_t zero = 0;

		if (qcow2_pwrite(q, &zero, 8, 88) < 0 || qcow2_sync(q) < 0) {
			fail(err, errlen, q->path, "cannot clear the autoclear features");
			goto out;
		}
	}
	rc = 0;
out:
	free(c0);
	return rc;
}

static int alloc_buffers(struct qcow2 *q)
{
	qcow2_cache_init(&q->l2c, q->cluster_size);
	qcow2_cache_init(&q->rbc, q->cluster_size);
	q->zbuf = malloc(2 * q->cluster_size);
	q->cbuf = malloc(q->cluster_size);
	q->tmp = malloc(q->cluster_size);
	if (!q->zbuf || !q->cbuf || !q->tmp)
		return -1;
	if (inflateInit2(&q->z, -15) != Z_OK)
		return -1;
	q->z_ready = true;
	return 0;
}

static struct qcow2 *open_image(int fd, const char *path, bool readonly, uint64_t file_size,
				unsigned depth, struct disk *given, char *err, size_t errlen)
{
	struct qcow2 *q = calloc(1, sizeof *q);

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->fd = fd;
	q->path = path;
	q->readonly = readonly;
	q->file_size = file_size;
	q->backing_given = given;
	pthread_mutex_init(&q->mu, NULL);
	if (read_header(q, depth, err, errlen) < 0 ||
	    (alloc_buffers(q) < 0 && fail(err, errlen, path, "out of memory"))) {
		if (q->backing == given)
			q->backing = NULL; /* the caller's */
		qcow2_close(q);
		return NULL;
	}
	return q;
}

struct qcow2 *qcow2_open(int fd, const char *path, bool readonly, uint64_t file_size,
			 unsigned depth, char *err, size_t errlen)
{
	return open_image(fd, path, readonly, file_size, depth, NULL, err, errlen);
}

struct qcow2 *qcow2_open_over(int fd, const char *path, uint64_t file_size, struct disk *backing,
			      char *err, size_t errlen)
{
	return open_image(fd, path, false, file_size, 0, backing, err, errlen);
}

void qcow2_close(struct qcow2 *q)
{
	if (!q)
		return;
	if (!q->readonly && q->l1 && q->rt)
		qcow2_flush(q);
	disk_close(q->backing);
	qcow2_cache_free(&q->l2c);
	qcow2_cache_free(&q->rbc);
	if (q->z_ready)
		inflateEnd(&q->z);
	free(q->zbuf);
	free(q->cbuf);
	free(q->tmp);
	free(q->l1);
	free(q->rt);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

uint64_t qcow2_size(const struct qcow2 *q)
{
	return q->size;
}

/* ---- mapping a guest cluster ------------------------------------------ */

int qcow2_decode(struct qcow2 *q, uint64_t entry, struct qcow2_map *m)
{
	m->entry = entry;
	m->host = m->csize = 0;
	if (entry & QCOW2_COMPRESSED) {
		unsigned x = 62 - (q->cluster_bits - 8);
		uint64_t nsect = (entry >> x) & ((1ull << (q->cluster_bits - 8)) - 1);

		m->kind = QC_COMPRESSED;
		m->host = entry & ((1ull << x) - 1);
		m->csize = (nsect + 1) * 512 - (m->host & 511);
		return m->host ? 0 : -1;
	}
	if (entry & QCOW2_L2_RESERVED)
		return -1;
	m->host = entry & QCOW2_OFFSET_MASK;
	if (m->host % q->cluster_size)
		return -1;
	if (entry & QCOW2_ZERO) {
		m->kind = QC_ZERO;
		return q->version >= 3 ? 0 : -1;
	}
	m->kind = m->host ? QC_NORMAL : QC_UNALLOC;
	return 0;
}

int qcow2_lookup(struct qcow2 *q, uint64_t vcluster, struct qcow2_map *m)
{
	uint64_t l2_entries = q->cluster_size / 8;
	uint64_t l1i = vcluster / l2_entries, l2off;
	uint8_t *l2;

	*m = (struct qcow2_map){.kind = QC_UNALLOC};
	if (l1i >= q->l1_size)
		return -1;
	l2off = q->l1[l1i] & QCOW2_OFFSET_MASK;
	if (!l2off)
		return 0;
	l2 = qcow2_cache_get(q, &q->l2c, l2off, false);
	if (!l2)
		return -1;
	if (qcow2_decode(q, be64(l2 + (vcluster % l2_entries) * 8), m) < 0) {
		log_limited(&q->rl, LOG_WARN, "%s: bad L2 entry for guest cluster %llu", q->path,
			    (unsigned long long)vcluster);
		return -1;
	}
	return 0;
}

/* Inflates the compressed cluster of m into q->cbuf (kept for the next
 * read of the same cluster). */
static int decompress(struct qcow2 *q, const struct qcow2_map *m)
{
	int rc;

	if (q->cbuf_entry == m->entry)
		return 0;
	q->cbuf_entry = 0;
	if (qcow2_pread(q, q->zbuf, m->csize, m->host) < 0)
		return -1;
	inflateReset(&q->z);
	q->z.next_in = q->zbuf;
	q->z.avail_in = (uInt)m->csize;
	q->z.next_out = q->cbuf;
	q->z.avail_out = (uInt)q->cluster_size;
	rc = inflate(&q->z, Z_FINISH);
	if ((rc != Z_STREAM_END && rc != Z_BUF_ERROR) || q->z.avail_out) {
		log_limited(&q->rl, LOG_WARN, "%s: bad compressed cluster at %llu", q->path,
			    (unsigned long long)m->host);
		return -1;
	}
	q->cbuf_entry = m->entry;
	return 0;
}

/* Reads len bytes at byte off of the backing file (zeros past its end). */
static int read_backing(struct qcow2 *q, uint64_t off, uint8_t *buf, uint64_t len)
{
	uint64_t have = 0;

	if (q->backing && off < q->backing->size)
		have = q->backing->size - off < len ? q->backing->size - off : len;
	if (have && disk_read(q->backing, off, buf, have) < 0)
		return -1;
	memset(buf + have, 0, len - have);
	return 0;
}

/* The whole guest cluster vcluster (mapped by m) into buf. */
int qcow2_read_cluster(struct qcow2 *q, uint64_t vcluster, const struct qcow2_map *m, uint8_t *buf)
{
	uint64_t cs = q->cluster_size;

	switch (m->kind) {
	case QC_ZERO: memset(buf, 0, cs); return 0;
	case QC_UNALLOC: return read_backing(q, vcluster * cs, buf, cs);
	case QC_NORMAL: return qcow2_pread(q, buf, cs, m->host);
	case QC_COMPRESSED:
		if (decompress(q, m) < 0)
			return -1;
		memcpy(buf, q->cbuf, cs);
		return 0;
	}
	return -1;
}

/* ---- the read path ---------------------------------------------------- */

/* Copies between a flat buffer and the iovec at byte position pos. */
static void iov_copy(const struct iovec *iov, int n, size_t pos, uint8_t *buf, size_t len,
		     bool to_iov)
{
	for (int i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len, k;

		if (pos >= l) {
			pos -= l;
			continue;
		}
		k = l - pos < len ? l - pos : len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + pos, buf, k);
		else
			memcpy(buf, (uint8_t *)iov[i].iov_base + pos, k);
		buf += k;
		len -= k;
		pos = 0;
	}
}

void qcow2_iov_to_buf(const struct iovec *iov, int n, size_t pos, uint8_t *buf, size_t len)
{
	iov_copy(iov, n, pos, buf, len, false);
}

static int read_chunk(struct qcow2 *q, uint64_t off, uint64_t len, const struct iovec *iov, int n,
		      size_t pos)
{
	uint64_t cs = q->cluster_size, vc = off / cs, in = off % cs;
	struct qcow2_map m;
	const uint8_t *src;

	if (qcow2_lookup(q, vc, &m) < 0)
		return -1;
	if (m.kind == QC_COMPRESSED) {
		if (decompress(q, &m) < 0)
			return -1;
		src = q->cbuf + in;
	} else {
		int rc = m.kind == QC_NORMAL ? qcow2_pread(q, q->tmp, len, m.host + in)
			 : m.kind == QC_ZERO ? (memset(q->tmp, 0, len), 0)
					     : read_backing(q, off, q->tmp, len);
		if (rc < 0)
			return -1;
		src = q->tmp;
	}
	iov_copy(iov, n, pos, (uint8_t *)src, len, true);
	return 0;
}

int qcow2_each_chunk(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n,
		     qcow2_chunk_fn *fn)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	rc = qcow2_chunks(q, off, iov, n, fn);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int qcow2_chunks(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n, qcow2_chunk_fn *fn)
{
	uint64_t len = 0;
	size_t pos = 0;
	int rc = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	while (len && rc == 0) {
		uint64_t chunk = q->cluster_size - off % q->cluster_size;

		if (chunk > len)
			chunk = len;
		rc = fn(q, off, chunk, iov, n, pos);
		off += chunk;
		pos += chunk;
		len -= chunk;
	}
	return rc;
}

int qcow2_readv(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n)
{
	return qcow2_each_chunk(q, off, iov, n, read_chunk);
}
