/* Guest memory as the CPU sees it: segment checks, then a soft TLB of host
 * pointers per linear page and kind of access (read/write, supervisor/
 * user); a miss walks the page tables when CR0.PG is set. Accesses that
 * miss (MMIO, ROM writes, unmapped space) or straddle a page boundary take
 * the slow path through the machine. */
#include <string.h>

#include "hv/core/machine.h"
#include "hv/x86/cpu_state.h"

#define PAGE_SHIFT 12
#define PAGE_MASK  0xfffu

static const struct x86_tlb_entry empty_entry = {
    {X86_TAG_NONE, X86_TAG_NONE, X86_TAG_NONE, X86_TAG_NONE}, NULL, 0};

/* Empties every slot, listed or not: a new CPU's (calloc'd: tag 0 would
 * match page 0). */
void x86_tlb_init(struct x86_cpu *cpu)
{
	for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
		cpu->tlb[i] = empty_entry;
		cpu->tlb_flags[i] = 0;
	}
	cpu->tlb_listed = 0;
}

/* Empties slot i; it stays listed (a flush takes it off). */
static void tlb_clear(struct x86_cpu *cpu, unsigned i)
{
	cpu->tlb[i] = empty_entry;
	cpu->tlb_flags[i] &= X86_TLB_LISTED;
}

/* Drops every cached host pointer. */
void x86_tlb_flush(struct x86_cpu *cpu)
{
	for (unsigned k = 0; k < cpu->tlb_listed; k++) {
		unsigned i = cpu->tlb_list[k];

		cpu->tlb[i] = empty_entry;
		cpu->tlb_flags[i] = 0;
	}
	cpu->tlb_listed = 0;
	cpu->fetch_host = NULL;
	cpu->tlb_globals = 0;
	cpu->tlb_large = 0;
	cpu->tlb_gen = cpu->m ? cpu->m->mem.generation : 0;
	if (cpu->m) {
		/* Write pointers cached before a dirty-log fetch are gone now. */
		cpu->dirty_epoch = mem_dirty_epoch(&cpu->m->mem.dirty);
		mem_dirty_ack(&cpu->m->mem.dirty, cpu->dirty_epoch);
	}
}

/* Drops the entries of non-global pages; the slots of global ones stay
 * listed. */
void x86_tlb_flush_nonglobal(struct x86_cpu *cpu)
{
	unsigned kept = 0;

	if (!cpu->tlb_globals) {
		x86_tlb_flush(cpu);
		return;
	}
	for (unsigned k = 0; k < cpu->tlb_listed; k++) {
		unsigned i = cpu->tlb_list[k];

		if (cpu->tlb_flags[i] & X86_TLB_GLOBAL) {
			cpu->tlb_list[kept++] = (uint16_t)i;
			continue;
		}
		cpu->tlb[i] = empty_entry;
		cpu->tlb_flags[i] = 0;
	}
	cpu->tlb_listed = kept;
	cpu->fetch_host = NULL;
}

/* Drops the entry of the page holding `lin` and, with 4 MiB pages cached,
 * the pieces of a 4 MiB page in its region: INVLPG drops the whole
 * page. They can only be in the slots of the region's 1024 pages, or
 * in the list when it is shorter. */
void x86_tlb_flush_page(struct x86_cpu *cpu, uint32_t lin)
{
	uint32_t region = lin >> 22;

	cpu->fetch_host = NULL;
	tlb_clear(cpu, (lin >> PAGE_SHIFT) % X86_TLB_SIZE);
	if (!cpu->tlb_large)
		return;
	if (cpu->tlb_listed < 1024) {
		for (unsigned k = 0; k < cpu->tlb_listed; k++) {
			unsigned i = cpu->tlb_list[k];

			if ((cpu->tlb_flags[i] & X86_TLB_LARGE) &&
			    cpu->tlb[i].tag[0] >> 10 == region)
				tlb_clear(cpu, i);
		}
		return;
	}
	for (uint32_t p = region << 10; p < (region + 1) << 10; p++) {
		unsigned i = p % X86_TLB_SIZE;

		if ((cpu->tlb_flags[i] & X86_TLB_LARGE) && cpu->tlb[i].tag[0] >> 10 == region)
			tlb_clear(cpu, i);
	}
}

/* Drops the write tags of the entries pointing at the host page `page`:
 * it now holds decoded code, whose stores must take the slow path. */
