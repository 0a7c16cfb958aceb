/* x87 loads, stores and register moves: FLD/FST/FSTP in every memory
 * format (single, double, extended, 16/32/64-bit integers, packed BCD),
 * FLD/FST ST(i), FXCH, FCMOVcc and the constants. Memory is read before
 * the stack changes and written before anything is popped, so a fault
 * leaves the FPU as it was. */
#include "hv/x86/fpu.h"

bool fpu_operand(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt,
		 struct x86_f80 *v)
{
	uint8_t buf[10];
	uint16_t sw;

	fpu_mem_read(cpu, in, 0, buf, fpu_fmt_size(fmt));
	sw = fpu_host_load(fmt, cpu->fpu.cw, buf, v);
	return !fpu_raise(cpu, sw & FPU_EXC, 0);
}

void fpu_load_mem(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt)
{
	uint8_t buf[10];
	struct x86_f80 v;
	uint16_t sw;

	fpu_mem_read(cpu, in, 0, buf, fpu_fmt_size(fmt));
	if (!fpu_empty(cpu, 7)) {
		fpu_overflow(cpu);
		return;
	}
	sw = fpu_host_load(fmt, cpu->fpu.cw, buf, &v);
	if (fpu_raise(cpu, sw & FPU_EXC, FPU_C1))
		return;
	fpu_push(cpu, &v);
}

void fpu_store_mem(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt, bool pop)
{
	const struct x86_f80 *src = &fpu_indefinite;
	uint16_t sw = FPU_IE | FPU_SF, stop;
	uint8_t buf[10];

	if (!fpu_empty(cpu, 0)) {
		src = fpu_st(cpu, 0);
		sw = 0;
	}
	sw |= fpu_host_store(fmt, cpu->fpu.cw, src, buf) & (FPU_EXC | FPU_C1);
	/* An unmasked exception other than precision stores nothing. */
	stop = sw & ~cpu->fpu.cw & (FPU_EXC & ~FPU_PE);
	if (!stop)
		fpu_mem_write(cpu, in, 0, buf, fpu_fmt_size(fmt));
	fpu_raise(cpu, sw, FPU_C1);
	if (!stop && pop)
		fpu_pop(cpu);
}

void fpu_fld_st(struct x86_cpu *cpu, unsigned i)
{
	struct x86_f80 v = *fpu_st(cpu, i);

	if (fpu_empty(cpu, i)) {
		if (!fpu_underflow(cpu))
			return;
		v = fpu_indefinite;
	}
	if (!fpu_empty(cpu, 7)) {
		fpu_overflow(cpu);
		return;
	}
	cpu->fpu.sw &= ~FPU_C1;
	fpu_push(cpu, &v);
}

void fpu_fst_st(struct x86_cpu *cpu, unsigned i, bool pop)
{
	struct x86_f80 v = *fpu_st(cpu, 0);

	if (fpu_empty(cpu, 0)) {
		if (!fpu_underflow(cpu))
			return;
		v = fpu_indefinite;
	} else {
		cpu->fpu.sw &= ~FPU_C1;
	}
	fpu_set(cpu, i, &v);
	if (pop)
		fpu_pop(cpu);
}

void fpu_fxch(struct x86_cpu *cpu, unsigned i)
{
	struct x86_f80 a = *fpu_st(cpu, 0), b = *fpu_st(cpu, i);

	if (fpu_empty(cpu, 0) || fpu_empty(cpu, i)) {
		if (!fpu_underflow(cpu))
			return;
		if (fpu_empty(cpu, 0))
			a = fpu_indefinite;
		if (fpu_empty(cpu, i))
			b = fpu_indefinite;
	} else {
		cpu->fpu.sw &= ~FPU_C1;
	}
	fpu_set(cpu, 0, &b);
	fpu_set(cpu, i, &a);
}

void fpu_fcmov(struct x86_cpu *cpu, unsigned i, bool cond)
{
	if (fpu_empty(cpu, 0) || fpu_empty(cpu, i)) {
		if (fpu_underflow(cpu))
			fpu_set(cpu, 0, &fpu_indefinite);
		return;
	}
	cpu->fpu.sw &= ~FPU_C1;
	if (cond)
		fpu_set(cpu, 0, fpu_st(cpu, i));
}

void fpu_fld_const(struct x86_cpu *cpu, unsigned which)
{
	struct x86_f80 v;

	if (!fpu_empty(cpu, 7)) {
		fpu_overflow(cpu);
		return;
	}
	fpu_host_const(which, cpu->fpu.cw, &v);
	cpu->fpu.sw &= ~FPU_C1;
	fpu_push(cpu, &v);
}
