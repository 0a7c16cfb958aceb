/* qcow2: writing, discard and write-zeroes, and how their metadata
 * reaches the disk.
 *
 * Write ordering. Guest data goes to the file before its request returns
 * and before any write-back: in place into a cluster the guest already
 * owns (an L2 entry with the COPIED flag), or into a newly allocated
 * cluster (whose L2 entry, set in memory, no write-back can take to the
 * disk before the data: each starts by writing the pending data, see
 * pend in qcow2.h). Data of consecutive clusters that lands at
 * consecutive host offsets goes in one pwritev, straight from the
 * guest's buffers. Every metadata change (L2 entries, L1
 * entries, refcounts, new tables) stays in memory until a write-back,
 * which a guest flush, closing, or a quarter of a cache changed starts.
 * Clusters freed in memory (discarded, zeroed, copied-on-write, old
 * table copies) are quarantined until then: nothing is written over what
 * the image on disk still uses.
 *
 * A write-back never changes a table that the image on disk uses. It
 *   1. moves every changed table the disk uses (L2 tables, refcount
 *      blocks) to a newly allocated cluster, and picks new places for
 *      the L1 and refcount tables, all counted in the refcounts in memory
 *      (the old places freed, quarantined); repeated until no allocation
 *      changes a table that has not moved yet;
 *   2. writes the changed tables there, and the L1 and refcount tables;
 *      fdatasync (data and new metadata durable);
 *   3. switches the header to the new L1 and refcount tables with one
 *      24-byte write (l1_size to refcount_table_clusters, inside one
 *      sector); fdatasync.
 * Until step 3 the file holds the old image untouched, plus clusters it
 * neither counts nor references; after it, the new one. So whenever the
 * process dies (a kill -9 in the middle of writes) or the power fails,
 * the image is consistent, `qemu-img check` clean: no leak, no cluster
 * used twice, no L2 entry pointing at data not yet written. */
#include "hv/block/qcow2.h"

#include <endian.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"

static int set_entry(struct qcow2 *q, uint64_t vc, uint64_t entry);

/* Moves changed tables that the disk uses to new clusters (step 1):
 * the references to them in memory follow. */
static int move_tables(struct qcow2 *q, struct qcow2_cache *c, bool *moved)
{
	for (unsigned i = 0; i < c->slots; i++) {
		uint64_t old = c->s[i].off, now;

		if (!c->s[i].dirty || c->s[i].unlinked)
			continue;
		now = qcow2_alloc_cluster(q);
		if (!now)
			return -1;
		if (c == &q->l2c) {
			for (uint64_t j = 0; j < q->l1_size; j++)
				if ((q->l1[j] & QCOW2_OFFSET_MASK) == old)
					q->l1[j] = now | QCOW2_COPIED;
		} else {
			for (uint64_t j = 0; j < q->rt_entries; j++)
				if (q->rt[j] == old)
					q->rt[j] = now;
		}
		c->s[i].off = now;
		c->s[i].unlinked = true;
		q->meta_dirty = true;
		*moved = true;
		if (qcow2_refcount_add(q, old, q->cluster_size, -1) < 0)
			return -1;
	}
	return 0;
}

static uint64_t clusters_of(const struct qcow2 *q, uint64_t bytes)
{
	return (bytes + q->cluster_size - 1) >> q->cluster_bits;
}

/* New places for the L1 and refcount tables (step 1). */
static int place_tables(struct qcow2 *q, bool *moved)
{
	uint64_t rt_n = clusters_of(q, q->rt_entries * 8);

	if (!q->l1_new && q->l1_size) {
		q->l1_new = qcow2_alloc_run(q, clusters_of(q, (uint64_t)q->l1_size * 8));
		if (!q->l1_new ||
		    qcow2_refcount_add(q, q->l1_offset, (uint64_t)q->l1_size * 8, -1) < 0)
			return -1;
		*moved = true;
	}
	if (q->rt_new_n < rt_n) {
		if (q->rt_new &&
		    qcow2_refcount_add(q, q->rt_new, q->rt_new_n << q->cluster_bits, -1) < 0)
			return -1;
		q->rt_new = qcow2_alloc_run(q, rt_n);
		if (!q->rt_new)
			return -1;
		q->rt_new_n = rt_n;
		*moved = true;
	}
	if (!q->rt_old_freed) {
		if (qcow2_refcount_add(q, q->rt_offset, q->rt_disk_len, -1) < 0)
			return -1;
		q->rt_old_freed = true;
		*moved = true;
	}
	return 0;
}

static int write_table(struct qcow2 *q, const uint64_t *t, uint64_t n, uint64_t off)
{
	uint64_t be[512];

	for (uint64_t i = 0; i < n; i += 512) {
		uint64_t k = n - i < 512 ? n - i : 512;

		for (uint64_t j = 0; j < k; j++)
			be[j] = htobe64(t[i + j]);
		if (qcow2_pwrite(q, be, k * 8, off + i * 8) < 0)
			return -1;
	}
	return 0;
}

