/* Guest memory as the CPU sees it: segment limit check, then a soft TLB of
 * host pointers per linear page; accesses that miss it (MMIO, ROM writes,
 * unmapped space) or straddle a page boundary take the slow path through
 * the machine. Paging will slot in at linear-to-physical translation. */
#include <string.h>

#include "hv/machine.h"
#include "hv/x86/cpu_state.h"

#define PAGE_SHIFT 12
#define PAGE_MASK  0xfffu

/* Drops every cached host pointer. */
void x86_tlb_flush(struct x86_cpu *cpu)
{
	for (unsigned i = 0; i < X86_TLB_SIZE; i++)
		cpu->tlb[i] = (struct x86_tlb_entry){X86_TAG_NONE, X86_TAG_NONE, NULL};
	cpu->fetch_host = NULL;
	cpu->tlb_gen = cpu->m ? cpu->m->mem.generation : 0;
}

/* Flushes when the memory map changed under the TLB. */
void x86_tlb_sync(struct x86_cpu *cpu)
{
	if (cpu->tlb_gen != cpu->m->mem.generation)
		x86_tlb_flush(cpu);
}

/* Host pointer to the page of `lin` for this kind of access, or NULL. */
static uint8_t *tlb_lookup(struct x86_cpu *cpu, uint32_t lin, bool write)
{
	uint32_t page = lin >> PAGE_SHIFT;
	struct x86_tlb_entry *e = &cpu->tlb[page % X86_TLB_SIZE];
	uint8_t *host;

	if ((write ? e->wtag : e->rtag) == page)
		return e->host;
	host = mem_page_ptr(&cpu->m->mem, (uint64_t)page << PAGE_SHIFT, write);
	if (!host)
		return NULL;
	if (e->host != host)
		*e = (struct x86_tlb_entry){X86_TAG_NONE, X86_TAG_NONE, host};
	if (write) {
		e->wtag = page;
		e->rtag = page; /* a writable page is readable */
	} else {
		e->rtag = page;
	}
	return host;
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

/* Slow path: one machine access, or bytes when the access straddles pages. */
static uint32_t slow_read(struct x86_cpu *cpu, uint32_t lin, unsigned size)
{
	uint32_t v = 0;

	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE)
		return (uint32_t)machine_mmio_read(cpu->m, lin, size);
	for (unsigned i = 0; i < size; i++)
		v |= x86_phys_read(cpu, lin + i, 1) << (8 * i);
	return v;
}

static void slow_write(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE) {
		machine_mmio_write(cpu->m, lin, size, v);
	} else {
		for (unsigned i = 0; i < size; i++) {
			uint8_t *p = tlb_lookup(cpu, lin + i, true);

			if (p)
				p[(lin + i) & PAGE_MASK] = v >> (8 * i);
			else
				machine_mmio_write(cpu->m, lin + i, 1, (v >> (8 * i)) & 0xff);
		}
	}
	/* A device may have remapped memory or raised an interrupt. */
	x86_tlb_sync(cpu);
	cpu->check_intr = true;
}

/* Physical read of 1, 2 or 4 bytes. */
uint32_t x86_phys_read(struct x86_cpu *cpu, uint32_t pa, unsigned size)
{
	uint8_t *p;

	if ((pa & PAGE_MASK) + size > MEM_PAGE_SIZE)
		return slow_read(cpu, pa, size);
	p = tlb_lookup(cpu, pa, false);
	if (p)
		return load_le(p + (pa & PAGE_MASK), size);
	return (uint32_t)machine_mmio_read(cpu->m, pa, size);
}

/* Segment check: the linear address of seg:off, or a fault. */
static uint32_t linear(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size)
{
	const struct x86_seg *s = &cpu->seg[seg];

	if ((uint64_t)off + size - 1 > s->limit)
		cpu_raise(cpu, seg == X86_SS ? X86_VEC_SS : X86_VEC_GP, 0);
	return s->base + off;
}

/* Reads `size` bytes (1, 2, 4) at seg:off. */
uint32_t x86_read(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size)
{
	uint32_t lin = linear(cpu, seg, off, size);
	uint8_t *p;

	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE && (p = tlb_lookup(cpu, lin, false)))
		return load_le(p + (lin & PAGE_MASK), size);
	return slow_read(cpu, lin, size);
}

/* Writes `size` bytes (1, 2, 4) at seg:off. */
void x86_write(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size, uint32_t val)
{
	uint32_t lin = linear(cpu, seg, off, size);
	uint8_t *p;

	if ((lin & PAGE_MASK) + size <= MEM_PAGE_SIZE && (p = tlb_lookup(cpu, lin, true)))
		store_le(p + (lin & PAGE_MASK), size, val);
	else
		slow_write(cpu, lin, size, val);
}

/* Fetches one code byte at CS:off through the fetch page cache. */
uint8_t x86_fetch8(struct x86_cpu *cpu, uint32_t off)
{
	uint32_t lin = linear(cpu, X86_CS, off, 1);
	uint32_t page = lin >> PAGE_SHIFT;

	if (cpu->fetch_host && cpu->fetch_page == page)
		return cpu->fetch_host[lin & PAGE_MASK];
	cpu->fetch_host = tlb_lookup(cpu, lin, false);
	cpu->fetch_page = page;
	if (cpu->fetch_host)
		return cpu->fetch_host[lin & PAGE_MASK];
	return (uint8_t)machine_mmio_read(cpu->m, lin, 1);
}
