/* Handlers for the commonest forms, chosen by the decoder so that they do
 * not re-decide what it knew: one per operation, operand size and
 * register-or-memory form, with the operation, the size and the flags
 * folded in at compile time. The memory forms are in fast_mem.c.
 * Everything not listed here runs the general handlers of table.c. */
#include "hv/x86/fast.h"

/* op r/m, reg with a register r/m. */
#define RM_R_REG(op, size)                                                                         \
	static void rm_r_reg_##op##_##size(struct x86_cpu *cpu, const struct x86_insn *in)         \
	{                                                                                          \
		uint32_t r = alu(cpu, op, x86_get_reg(cpu, size, in->rm),                          \
				 x86_get_reg(cpu, size, in->reg), size);                           \
		if (op != CMP)                                                                     \
			x86_set_reg(cpu, size, in->rm, r);                                         \
	}

/* op reg, r/m with a register r/m. */
#define R_RM_REG(op, size)                                                                         \
	static void r_rm_reg_##op##_##size(struct x86_cpu *cpu, const struct x86_insn *in)         \
	{                                                                                          \
		uint32_t r = alu(cpu, op, x86_get_reg(cpu, size, in->reg),                         \
				 x86_get_reg(cpu, size, in->rm), size);                            \
		if (op != CMP)                                                                     \
			x86_set_reg(cpu, size, in->reg, r);                                        \
	}

/* Group 1 (80h-83h) op r/m, imm with a register r/m. */
#define GRP1_REG(op, size)                                                                         \
	static void grp1_reg_##op##_##size(struct x86_cpu *cpu, const struct x86_insn *in)         \
	{                                                                                          \
		uint32_t r = alu(cpu, op, x86_get_reg(cpu, size, in->rm), grp1_imm(in), size);     \
		if (op != CMP)                                                                     \
			x86_set_reg(cpu, size, in->rm, r);                                         \
	}

/* op AL/eAX, imm. */
#define ACC_IMM(op, size)                                                                          \
	static void acc_imm_##op##_##size(struct x86_cpu *cpu, const struct x86_insn *in)          \
	{                                                                                          \
		uint32_t r = alu(cpu, op, x86_get_reg(cpu, size, X86_EAX), in->imm, size);         \
		if (op != CMP)                                                                     \
			x86_set_reg(cpu, size, X86_EAX, r);                                        \
	}

#define OPS(F, size)                                                                               \
	F(ADD, size)                                                                               \
	F(OR, size) F(ADC, size) F(SBB, size) F(AND, size) F(SUB, size) F(XOR, size) F(CMP, size)
#define SIZES(F) OPS(F, 1) OPS(F, 2) OPS(F, 4)
SIZES(RM_R_REG)
SIZES(R_RM_REG)
SIZES(GRP1_REG)
SIZES(ACC_IMM)

/* The handlers of one form by [size index][operation]. */
#define ROW(form, size)                                                                            \
	{                                                                                          \
		form##_ADD_##size, form##_OR_##size, form##_ADC_##size, form##_SBB_##size,         \
		    form##_AND_##size, form##_SUB_##size, form##_XOR_##size, form##_CMP_##size     \
	}
#define TABLE(form)                                                                                \
	{                                                                                          \
		ROW(form, 1), ROW(form, 2), ROW(form, 4)                                           \
	}

static const x86_handler rm_r_reg[3][8] = TABLE(rm_r_reg);
static const x86_handler r_rm_reg[3][8] = TABLE(r_rm_reg);
static const x86_handler grp1_reg[3][8] = TABLE(grp1_reg);
static const x86_handler acc_imm[3][8] = TABLE(acc_imm);

static void inc_r_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
	incdec(cpu, in->op & 7, 2, false);
}

static void inc_r_4(struct x86_cpu *cpu, const struct x86_insn *in)
{
	incdec(cpu, in->op & 7, 4, false);
}

static void dec_r_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
	incdec(cpu, in->op & 7, 2, true);
}

static void dec_r_4(struct x86_cpu *cpu, const struct x86_insn *in)
{
	incdec(cpu, in->op & 7, 4, true);
}

#define JCC(cc)                                                                                    \
	static void jcc8_##cc(struct x86_cpu *cpu, const struct x86_insn *in)                      \
	{                                                                                          \
		if (cond(cpu, cc))                                                                 \
			branch(cpu, in, x86_sext(in->imm, 1));                                     \
	}                                                                                          \
	static void jcc_##cc(struct x86_cpu *cpu, const struct x86_insn *in)                       \
	{                                                                                          \
		if (cond(cpu, cc))                                                                 \
			branch(cpu, in, in->imm);                                                  \
	}
JCC(0)
JCC(1)
JCC(2)
JCC(3)
JCC(4)
JCC(5)
JCC(6)
JCC(7)
JCC(8)
JCC(9)
JCC(10)
JCC(11)
JCC(12)
JCC(13)
JCC(14)
JCC(15)

static const x86_handler jcc8[16] = {jcc8_0,  jcc8_1,  jcc8_2,	jcc8_3, jcc8_4,	 jcc8_5,
				     jcc8_6,  jcc8_7,  jcc8_8,	jcc8_9, jcc8_10, jcc8_11,
				     jcc8_12, jcc8_13, jcc8_14, jcc8_15};