/* Step 2: every changed table (all moved or new by now) in place. */
static int write_tables(struct qcow2 *q)
{
	struct qcow2_cache *caches[2] = {&q->l2c, &q->rbc};

	for (int k = 0; k < 2; k++) {
		struct qcow2_cache *c = caches[k];

		for (unsigned i = 0; i < c->slots; i++)
			if (c->s[i].dirty &&
			    qcow2_pwrite(q, c->s[i].data, q->cluster_size, c->s[i].off) < 0)
				return -1;
	}
	if (q->l1_size && write_table(q, q->l1, q->l1_size, q->l1_new) < 0)
		return -1;
	return write_table(q, q->rt, q->rt_entries, q->rt_new);
}

/* Step 3, and the state in memory that follows it. */
static int switch_header(struct qcow2 *q)
{
	uint8_t h[24];
	uint32_t l1n = htobe32(q->l1_size), rtn = htobe32((uint32_t)q->rt_new_n);
	uint64_t l1 = htobe64(q->l1_size ? q->l1_new : q->l1_offset), rt = htobe64(q->rt_new);
	struct qcow2_cache *caches[2] = {&q->l2c, &q->rbc};

	memcpy(h, &l1n, 4);
	memcpy(h + 4, &l1, 8);
	memcpy(h + 12, &rt, 8);
	memcpy(h + 16 + 4, &rtn, 4);
	if (qcow2_pwrite(q, h, sizeof h, 36) < 0 || qcow2_sync(q) < 0)
		return -1;
	if (q->l1_size)
		q->l1_offset = q->l1_new;
	q->rt_offset = q->rt_new;
	q->rt_disk_len = q->rt_new_n << q->cluster_bits;
	q->l1_new = q->rt_new = q->rt_new_n = 0;
	q->rt_old_freed = q->meta_dirty = false;
	for (int k = 0; k < 2; k++)
		for (unsigned i = 0; i < caches[k]->slots; i++)
			caches[k]->s[i].dirty = caches[k]->s[i].unlinked = false;
	/* The quarantined clusters are free now; give their space back to
	 * the host file system (best effort). */
	for (unsigned i = 0; i < q->nquar; i++) {
		if (q->quar[i].first < q->free_hint)
			q->free_hint = q->quar[i].first;
		fallocate(q->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  (off_t)(q->quar[i].first << q->cluster_bits),
			  (off_t)(q->quar[i].n << q->cluster_bits));
	}
	q->nquar = 0;
	return 0;
}

static int writeback(struct qcow2 *q)
{
	bool moved = true;

	for (int round = 0; moved; round++) {
		if (round == 16) {
			log_limited(&q->rl, LOG_WARN, "%s: write-back does not settle", q->path);
			return -1;
		}
		moved = false;
		if (move_tables(q, &q->l2c, &moved) < 0 || move_tables(q, &q->rbc, &moved) < 0 ||
		    place_tables(q, &moved) < 0)
			return -1;
	}
	if (write_tables(q) < 0 || qcow2_sync(q) < 0)
		return -1;
	return switch_header(q);
}

/* After the pending write: frees the old entries of its new clusters,
 * or, when it failed, puts them back and frees the new clusters. */
static int pend_settle(struct qcow2 *q, int rc)
{
	for (unsigned i = 0; i < q->pend.nnew; i++) {
		uint64_t vc = q->pend.c[i].vc, old = q->pend.c[i].old, host = q->pend.c[i].host;

		if (rc == 0) {
			if (qcow2_free_entry(q, old) < 0)
				rc = -1;
		} else if (set_entry(q, vc, old) < 0 ||
			   qcow2_refcount_add(q, host, q->cluster_size, -1) < 0) {
			log_limited(&q->rl, LOG_WARN, "%s: cannot undo a failed write", q->path);
		}
	}
	return rc;
}

/* Writes the pending data (none: nothing). No write-back starts meanwhile. */
static int pend_flush(struct qcow2 *q)
{
	bool was = q->in_writeback;
	int rc;

	if (!q->pend.len)
		return 0;
	q->in_writeback = true;
	rc = qcow2_pwritev(q, q->pend.iov, q->pend.n, q->pend.pos, q->pend.len, q->pend.host);
	rc = pend_settle(q, rc);
	q->pend.len = 0;
	q->pend.nnew = 0;
	q->in_writeback = was;
	return rc;
}

