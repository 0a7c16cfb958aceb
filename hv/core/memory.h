/* Guest physical memory: RAM in one memfd (so viewers, save/restore and a
 * KVM engine can map the same pages), with ROM and MMIO regions laid over
 * it. Regions added later take priority over RAM and earlier regions, the
 * way the PC's legacy window (VGA at A0000h, ROMs at C0000h-FFFFFh) covers
 * low RAM. */
#ifndef HV_MEMORY_H
#define HV_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/code.h"
#include "hv/core/dirty.h"
#include "hv/core/ram_pages.h"

#define MEM_PAGE_SIZE	4096u
#define MEM_MAX_REGIONS 64
/* RAM above this address is placed at 4 GiB, leaving the hole below 4 GiB
 * for MMIO and the firmware. */
#define MEM_LOW_RAM_LIMIT 0xC0000000ull

enum mem_kind { MEM_RAM, MEM_ROM, MEM_MMIO };

struct mem_region {
	uint64_t base;
	uint64_t size;
	enum mem_kind kind;
	uint8_t *host;		  /* RAM and ROM: host address of byte `base` */
	const struct io_ops *ops; /* MMIO */
	void *opaque;		  /* MMIO */
	const char *name;
};

struct guest_mem {
	int ram_fd;	   /* memfd holding all of RAM */
	uint8_t *ram;	   /* its mapping in this process */
	uint64_t ram_size; /* bytes */
	/* The host's shmem huge-page policy when RAM was made: the page
	 * size RAM gets where it is first touched through `ram`. */
	struct ram_pages_policy ram_pages;
	struct mem_region regions[MEM_MAX_REGIONS]; /* in priority order, lowest first */
	unsigned count;
	/* Bumped on every change to the map; a soft TLB compares it to know
	 * when its cached host pointers are stale. */
	uint32_t generation;
	/* Dirty-page logs (hv/core/dirty.h). */
	struct mem_dirty dirty;
	/* Pages holding a soft CPU's decoded code (hv/core/code.h). */
	struct mem_code code;
};

/* Notes a write to [gpa, gpa+len) for the dirty-page logs and the
 * code-page tracking: a load each while nothing is logged or tracked. */
static inline void mem_mark_written(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (atomic_load_explicit(&m->dirty.active, memory_order_relaxed))
		mem_dirty_mark_range(m, gpa, len);
	if (m->code.words)
		mem_code_written(m, gpa, len);
}

/* Creates RAM of `ram_bytes` (a multiple of the page size): the first part
 * at 0, anything past MEM_LOW_RAM_LIMIT at 4 GiB. Returns 0, or -1 with a
 * message in err. */
int mem_init(struct guest_mem *m, uint64_t ram_bytes, char *err, size_t errlen);
void mem_destroy(struct guest_mem *m);

/* Lays a read-only region over [base, base+size) backed by host bytes the
 * caller owns and keeps alive; guest writes to it are ignored. Two regions
 * may share host bytes (the BIOS alias below 1 MiB). Returns 0 or -1. */
int mem_map_rom(struct guest_mem *m, uint64_t base, uint64_t size, uint8_t *host, const char *name);

/* Lays guest-writable host bytes the caller owns and keeps alive over
 * [base, base+size): device memory the CPU reaches at RAM speed (the VGA's
 * linear framebuffer). Returns 0 or -1. */
int mem_map_ram(struct guest_mem *m, uint64_t base, uint64_t size, uint8_t *host, const char *name);

/* Lays an MMIO region over [base, base+size). Returns 0 or -1. */
int mem_map_mmio(struct guest_mem *m, uint64_t base, uint64_t size, const struct io_ops *ops,
		 void *opaque, const char *name);

/* Removes the region that starts at base. Returns 0 or -1. */
int mem_unmap(struct guest_mem *m, uint64_t base);

/* The region that owns gpa (the highest-priority one), or NULL if nothing
 * is there. */
const struct mem_region *mem_find(const struct guest_mem *m, uint64_t gpa);

/* Whether host byte p belongs to a ROM region's bytes (which the guest
 * cannot write). */
bool mem_host_is_rom(const struct guest_mem *m, const uint8_t *p);

/* Host pointer for gpa when the whole page containing it can be accessed
 * directly: RAM for reads and writes, ROM for reads only. NULL otherwise
 * (MMIO, unmapped, a write to ROM, or a page split between regions). A
 * pointer for writing marks the page written in the dirty-page logs. */
uint8_t *mem_page_ptr(struct guest_mem *m, uint64_t gpa, bool write);

/* Host pointer for all of [gpa, gpa+len) when the range is the memfd's
 * RAM with nothing laid over it: what a paravirtual device may reach by
 * DMA (never ROM, MMIO, a hole or an overlay such as the VGA's LFB). NULL
 * otherwise, for len 0 and when the range wraps. A pointer for writing
 * marks the range written in the dirty-page logs. */
uint8_t *mem_ram_range(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write);

/* Slow-path accesses of any length at any address: RAM and ROM copied,
 * MMIO dispatched in pieces of at most 4 bytes, unmapped reads give 0xff,
 * writes to ROM or unmapped space are dropped. */
void mem_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len);
void mem_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len);

/* One access of 1, 2, 4 or 8 bytes, little-endian: what an engine's MMIO
 * exit or a soft CPU's slow path uses. */
uint64_t mem_read_sized(struct guest_mem *m, uint64_t gpa, unsigned size);
void mem_write_sized(struct guest_mem *m, uint64_t gpa, unsigned size, uint64_t value);

#endif
