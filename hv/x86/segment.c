/* Segment register loads and far transfers. Real mode sets only the
 * selector and base (limit and attributes stay, which is what "unreal
 * mode" relies on). With CR0.PE set, a load reads the descriptor from the
 * GDT or LDT; privilege checks, gates and task switches are the next stage. */
#include "hv/log.h"
#include "hv/x86/cpu_state.h"

#define DESC_PRESENT  0x80u
#define DESC_GRANULAR 0x8000u

/* Reads the 8-byte descriptor for sel; #GP(sel) outside the table. */
static uint64_t read_descriptor(struct x86_cpu *cpu, uint16_t sel, int fault)
{
	uint32_t idx = sel & ~7u;
	uint32_t lo, hi;

	if (sel & 4) {
		log_guest("x86: LDT selector %#x: no LDT support yet", sel);
		cpu_raise(cpu, fault, sel & ~3u);
	}
	if (idx + 7 > cpu->gdtr.limit)
		cpu_raise(cpu, fault, sel & ~3u);
	lo = x86_phys_read(cpu, cpu->gdtr.base + idx, 4);
	hi = x86_phys_read(cpu, cpu->gdtr.base + idx + 4, 4);
	return (uint64_t)hi << 32 | lo;
}

static void load_protected(struct x86_cpu *cpu, int seg, uint16_t sel)
{
	struct x86_seg *s = &cpu->seg[seg];
	uint64_t d;
	uint32_t limit;

	if ((sel & ~3u) == 0) {
		if (seg == X86_CS || seg == X86_SS)
			cpu_raise(cpu, X86_VEC_GP, 0);
		*s = (struct x86_seg){.sel = sel};
		return;
	}
	d = read_descriptor(cpu, sel, X86_VEC_GP);
	if (!((d >> 40) & DESC_PRESENT))
		cpu_raise(cpu, seg == X86_SS ? X86_VEC_SS : X86_VEC_NP, sel & ~3u);
	limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 32) & 0xf0000);
	s->sel = sel;
	s->base = (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 32) & 0xff000000);
	s->attr = (uint32_t)(d >> 40) & 0xf0ff;
	s->limit = (s->attr & DESC_GRANULAR) ? limit << 12 | 0xfff : limit;
}

/* Loads segment register `seg` with selector `sel`. */
void x86_load_seg(struct x86_cpu *cpu, int seg, uint16_t sel)
{
	if (cpu->cr[0] & X86_CR0_PE) {
		load_protected(cpu, seg, sel);
		return;
	}
	cpu->seg[seg].sel = sel;
	cpu->seg[seg].base = (uint32_t)sel << 4;
}

/* Loads CS:EIP; #GP if the offset is beyond the new limit. */
void x86_far_jump(struct x86_cpu *cpu, uint16_t sel, uint32_t ip, unsigned osz)
{
	struct x86_seg old = cpu->seg[X86_CS];

	ip &= x86_mask(osz);
	x86_load_seg(cpu, X86_CS, sel);
	if (ip > cpu->seg[X86_CS].limit) {
		cpu->seg[X86_CS] = old;
		cpu_raise(cpu, X86_VEC_GP, 0);
	}
	cpu->eip = ip;
}
