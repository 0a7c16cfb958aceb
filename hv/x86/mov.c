/* Data movement: MOV in all its forms (segment registers, moffs,
 * immediates), MOVZX/MOVSX, XCHG, LEA, far pointer loads, CBW/CWD, XLAT. */
#include "hv/x86/cpu_state.h"

/* MOV r/m, reg (88h/89h) */
void x86_op_mov_rm_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_rm_write(cpu, in, size, x86_get_reg(cpu, size, in->reg));
}

/* MOV reg, r/m (8Ah/8Bh) */
void x86_op_mov_r_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_set_reg(cpu, size, in->reg, x86_rm_read(cpu, in, size));
}

/* MOV r/m, Sreg (8Ch): a register destination takes the operand size,
 * zero-extended, memory always 16 bits. */
void x86_op_mov_rm_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg >= X86_NSEG)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_rm_write(cpu, in, in->mod == 3 ? in->osz : 2, cpu->seg[in->reg].sel);
}

/* MOV Sreg, r/m (8Eh); loading SS holds off interrupts for one insn. */
void x86_op_mov_sreg_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg >= X86_NSEG || in->reg == X86_CS)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_load_seg(cpu, in->reg, x86_rm_read(cpu, in, 2));
	if (in->reg == X86_SS)
		cpu->irq_shadow = true;
}

static int moffs_seg(const struct x86_insn *in)
{
	return in->seg >= 0 ? in->seg : X86_DS;
}

/* MOV AL/eAX, moffs (A0h/A1h) */
void x86_op_mov_acc_moffs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_set_reg(cpu, size, X86_EAX, x86_read(cpu, moffs_seg(in), in->imm, size));
}

/* MOV moffs, AL/eAX (A2h/A3h) */
void x86_op_mov_moffs_acc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_write(cpu, moffs_seg(in), in->imm, size, x86_get_reg(cpu, size, X86_EAX));
}

/* MOV r8, imm8 (B0h-B7h) */
void x86_op_mov_r8_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_set_reg(cpu, 1, in->op & 7, in->imm);
}

/* MOV reg, imm (B8h-BFh) */
void x86_op_mov_r_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_set_reg(cpu, in->osz, in->op & 7, in->imm);
}

/* MOV r/m, imm (C6h/C7h /0) */
void x86_op_mov_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg != 0)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_rm_write(cpu, in, x86_opsize(in), in->imm);
}

/* MOVZX reg, r/m8 or r/m16 (0F B6h/B7h) */
void x86_op_movzx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned src = (in->op & 1) ? 2 : 1;

	x86_set_reg(cpu, in->osz, in->reg, x86_rm_read(cpu, in, src));
}

/* MOVSX reg, r/m8 or r/m16 (0F BEh/BFh) */
void x86_op_movsx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned src = (in->op & 1) ? 2 : 1;

	x86_set_reg(cpu, in->osz, in->reg, x86_sext(x86_rm_read(cpu, in, src), src));
}

/* XCHG r/m, reg (86h/87h) */
void x86_op_xchg_rm_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);
	uint32_t a = x86_rm_read(cpu, in, size);

	x86_rm_write(cpu, in, size, x86_get_reg(cpu, size, in->reg));
	x86_set_reg(cpu, size, in->reg, a);
}

/* XCHG eAX, reg (91h-97h) */
void x86_op_xchg_acc_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned r = in->op & 7;
	uint32_t a = x86_get_reg(cpu, in->osz, X86_EAX);

	x86_set_reg(cpu, in->osz, X86_EAX, x86_get_reg(cpu, in->osz, r));
	x86_set_reg(cpu, in->osz, r, a);
}

/* LEA reg, m (8Dh) */
void x86_op_lea(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod == 3)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_set_reg(cpu, in->osz, in->reg, x86_ea(cpu, in));
}

/* LES, LDS (C4h/C5h), LSS, LFS, LGS (0F B2h/B4h/B5h): offset then selector. */
void x86_op_load_far(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int seg;
	uint32_t off;
	uint16_t sel;

	if (in->mod == 3)
		cpu_raise(cpu, X86_VEC_UD, 0);
	switch (in->op) {
	case 0xc4: seg = X86_ES; break;
	case 0xc5: seg = X86_DS; break;
	case 0x1b2: seg = X86_SS; break;
	case 0x1b4: seg = X86_FS; break;
	default: seg = X86_GS; break;
	}
	off = x86_mem_read(cpu, in, 0, in->osz);
	sel = x86_mem_read(cpu, in, in->osz, 2);
	x86_load_seg(cpu, seg, sel);
	x86_set_reg(cpu, in->osz, in->reg, off);
}

/* CBW / CWDE (98h) */
void x86_op_cbw(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned half = in->osz / 2;

	x86_set_reg(cpu, in->osz, X86_EAX, x86_sext(x86_get_reg(cpu, half, X86_EAX), half));
}

/* CWD / CDQ (99h) */
void x86_op_cwd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t a = x86_get_reg(cpu, in->osz, X86_EAX);
	bool neg = a >> (8 * in->osz - 1);

	x86_set_reg(cpu, in->osz, X86_EDX, neg ? 0xffffffffu : 0);
}

/* XLAT (D7h): AL = [seg:eBX + AL] */
void x86_op_xlat(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t off = (cpu->regs[X86_EBX] + (cpu->regs[X86_EAX] & 0xff)) & x86_mask(in->asz);

	x86_set_reg(cpu, 1, X86_EAX, x86_read(cpu, in->seg >= 0 ? in->seg : X86_DS, off, 1));
}

/* NOP (90h, 0F 1Fh), PAUSE */
void x86_op_nop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)cpu;
	(void)in;
}
