/* Dirty-page logs over guest memory (see hv/core/dirty.h for the epochs that
 * keep a soft TLB's cached write pointers honest). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/memory.h"

#define PAGE_SHIFT 12

uint64_t mem_dirty_words(uint64_t size)
{
	return (size / MEM_PAGE_SIZE + 63) / 64;
}

/* Old bitmaps stay allocated: a vCPU may be marking through them. */
static int retire(struct mem_dirty *d, uint64_t *bits)
{
	if (!bits)
		return 0;
	if (d->nold == MEM_DIRTY_MAX_OLD) {
		errno = ENOSPC;
		return -1;
	}
	d->old[d->nold++] = bits;
	return 0;
}

/* Gives log l room for `words` words in both bitmaps. */
static int reserve(struct mem_dirty *d, struct mem_dirty_log *l, uint64_t words)
{
	uint64_t *bits, *held;

	if (l->words >= words)
		return 0;
	bits = calloc(words, sizeof *bits);
	held = calloc(words, sizeof *held);
	if (!bits || !held || retire(d, (uint64_t *)l->bits) < 0) {
		free(bits);
		free(held);
		if (errno != ENOSPC)
			errno = ENOMEM;
		return -1;
	}
	free(l->held);
	l->bits = (_Atomic uint64_t *)bits;
	l->held = held;
	l->words = words;
	return 0;
}

static struct mem_dirty_log *free_log(struct mem_dirty *d, int *id)
{
	for (int i = 0; i < MEM_DIRTY_MAX_LOGS; i++) {
		if (atomic_load(&d->logs[i].pages) == 0) {
			*id = i;
			return &d->logs[i];
		}
	}
	errno = ENOSPC;
	return NULL;
}

/* Opens an epoch: a soft TLB must flush before its writes count again. */
static uint32_t new_epoch(struct mem_dirty *d)
{
	return atomic_fetch_add(&d->epoch, 1) + 1;
}

/* Opens the next epoch after the log's bits were taken (a soft CPU that
 * flushes for it marks every later write), and notes whether a soft CPU
 * runs across it: only one that does can write through older pointers.
 * One that enters later reads this epoch or a newer one and flushes. */
static void close_epoch(struct mem_dirty *d, struct mem_dirty_log *l)
{
	l->held_epoch = new_epoch(d);
	l->ran_across = atomic_load(&d->running) != 0;
}

static void engine_update(struct guest_mem *m)
{
	if (m->dirty.engine && m->dirty.engine->update)
		m->dirty.engine->update(m->dirty.engine_opaque);
}

/* Starts a log with every page written. */
int mem_dirty_start(struct guest_mem *m, uint64_t base, uint64_t size)
{
	struct mem_dirty *d = &m->dirty;
	uint64_t pages = size / MEM_PAGE_SIZE, words = mem_dirty_words(size);
	struct mem_dirty_log *l;
	int id;

	if (size == 0 || size % MEM_PAGE_SIZE || base % MEM_PAGE_SIZE || base + size < base) {
		errno = EINVAL;
		return -1;
	}
	l = free_log(d, &id);
	if (!l || reserve(d, l, words) < 0)
		return -1;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t left = pages - w * 64;

		atomic_store(&l->bits[w], left >= 64 ? UINT64_MAX : (1ull << left) - 1);
		l->held[w] = 0;
	}
	l->base = base;
	atomic_store(&l->pages, pages);
	atomic_fetch_add(&d->active, 1);
	/* Last: a soft CPU that flushes for this epoch sees the log. */
	close_epoch(d, l);
	engine_update(m);
	return id;
}

static struct mem_dirty_log *valid_log(struct mem_dirty *d, int id)
{
	if (id < 0 || id >= MEM_DIRTY_MAX_LOGS || atomic_load(&d->logs[id].pages) == 0)
		return NULL;
	return &d->logs[id];
}

