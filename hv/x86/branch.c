/* Control transfer: Jcc, JMP/CALL/RET near and far (direct and indirect),
 * LOOP/JCXZ, INT/INT3/INTO/INT1/IRET, BOUND and group 5 (FFh). */
#include "hv/x86/cpu_state.h"

#define IRET_MASK (X86_ARITH | X86_TF | X86_IF | X86_DF | X86_IOPL | X86_NT | X86_AC | X86_ID)

/* Near jump to an offset in CS, truncated to the operand size. */
static void jump_near(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t target)
{
	target &= x86_mask(in->osz);
	if (target > cpu->seg[X86_CS].limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
	cpu->eip = target;
}

static uint32_t rel(const struct x86_insn *in)
{
	return (in->op & 0x1f0) == 0x70 || in->op == 0xeb || (in->op >= 0xe0 && in->op <= 0xe3)
		   ? x86_sext(in->imm, 1)
		   : in->imm;
}

/* Jcc rel8 (70h-7Fh), Jcc rel16/32 (0F 80h-8Fh) */
void x86_op_jcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (x86_cond(cpu, in->op & 15))
		jump_near(cpu, in, cpu->eip + rel(in));
}

/* JMP rel (E9h, EBh) */
void x86_op_jmp_rel(struct x86_cpu *cpu, const struct x86_insn *in)
{
	jump_near(cpu, in, cpu->eip + rel(in));
}

/* JMP ptr16:16/32 (EAh) */
void x86_op_jmp_far(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_far_jump(cpu, in->imm2, in->imm, in->osz);
}

/* CALL rel (E8h) */
void x86_op_call_rel(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t target = cpu->eip + rel(in);

	x86_push(cpu, in->osz, cpu->eip);
	jump_near(cpu, in, target);
}

static void call_far(struct x86_cpu *cpu, const struct x86_insn *in, uint16_t sel, uint32_t off)
{
	x86_far_call(cpu, sel, off, in->osz);
}

/* CALL ptr16:16/32 (9Ah) */
void x86_op_call_far(struct x86_cpu *cpu, const struct x86_insn *in)
{
	call_far(cpu, in, in->imm2, in->imm);
}

/* RET, RET imm16 (C3h, C2h) */
void x86_op_ret(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t ip = x86_pop(cpu, in->osz);
	unsigned w = x86_stack_width(cpu);

	if (in->op == 0xc2)
		x86_set_reg(cpu, w, X86_ESP, x86_get_reg(cpu, w, X86_ESP) + in->imm);
	jump_near(cpu, in, ip);
}

/* RETF, RETF imm16 (CBh, CAh) */
void x86_op_retf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_far_return(cpu, in->osz, in->op == 0xca ? in->imm : 0);
}

/* LOOPNE, LOOPE, LOOP (E0h-E2h): count in CX or ECX by address size. */
void x86_op_loop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t count = (x86_count(cpu, in) - 1) & x86_mask(in->asz);
	bool take = count != 0;

	x86_set_count(cpu, in, count);
	if (in->op == 0xe0)
		take = take && !x86_zf(cpu);
	else if (in->op == 0xe1)
		take = take && x86_zf(cpu);
	if (take)
		jump_near(cpu, in, cpu->eip + rel(in));
}

/* JCXZ / JECXZ (E3h) */
void x86_op_jcxz(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (x86_count(cpu, in) == 0)
		jump_near(cpu, in, cpu->eip + rel(in));
}

/* INT imm8 (CDh) */
void x86_op_int(struct x86_cpu *cpu, const struct x86_insn *in)
{
	/* IOPL-sensitive in V86 mode, before any IDT check; INT3 and INTO
	 * are not (SDM vol. 3, 20.2.7). */
	x86_v86_check_iopl(cpu);
	x86_deliver_ex(cpu, in->imm & 0xff, cpu->eip, X86_INT_SOFT, 0);
}

/* INT3 (CCh) */
void x86_op_int3(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_deliver_ex(cpu, X86_VEC_BP, cpu->eip, X86_INT_SOFT, 0);
}

/* INT1 / ICEBP (F1h) */
void x86_op_int1(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_deliver(cpu, X86_VEC_DB, cpu->eip);
}

/* INTO (CEh): INT 4 if OF is set. */
void x86_op_into(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	if (x86_of(cpu))
		x86_deliver_ex(cpu, X86_VEC_OF, cpu->eip, X86_INT_SOFT, 0);
}

/* IRET in real mode: IP, CS, FLAGS. */
static void iret_real(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t ip = x86_pop(cpu, in->osz);
	uint16_t cs = x86_pop(cpu, in->osz);
	uint32_t fl = x86_pop(cpu, in->osz);

	x86_far_jump(cpu, cs, ip, in->osz);
	x86_set_eflags(cpu, fl, in->osz == 2 ? IRET_MASK & 0xffff : IRET_MASK);
}

/* IRET (CFh) */
void x86_op_iret(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (cpu->cr[0] & X86_CR0_PE)
		x86_iret_protected(cpu, in->osz);
	else
		iret_real(cpu, in);
	cpu->nmi_blocked = false; /* an NMI handler's IRET lets the next in */
	x86_poll_soon(cpu);
}

/* BOUND reg, m (62h): #BR unless low <= reg <= high, signed. */
void x86_op_bound(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int32_t v, lo, hi;

	if (in->mod == 3)
		cpu_raise(cpu, X86_VEC_UD, 0);
	v = (int32_t)x86_sext(x86_get_reg(cpu, in->osz, in->reg), in->osz);
	lo = (int32_t)x86_sext(x86_mem_read(cpu, in, 0, in->osz), in->osz);
	hi = (int32_t)x86_sext(x86_mem_read(cpu, in, in->osz, in->osz), in->osz);
	if (v < lo || v > hi)
		cpu_raise(cpu, X86_VEC_BR, 0);
}

static void far_indirect(struct x86_cpu *cpu, const struct x86_insn *in, bool call)
{
	uint32_t off;
	uint16_t sel;

	if (in->mod == 3)
		cpu_raise(cpu, X86_VEC_UD, 0);
	off = x86_mem_read(cpu, in, 0, in->osz);
	sel = x86_mem_read(cpu, in, in->osz, 2);
	if (call)
		call_far(cpu, in, sel, off);
	else
		x86_far_jump(cpu, sel, off, in->osz);
}

/* Group 5 (FFh): INC, DEC, CALL, CALL far, JMP, JMP far, PUSH. */
void x86_op_grp5(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v;

	switch (in->reg) {
	case 0:
	case 1:
		v = x86_rm_read(cpu, in, in->osz);
		x86_rm_write(cpu, in, in->osz, x86_incdec(cpu, v, in->osz, in->reg == 1));
		break;
	case 2:
		v = x86_rm_read(cpu, in, in->osz);
		x86_push(cpu, in->osz, cpu->eip);
		jump_near(cpu, in, v);
		break;
	case 3: far_indirect(cpu, in, true); break;
	case 4: jump_near(cpu, in, x86_rm_read(cpu, in, in->osz)); break;
	case 5: far_indirect(cpu, in, false); break;
	case 6: x86_push(cpu, in->osz, x86_rm_read(cpu, in, in->osz)); break;
	default: cpu_raise(cpu, X86_VEC_UD, 0);
	}
}
