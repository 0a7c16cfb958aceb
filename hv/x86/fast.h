/* The inline pieces shared by the decode-time handlers (fast.c) and the
 * fused flag-setter + Jcc pairs (fuse.c): ALU operations with a constant
 * operation and size, INC/DEC, condition codes from the lazy flags, a
 * taken near branch. Only hv/x86/fast.c, fuse.c and alu.c (whose
 * x86_alu is the general form of alu()) include it. */
#ifndef HV_X86_FAST_H
#define HV_X86_FAST_H

#include "hv/x86/cpu_state.h"

enum { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP };

#define INLINE static inline __attribute__((always_inline))

INLINE uint32_t add_cv(uint32_t a, uint32_t b, uint32_t r)
{
	return (a & b) | ((a | b) & ~r);
}

INLINE uint32_t sub_cv(uint32_t a, uint32_t b, uint32_t r)
{
	return (~a & b) | (~(a ^ b) & r);
}

/* The offset of the memory operand with a constant address size: 16-bit
 * forms have no scaled index and wrap to 64 KiB. */
INLINE uint32_t ea(const struct x86_cpu *cpu, const struct x86_insn *in, unsigned asz)
{
	if (asz == 2)
		return (in->disp + cpu->regs[in->base] + cpu->regs[in->index]) & 0xffff;
	return in->disp + cpu->regs[in->base] + (cpu->regs[in->index] << in->scale);
}

/* The host bytes of the memory operand with a constant address size for
 * a read, a write, or both (a read-modify-write translates once), or
 * NULL when the inline path cannot reach them: the caller then hands the
 * instruction to its general handler (general()), which does it all
 * again with the faults. */
INLINE uint8_t *operand_ptr(struct x86_cpu *cpu, const struct x86_insn *in, unsigned asz,
			    unsigned size, bool read, bool write)
{
	return x86_fast_ptr(cpu, in->ea_seg, ea(cpu, in, asz), size,
			    (read ? X86_DENY_READ : 0) | (write ? X86_DENY_WRITE : 0),
			    x86_acc(cpu, write));
}

/* The general handler of the instruction (table.c): a tail call, so the
 * fast path keeps no registers for it. */
INLINE void general(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_handlers[in->op](cpu, in);
}

/* The immediate of group 1: 83h sign-extends its byte. */
INLINE uint32_t grp1_imm(const struct x86_insn *in)
{
	return in->op == 0x83 ? x86_sext(in->imm, 1) : in->imm;
}

/* x86_alu with a constant operation and size: the same result and flags. */
INLINE uint32_t alu(struct x86_cpu *cpu, unsigned op, uint32_t a, uint32_t b, unsigned size)
{
	uint32_t m = x86_mask(size), r, cv = 0;

	a &= m;
	b &= m;
	switch (op) {
	case ADD:
		r = a + b;
		cv = add_cv(a, b, r);
		break;
	case ADC:
		r = a + b + x86_cf(cpu);
		cv = add_cv(a, b, r);
		break;
	case SBB:
		r = a - b - x86_cf(cpu);
		cv = sub_cv(a, b, r);
		break;
	case SUB:
	case CMP:
		r = a - b;
		cv = sub_cv(a, b, r);
		break;
	case OR: r = a | b; break;
	case AND: r = a & b; break;
	default: r = a ^ b; break;
	}
	/* Every arithmetic flag is replaced: nothing to fold first. */
	cpu->lazy = (struct x86_lazy){r & m, cv, X86_ARITH, (uint8_t)(size * 8)};
	return r & m;
}

/* INC/DEC: ADD/SUB 1 keeping CF, which is folded into EFLAGS first when
 * it is still lazy (kept apart, so the next reader of CF needs no record). */
INLINE void incdec(struct x86_cpu *cpu, unsigned r, unsigned size, bool dec)
{
	uint32_t m = x86_mask(size), a = x86_get_reg(cpu, size, r);
	uint32_t res = (dec ? a - 1 : a + 1) & m;
	uint32_t cv = dec ? sub_cv(a, 1, res) : add_cv(a, 1, res);

	if (cpu->lazy.mask & X86_CF)
		cpu->eflags =
		    (cpu->eflags & ~X86_CF) | ((cpu->lazy.cv >> (cpu->lazy.bits - 1)) & 1);
	cpu->lazy = (struct x86_lazy){res, cv, X86_ARITH & ~X86_CF, (uint8_t)(size * 8)};
	x86_set_reg(cpu, size, r, res);
}

/* One arithmetic flag, from the lazy record or from EFLAGS. */
INLINE bool zf(const struct x86_cpu *cpu)
{
	const struct x86_lazy *l = &cpu->lazy;

	if (l->mask & X86_ZF)
		return (l->res & x86_mask(l->bits / 8)) == 0;
	return cpu->eflags & X86_ZF;
}

INLINE bool cf(const struct x86_cpu *cpu)
{
	const struct x86_lazy *l = &cpu->lazy;

	if (l->mask & X86_CF)
		return (l->cv >> (l->bits - 1)) & 1;
	return cpu->eflags & X86_CF;
}

INLINE bool sf(const struct x86_cpu *cpu)
{
	const struct x86_lazy *l = &cpu->lazy;

	if (l->mask & X86_SF)
		return (l->res >> (l->bits - 1)) & 1;
	return cpu->eflags & X86_SF;
}

INLINE bool of(const struct x86_cpu *cpu)
{
	const struct x86_lazy *l = &cpu->lazy;

	if (l->mask & X86_OF)
		return ((l->cv >> (l->bits - 1)) ^ (l->cv >> (l->bits - 2))) & 1;
	return cpu->eflags & X86_OF;
}

/* x86_cond with a constant condition code. */
INLINE bool cond(struct x86_cpu *cpu, unsigned cc)
{
	bool r;

	switch (cc >> 1) {
	case 0: r = of(cpu); break;
	case 1: r = cf(cpu); break;
	case 2: r = zf(cpu); break;
	case 3: r = cf(cpu) || zf(cpu); break;
	case 4: r = sf(cpu); break;
	case 5: r = x86_pf(cpu); break;
	case 6: r = sf(cpu) != of(cpu); break;
	default: r = zf(cpu) || sf(cpu) != of(cpu); break;
	}
	return (cc & 1) ? !r : r;
}

/* A taken near branch: the target wraps to the operand size and must lie
 * within CS. */
INLINE void branch(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t rel)
{
	uint32_t target = (cpu->eip + rel) & x86_mask(in->osz);

	if (target > cpu->seg[X86_CS].limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
	cpu->eip = target;
}

#endif
