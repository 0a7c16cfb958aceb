/* Lazy flags. An arithmetic instruction records its result and carry
 * vector (bit i = carry, or borrow, out of bit i); a flag is computed only
 * when something reads it. CF is the carry out of the top bit, OF the top
 * carry XOR the one below it, AF the carry out of bit 3. Flags an
 * instruction leaves alone are folded into eflags before the record is
 * replaced, so INC/DEC keeping CF needs no special case. */
#include "hv/x86/cpu_state.h"

/* True when the low byte has an even number of set bits. */
bool x86_parity(uint32_t v)
{
	return !__builtin_parity(v & 0xff);
}

static bool lazy_flag(const struct x86_lazy *l, uint32_t flag)
{
	unsigned top = l->bits - 1;

	switch (flag) {
	case X86_CF: return (l->cv >> top) & 1;
	case X86_OF: return ((l->cv >> top) ^ (l->cv >> (top - 1))) & 1;
	case X86_AF: return (l->cv >> 3) & 1;
	case X86_ZF: return (l->res & x86_mask(l->bits / 8)) == 0;
	case X86_SF: return (l->res >> top) & 1;
	default: return x86_parity(l->res);
	}
}

static bool flag(struct x86_cpu *cpu, uint32_t f)
{
	if (cpu->lazy.mask & f)
		return lazy_flag(&cpu->lazy, f);
	return cpu->eflags & f;
}

/* The six arithmetic flags of a lazy record, as EFLAGS bits. */
static uint32_t lazy_all(const struct x86_lazy *l)
{
	unsigned top = l->bits - 1;
	uint32_t cf = (l->cv >> top) & 1, of = ((l->cv >> top) ^ (l->cv >> (top - 1))) & 1;
	uint32_t af = (l->cv >> 3) & 1, sf = (l->res >> top) & 1;
	uint32_t zf = (l->res & x86_mask(l->bits / 8)) == 0;

	return cf | (uint32_t)x86_parity(l->res) << 2 | af << 4 | zf << 6 | sf << 7 | of << 11;
}

/* Writes the lazy flags in `which` into eflags and stops them being lazy. */
void x86_lazy_fold(struct x86_cpu *cpu, uint32_t which)
{
	which &= cpu->lazy.mask;
	if (!which)
		return;
	cpu->eflags = (cpu->eflags & ~which) | (lazy_all(&cpu->lazy) & which);
	cpu->lazy.mask &= ~which;
}

/* The six flag readers: from the lazy record or from eflags. */
bool x86_cf(struct x86_cpu *cpu)
{
	return flag(cpu, X86_CF);
}

bool x86_zf(struct x86_cpu *cpu)
{
	return flag(cpu, X86_ZF);
}

bool x86_sf(struct x86_cpu *cpu)
{
	return flag(cpu, X86_SF);
}

bool x86_of(struct x86_cpu *cpu)
{
	return flag(cpu, X86_OF);
}

bool x86_pf(struct x86_cpu *cpu)
{
	return flag(cpu, X86_PF);
}

bool x86_af(struct x86_cpu *cpu)
{
	return flag(cpu, X86_AF);
}

/* Condition codes in Jcc order: O, B, Z, BE, S, P, L, LE; odd = negated. */
bool x86_cond(struct x86_cpu *cpu, unsigned cc)
{
	bool r;

	switch (cc >> 1) {
	case 0: r = x86_of(cpu); break;
	case 1: r = x86_cf(cpu); break;
	case 2: r = x86_zf(cpu); break;
	case 3: r = x86_cf(cpu) || x86_zf(cpu); break;
	case 4: r = x86_sf(cpu); break;
	case 5: r = x86_pf(cpu); break;
	case 6: r = x86_sf(cpu) != x86_of(cpu); break;
	default: r = x86_zf(cpu) || x86_sf(cpu) != x86_of(cpu); break;
	}
	return (cc & 1) ? !r : r;
}

/* EFLAGS with every lazy flag folded in. */
uint32_t x86_get_eflags(struct x86_cpu *cpu)
{
	x86_lazy_fold(cpu, X86_ARITH);
	return cpu->eflags;
}

/* Replaces the bits of `mask`; bit 1 stays set, bits 3, 5 and 15 clear. */
void x86_set_eflags(struct x86_cpu *cpu, uint32_t val, uint32_t mask)
{
	x86_lazy_fold(cpu, X86_ARITH);
	cpu->eflags = (cpu->eflags & ~mask) | (val & mask);
	cpu->eflags = (cpu->eflags | 0x2) & ~0x8028u;
}

/* Sets one arithmetic flag. */
void x86_set_flag(struct x86_cpu *cpu, uint32_t f, bool on)
{
	cpu->lazy.mask &= ~f;
	if (on)
		cpu->eflags |= f;
	else
		cpu->eflags &= ~f;
}