void x86_tlb_drop_writes(struct x86_cpu *cpu, const uint8_t *page)
{
	for (unsigned k = 0; k < cpu->tlb_listed; k++) {
		struct x86_tlb_entry *e = &cpu->tlb[cpu->tlb_list[k]];

		if (e->host != page)
			continue;
		e->tag[X86_ACC_WRITE] = X86_TAG_NONE;
		e->tag[X86_ACC_WRITE | X86_ACC_USER] = X86_TAG_NONE;
	}
}

/* Flushes when the memory map changed under the TLB (and the blocks: ROM
 * bytes may be gone), or when a dirty-page log was fetched: pages it
 * cleared must be marked again on their next write, which a cached write
 * pointer would skip. */
void x86_tlb_sync(struct x86_cpu *cpu)
{
	if (cpu->tlb_gen != cpu->m->mem.generation)
		x86_blocks_flush(cpu);
	if (cpu->tlb_gen != cpu->m->mem.generation ||
	    cpu->dirty_epoch != mem_dirty_epoch(&cpu->m->mem.dirty))
		x86_tlb_flush(cpu);
}

/* Slot i now holds an entry of a page with these X86_PAGE_* bits. */
static void tlb_enlist(struct x86_cpu *cpu, unsigned i, unsigned bits)
{
	uint8_t f = cpu->tlb_flags[i];

	if (!(f & X86_TLB_LISTED))
		cpu->tlb_list[cpu->tlb_listed++] = (uint16_t)i;
	cpu->tlb_flags[i] = X86_TLB_LISTED | ((bits & X86_PAGE_GLOBAL) ? X86_TLB_GLOBAL : 0) |
			    ((bits & X86_PAGE_LARGE) ? X86_TLB_LARGE : 0);
}

/* Slow part of a lookup: translate, then cache the host pointer for the
 * kinds of access the translation allows. NULL when not RAM; *pa is set. */
static uint8_t *tlb_fill(struct x86_cpu *cpu, uint32_t lin, unsigned acc, uint32_t *pa)
{
	uint32_t page = lin >> PAGE_SHIFT;
	unsigned i = page % X86_TLB_SIZE, bits = X86_PAGE_USER_WRITE;
	struct x86_tlb_entry *e = &cpu->tlb[i];
	uint8_t *host;

	*pa = lin;
	if (cpu->cr[0] & X86_CR0_PG)
		*pa = x86_translate(cpu, lin, acc, &bits);
	/* The A20 gate; a change bumps the map generation, which flushes
	 * this TLB and with it the fetch page cache. */
	*pa &= cpu->m->a20_mask;
	if (acc & X86_ACC_WRITE)
		x86_code_store(cpu, *pa);
	host = mem_page_ptr(&cpu->m->mem, *pa & ~PAGE_MASK, acc & X86_ACC_WRITE);
	if (!host)
		return NULL;
	if (e->host != host || e->tag[0] != page) {
		*e =
		    (struct x86_tlb_entry){{X86_TAG_NONE, X86_TAG_NONE, X86_TAG_NONE, X86_TAG_NONE},
					   host,
					   (uintptr_t)host - ((uintptr_t)page << PAGE_SHIFT)};
		tlb_enlist(cpu, i, bits);
	}
	cpu->tlb_globals += (bits & X86_PAGE_GLOBAL) != 0;
	cpu->tlb_large += (bits & X86_PAGE_LARGE) != 0;
	e->tag[acc] = page;
	e->tag[acc & X86_ACC_USER] = page; /* what may be written may be read */
	if (!(acc & X86_ACC_USER))
		return host;
	/* A user page is a supervisor page too, with WP-dependent writes. */
	e->tag[0] = page;
	if ((acc & X86_ACC_WRITE) && (bits & X86_PAGE_USER_WRITE))
		e->tag[X86_ACC_WRITE] = page;
	return host;
}

/* Host pointer to the page of `lin` for access kind acc, or NULL with *pa
 * set to the physical address. */
static inline uint8_t *tlb_lookup(struct x86_cpu *cpu, uint32_t lin, unsigned acc, uint32_t *pa)
{
	uint32_t page = lin >> PAGE_SHIFT;
	struct x86_tlb_entry *e = &cpu->tlb[page % X86_TLB_SIZE];

	if (e->tag[acc] == page)
		return e->host;
	return tlb_fill(cpu, lin, acc, pa);
}

/* A device access: the host x87's own control word back first (fpu.h). */
static uint64_t mmio_read(struct x86_cpu *cpu, uint64_t pa, unsigned size)
{
	x86_fpu_host_leave();
	return machine_mmio_read(cpu->m, pa, size);
}

