/* qcow2: writing, discard and write-zeroes, and the order in which their
 * metadata reaches the disk.
 *
 * Write ordering. Guest data goes to the file at once: in place into a
 * cluster the guest already owns (an L2 entry with the COPIED flag), or
 * into a newly allocated cluster whose refcount is raised in the refcount
 * block cache. Metadata changes (refcount blocks, L2 tables, L1 entries)
 * stay in memory until a write-back, which a guest flush, closing, a full
 * cache or a full queue of frees starts, in three steps:
 *
 *   1. changed refcount blocks, and new L2 tables that no L1 entry on disk
 *      points at yet, are written; fdatasync.
 *   2. changed L2 tables that are already linked, then the changed L1
 *      entries, are written; fdatasync.
 *   3. the clusters that step 2 stopped referencing (discarded, zeroed or
 *      copied-on-write clusters) get their refcounts lowered, written at
 *      once (no sync needed: a lost decrement is a leak, not corruption),
 *      and only now may the allocator hand them out again.
 *
 * So a refcount on disk is never lower than the references on disk (no
 * cluster is used twice after a crash), an L2 entry never reaches the disk
 * before the data it points at, and an L1 entry never before its L2
 * table. A crash between steps 1 and 3 can leak clusters (refcount above
 * the references, which `qemu-img check -r leaks` repairs); a crash at any
 * other time, a kill -9 in the middle of writes included, leaves the
 * image clean: until the next write-back the file only gains data in
 * clusters that nothing on disk counts or references. */
#include "hv/block/qcow2.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"

/* Writes the changed slots of c; only_unlinked picks the new L2 tables. */
static int write_slots(struct qcow2 *q, struct qcow2_cache *c, bool only_unlinked)
{
	for (unsigned i = 0; i < c->slots; i++) {
		if (!c->s[i].dirty || (only_unlinked && !c->s[i].unlinked))
			continue;
		if (qcow2_pwrite(q, c->s[i].data, q->cluster_size, c->s[i].off) < 0)
			return -1;
		c->s[i].dirty = false;
	}
	return 0;
}

static int write_l1(struct qcow2 *q)
{
	uint64_t lo = q->l1_dirty_lo, hi = q->l1_dirty_hi;
	uint64_t be[64];

	for (uint64_t i = lo; i < hi; i += 64) {
		uint64_t n = hi - i < 64 ? hi - i : 64;

		for (uint64_t k = 0; k < n; k++)
			be[k] = htobe64(q->l1[i + k]);
		if (qcow2_pwrite(q, be, n * 8, q->l1_offset + i * 8) < 0)
			return -1;
	}
	q->l1_dirty_lo = q->l1_dirty_hi = 0;
	for (unsigned i = 0; i < q->l2c.slots; i++)
		q->l2c.s[i].unlinked = false;
	return 0;
}

int qcow2_writeback(struct qcow2 *q)
{
	unsigned nfree = q->nfree;

	/* step 1 */
	if (write_slots(q, &q->rbc, false) < 0 || write_slots(q, &q->l2c, true) < 0 ||
	    qcow2_sync(q) < 0)
		return -1;
	/* step 2 */
	if (write_slots(q, &q->l2c, false) < 0 || write_l1(q) < 0 || qcow2_sync(q) < 0)
		return -1;
	/* step 3 */
	q->nfree = 0;
	for (unsigned i = 0; i < nfree; i++)
		if (qcow2_free_entry(q, q->freeq[i]) < 0)
			return -1;
	return write_slots(q, &q->rbc, false);
}

