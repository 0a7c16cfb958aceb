/* Port-I/O and MMIO dispatch: a sorted array of non-overlapping ranges found
 * by binary search. A PC has a few dozen port ranges, so a search of five or
 * six steps is as cheap as a hash and keeps bus_find() exact. */
#include "hv/core/bus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"

static uint64_t all_ones(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
}

static bool size_valid(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Index of the first range whose base is greater than addr. */
static unsigned upper_bound(const struct bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Range holding addr; a static twin of bus_find() for the hot path. */
static const struct bus_range *lookup(const struct bus *bus, uint64_t addr)
{
	unsigned i = upper_bound(bus, addr);
	const struct bus_range *r;

	if (i == 0)
		return NULL;
	r = &bus->ranges[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

/* Sets up an empty bus; name appears in log lines ("pio", "mmio"). */
void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof *bus);
	bus->name = name;
}

/* Frees the range array; the devices belong to their owners. */
void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->count = bus->cap = 0;
}

static int grow(struct bus *bus)
{
	unsigned cap = bus->cap ? bus->cap * 2 : 16;
	struct bus_range *r = realloc(bus->ranges, cap * sizeof *r);

	if (!r) {
		errno = ENOMEM;
		return -1;
	}
	bus->ranges = r;
	bus->cap = cap;
	return 0;
}

/* True if [base, last] touches the neighbours of insertion point i. */
static bool overlaps(const struct bus *bus, unsigned i, uint64_t base, uint64_t last)
{
	const struct bus_range *prev = i > 0 ? &bus->ranges[i - 1] : NULL;
	const struct bus_range *next = i < bus->count ? &bus->ranges[i] : NULL;

	if (prev && base - prev->base < prev->len)
		return true;
	return next && next->base <= last;
}

/* Registers [base, base+len) for ops; see bus.h for the errors. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct io_ops *ops,
		 void *opaque, const char *name)
{
	uint64_t last = base + len - 1;
	unsigned i;

	if (len == 0 || last < base || !ops) {
		errno = EINVAL;
		return -1;
	}
	i = upper_bound(bus, base);
	if (overlaps(bus, i, base, last)) {
		errno = EEXIST;
		return -1;
	}
	if (bus->count == bus->cap && grow(bus) < 0)
		return -1;
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->count - i) * sizeof bus->ranges[0]);
	bus->ranges[i] = (struct bus_range){base, len, ops, opaque, name};
	bus->count++;
	return 0;
}

/* Removes the range starting exactly at base. */
int bus_unregister(struct bus *bus, uint64_t base)
{
	unsigned i = upper_bound(bus, base);

	if (i == 0 || bus->ranges[i - 1].base != base) {
		errno = ENOENT;
		return -1;
	}
	i--;
	memmove(&bus->ranges[i], &bus->ranges[i + 1], (bus->count - i - 1) * sizeof bus->ranges[0]);
	bus->count--;
	return 0;
}

/* The range containing addr, or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	return lookup(bus, addr);
}

static uint64_t range_read(const struct bus_range *r, uint64_t addr, unsigned size)
{
	/* A write-only device reads like an open bus. */
	if (!r->ops->read)
		return all_ones(size);
	return r->ops->read(r->opaque, addr - r->base, size) & all_ones(size);
}

static void range_write(const struct bus_range *r, uint64_t addr, unsigned size, uint64_t value)
{
	if (r->ops->write)
		r->ops->write(r->opaque, addr - r->base, size, value & all_ones(size));
}

static void note_unmapped_read(struct bus *bus, uint64_t addr, unsigned size)
{
	bus->unmapped_reads++;
	log_guest("%s: read of %u bytes at unmapped 0x%" PRIx64, bus->name, size, addr);
}

static void note_unmapped_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
	bus->unmapped_writes++;
	log_guest("%s: write of %u bytes (0x%" PRIx64 ") at unmapped 0x%" PRIx64, bus->name, size,
		  value, addr);
}

/* Byte by byte, little-endian, so each device answers only for its bytes;
 * the access counts as unmapped once if any byte hit nothing. */
static uint64_t split_read(struct bus *bus, uint64_t addr, unsigned size)
{
	uint64_t value = 0;
	bool hole = false;

	for (unsigned i = 0; i < size; i++) {
		const struct bus_range *r = lookup(bus, addr + i);
		uint64_t byte = r ? range_read(r, addr + i, 1) : 0xff;

		hole |= !r;
		value |= byte << (8 * i);
	}
	if (hole)
		note_unmapped_read(bus, addr, size);
	return value;
}

static void split_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
	bool hole = false;

	for (unsigned i = 0; i < size; i++) {
		const struct bus_range *r = lookup(bus, addr + i);

		if (r)
			range_write(r, addr + i, 1, (value >> (8 * i)) & 0xff);
		hole |= !r;
	}
	if (hole)
		note_unmapped_write(bus, addr, size, value);
}

static bool fits(const struct bus_range *r, uint64_t addr, unsigned size)
{
	return r && r->len >= size && addr - r->base <= r->len - size;
}

/* Dispatches one read; unmapped bytes read as all ones. */
uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size)
{
	const struct bus_range *r = lookup(bus, addr);

	if (fits(r, addr, size) && size_valid(size))
		return range_read(r, addr, size);
	if (size == 0 || size > 8) {
		log_guest("%s: read of bad size %u at 0x%" PRIx64, bus->name, size, addr);
		return UINT64_MAX;
	}
	return split_read(bus, addr, size);
}

/* Dispatches one write; unmapped bytes are dropped. */
void bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
	const struct bus_range *r = lookup(bus, addr);

	if (fits(r, addr, size) && size_valid(size)) {
		range_write(r, addr, size, value);
		return;
	}
	if (size == 0 || size > 8) {
		log_guest("%s: write of bad size %u at 0x%" PRIx64, bus->name, size, addr);
		return;
	}
	split_write(bus, addr, size, value);
}