static const x86_handler jcc[16] = {jcc_0, jcc_1, jcc_2,  jcc_3,  jcc_4,  jcc_5,  jcc_6,  jcc_7,
				    jcc_8, jcc_9, jcc_10, jcc_11, jcc_12, jcc_13, jcc_14, jcc_15};

/* MOV in its register forms. */
#define MOV(size)                                                                                  \
	static void mov_rm_r_reg_##size(struct x86_cpu *cpu, const struct x86_insn *in)            \
	{                                                                                          \
		x86_set_reg(cpu, size, in->rm, x86_get_reg(cpu, size, in->reg));                   \
	}                                                                                          \
	static void mov_r_imm_##size(struct x86_cpu *cpu, const struct x86_insn *in)               \
	{                                                                                          \
		x86_set_reg(cpu, size, in->op & 7, in->imm);                                       \
	}
MOV(1)
MOV(2)
MOV(4)

static const x86_handler mov_rm_r_reg[3] = {mov_rm_r_reg_1, mov_rm_r_reg_2, mov_rm_r_reg_4};

/* TEST r/m, reg (84h/85h) with a register r/m: AND for the flags only. */
#define TEST(size)                                                                                 \
	static void test_reg_##size(struct x86_cpu *cpu, const struct x86_insn *in)                \
	{                                                                                          \
		alu(cpu, AND, x86_get_reg(cpu, size, in->rm), x86_get_reg(cpu, size, in->reg),     \
		    size);                                                                         \
	}
TEST(1)
TEST(2)
TEST(4)

static const x86_handler test_reg[3] = {test_reg_1, test_reg_2, test_reg_4};

/* MOVZX/MOVSX r32, r8 or r16 (0F B6h/B7h/BEh/BFh). */
#define MOVX(src)                                                                                  \
	static void movzx_reg_##src(struct x86_cpu *cpu, const struct x86_insn *in)                \
	{                                                                                          \
		cpu->regs[in->reg] = x86_get_reg(cpu, src, in->rm);                                \
	}                                                                                          \
	static void movsx_reg_##src(struct x86_cpu *cpu, const struct x86_insn *in)                \
	{                                                                                          \
		cpu->regs[in->reg] = x86_sext(x86_get_reg(cpu, src, in->rm), src);                 \
	}
MOVX(1)
MOVX(2)

/* [sign][source size 1 or 2] */
static const x86_handler movx[2][2] = {{movzx_reg_1, movzx_reg_2}, {movsx_reg_1, movsx_reg_2}};

/* Index of an operand size in the tables: 1, 2, 4 -> 0, 1, 2. */
static unsigned size_index(unsigned size)
{
	return size == 4 ? 2 : size - 1;
}

/* The ALU forms 00h-3Fh without a memory operand (x0h-x5h of each row). */
static x86_handler alu_form(const struct x86_insn *in)
{
	unsigned op = (in->op >> 3) & 7, z = size_index(x86_opsize(in));

	switch (in->op & 7) {
	case 0:
	case 1: return rm_r_reg[z][op];
	case 2:
	case 3: return r_rm_reg[z][op];
	case 4:
	case 5: return acc_imm[z][op];
	default: return NULL;
	}
}

/* The handler of a form with a register r/m (mod 3), or NULL. */
static x86_handler reg_form(const struct x86_insn *in)
{
	unsigned op = in->op, z = size_index(x86_opsize(in));

	if (op < 0x40)
		return alu_form(in);
	if (op >= 0x80 && op <= 0x83)
		return grp1_reg[size_index(op == 0x81 || op == 0x83 ? in->osz : 1)][in->reg];
	/* (8Ah/8Bh with a register source, the same move the other way,
	 * keep the general handler.) */
	if (op == 0x88 || op == 0x89)
		return mov_rm_r_reg[z];
	if (op == 0x84 || op == 0x85)
		return test_reg[z];
	if ((op & 0x1f6) == 0x1b6 && in->osz == 4)
		return movx[(op >> 3) & 1][op & 1];
	return NULL;
}

/* The specialised handler for a decoded instruction, or NULL. Forms with
 * a ModRM memory operand come from fast_mem.c. */
x86_handler x86_fast_handler(const struct x86_insn *in)
{
	unsigned op = in->op;

	if (op < 0x40 && (op & 7) >= 4)
		return alu_form(in); /* AL/eAX, imm: no ModRM */
	if (op >= 0x40 && op < 0x50)
		return op < 0x48 ? (in->osz == 4 ? inc_r_4 : inc_r_2)
				 : (in->osz == 4 ? dec_r_4 : dec_r_2);
	if (op >= 0x70 && op < 0x80)
		return jcc8[op & 15];
	if (op >= 0x180 && op < 0x190)
		return jcc[op & 15];
	if (op >= 0xb0 && op < 0xb8)
		return mov_r_imm_1;
	if (op >= 0xb8 && op < 0xc0)
		return in->osz == 4 ? mov_r_imm_4 : mov_r_imm_2;
	if (op >= 0xd8 && op <= 0xdf)
		return x86_fpu_fast_handler(in);
	if (!(x86_decode_attr[op] & X86_D_MODRM))
		return NULL;
	return in->mod == 3 ? reg_form(in) : x86_fast_mem_handler(in);
}
