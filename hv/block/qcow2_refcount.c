/* qcow2: the table caches, refcounts and cluster allocation. See qcow2.h;
 * the order in which allocations reach the disk is described in
 * qcow2_write.c. */
#include "hv/block/qcow2.h"

#include <endian.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"

/* ---- caches ----------------------------------------------------------- */

void qcow2_cache_init(struct qcow2_cache *c, uint64_t cluster_size)
{
	uint64_t n = QCOW2_CACHE_BUDGET / cluster_size;

	memset(c, 0, sizeof *c);
	c->slots = n < 2 ? 2 : n > QCOW2_CACHE_SLOTS ? QCOW2_CACHE_SLOTS : (unsigned)n;
}

void qcow2_cache_free(struct qcow2_cache *c)
{
	for (unsigned i = 0; i < QCOW2_CACHE_SLOTS; i++)
		free(c->s[i].data);
}

void qcow2_cache_dirty(struct qcow2_cache *c, uint64_t off, bool unlinked)
{
	for (unsigned i = 0; i < c->slots; i++) {
		if (c->s[i].off == off) {
			c->s[i].dirty = true;
			c->s[i].unlinked |= unlinked;
		}
	}
}

/* Makes room in c: a clean slot, or one written back. Refcount blocks may
 * go to disk at any time (a count ahead of its references is at worst a
 * leak); a changed L2 table needs the full ordered write-back. */
static int cache_victim(struct qcow2 *q, struct qcow2_cache *c, unsigned *victim)
{
	unsigned v = 0;
	bool clean = false;

	for (unsigned i = 0; i < c->slots; i++) {
		if (!c->s[i].off) {
			*victim = i;
			return 0;
		}
		if (!c->s[i].dirty && (!clean || c->s[i].used < c->s[v].used)) {
			v = i;
			clean = true;
		} else if (!clean && c->s[i].used < c->s[v].used) {
			v = i;
		}
	}
	*victim = v;
	if (!c->s[v].dirty)
		return 0;
	if (c == &q->rbc) {
		if (qcow2_pwrite(q, c->s[v].data, q->cluster_size, c->s[v].off) < 0)
			return -1;
		c->s[v].dirty = false;
		return 0;
	}
	return qcow2_writeback(q);
}

uint8_t *qcow2_cache_get(struct qcow2 *q, struct qcow2_cache *c, uint64_t off, bool fresh)
{
	unsigned victim;

	if (!off || off % q->cluster_size || off > (1ull << 56) ||
	    qcow2_overlaps_meta(q, off, q->cluster_size)) {
		log_limited(&q->rl, LOG_WARN,
			    "%s: table at %llu overlaps the header, L1 or refcount table, or is "
			    "misaligned",
			    q->path, (unsigned long long)off);
		return NULL;
	}
	for (unsigned i = 0; i < c->slots; i++) {
		if (c->s[i].off == off) {
			c->s[i].used = ++c->tick;
			if (fresh)
				memset(c->s[i].data, 0, q->cluster_size);
			return c->s[i].data;
		}
	}
	if (cache_victim(q, c, &victim) < 0)
		return NULL;
	if (!c->s[victim].data && !(c->s[victim].data = malloc(q->cluster_size)))
		return NULL;
	c->s[victim].off = 0;
	c->s[victim].used = 0;
	c->s[victim].dirty = c->s[victim].unlinked = false;
	if (fresh)
		memset(c->s[victim].data, 0, q->cluster_size);
	else if (qcow2_pread(q, c->s[victim].data, q->cluster_size, off) < 0)
		return NULL;
	c->s[victim].off = off;
	c->s[victim].used = ++c->tick;
	return c->s[victim].data;
}

/* ---- refcount entries ------------------------------------------------- */

static uint64_t rc_get(const struct qcow2 *q, const uint8_t *block, uint64_t idx)
{
	unsigned w = 1u << q->refcount_order;
	uint64_t v = 0;

	if (w < 8)
		return (block[idx * w / 8] >> (idx * w % 8)) & ((1u << w) - 1);
	for (unsigned i = 0; i < w / 8; i++)
		v = v << 8 | block[idx * (w / 8) + i];
	return v;
}

