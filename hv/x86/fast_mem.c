/* The memory forms of fast.c's decode-time handlers, one per operation,
 * operand size and address size, so that the effective address is
 * computed without a test of the address size and the operand goes
 * through the inline soft-TLB path (x86_fast_ptr) of the segment the
 * decoder resolved. A read-modify-write translates once. Whatever the
 * inline path cannot reach (a segment check that fails, a soft-TLB miss,
 * a page straddle, MMIO) goes to the instruction's general handler,
 * which does everything again with the faults: nothing is changed
 * before the operand is reached. */
#include "hv/x86/fast.h"

/* op reg, mem. */
#define R_RM_MEM(op, size, asz)                                                                    \
	static void r_rm_mem_##op##_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in) \
	{                                                                                          \
		const uint8_t *p = operand_ptr(cpu, in, asz, size, true, false);                   \
		uint32_t r;                                                                        \
		if (!p) {                                                                          \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		r = alu(cpu, op, x86_get_reg(cpu, size, in->reg), x86_load_le(p, size), size);     \
		if (op != CMP)                                                                     \
			x86_set_reg(cpu, size, in->reg, r);                                        \
	}

/* op mem, reg: read, operate, write back through one translation. */
#define RM_R_MEM(op, size, asz)                                                                    \
	static void rm_r_mem_##op##_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in) \
	{                                                                                          \
		uint8_t *p = operand_ptr(cpu, in, asz, size, true, op != CMP);                     \
		uint32_t r;                                                                        \
		if (!p) {                                                                          \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		r = alu(cpu, op, x86_load_le(p, size), x86_get_reg(cpu, size, in->reg), size);     \
		if (op != CMP)                                                                     \
			x86_store_le(p, size, r);                                                  \
	}

/* Group 1 op mem, imm. */
#define GRP1_MEM(op, size, asz)                                                                    \
	static void grp1_mem_##op##_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in) \
	{                                                                                          \
		uint8_t *p = operand_ptr(cpu, in, asz, size, true, op != CMP);                     \
		uint32_t r;                                                                        \
		if (!p) {                                                                          \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		r = alu(cpu, op, x86_load_le(p, size), grp1_imm(in), size);                        \
		if (op != CMP)                                                                     \
			x86_store_le(p, size, r);                                                  \
	}

#define OPS(F, size, asz)                                                                          \
	F(ADD, size, asz)                                                                          \
	F(OR, size, asz)                                                                           \
	F(ADC, size, asz)                                                                          \
	F(SBB, size, asz) F(AND, size, asz) F(SUB, size, asz) F(XOR, size, asz) F(CMP, size, asz)
#define SIZES(F, asz) OPS(F, 1, asz) OPS(F, 2, asz) OPS(F, 4, asz)
#define FORM(F)	      SIZES(F, 2) SIZES(F, 4)
FORM(R_RM_MEM)
FORM(RM_R_MEM)
FORM(GRP1_MEM)

/* The handlers of one form by [address size index][size index][operation]. */
#define ROW(form, size, asz)                                                                       \
	{                                                                                          \
		form##_ADD_##size##_##asz, form##_OR_##size##_##asz, form##_ADC_##size##_##asz,    \
		    form##_SBB_##size##_##asz, form##_AND_##size##_##asz,                          \
		    form##_SUB_##size##_##asz, form##_XOR_##size##_##asz,                          \
		    form##_CMP_##size##_##asz                                                      \
	}
#define TABLE(form, asz)                                                                           \
	{                                                                                          \
		ROW(form, 1, asz), ROW(form, 2, asz), ROW(form, 4, asz)                            \
	}

static const x86_handler r_rm_mem[2][3][8] = {TABLE(r_rm_mem, 2), TABLE(r_rm_mem, 4)};
static const x86_handler rm_r_mem[2][3][8] = {TABLE(rm_r_mem, 2), TABLE(rm_r_mem, 4)};
static const x86_handler grp1_mem[2][3][8] = {TABLE(grp1_mem, 2), TABLE(grp1_mem, 4)};

/* MOV, TEST, MOVZX/MOVSX (to 32 bits) with a memory operand. */
#define READ(size, asz)                                                                            \
	const uint8_t *p = operand_ptr(cpu, in, asz, size, true, false);                           \
	if (!p) {                                                                                  \
		general(cpu, in);                                                                  \
		return;                                                                            \
	}
#define MOVS(size, asz)                                                                            \
	static void mov_r_rm_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in)        \
	{                                                                                          \
		READ(size, asz)                                                                    \
		x86_set_reg(cpu, size, in->reg, x86_load_le(p, size));                             \
	}                                                                                          \
	static void mov_rm_r_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in)        \
	{                                                                                          \
		uint8_t *p = operand_ptr(cpu, in, asz, size, false, true);                         \
		if (!p) {                                                                          \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		x86_store_le(p, size, x86_get_reg(cpu, size, in->reg));                            \
	}                                                                                          \
	static void test_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in)            \
	{                                                                                          \
		READ(size, asz)                                                                    \
		alu(cpu, AND, x86_load_le(p, size), x86_get_reg(cpu, size, in->reg), size);        \
	}
#define MOVX(size, asz)                                                                            \
	static void movzx_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in)           \
	{                                                                                          \
		READ(size, asz)                                                                    \
		cpu->regs[in->reg] = x86_load_le(p, size);                                         \
	}                                                                                          \
	static void movsx_##size##_##asz(struct x86_cpu *cpu, const struct x86_insn *in)           \
	{                                                                                          \
		READ(size, asz)                                                                    \
		cpu->regs[in->reg] = x86_sext(x86_load_le(p, size), size);                         \
	}
