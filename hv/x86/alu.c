/* Integer arithmetic and logic: the eight ALU operations in all their
 * encodings, TEST, INC/DEC, NOT/NEG, CMPXCHG, CMPXCHG8B and XADD. */
#include "hv/x86/cpu_state.h"
#include "hv/x86/fast.h"

/* One of the eight ALU operations on `size`-byte operands; sets flags.
 * The decode-time handlers' inline form (fast.h) with op and size as
 * arguments. */
uint32_t x86_alu(struct x86_cpu *cpu, unsigned op, uint32_t a, uint32_t b, unsigned size)
{
	return alu(cpu, op, a, b, size);
}

/* INC (dec false) or DEC: like ADD/SUB 1 but CF is kept. */
uint32_t x86_incdec(struct x86_cpu *cpu, uint32_t a, unsigned size, bool dec)
{
	uint32_t m = x86_mask(size);
	uint32_t r = (dec ? a - 1 : a + 1) & m;
	uint32_t cv = dec ? sub_cv(a & m, 1, r) : add_cv(a & m, 1, r);

	x86_lazy_set(cpu, r, cv, size, X86_ARITH & ~X86_CF);
	return r;
}

static void alu_to_rm(struct x86_cpu *cpu, const struct x86_insn *in, unsigned op, uint32_t src,
		      unsigned size)
{
	uint32_t r = x86_alu(cpu, op, x86_rm_read(cpu, in, size), src, size);

	if (op != CMP)
		x86_rm_write(cpu, in, size, r);
}

/* op r/m, reg (00h, 01h, 08h...) */
void x86_op_alu_rm_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	alu_to_rm(cpu, in, (in->op >> 3) & 7, x86_get_reg(cpu, size, in->reg), size);
}

/* op reg, r/m (02h, 03h, 0Ah...) */
void x86_op_alu_r_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in), op = (in->op >> 3) & 7;
	uint32_t r =
	    x86_alu(cpu, op, x86_get_reg(cpu, size, in->reg), x86_rm_read(cpu, in, size), size);

	if (op != CMP)
		x86_set_reg(cpu, size, in->reg, r);
}

/* op AL/eAX, imm (04h, 05h, 0Ch...) */
void x86_op_alu_acc_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in), op = (in->op >> 3) & 7;
	uint32_t r = x86_alu(cpu, op, x86_get_reg(cpu, size, X86_EAX), in->imm, size);

	if (op != CMP)
		x86_set_reg(cpu, size, X86_EAX, r);
}

/* Group 1 (80h-83h): op r/m, imm; 83h sign-extends a byte. */
void x86_op_grp1(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = in->op == 0x81 || in->op == 0x83 ? in->osz : 1;
	uint32_t imm = in->op == 0x83 ? x86_sext(in->imm, 1) : in->imm;

	alu_to_rm(cpu, in, in->reg, imm, size);
}

/* TEST r/m, reg */
void x86_op_test_rm_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_alu(cpu, AND, x86_rm_read(cpu, in, size), x86_get_reg(cpu, size, in->reg), size);
}

/* TEST AL/eAX, imm */
void x86_op_test_acc_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_alu(cpu, AND, x86_get_reg(cpu, size, X86_EAX), in->imm, size);
}

/* INC reg (40h-47h) */
void x86_op_inc_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned r = in->op & 7;

	x86_set_reg(cpu, in->osz, r, x86_incdec(cpu, x86_get_reg(cpu, in->osz, r), in->osz, false));
}

/* DEC reg (48h-4Fh) */
void x86_op_dec_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned r = in->op & 7;

	x86_set_reg(cpu, in->osz, r, x86_incdec(cpu, x86_get_reg(cpu, in->osz, r), in->osz, true));
}

/* Group 3 (F6h/F7h): TEST, NOT, NEG, then MUL/IMUL/DIV/IDIV. */
void x86_op_grp3(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	switch (in->reg) {
	case 0:
	case 1: x86_alu(cpu, AND, x86_rm_read(cpu, in, size), in->imm, size); break;
	case 2: x86_rm_write(cpu, in, size, ~x86_rm_read(cpu, in, size)); break;
	case 3:
		x86_rm_write(cpu, in, size, x86_alu(cpu, SUB, 0, x86_rm_read(cpu, in, size), size));
		break;
	default: x86_muldiv(cpu, in, size); break;
	}
}

/* Group 4 (FEh): INC/DEC r/m8. */
void x86_op_grp4(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg > 1)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_rm_write(cpu, in, 1, x86_incdec(cpu, x86_rm_read(cpu, in, 1), 1, in->reg == 1));
}

/* CMPXCHG r/m, reg (0F B0h/B1h) */
void x86_op_cmpxchg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);
	uint32_t dst = x86_rm_read(cpu, in, size);
	uint32_t acc = x86_get_reg(cpu, size, X86_EAX);

	x86_alu(cpu, CMP, acc, dst, size);
	if (acc == dst) {
		x86_rm_write(cpu, in, size, x86_get_reg(cpu, size, in->reg));
	} else {
		/* The processor always writes the destination back. */
		x86_rm_write(cpu, in, size, dst);
		x86_set_reg(cpu, size, X86_EAX, dst);
	}
}

/* CMPXCHG8B m64 (0F C7h /1) */
void x86_op_cmpxchg8b(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t lo, hi;

	if (in->reg != 1 || in->mod == 3)
		cpu_raise(cpu, X86_VEC_UD, 0);
	lo = x86_mem_read(cpu, in, 0, 4);
	hi = x86_mem_read(cpu, in, 4, 4);
	if (lo == cpu->regs[X86_EAX] && hi == cpu->regs[X86_EDX]) {
		x86_write(cpu, x86_ea_seg(in), x86_ea(cpu, in), 4, cpu->regs[X86_EBX]);
		x86_write(cpu, x86_ea_seg(in), (x86_ea(cpu, in) + 4) & x86_mask(in->asz), 4,
			  cpu->regs[X86_ECX]);
		x86_set_flag(cpu, X86_ZF, true);
	} else {
		cpu->regs[X86_EAX] = lo;
		cpu->regs[X86_EDX] = hi;
		x86_set_flag(cpu, X86_ZF, false);
	}
}

/* XADD r/m, reg (0F C0h/C1h): the old destination to the register, the
 * sum to the destination. A memory destination is written first, at the
 * address of the register's old value (XADD [EAX], EAX) and before the
 * register changes in case it faults; a register destination last, so
 * that XADD of a register with itself leaves the sum. */
void x86_op_xadd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);
	uint32_t dst = x86_rm_read(cpu, in, size);
	uint32_t sum = x86_alu(cpu, ADD, dst, x86_get_reg(cpu, size, in->reg), size);

	if (in->mod != 3)
		x86_rm_write_mem(cpu, in, size, sum);
	x86_set_reg(cpu, size, in->reg, dst);
	if (in->mod == 3)
		x86_set_reg(cpu, size, in->rm, sum);
}
