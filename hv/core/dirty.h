/* Dirty-page logging: which guest pages were written since the last look,
 * for the display (only rows in written pages are compared) and later for
 * migration. A log covers one guest-physical range; fetching it returns
 * and clears its bitmap. Whatever writes RAM marks it: memory.c's own
 * writes (devices' DMA), mem_page_ptr() handing out a writable pointer (a
 * soft TLB fill), and an engine's own log (KVM_GET_DIRTY_LOG) harvested at
 * each fetch.
 *
 * A soft TLB keeps writing through the pointers it cached after a fetch
 * cleared their pages, until it flushes. So every fetch (and start) opens
 * a new epoch, which a soft CPU flushes for and acknowledges at its next
 * sync (each run starts with one). When a CPU was running as a fetch
 * opened its epoch, the pages that fetch reported count as written at the
 * next fetch too, and at later ones while it has not flushed. A CPU that
 * was not running flushes before its next access. Nothing a cached
 * pointer writes goes unreported, the CPU's write fast path stays as it
 * was, and a halted guest's frames find nothing written.
 *
 * Threads: start, stop and fetch run under the domain lock; marking may
 * come from a vCPU thread without it, so bitmaps are atomic and are never
 * freed before the memory is. */
#ifndef HV_DIRTY_H
#define HV_DIRTY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct guest_mem;

#define MEM_DIRTY_MAX_LOGS 4
#define MEM_DIRTY_MAX_OLD  8 /* outgrown bitmaps kept until the memory goes */

struct mem_dirty_log {
	_Atomic uint64_t pages; /* pages logged from base on; 0 when the log is free */
	uint64_t base;		/* guest-physical, page aligned */
	_Atomic uint64_t *bits; /* bit i: page base + i written since the last fetch */
	uint64_t *held;		/* pages a soft TLB may still write unmarked */
	uint64_t words;		/* capacity of bits and held */
	uint32_t held_epoch;	/* the epoch opened when `held` was taken */
	bool ran_across;	/* a soft CPU was running when it opened */
};

/* How an engine with its own dirty log (KVM) joins in. Both are called
 * with the domain lock held. */
struct mem_dirty_engine {
	/* Logging started or stopped somewhere: log the memory it covers. */
	void (*update)(void *opaque);
	/* Adds the pages the engine saw written to the logs (mem_dirty_mark_range). */
	void (*collect)(void *opaque);
};

struct mem_dirty {
	struct mem_dirty_log logs[MEM_DIRTY_MAX_LOGS];
	atomic_uint active;  /* logs in use; 0 keeps the write paths as cheap as ever */
	atomic_uint epoch;   /* opened by every start and fetch */
	atomic_uint acked;   /* the last epoch the soft TLB flushed for */
	atomic_uint running; /* soft CPUs inside their run loop */
	uint64_t *old[MEM_DIRTY_MAX_OLD];
	unsigned nold;
	const struct mem_dirty_engine *engine;
	void *engine_opaque;
};

/* Starts logging [base, base+size) (page aligned, not empty). Every page
 * of it counts as written until the first fetch. Returns the log's id
 * (>= 0), or -1 with errno EINVAL, ENOSPC (all logs in use) or ENOMEM. */
int mem_dirty_start(struct guest_mem *m, uint64_t base, uint64_t size);

/* Stops log id; it can be reused. */
void mem_dirty_stop(struct guest_mem *m, int id);

/* Copies the pages of log id written since its previous fetch (or its
 * start) into bitmap (bit i of word i/64: page base + i; the caller gives
 * room for all the log's pages) and clears them. Returns how many pages
 * are set, or -1 for a bad id. */
long mem_dirty_fetch(struct guest_mem *m, int id, uint64_t *bitmap);

/* The number of 64-bit words of a bitmap for a log of `size` bytes. */
uint64_t mem_dirty_words(uint64_t size);

/* Marks the pages of [gpa, gpa+len) written in every log covering them.
 * Writers that bypass memory.c (an engine's log, a device writing through
 * a pointer from mem_page_ptr) call mem_mark_written() (memory.h), which
 * skips this while nothing is logged. */
void mem_dirty_mark_range(struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Whether any log covers part of [gpa, gpa+len). */
bool mem_dirty_covers(struct guest_mem *m, uint64_t gpa, uint64_t len);

/* A soft CPU, whose TLB caches write pointers, brackets each run with
 * these and calls mem_dirty_sync() before its first access in the run
 * (and whenever it likes): true when it must flush its TLB, after which it
 * acknowledges the epoch with mem_dirty_ack(). */
static inline void mem_dirty_cpu_enter(struct mem_dirty *d)
{
	atomic_fetch_add(&d->running, 1);
}
static inline void mem_dirty_cpu_leave(struct mem_dirty *d)
{
	atomic_fetch_sub(&d->running, 1);
}
static inline uint32_t mem_dirty_epoch(struct mem_dirty *d)
{
	return atomic_load(&d->epoch);
}
static inline void mem_dirty_ack(struct mem_dirty *d, uint32_t epoch)
{
	atomic_store(&d->acked, epoch);
}

/* Lets an engine with its own log join (NULL to leave). */
void mem_dirty_set_engine(struct guest_mem *m, const struct mem_dirty_engine *ops, void *opaque);

/* Frees the bitmaps (mem_destroy). */
void mem_dirty_free(struct guest_mem *m);

#endif
