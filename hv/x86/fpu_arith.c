/* x87 arithmetic and comparisons: FADD/FMUL/FSUB(R)/FDIV(R) in their
 * register, memory and popping forms, FCOM/FUCOM with their popping
 * forms, FCOMI/FUCOMI (to EFLAGS) and FTST. */
#include "hv/x86/fpu.h"

/* The host operation of each reg-field value of D8/DA/DC/DE. */
static const enum fpu_hop arith_ops[8] = {
    FPU_H_ADD, FPU_H_MUL, FPU_H_COM, FPU_H_COM, FPU_H_SUB, FPU_H_SUBR, FPU_H_DIV, FPU_H_DIVR,
};

void fpu_arith(struct x86_cpu *cpu, unsigned op, unsigned dst, unsigned src,
	       const struct x86_f80 *b, bool pop)
{
	struct x86_f80 a, y, r0, r1;
	uint16_t sw;

	if (fpu_empty(cpu, 0) || (!b && fpu_empty(cpu, src))) {
		if (!fpu_underflow(cpu))
			return;
		fpu_set(cpu, dst, &fpu_indefinite);
		if (pop)
			fpu_pop(cpu);
		return;
	}
	a = *fpu_st(cpu, 0);
	y = b ? *b : *fpu_st(cpu, src);
	sw = fpu_host_op(arith_ops[op & 7], cpu->fpu.cw, &a, &y, &r0, &r1);
	/* Unmasked invalid, denormal or zero-divide: nothing is written. C1
	 * says whether the result was rounded up; C0, C2, C3 stay. */
	if (fpu_raise(cpu, sw, FPU_C1))
		return;
	fpu_set(cpu, dst, &r0);
	if (pop)
		fpu_pop(cpu);
}

/* EFLAGS of FCOMI from the condition codes: ZF = C3, PF = C2, CF = C0;
 * OF, SF and AF clear. */
static void set_eflags_from_cc(struct x86_cpu *cpu, uint16_t sw)
{
	uint32_t v =
	    (sw & FPU_C3 ? X86_ZF : 0) | (sw & FPU_C2 ? X86_PF : 0) | (sw & FPU_C0 ? X86_CF : 0);

	x86_set_eflags(cpu, v, X86_ARITH);
}

void fpu_compare(struct x86_cpu *cpu, unsigned src, const struct x86_f80 *b, bool unordered,
		 unsigned pops, bool eflags)
{
	struct x86_f80 a, y, r0, r1;
	uint16_t sw;

	if (fpu_empty(cpu, 0) || (!b && fpu_empty(cpu, src))) {
		if (!fpu_underflow(cpu))
			return;
		sw = FPU_C3 | FPU_C2 | FPU_C0; /* unordered */
	} else {
		a = *fpu_st(cpu, 0);
		y = b ? *b : *fpu_st(cpu, src);
		sw = fpu_host_op(unordered ? FPU_H_UCOM : FPU_H_COM, cpu->fpu.cw, &a, &y, &r0, &r1);
		/* FCOMI leaves C0, C2 and C3 alone and clears C1. */
		if (fpu_raise(cpu, eflags ? sw & FPU_EXC : sw, eflags ? FPU_C1 : FPU_CC))
			return;
	}
	if (eflags)
		set_eflags_from_cc(cpu, sw);
	else
		cpu->fpu.sw =
		    (cpu->fpu.sw & ~(FPU_C0 | FPU_C2 | FPU_C3)) | (sw & (FPU_C0 | FPU_C2 | FPU_C3));
	while (pops--)
		fpu_pop(cpu);
}
