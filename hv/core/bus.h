/* One dispatch layer for port I/O and MMIO, used by every engine and every
 * device: a device registers a range with its ops and an opaque pointer and
 * never learns which bus it sits on. Unmapped reads return all ones;
 * unmapped writes are dropped (and logged, rate-limited). */
#ifndef HV_BUS_H
#define HV_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* Accesses are 1, 2, 4 or 8 bytes; `offset` is relative to the range base. */
struct io_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;	  /* "pio" or "mmio", for log lines */
	struct bus_range *ranges; /* sorted by base, never overlapping */
	unsigned count;
	unsigned cap;
	uint64_t unmapped_reads; /* counters for the manager */
	uint64_t unmapped_writes;
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/* Registers [base, base+len). Returns 0, or -1 with errno EEXIST if the
 * range overlaps one already registered, EINVAL for len 0 or wraparound,
 * ENOMEM. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct io_ops *ops,
		 void *opaque, const char *name);

/* Removes the range that starts at base. Returns 0 or -1 (ENOENT). */
int bus_unregister(struct bus *bus, uint64_t base);

/* The range containing addr, or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);

/* Dispatch. An access that straddles two ranges, or the end of one, is split
 * into byte accesses so each device sees only its own bytes. */
uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value);

#endif
