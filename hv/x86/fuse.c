/* CMP, TEST, INC or DEC of registers fused with the Jcc after it, at the
 * end of a decoded block: one handler sets the flags (lazily, as the
 * instruction alone would) and takes or skips the branch, so the pair is
 * dispatched once and the condition is read from the record the same
 * handler has just written. The fused entry keeps the first instruction's
 * fields, with its length grown by the Jcc's (x86_insn.fuse) and the
 * Jcc's displacement, sign-extended, in imm2. It counts as two
 * instructions (x86_block.count); a Jcc whose target is beyond the CS
 * limit faults with ip_start at the Jcc, after the first instruction's
 * flags are set, as the two instructions alone would. */
#include "hv/x86/fast.h"

/* The Jcc half: EIP is already past both instructions. */
INLINE void fused_jcc(struct x86_cpu *cpu, const struct x86_insn *in, unsigned cc)
{
	uint32_t target;

	if (!cond(cpu, cc))
		return;
	target = (cpu->eip + in->imm2) & x86_mask(in->fuse_osz);
	if (target > cpu->seg[X86_CS].limit) {
		cpu->ip_start = (cpu->eip - in->fuse) & cpu->block->ip_mask;
		cpu_raise(cpu, X86_VEC_GP, 0);
	}
	cpu->eip = target;
}

/* The first halves, register forms only. CMP r/m, reg (38h/39h) and CMP
 * reg, r/m (3Ah/3Bh) differ by which register is the minuend. */
INLINE void cmp_rr(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	unsigned a = (in->op & 2) ? in->reg : in->rm, b = (in->op & 2) ? in->rm : in->reg;

	alu(cpu, CMP, x86_get_reg(cpu, size, a), x86_get_reg(cpu, size, b), size);
}

INLINE void test_rr(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	alu(cpu, AND, x86_get_reg(cpu, size, in->rm), x86_get_reg(cpu, size, in->reg), size);
}

/* CMP r/m, imm (80h/81h/83h /7, register r/m). */
INLINE void cmp_ri(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t imm = in->op == 0x83 ? x86_sext(in->imm, 1) : in->imm;

	alu(cpu, CMP, x86_get_reg(cpu, size, in->rm), imm, size);
}

/* CMP AL/eAX, imm (3Ch/3Dh). */
INLINE void cmp_acc(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	alu(cpu, CMP, x86_get_reg(cpu, size, X86_EAX), in->imm, size);
}

INLINE void inc_r(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	incdec(cpu, in->op & 7, size, false);
}

INLINE void dec_r(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	incdec(cpu, in->op & 7, size, true);
}

#define FUSED1(first, size, cc)                                                                    \
	static void first##_##size##_##cc(struct x86_cpu *cpu, const struct x86_insn *in)          \
	{                                                                                          \
		first(cpu, in, size);                                                              \
		fused_jcc(cpu, in, cc);                                                            \
	}
/* clang-format off */
/* (clang-format does not settle on one layout for these lists.) */
#define FUSED(first, size)                                                                         \
	FUSED1(first, size, 0) FUSED1(first, size, 1) FUSED1(first, size, 2)                       \
	FUSED1(first, size, 3) FUSED1(first, size, 4) FUSED1(first, size, 5)                       \
	FUSED1(first, size, 6) FUSED1(first, size, 7) FUSED1(first, size, 8)                       \
	FUSED1(first, size, 9) FUSED1(first, size, 10) FUSED1(first, size, 11)                     \
	FUSED1(first, size, 12) FUSED1(first, size, 13) FUSED1(first, size, 14)                    \
	FUSED1(first, size, 15)                                                                    \
	static const x86_handler first##_##size[16] = {                                           \
		first##_##size##_0, first##_##size##_1, first##_##size##_2, first##_##size##_3,    \
		first##_##size##_4, first##_##size##_5, first##_##size##_6, first##_##size##_7,    \
		first##_##size##_8, first##_##size##_9, first##_##size##_10, first##_##size##_11,  \
		first##_##size##_12, first##_##size##_13, first##_##size##_14, first##_##size##_15};
/* clang-format on */

FUSED(cmp_rr, 1)
FUSED(cmp_rr, 2)
FUSED(cmp_rr, 4)
FUSED(test_rr, 1)
FUSED(test_rr, 2)
FUSED(test_rr, 4)
FUSED(cmp_ri, 1)
FUSED(cmp_ri, 2)
FUSED(cmp_ri, 4)
FUSED(cmp_acc, 1)
FUSED(cmp_acc, 2)
FUSED(cmp_acc, 4)
FUSED(inc_r, 2)
FUSED(inc_r, 4)
FUSED(dec_r, 2)
FUSED(dec_r, 4)

/* The fused handlers of the first instruction by operand size (1, 2, 4),
 * or NULL when it is not one that fuses. */
static const x86_handler *fusable(const struct x86_insn *in)
{
	unsigned op = in->op, size = x86_opsize(in);

	if (op >= 0x40 && op < 0x50) {
		if (op < 0x48)
			return in->osz == 4 ? inc_r_4 : inc_r_2;
		return in->osz == 4 ? dec_r_4 : dec_r_2;
	}
	if (op == 0x3c || op == 0x3d)
		return size == 1 ? cmp_acc_1 : size == 2 ? cmp_acc_2 : cmp_acc_4;
	if (in->mod != 3)
		return NULL;
	if (op >= 0x38 && op <= 0x3b)
		return size == 1 ? cmp_rr_1 : size == 2 ? cmp_rr_2 : cmp_rr_4;
	if (op == 0x84 || op == 0x85)
		return size == 1 ? test_rr_1 : size == 2 ? test_rr_2 : test_rr_4;
	if ((op == 0x80 || op == 0x81 || op == 0x83) && in->reg == 7) {
		size = op == 0x80 ? 1 : in->osz;
		return size == 1 ? cmp_ri_1 : size == 2 ? cmp_ri_2 : cmp_ri_4;
	}
	return NULL;
}

static bool is_jcc(const struct x86_insn *in)
{
	return (in->op >= 0x70 && in->op <= 0x7f) || (in->op >= 0x180 && in->op <= 0x18f);
}

/* See cpu_state.h. */
bool x86_fuse(struct x86_insn *first, const struct x86_insn *jcc)
{
	const x86_handler *fns;

	if (!is_jcc(jcc) || first->lock || first->len + jcc->len > UINT8_MAX)
		return false;
	fns = fusable(first);
	if (!fns)
		return false;
	first->fn = fns[jcc->op & 15];
	first->fuse = jcc->len;
	first->fuse_osz = jcc->osz;
	first->fuse_cc = jcc->op & 15;
	first->imm2 = jcc->op < 0x100 ? x86_sext(jcc->imm, 1) : jcc->imm;
	first->len = (uint8_t)(first->len + jcc->len);
	return true;
}
