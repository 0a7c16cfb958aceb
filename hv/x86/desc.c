/* Segment descriptors: reading them from the GDT or LDT, their fields,
 * filling a segment register's hidden cache, and the checks every stack
 * segment load shares. */
#include "hv/x86/cpu_state.h"

/* The descriptor's DPL. */
unsigned x86_desc_dpl(uint64_t d)
{
	return (unsigned)(d >> 45) & 3;
}

/* The S bit and the 4-bit type (attr bits 0-4). */
unsigned x86_desc_type(uint64_t d)
{
	return (unsigned)(d >> 40) & 0x1f;
}

/* The P bit. */
bool x86_desc_present(uint64_t d)
{
	return (d >> 47) & 1;
}

/* Linear address of the descriptor for sel, or false outside the table. */
static bool desc_addr(struct x86_cpu *cpu, uint16_t sel, uint32_t *lin)
{
	uint32_t idx = sel & ~7u;

	if (sel & 4) {
		if ((cpu->ldtr.sel & ~3u) == 0 || idx + 7 > cpu->ldtr.limit)
			return false;
		*lin = cpu->ldtr.base + idx;
		return true;
	}
	if (idx + 7 > cpu->gdtr.limit)
		return false;
	*lin = cpu->gdtr.base + idx;
	return true;
}

/* Reads the descriptor for sel. */
bool x86_desc_read(struct x86_cpu *cpu, uint16_t sel, uint64_t *d)
{
	uint32_t lin, lo, hi;

	if (!desc_addr(cpu, sel, &lin))
		return false;
	lo = x86_lin_read(cpu, lin, 4, false);
	hi = x86_lin_read(cpu, lin + 4, 4, false);
	*d = (uint64_t)hi << 32 | lo;
	return true;
}

/* Reads the descriptor for sel or raises vector(sel | ext). */
uint64_t x86_desc_get(struct x86_cpu *cpu, uint16_t sel, int vector, uint32_t ext)
{
	uint64_t d;

	if (!x86_desc_read(cpu, sel, &d))
		cpu_raise(cpu, vector, (sel & ~3u) | ext);
	return d;
}

/* Sets a bit of the type byte (byte 5) in the table. */
void x86_desc_set_type_bit(struct x86_cpu *cpu, uint16_t sel, unsigned bit)
{
	uint32_t lin;
	uint8_t b;

	if (!desc_addr(cpu, sel, &lin))
		return;
	b = x86_lin_read(cpu, lin + 5, 1, false);
	if (!(b & bit))
		x86_lin_write(cpu, lin + 5, 1, b | bit, false);
}

/* Clears a bit of the type byte in the table. */
void x86_desc_clear_type_bit(struct x86_cpu *cpu, uint16_t sel, unsigned bit)
{
	uint32_t lin;
	uint8_t b;

	if (!desc_addr(cpu, sel, &lin))
		return;
	b = x86_lin_read(cpu, lin + 5, 1, false);
	if (b & bit)
		x86_lin_write(cpu, lin + 5, 1, b & ~bit, false);
}

/* Fills a segment cache; expand-down data segments get their valid range
 * above the limit, and the deny bits encode the type's read/write rights. */
static void from_desc(struct x86_seg *s, uint16_t sel, uint64_t d)
{
	uint32_t limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 32) & 0xf0000);

	s->sel = sel;
	s->base = (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 32) & 0xff000000);
	s->attr = (uint32_t)(d >> 40) & 0xf0ff;
	s->limit = (s->attr & X86_SEG_GRAN) ? limit << 12 | 0xfff : limit;
	s->floor = 0;
	s->deny = 0;
	if (!(s->attr & X86_SEG_S))
		return;
	if (s->attr & X86_SEG_CODE) {
		s->deny = X86_DENY_WRITE | ((s->attr & X86_SEG_RW) ? 0 : X86_DENY_READ);
		return;
	}
	if (!(s->attr & X86_SEG_RW))
		s->deny = X86_DENY_WRITE;
	if (s->attr & X86_SEG_EXPDOWN) {
		s->floor = s->limit + 1;
		s->limit = (s->attr & X86_SEG_BIG) ? 0xffffffffu : 0xffffu;
	}
}

void x86_seg_from_desc(struct x86_seg *s, uint16_t sel, uint64_t d)
{
	from_desc(s, sel, d);
	x86_seg_sync(s);
}

/* Stack segment rules: RPL = DPL = cpl, writable data, present. */
void x86_check_ss(struct x86_cpu *cpu, uint16_t sel, unsigned cpl, int vector, struct x86_seg *out)
{
	uint64_t d;
	unsigned type;

	if ((sel & ~3u) == 0)
		cpu_raise(cpu, vector, 0);
	d = x86_desc_get(cpu, sel, vector, 0);
	type = x86_desc_type(d);
	if ((sel & 3) != cpl || x86_desc_dpl(d) != cpl || (type & 0x1a) != 0x12)
		cpu_raise(cpu, vector, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_SS, sel & ~3u);
	x86_desc_set_type_bit(cpu, sel, X86_SEG_ACCESSED);
	x86_seg_from_desc(out, sel, d | (uint64_t)X86_SEG_ACCESSED << 40);
}

/* A data segment register that may not survive a return to cpu->cpl:
 * data or non-conforming code with DPL below the new CPL. */
void x86_null_inner_segs(struct x86_cpu *cpu)
{
	static const int segs[] = {X86_ES, X86_DS, X86_FS, X86_GS};

	for (unsigned i = 0; i < 4; i++) {
		struct x86_seg *s = &cpu->seg[segs[i]];
		bool conforming_code = (s->attr & 0x1c) == 0x1c;
		unsigned dpl = (s->attr >> 5) & 3;

		if ((s->sel & ~3u) == 0 || (!conforming_code && dpl < cpu->cpl)) {
			s->sel = 0;
			s->deny = X86_DENY_READ | X86_DENY_WRITE;
			x86_seg_sync(s);
		}
	}
}
