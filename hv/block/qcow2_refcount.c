/* qcow2: the table caches, refcounts and cluster allocation. See qcow2.h;
 * the order in which allocations reach the disk is described in
 * qcow2_write.c. */
#include "hv/block/qcow2.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"

/* ---- caches ----------------------------------------------------------- */

void qcow2_cache_init(struct qcow2_cache *c, uint64_t cluster_size)
{
	uint64_t n = QCOW2_CACHE_BUDGET / cluster_size;

	memset(c, 0, sizeof *c);
	c->slots = n < QCOW2_CACHE_MIN	   ? QCOW2_CACHE_MIN
		   : n > QCOW2_CACHE_SLOTS ? QCOW2_CACHE_SLOTS
					   : (unsigned)n;
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

unsigned qcow2_cache_dirty_count(const struct qcow2_cache *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->slots; i++)
		n += c->s[i].dirty;
	return n;
}

/* Makes room in c: the least recently used clean slot. Changed tables
 * only leave through a write-back, started early (a quarter of the slots
 * changed) so that the write-back itself finds clean slots. */
static int cache_victim(struct qcow2 *q, struct qcow2_cache *c, unsigned *victim)
{
	bool found = false;

	if (!q->in_writeback && qcow2_cache_dirty_count(c) >= c->slots / 4 &&
	    qcow2_writeback(q) < 0)
		return -1;
	for (unsigned i = 0; i < c->slots; i++) {
		if (!c->s[i].off) {
			*victim = i;
			return 0;
		}
		if (!c->s[i].dirty && (!found || c->s[i].used < c->s[*victim].used)) {
			*victim = i;
			found = true;
		}
	}
	if (!found)
		log_limited(&q->rl, LOG_WARN, "%s: metadata cache full during a write-back",
			    q->path);
	return found ? 0 : -1;
}

uint8_t *qcow2_cache_get(struct qcow2 *q, struct qcow2_cache *c, uint64_t off, bool fresh)
{
	unsigned victim = 0;

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

/* Cluster c was freed in memory while the disk may still use it. */
static int quarantine(struct qcow2 *q, uint64_t c)
{
	if (q->nquar && q->quar[q->nquar - 1].first + q->quar[q->nquar - 1].n == c) {
		q->quar[q->nquar - 1].n++;
		return 0;
	}
	if (q->nquar == QCOW2_QUARANTINE) {
		log_limited(&q->rl, LOG_WARN, "%s: too many clusters freed at once", q->path);
		return -1;
	}
	q->quar[q->nquar].first = c;
	q->quar[q->nquar++].n = 1;
	return 0;
}

static bool quarantined(const struct qcow2 *q, uint64_t c)
{
	for (unsigned i = 0; i < q->nquar; i++)
		if (c >= q->quar[i].first && c - q->quar[i].first < q->quar[i].n)
			return true;
	return false;
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
		if (v == 0 && quarantine(q, c) < 0)
			return -1;
	}
	return 0;
}

/* ---- growing the refcount structures ------------------------------------ */

/* A new refcount block for table entry ti, in memory until the next
 * write-back: placed in the first cluster it covers (free: no block means
 * every cluster it covers has refcount 0) and counting itself. */
static int new_block(struct qcow2 *q, uint64_t ti)
{
	uint64_t off = (ti << q->rb_bits) << q->cluster_bits;
	uint8_t *b;

	if (off >= (1ull << 56) || qcow2_overlaps_meta(q, off, q->cluster_size))
		return -1;
	b = qcow2_cache_get(q, &q->rbc, off, true);
	if (!b)
		return -1;
	qcow2_cache_dirty(&q->rbc, off, true);
	rc_set(q, b, off, 0, 1);
	q->rt[ti] = off;
	q->meta_dirty = true;
	return 0;
}

/* The refcount table is full: twice as many entries, in memory (each
 * write-back writes the table to a new place). */
static int grow_table(struct qcow2 *q)
{
	uint64_t entries = q->rt_entries * 2;
	uint64_t *rt;

	if (entries * 8 > QCOW2_RT_MAX_BYTES) {
		log_limited(&q->rl, LOG_WARN, "%s: refcount table cannot grow further", q->path);
		return -1;
	}
	rt = realloc(q->rt, entries * 8);
	if (!rt)
		return -1;
	memset(rt + q->rt_entries, 0, (entries - q->rt_entries) * 8);
	q->rt = rt;
	q->rt_entries = entries;
	q->meta_dirty = true;
	return 0;
}

/* ---- allocation ----------------------------------------------------------- */

/* Whether cluster c is free: counted 0, not quarantined, not in the
 * header or the tables on disk; -1 on error. Creates refcount blocks and
 * grows the table as the scan reaches clusters they do not cover. */
static int cluster_free(struct qcow2 *q, uint64_t c)
{
	uint64_t ti = c >> q->rb_bits, v;

	while (ti >= q->rt_entries)
		if (grow_table(q) < 0)
			return -1;
	if (!q->rt[ti] && new_block(q, ti) < 0)
		return -1;
	if (qcow2_overlaps_meta(q, c << q->cluster_bits, q->cluster_size) || quarantined(q, c))
		return 0;
	if (qcow2_refcount(q, c, &v) < 0)
		return -1;
	return v == 0;
}

uint64_t qcow2_alloc_run(struct qcow2 *q, uint64_t n)
{
	/* Used clusters lie in the file, or just past its end (tables not
	 * yet written): a scan further than that means refcounts that lie,
	 * which would keep it going for ages. */
	uint64_t limit = (q->file_size >> q->cluster_bits) + 8192 + n, start = 0, len = 0;

	if (limit > 1ull << (56 - q->cluster_bits))
		limit = 1ull << (56 - q->cluster_bits);
	for (uint64_t c = q->free_hint > 1 ? q->free_hint : 1; c < limit; c++) {
		int f = cluster_free(q, c);

		if (f < 0)
			return 0;
		if (!f) {
			len = 0;
			continue;
		}
		if (len++ == 0)
			start = c;
		if (len < n)
			continue;
		if (qcow2_refcount_add(q, start << q->cluster_bits, n << q->cluster_bits, 1) < 0)
			return 0;
		if (n == 1)
			q->free_hint = c + 1;
		return start << q->cluster_bits;
	}
	log_limited(&q->rl, LOG_WARN, "%s: no free cluster (refcounts claim the whole file)",
		    q->path);
	return 0;
}

uint64_t qcow2_alloc_cluster(struct qcow2 *q)
{
	return qcow2_alloc_run(q, 1);
}

int qcow2_free_entry(struct qcow2 *q, uint64_t entry)
{
	struct qcow2_map m;

	if (qcow2_decode(q, entry, &m) < 0)
		return -1;
	if (m.kind == QC_COMPRESSED) {
		q->cbuf_entry = 0;
		return qcow2_refcount_add(q, m.host, m.csize, -1);
	}
	if (!m.host)
		return 0;
	return qcow2_refcount_add(q, m.host, q->cluster_size, -1);
}