int qcow2_flush(struct qcow2 *q)
{
	int rc;

	if (q->readonly)
		return 0;
	pthread_mutex_lock(&q->mu);
	rc = qcow2_writeback(q);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* Queues the clusters of a replaced L2 entry to be freed after the next
 * write-back (step 3). */
static int defer_free(struct qcow2 *q, const struct qcow2_map *m)
{
	if (m->kind == QC_UNALLOC || (m->kind == QC_ZERO && !m->host))
		return 0;
	if (q->nfree == QCOW2_FREEQ && qcow2_writeback(q) < 0)
		return -1;
	q->freeq[q->nfree++] = m->entry;
	return 0;
}

/* The L2 table for guest cluster vc, allocating a new one if it has none.
 * Returns the cached table and its offset in *l2off, or NULL. */
static uint8_t *l2_for_write(struct qcow2 *q, uint64_t vc, uint64_t *l2off)
{
	uint64_t l1i = vc / (q->cluster_size / 8), e, off;
	uint8_t *t;

	if (l1i >= q->l1_size)
		return NULL;
	e = q->l1[l1i];
	if (e & QCOW2_OFFSET_MASK) {
		if (!(e & QCOW2_COPIED)) {
			log_limited(&q->rl, LOG_WARN,
				    "%s: L2 table %llu is shared (snapshots), not written", q->path,
				    (unsigned long long)l1i);
			return NULL;
		}
		*l2off = e & QCOW2_OFFSET_MASK;
		return qcow2_cache_get(q, &q->l2c, *l2off, false);
	}
	off = qcow2_alloc_cluster(q);
	if (!off)
		return NULL;
	t = qcow2_cache_get(q, &q->l2c, off, true);
	if (!t)
		return NULL;
	qcow2_cache_dirty(&q->l2c, off, true);
	q->l1[l1i] = off | QCOW2_COPIED;
	if (q->l1_dirty_hi == q->l1_dirty_lo) {
		q->l1_dirty_lo = l1i;
		q->l1_dirty_hi = l1i + 1;
	} else {
		q->l1_dirty_lo = l1i < q->l1_dirty_lo ? l1i : q->l1_dirty_lo;
		q->l1_dirty_hi = l1i + 1 > q->l1_dirty_hi ? l1i + 1 : q->l1_dirty_hi;
	}
	*l2off = off;
	return t;
}

/* Points guest cluster vc at entry (in the cached L2 table at l2off). */
static int set_entry(struct qcow2 *q, uint64_t vc, uint64_t l2off, uint64_t entry)
{
	uint8_t *t = qcow2_cache_get(q, &q->l2c, l2off, false);
	uint64_t be = htobe64(entry);

	if (!t)
		return -1;
	memcpy(t + (vc % (q->cluster_size / 8)) * 8, &be, 8);
	qcow2_cache_dirty(&q->l2c, l2off, false);
	return 0;
}

static int entry_of(struct qcow2 *q, const uint8_t *t, uint64_t vc, struct qcow2_map *m)
{
	uint64_t be;

	memcpy(&be, t + (vc % (q->cluster_size / 8)) * 8, 8);
	if (qcow2_decode(q, be64toh(be), m) < 0) {
		log_limited(&q->rl, LOG_WARN, "%s: bad L2 entry for guest cluster %llu", q->path,
			    (unsigned long long)vc);
		return -1;
	}
	return 0;
}

/* Writes len bytes of the iovec (from byte pos) at guest offset off, all
 * inside one cluster. */
static int write_chunk(struct qcow2 *q, uint64_t off, uint64_t len, const struct iovec *iov, int n,
		       size_t pos)
{
	uint64_t cs = q->cluster_size, vc = off / cs, in = off % cs, l2off, host;
	struct qcow2_map m;
	uint8_t *t = l2_for_write(q, vc, &l2off);

	if (!t || entry_of(q, t, vc, &m) < 0)
		return -1;
	if (m.kind == QC_NORMAL && (m.entry & QCOW2_COPIED)) {
		if (qcow2_overlaps_meta(q, m.host, cs))
			return -1;
		qcow2_iov_to_buf(iov, n, pos, q->tmp, len);
		return qcow2_pwrite(q, q->tmp, len, m.host + in);
	}
	/* A new cluster: the old contents (backing file, zeros, compressed
	 * or shared data) merged with the new bytes. */
	if (len < cs && qcow2_read_cluster(q, vc, &m, q->tmp) < 0)
		return -1;
	qcow2_iov_to_buf(iov, n, pos, q->tmp + in, len);
	host = qcow2_alloc_cluster(q);
	if (!host || qcow2_pwrite(q, q->tmp, cs, host) < 0 ||
	    set_entry(q, vc, l2off, host | QCOW2_COPIED) < 0)
		return -1;
	return defer_free(q, &m);
}

int qcow2_writev(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n)
{
	uint64_t len = 0;
	size_t pos = 0;
	int rc = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	pthread_mutex_lock(&q->mu);
	while (len && rc == 0) {
		uint64_t chunk = q->cluster_size - off % q->cluster_size;

		if (chunk > len)
			chunk = len;
		rc = write_chunk(q, off, chunk, iov, n, pos);
		off += chunk;
		pos += chunk;
		len -= chunk;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* What a discarded (or zeroed) whole cluster becomes: unallocated where
 * that reads as zeros or zeroes are not asked for, else the zero flag
 * (version 3). Returns -1 when only writing zeros will do (version 2). */
static int64_t cleared_entry(struct qcow2 *q, const struct qcow2_map *m, bool zeroes)
{
	if (!q->backing)
		return 0;
	if (q->version >= 3)
		return (int64_t)QCOW2_ZERO;
	if (!zeroes)
		return m->entry == 0 ? 0 : (int64_t)m->entry; /* leave it */
	return -1;
}

/* Zeros written through the write path (a partial cluster). */
static int write_zeros(struct qcow2 *q, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[4096];
	struct iovec v[(1u << 21) / sizeof zeros];
	int n = 0;

	for (uint64_t left = len; left; n++) {
		v[n].iov_base = (void *)zeros;
		v[n].iov_len = left < sizeof zeros ? left : sizeof zeros;
		left -= v[n].iov_len;
	}
	return write_chunk(q, off, len, v, n, 0);
}

static int clear_cluster(struct qcow2 *q, uint64_t vc, bool zeroes)
{
	uint64_t cs = q->cluster_size, l2off;
	struct qcow2_map m;
	int64_t e;
	uint8_t *t;

	if (qcow2_lookup(q, vc, &m) < 0)
		return -1;
	e = cleared_entry(q, &m, zeroes);
	if (e < 0) /* version 2 over a backing file: a cluster of written zeros */
		return write_zeros(q, vc * cs, q->size - vc * cs < cs ? q->size - vc * cs : cs);
	if ((uint64_t)e == m.entry)
		return 0;
	if (e == 0 && (q->l1[vc / (cs / 8)] & QCOW2_OFFSET_MASK) == 0)
		return 0; /* no table: already unallocated */
	t = l2_for_write(q, vc, &l2off);
	if (!t || set_entry(q, vc, l2off, (uint64_t)e) < 0)
		return -1;
	return defer_free(q, &m);
}

int qcow2_discard(struct qcow2 *q, uint64_t off, uint64_t len, bool zeroes)
{
	int rc = 0;

	pthread_mutex_lock(&q->mu);
	while (len && rc == 0) {
		uint64_t in = off % q->cluster_size, chunk = q->cluster_size - in;

		if (chunk > len)
			chunk = len;
		if (chunk == q->cluster_size ||
		    (in == 0 && off + chunk == q->size)) /* the last, short cluster */
			rc = clear_cluster(q, off / q->cluster_size, zeroes);
		else if (zeroes)
			rc = write_zeros(q, off, chunk);
		off += chunk;
		len -= chunk;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}