MOVS(1, 2)
MOVS(2, 2)
MOVS(4, 2)
MOVS(1, 4)
MOVS(2, 4)
MOVS(4, 4)
MOVX(1, 2)
MOVX(2, 2)
MOVX(1, 4)
MOVX(2, 4)

#define BY_SIZE(name, asz)                                                                         \
	{                                                                                          \
		name##_1_##asz, name##_2_##asz, name##_4_##asz                                     \
	}
static const x86_handler mov_r_rm[2][3] = {BY_SIZE(mov_r_rm, 2), BY_SIZE(mov_r_rm, 4)};
static const x86_handler mov_rm_r[2][3] = {BY_SIZE(mov_rm_r, 2), BY_SIZE(mov_rm_r, 4)};
static const x86_handler test[2][3] = {BY_SIZE(test, 2), BY_SIZE(test, 4)};
/* [address size index][sign][source size 1 or 2] */
static const x86_handler movx[2][2][2] = {
    {{movzx_1_2, movzx_2_2}, {movsx_1_2, movsx_2_2}},
    {{movzx_1_4, movzx_2_4}, {movsx_1_4, movsx_2_4}},
};

/* LEA r32/r16, m. */
#define LEA(asz)                                                                                   \
	static void lea_4_##asz(struct x86_cpu *cpu, const struct x86_insn *in)                    \
	{                                                                                          \
		cpu->regs[in->reg] = ea(cpu, in, asz);                                             \
	}                                                                                          \
	static void lea_2_##asz(struct x86_cpu *cpu, const struct x86_insn *in)                    \
	{                                                                                          \
		x86_set_reg(cpu, 2, in->reg, ea(cpu, in, asz));                                    \
	}
LEA(2)
LEA(4)

/* [address size index][operand size 4] */
static const x86_handler lea[2][2] = {{lea_2_2, lea_4_2}, {lea_2_4, lea_4_4}};

/* Index of an operand size in the tables: 1, 2, 4 -> 0, 1, 2. */
static unsigned size_index(unsigned size)
{
	return size == 4 ? 2 : size - 1;
}

/* The ALU forms 00h-3Fh with a memory operand (x0h-x3h of each row). */
static x86_handler alu_form(const struct x86_insn *in, unsigned a)
{
	unsigned op = (in->op >> 3) & 7, z = size_index(x86_opsize(in));

	switch (in->op & 7) {
	case 0:
	case 1: return rm_r_mem[a][z][op];
	case 2:
	case 3: return r_rm_mem[a][z][op];
	default: return NULL;
	}
}

/* See fast.c: the handler of an instruction with a ModRM memory operand
 * (mod != 3), or NULL. */
x86_handler x86_fast_mem_handler(const struct x86_insn *in)
{
	unsigned op = in->op, a = in->asz == 4, z = size_index(x86_opsize(in));

	if (op < 0x40)
		return alu_form(in, a);
	if (op >= 0x80 && op <= 0x83)
		return grp1_mem[a][size_index(op == 0x81 || op == 0x83 ? in->osz : 1)][in->reg];
	if (op == 0x88 || op == 0x89)
		return mov_rm_r[a][z];
	if (op == 0x8a || op == 0x8b)
		return mov_r_rm[a][z];
	if (op == 0x84 || op == 0x85)
		return test[a][z];
	if (op == 0x8d)
		return lea[a][in->osz == 4];
	if ((op & 0x1f6) == 0x1b6 && in->osz == 4)
		return movx[a][(op >> 3) & 1][op & 1];
	return NULL;
}