void mem_dirty_stop(struct guest_mem *m, int id)
{
	struct mem_dirty_log *l = valid_log(&m->dirty, id);

	if (!l)
		return;
	atomic_store(&l->pages, 0);
	atomic_fetch_sub(&m->dirty.active, 1);
	engine_update(m);
}

/* Sets bits [first, last] of log l. */
static void set_bits(struct mem_dirty_log *l, uint64_t first, uint64_t last)
{
	for (uint64_t w = first / 64; w <= last / 64; w++) {
		uint64_t lo = w == first / 64 ? first % 64 : 0,
			 hi = w == last / 64 ? last % 64 : 63;
		uint64_t mask =
		    (hi == 63 ? UINT64_MAX : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);

		if ((atomic_load_explicit(&l->bits[w], memory_order_relaxed) & mask) != mask)
			atomic_fetch_or(&l->bits[w], mask);
	}
}

void mem_dirty_mark_range(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa >> PAGE_SHIFT, last = (gpa + (len ? len - 1 : 0)) >> PAGE_SHIFT;

	for (int i = 0; i < MEM_DIRTY_MAX_LOGS; i++) {
		struct mem_dirty_log *l = &m->dirty.logs[i];
		uint64_t pages = atomic_load_explicit(&l->pages, memory_order_acquire);
		uint64_t lo = l->base >> PAGE_SHIFT, hi = lo + pages - 1;

		if (pages == 0 || last < lo || first > hi)
			continue;
		set_bits(l, (first > lo ? first : lo) - lo, (last < hi ? last : hi) - lo);
	}
}

bool mem_dirty_covers(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < MEM_DIRTY_MAX_LOGS; i++) {
		struct mem_dirty_log *l = &m->dirty.logs[i];
		uint64_t pages = atomic_load(&l->pages);

		if (pages && gpa < l->base + pages * MEM_PAGE_SIZE && l->base < gpa + len)
			return true;
	}
	return false;
}

/* Whether a soft CPU that is running may still write through pointers
 * it cached before the epoch `since` opened (it has not flushed since). */
static bool still_stale(struct mem_dirty *d, uint32_t since)
{
	return atomic_load(&d->running) != 0 && (int32_t)(atomic_load(&d->acked) - since) < 0;
}

long mem_dirty_fetch(struct guest_mem *m, int id, uint64_t *bitmap)
{
	struct mem_dirty *d = &m->dirty;
	struct mem_dirty_log *l = valid_log(d, id);
	bool stale, keep;
	long count = 0;

	if (!l)
		return -1;
	if (d->engine && d->engine->collect)
		d->engine->collect(d->engine_opaque);
	stale = l->ran_across;
	keep = stale && still_stale(d, l->held_epoch);
	for (uint64_t w = 0; w < mem_dirty_words(l->pages * MEM_PAGE_SIZE); w++) {
		uint64_t fresh = atomic_exchange(&l->bits[w], 0);
		uint64_t held = stale ? l->held[w] : 0;

		bitmap[w] = fresh | held;
		/* What a running CPU may have cached for writing: pages filled
		 * since the last fetch, older ones while it has not flushed. */
		l->held[w] = fresh | (keep ? held : 0);
		count += __builtin_popcountll(bitmap[w]);
	}
	close_epoch(d, l);
	return count;
}

void mem_dirty_set_engine(struct guest_mem *m, const struct mem_dirty_engine *ops, void *opaque)
{
	m->dirty.engine = ops;
	m->dirty.engine_opaque = opaque;
}

void mem_dirty_free(struct guest_mem *m)
{
	struct mem_dirty *d = &m->dirty;

	for (int i = 0; i < MEM_DIRTY_MAX_LOGS; i++) {
		free((uint64_t *)d->logs[i].bits);
		free(d->logs[i].held);
		d->logs[i] = (struct mem_dirty_log){0};
	}
	for (unsigned i = 0; i < d->nold; i++)
		free(d->old[i]);
	d->nold = 0;
	atomic_store(&d->active, 0);
}
