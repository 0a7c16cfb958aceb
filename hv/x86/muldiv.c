/* Multiplication and division: MUL/IMUL/DIV/IDIV of the accumulator and
 * the two- and three-operand IMUL. DIV and IDIV raise #DE for a zero
 * divisor and for a quotient that does not fit. */
#include "hv/x86/cpu_state.h"

/* CF = OF = `lost` (the product did not fit); SF/ZF/PF from the low half. */
static void mul_flags(struct x86_cpu *cpu, uint32_t lo, unsigned size, bool lost)
{
	x86_lazy_set(cpu, lo, 0, size, X86_SF | X86_ZF | X86_PF);
	x86_set_flag(cpu, X86_CF, lost);
	x86_set_flag(cpu, X86_OF, lost);
	x86_set_flag(cpu, X86_AF, false);
}

/* The accumulator pair: AX (bytes), DX:AX or EDX:EAX. */
static uint64_t get_acc(const struct x86_cpu *cpu, unsigned size)
{
	if (size == 1)
		return cpu->regs[X86_EAX] & 0xffff;
	return (uint64_t)x86_get_reg(cpu, size, X86_EDX) << (8 * size) |
	       x86_get_reg(cpu, size, X86_EAX);
}

static void set_acc(struct x86_cpu *cpu, unsigned size, uint32_t lo, uint32_t hi)
{
	if (size == 1) {
		x86_set_reg(cpu, 2, X86_EAX, (hi & 0xff) << 8 | (lo & 0xff));
	} else {
		x86_set_reg(cpu, size, X86_EAX, lo);
		x86_set_reg(cpu, size, X86_EDX, hi);
	}
}

static void mul(struct x86_cpu *cpu, uint32_t src, unsigned size)
{
	uint64_t p = (uint64_t)x86_get_reg(cpu, size, X86_EAX) * src;
	uint32_t hi = (uint32_t)(p >> (8 * size)) & x86_mask(size);

	set_acc(cpu, size, (uint32_t)p, hi);
	mul_flags(cpu, (uint32_t)p & x86_mask(size), size, hi != 0);
}

static void imul1(struct x86_cpu *cpu, uint32_t src, unsigned size)
{
	int64_t a = (int32_t)x86_sext(x86_get_reg(cpu, size, X86_EAX), size);
	int64_t p = a * (int32_t)x86_sext(src, size);
	uint32_t lo = (uint32_t)p & x86_mask(size);

	set_acc(cpu, size, lo, (uint32_t)((uint64_t)p >> (8 * size)));
	mul_flags(cpu, lo, size, (int64_t)(int32_t)x86_sext(lo, size) != p);
}

static void div(struct x86_cpu *cpu, uint32_t src, unsigned size)
{
	uint64_t n = get_acc(cpu, size), q;

	if (src == 0)
		cpu_raise(cpu, X86_VEC_DE, 0);
	q = n / src;
	if (q > x86_mask(size))
		cpu_raise(cpu, X86_VEC_DE, 0);
	set_acc(cpu, size, (uint32_t)q, (uint32_t)(n % src));
}

static void idiv(struct x86_cpu *cpu, uint32_t src, unsigned size)
{
	unsigned bits = 16 * size;
	uint64_t raw = get_acc(cpu, size);
	int64_t n = bits == 64 ? (int64_t)raw : (int64_t)(raw << (64 - bits)) >> (64 - bits);
	int64_t d = (int32_t)x86_sext(src, size), q;
	int64_t lim = (int64_t)1 << (8 * size - 1);

	if (d == 0 || (d == -1 && n == INT64_MIN))
		cpu_raise(cpu, X86_VEC_DE, 0);
	q = n / d;
	if (q >= lim || q < -lim)
		cpu_raise(cpu, X86_VEC_DE, 0);
	set_acc(cpu, size, (uint32_t)q, (uint32_t)(n % d));
}

/* Group 3 /4-/7: MUL, IMUL, DIV, IDIV of r/m against the accumulator. */
void x86_muldiv(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t src = x86_rm_read(cpu, in, size);

	switch (in->reg) {
	case 4: mul(cpu, src, size); break;
	case 5: imul1(cpu, src, size); break;
	case 6: div(cpu, src, size); break;
	default: idiv(cpu, src, size); break;
	}
}

/* Signed a * b truncated to `size`, with the flags. */
static uint32_t imul2(struct x86_cpu *cpu, uint32_t a, uint32_t b, unsigned size)
{
	int64_t p = (int64_t)(int32_t)x86_sext(a, size) * (int32_t)x86_sext(b, size);
	uint32_t lo = (uint32_t)p & x86_mask(size);

	mul_flags(cpu, lo, size, (int64_t)(int32_t)x86_sext(lo, size) != p);
	return lo;
}

/* IMUL reg, r/m, imm (69h, 6Bh with a sign-extended byte) */
void x86_op_imul_r_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t imm = in->op == 0x6b ? x86_sext(in->imm, 1) : in->imm;
	uint32_t r = imul2(cpu, x86_rm_read(cpu, in, in->osz), imm, in->osz);

	x86_set_reg(cpu, in->osz, in->reg, r);
}

/* IMUL reg, r/m (0F AFh) */
void x86_op_imul_r_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t r =
	    imul2(cpu, x86_get_reg(cpu, in->osz, in->reg), x86_rm_read(cpu, in, in->osz), in->osz);

	x86_set_reg(cpu, in->osz, in->reg, r);
}