static void mmio_write(struct x86_cpu *cpu, uint64_t pa, unsigned size, uint64_t v)
{
	x86_fpu_host_leave();
	machine_mmio_write(cpu->m, pa, size, v);
}

static uint32_t load_le(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return p[0] | (uint32_t)p[1] << 8;
	default: return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	}
}

static void store_le(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static unsigned acc_kind(const struct x86_cpu *cpu, bool write)
{
	return (cpu->cpl == 3 ? X86_ACC_USER : 0) | (write ? X86_ACC_WRITE : 0);
}

static uint8_t read_byte(struct x86_cpu *cpu, uint32_t lin, unsigned acc)
{
	uint32_t pa = 0;
	uint8_t *p = tlb_lookup(cpu, lin, acc, &pa);

	return p ? p[lin & PAGE_MASK] : (uint8_t)mmio_read(cpu, pa, 1);
}

/* Linear read of kind acc (without the write bit). */
static uint32_t lin_read(struct x86_cpu *cpu, uint32_t lin, unsigned size, unsigned acc)
{
	uint32_t pa = 0, v = 0;
	uint8_t *p;

	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE) {
		p = tlb_lookup(cpu, lin, acc, &pa);
		if (p)
			return load_le(p + (lin & PAGE_MASK), size);
		return (uint32_t)mmio_read(cpu, pa, size);
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)read_byte(cpu, lin + i, acc) << (8 * i);
	return v;
}

static void write_byte(struct x86_cpu *cpu, uint32_t lin, unsigned acc, uint8_t v)
{
	uint32_t pa = 0;
	uint8_t *p = tlb_lookup(cpu, lin, acc, &pa);

	if (p)
		p[lin & PAGE_MASK] = v;
	else
		mmio_write(cpu, pa, 1, v);
}

/* Slow write: a device, or bytes when the access straddles two pages
 * (both translated first, so a page fault writes nothing). */
static void slow_write(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v, unsigned acc,
		       uint32_t pa, bool split)
{
	uint32_t dummy;

	if (!split) {
		mmio_write(cpu, pa, size, v);
	} else {
		if (cpu->cr[0] & X86_CR0_PG) {
			tlb_lookup(cpu, lin, acc, &dummy);
			tlb_lookup(cpu, lin + size - 1, acc, &dummy);
		}
		for (unsigned i = 0; i < size; i++)
			write_byte(cpu, lin + i, acc, v >> (8 * i));
	}
	/* A device may have remapped memory or raised an interrupt. */
	x86_tlb_sync(cpu);
	x86_poll_soon(cpu);
}

static void lin_write(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v, unsigned acc)
{
	uint32_t pa = 0;
	uint8_t *p;

	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE) {
		p = tlb_lookup(cpu, lin, acc, &pa);
		if (p)
			store_le(p + (lin & PAGE_MASK), size, v);
		else
			slow_write(cpu, lin, size, v, acc, pa, false);
		return;
	}
	slow_write(cpu, lin, size, v, acc, 0, true);
}

/* Physical read of 1, 2 or 4 bytes. */
uint32_t x86_phys_read(struct x86_cpu *cpu, uint32_t pa, unsigned size)
{
	uint8_t *p;
	uint32_t v = 0;

	pa &= cpu->m->a20_mask;
	if ((pa & PAGE_MASK) + size > MEM_PAGE_SIZE) {
		for (unsigned i = 0; i < size; i++)
			v |= x86_phys_read(cpu, pa + i, 1) << (8 * i);
		return v;
	}
	p = mem_page_ptr(&cpu->m->mem, pa & ~PAGE_MASK, false);
	if (p)
		return load_le(p + (pa & PAGE_MASK), size);
	return (uint32_t)mmio_read(cpu, pa, size);
}

/* Physical write of 1, 2 or 4 bytes within a page (page-table entries). */
void x86_phys_write(struct x86_cpu *cpu, uint32_t pa, unsigned size, uint32_t v)
{
	uint8_t *p;

	pa &= cpu->m->a20_mask;
	x86_code_store(cpu, pa);
	p = mem_page_ptr(&cpu->m->mem, pa & ~PAGE_MASK, true);

	if (p)
		store_le(p + (pa & PAGE_MASK), size, v);
	else
		mmio_write(cpu, pa, size, v);
}