/* Sets the entry in the cached block, which is written back later. */
static void rc_set(struct qcow2 *q, uint8_t *block, uint64_t block_off, uint64_t idx, uint64_t v)
{
	unsigned w = 1u << q->refcount_order;
	uint64_t first;
	size_t n;

	if (w < 8) {
		unsigned shift = (unsigned)(idx * w % 8), mask = ((1u << w) - 1) << shift;

		first = idx * w / 8;
		block[first] = (uint8_t)((block[first] & ~mask) | ((unsigned)v << shift));
		n = 1;
	} else {
		first = idx * (w / 8);
		n = w / 8;
		for (unsigned i = 0; i < n; i++)
			block[first + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	}
	qcow2_cache_dirty(&q->rbc, block_off, false);
}

static uint64_t rc_max(const struct qcow2 *q)
{
	return q->refcount_order == 6 ? UINT64_MAX : (1ull << (1u << q->refcount_order)) - 1;
}

/* The refcount block covering cluster (its host offset in *off), or NULL
 * with *off = 0 when the table has none for it (or on error, *off = 1). */
static uint8_t *rc_block(struct qcow2 *q, uint64_t cluster, uint64_t *off)
{
	uint64_t ti = cluster >> q->rb_bits;

	*off = 0;
	if (ti >= q->rt_entries || !q->rt[ti])
		return NULL;
	*off = q->rt[ti];
	if (*off & 511) {
		log_limited(&q->rl, LOG_WARN, "%s: bad refcount table entry %llu", q->path,
			    (unsigned long long)ti);
		*off = 1;
		return NULL;
	}
	{
		uint8_t *b = qcow2_cache_get(q, &q->rbc, *off, false);

		if (!b)
			*off = 1;
		return b;
	}
}

int qcow2_refcount(struct qcow2 *q, uint64_t cluster, uint64_t *val)
{
	uint64_t off;
	uint8_t *b = rc_block(q, cluster, &off);

	*val = b ? rc_get(q, b, cluster & ((1ull << q->rb_bits) - 1)) : 0;
	return off == 1 ? -1 : 0;
}

int qcow2_refcount_add(struct qcow2 *q, uint64_t off, uint64_t len, int delta)
{
	uint64_t first = off >> q->cluster_bits, last = (off + len - 1) >> q->cluster_bits;

	for (uint64_t c = first; len && c <= last; c++) {
		uint64_t boff, idx = c & ((1ull << q->rb_bits) - 1), v;
		uint8_t *b = rc_block(q, c, &boff);

		if (!b) {
			log_limited(&q->rl, LOG_WARN, "%s: no refcount block for cluster %llu",
				    q->path, (unsigned long long)c);
			return -1;
		}
		v = rc_get(q, b, idx);
		if ((delta < 0 && v == 0) || (delta > 0 && v == rc_max(q))) {
			log_limited(&q->rl, LOG_WARN, "%s: refcount of cluster %llu would %s",
				    q->path, (unsigned long long)c,
				    delta < 0 ? "go below 0" : "overflow");
			return -1;
		}
		v = delta < 0 ? v - 1 : v + 1;
		rc_set(q, b, boff, idx, v);
		if (v == 0 && c < q->free_hint)
			q->free_hint = c;
	}
	return 0;
}

/* ---- growing the refcount structures ------------------------------------ */

/* A new refcount block for table entry ti, placed in the first cluster it
 * covers (free: no block means every cluster it covers has refcount 0) and
 * counting itself. Ordering: the block is durable before the table entry
 * that makes it live. */
static int new_block(struct qcow2 *q, uint64_t ti)
{
	uint64_t off = (ti << q->rb_bits) << q->cluster_bits, be;
	uint8_t *b;

	if (qcow2_overlaps_meta(q, off, q->cluster_size))
		return -1;
	b = qcow2_cache_get(q, &q->rbc, off, true);
	if (!b)
		return -1;
	rc_set(q, b, off, 0, 1);
	if (qcow2_pwrite(q, b, q->cluster_size, off) < 0 || qcow2_sync(q) < 0)
		return -1;
	be = htobe64(off);
	if (qcow2_pwrite(q, &be, 8, q->rt_offset + ti * 8) < 0)
		return -1;
	q->rt[ti] = off;
	return 0;
}

/* The refcount table is full: a new one twice as large, placed with a new
 * refcount block (covering both) at the first cluster the old table did not
 * cover. Order: block and table written and synced, then the header points
 * at the new table (one 12-byte write), synced, then the old table's
 * clusters are freed. */
static int grow_table(struct qcow2 *q)
{
	uint64_t cs = q->cluster_size, ti = q->rt_entries;
	uint64_t entries = q->rt_entries * 2, bytes = entries * 8;
	uint64_t nclusters = (bytes + cs - 1) / cs, start = ti << q->rb_bits;
	uint64_t boff = start * cs, toff = boff + cs, old_off = q->rt_offset;
	uint64_t old_bytes = q->rt_entries * 8, *rt, *disk_rt;
	uint64_t be_off;
	uint32_t be_n;
	uint8_t hdr[12], *b;

	if (bytes > QCOW2_RT_MAX_BYTES || nclusters + 1 > (1ull << q->rb_bits) ||
	    boff >= (1ull << 56)) {
		log_limited(&q->rl, LOG_WARN, "%s: refcount table cannot grow further", q->path);
		return -1;
	}
	rt = calloc(entries, 8);
	disk_rt = calloc(entries, 8);
	b = rt && disk_rt ? qcow2_cache_get(q, &q->rbc, boff, true) : NULL;
	if (!b)
		goto fail;
	memcpy(rt, q->rt, old_bytes);
	rt[ti] = boff;
	for (uint64_t i = 0; i < entries; i++)
		disk_rt[i] = htobe64(rt[i]);
	for (uint64_t i = 0; i <= nclusters; i++)
		rc_set(q, b, boff, i, 1);
	if (qcow2_pwrite(q, b, cs, boff) < 0 || qcow2_pwrite(q, disk_rt, bytes, toff) < 0 ||
	    qcow2_sync(q) < 0)
		goto fail;
	be_off = htobe64(toff);
	be_n = htobe32((uint32_t)nclusters);
	memcpy(hdr, &be_off, 8);
	memcpy(hdr + 8, &be_n, 4);
	if (qcow2_pwrite(q, hdr, sizeof hdr, 48) < 0 || qcow2_sync(q) < 0)
		goto fail;
	free(q->rt);
	free(disk_rt);
	q->rt = rt;
	q->rt_entries = entries;
	q->rt_offset = toff;
	return qcow2_refcount_add(q, old_off, old_bytes, -1);
fail:
	free(rt);
	free(disk_rt);
	return -1;
}

/* ---- allocation ----------------------------------------------------------- */

uint64_t qcow2_alloc_cluster(struct qcow2 *q)
{
	uint64_t limit = 1ull << (56 - q->cluster_bits);

	for (uint64_t c = q->free_hint > 1 ? q->free_hint : 1; c < limit; c++) {
		uint64_t ti = c >> q->rb_bits, v;

		if (ti >= q->rt_entries) {
			if (grow_table(q) < 0)
				return 0;
			c--;
			continue;
		}
		if (!q->rt[ti]) {
			if (new_block(q, ti) < 0)
				return 0;
			c--;
			continue;
		}
		if (qcow2_overlaps_meta(q, c << q->cluster_bits, q->cluster_size))
			continue;
		if (qcow2_refcount(q, c, &v) < 0)
			return 0;
		if (v)
			continue;
		if (qcow2_refcount_add(q, c << q->cluster_bits, q->cluster_size, 1) < 0)
			return 0;
		q->free_hint = c + 1;
		return c << q->cluster_bits;
	}
	log_limited(&q->rl, LOG_WARN, "%s: no free cluster", q->path);
	return 0;
}

int qcow2_free_entry(struct qcow2 *q, uint64_t entry)
{
	struct qcow2_map m;
	uint64_t v;

	if (qcow2_decode(q, entry, &m) < 0)
		return -1;
	if (m.kind == QC_COMPRESSED) {
		q->cbuf_entry = 0;
		return qcow2_refcount_add(q, m.host, m.csize, -1);
	}
	if (!m.host)
		return 0;
	if (qcow2_refcount_add(q, m.host, q->cluster_size, -1) < 0 ||
	    qcow2_refcount(q, m.host >> q->cluster_bits, &v) < 0)
		return -1;
	/* Give the space back to the host file system (best effort). */
	if (v == 0)
		fallocate(q->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)m.host,
			  (off_t)q->cluster_size);
	return 0;
}