int qcow2_writeback(struct qcow2 *q)
{
	int rc;

	if (q->in_writeback)
		return -1;
	if (pend_flush(q) < 0)
		return -1;
	if (!q->meta_dirty && !q->nquar && !qcow2_cache_dirty_count(&q->l2c) &&
	    !qcow2_cache_dirty_count(&q->rbc))
		return qcow2_sync(q);
	q->in_writeback = true;
	rc = writeback(q);
	q->in_writeback = false;
	return rc;
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

/* Frees the clusters of a replaced L2 entry (in memory: quarantined
 * until the next write-back). */
static int defer_free(struct qcow2 *q, const struct qcow2_map *m)
{
	if (m->kind == QC_UNALLOC || (m->kind == QC_ZERO && !m->host))
		return 0;
	if (q->nquar > QCOW2_QUARANTINE / 2 && qcow2_writeback(q) < 0)
		return -1;
	return qcow2_free_entry(q, m->entry);
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
	/* The write-back that making room in the cache may start goes
	 * first: after the allocation it would take the new table's
	 * refcount to the disk without the L1 entry (a leak if hv died). */
	if (qcow2_cache_dirty_count(&q->l2c) >= q->l2c.slots / 4 && qcow2_writeback(q) < 0)
		return NULL;
	off = qcow2_alloc_cluster(q);
	if (!off)
		return NULL;
	t = qcow2_cache_get(q, &q->l2c, off, true);
	if (!t)
		return NULL;
	qcow2_cache_dirty(&q->l2c, off, true);
	q->l1[l1i] = off | QCOW2_COPIED;
	q->meta_dirty = true;
	*l2off = off;
	return t;
}

/* Points guest cluster vc at entry. Its L2 table is found again through
 * the L1 table: a write-back since l2_for_write may have moved it. */
static int set_entry(struct qcow2 *q, uint64_t vc, uint64_t entry)
{
	uint64_t l2off = q->l1[vc / (q->cluster_size / 8)] & QCOW2_OFFSET_MASK;
	uint8_t *t = l2off ? qcow2_cache_get(q, &q->l2c, l2off, false) : NULL;
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

/* Adds len bytes of the vector at pos, going to host offset host, to the
 * pending write, after writing what is pending if they do not follow it.
 * A new cluster (vc, replacing L2 entry old) when fresh. */
static int pend_add(struct qcow2 *q, const struct iovec *iov, int n, size_t pos, uint64_t len,
		    uint64_t host, bool fresh, uint64_t vc, uint64_t old)
{
	if (q->pend.len &&
	    (q->pend.iov != iov || q->pend.pos + q->pend.len != pos ||
	     q->pend.host + q->pend.len != host || (fresh && q->pend.nnew == QCOW2_PEND_MAX)) &&
	    pend_flush(q) < 0)
		return -1;
	if (!q->pend.len) {
		q->pend.iov = iov;
		q->pend.n = n;
		q->pend.pos = pos;
		q->pend.host = host;
	}
	if (fresh)
		q->pend.c[q->pend.nnew++] =
		    (struct qcow2_pend_cluster){.vc = vc, .old = old, .host = host};
	q->pend.len += len;
	return 0;
}

/* A partial write of a new cluster: its old contents (backing file,
 * zeros, compressed or shared data) merged with the new bytes. */
static int merge_chunk(struct qcow2 *q, uint64_t vc, uint64_t in, uint64_t len,
		       const struct qcow2_map *m, const struct iovec *iov, int n, size_t pos)
{
	uint64_t host;

	if (qcow2_read_cluster(q, vc, m, q->tmp) < 0)
		return -1;
	qcow2_iov_to_buf(iov, n, pos, q->tmp + in, len);
	host = qcow2_alloc_cluster(q);
	if (!host || qcow2_pwrite(q, q->tmp, q->cluster_size, host) < 0 ||
	    set_entry(q, vc, host | QCOW2_COPIED) < 0)
		return -1;
	return defer_free(q, m);
}

/* Writes len bytes of the iovec (from byte pos) at guest offset off, all
 * inside one cluster: in place or to a new cluster, through the pending
 * write. */
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
		return pend_add(q, iov, n, pos, len, m.host + in, false, 0, 0);
	}
	if (len < cs)
		return merge_chunk(q, vc, in, len, &m, iov, n, pos);
	/* A whole new cluster. Room first in the quarantine for what the
	 * pending write frees: the write-back this may start must not find
	 * the L2 entry set below without its data. */
	if (q->nquar > QCOW2_QUARANTINE / 2 && qcow2_writeback(q) < 0)
		return -1;
	host = qcow2_alloc_cluster(q);
	if (!host)
		return -1;
	if (set_entry(q, vc, host | QCOW2_COPIED) < 0) {
		qcow2_refcount_add(q, host, cs, -1);
		return -1;
	}
	return pend_add(q, iov, n, pos, len, host, true, vc, m.entry);
}

int qcow2_writev(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	rc = qcow2_chunks(q, off, iov, n, write_chunk);
	if (pend_flush(q) < 0)
		rc = -1;
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
	if (write_chunk(q, off, len, v, n, 0) < 0) {
		pend_flush(q);
		return -1;
	}
	return pend_flush(q);
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
	if (!t || set_entry(q, vc, (uint64_t)e) < 0)
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