/* Linear read of system data. */
uint32_t x86_lin_read(struct x86_cpu *cpu, uint32_t lin, unsigned size, bool user)
{
	return lin_read(cpu, lin, size, user ? X86_ACC_USER : 0);
}

/* Linear write of system data. */
void x86_lin_write(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v, bool user)
{
	lin_write(cpu, lin, size, v, X86_ACC_WRITE | (user ? X86_ACC_USER : 0));
}

/* Segment check: the linear address of seg:off, or a fault. `deny` says
 * which X86_DENY_* bits of the cache forbid this access. */
static inline uint32_t linear(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size,
			      unsigned deny)
{
	const struct x86_seg *s = &cpu->seg[seg];
	/* A flat 4 GiB segment wraps an access that straddles its end to
	 * offset 0, as hardware does (SYSLINUX's HDT reads a dword at -1). */
	bool flat = s->limit == 0xffffffffu && s->floor == 0;

	if ((s->deny & deny) || off < s->floor || ((uint64_t)off + size - 1 > s->limit && !flat))
		cpu_raise(cpu, seg == X86_SS ? X86_VEC_SS : X86_VEC_GP, 0);
	return s->base + off;
}

/* Reads `size` bytes (1, 2, 4) at seg:off. */
uint32_t x86_read_full(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size)
{
	return lin_read(cpu, linear(cpu, seg, off, size, X86_DENY_READ), size,
			acc_kind(cpu, false));
}

/* Writes `size` bytes (1, 2, 4) at seg:off. */
void x86_write_full(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size, uint32_t val)
{
	lin_write(cpu, linear(cpu, seg, off, size, X86_DENY_WRITE), size, val, acc_kind(cpu, true));
}

/* Faults as a one-byte write at seg:off would, writing nothing. */
void x86_probe_write(struct x86_cpu *cpu, int seg, uint32_t off)
{
	uint32_t lin = linear(cpu, seg, off, 1, X86_DENY_WRITE), pa = 0;

	tlb_lookup(cpu, lin, acc_kind(cpu, true), &pa);
}

/* Fetches one code byte at CS:off through the fetch page cache. */
uint8_t x86_fetch8(struct x86_cpu *cpu, uint32_t off)
{
	uint32_t lin = linear(cpu, X86_CS, off, 1, 0);
	uint32_t page = lin >> PAGE_SHIFT, pa = 0;

	if (cpu->fetch_host && cpu->fetch_page == page)
		return cpu->fetch_host[lin & PAGE_MASK];
	cpu->fetch_host = tlb_lookup(cpu, lin, acc_kind(cpu, false), &pa);
	cpu->fetch_page = page;
	if (cpu->fetch_host)
		return cpu->fetch_host[lin & PAGE_MASK];
	return (uint8_t)mmio_read(cpu, pa, 1);
}

/* Points the fetch page cache at the page of CS:off with the checks of a
 * fetch there (CS limit, paging, #PF) but without reading: the decoded-
 * instruction cache uses it after a jump to another page. */
void x86_fetch_map(struct x86_cpu *cpu, uint32_t off)
{
	uint32_t lin = linear(cpu, X86_CS, off, 1, 0), pa = 0;

	cpu->fetch_host = tlb_lookup(cpu, lin, acc_kind(cpu, false), &pa);
	cpu->fetch_page = lin >> PAGE_SHIFT;
}

/* Host pointer to bytes [off, off + len) of segment seg when they pass the
 * segment checks and lie in one RAM page that allows this access (a
 * write sets the dirty bit like any write); NULL otherwise, for the
 * caller to go element by element. The page is looked up (and a paging
 * fault raised) as for an access at seg:first, the element accessed
 * first, which lies in the range. REP MOVS/STOS use it to move many elements
 * at once. */
uint8_t *x86_host_span(struct x86_cpu *cpu, int seg, uint32_t off, uint32_t len, uint32_t first,
		       bool write)
{
	const struct x86_seg *s = &cpu->seg[seg];
	uint32_t lin = s->base + off, pa = 0;
	uint8_t *p;

	if ((s->deny & (write ? X86_DENY_WRITE : X86_DENY_READ)) || off < s->floor ||
	    (uint64_t)off + len - 1 > s->limit || (lin & PAGE_MASK) + len > MEM_PAGE_SIZE)
		return NULL;
	p = tlb_lookup(cpu, s->base + first, acc_kind(cpu, write), &pa);
	return p ? p + (lin & PAGE_MASK) : NULL;
}
