/* The stack: PUSH/POP of registers, segment registers, immediates and
 * memory, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE. SP or ESP by SS.B. */
#include "hv/x86/cpu_state.h"

/* Flags POPF may change outside V86 mode at CPL 0. */
#define POPF_MASK (X86_ARITH | X86_TF | X86_IF | X86_DF | X86_IOPL | X86_NT | X86_AC | X86_ID)

/* 2 or 4: the width of the stack pointer. */
unsigned x86_stack_width(const struct x86_cpu *cpu)
{
	return (cpu->seg[X86_SS].attr & X86_SEG_BIG) ? 4 : 2;
}

static uint32_t get_sp(const struct x86_cpu *cpu)
{
	return cpu->regs[X86_ESP] & x86_mask(x86_stack_width(cpu));
}

static void set_sp(struct x86_cpu *cpu, uint32_t sp)
{
	x86_set_reg(cpu, x86_stack_width(cpu), X86_ESP, sp);
}

/* Pushes a `size`-byte value; ESP changes only once the write succeeded. */
void x86_push(struct x86_cpu *cpu, unsigned size, uint32_t v)
{
	uint32_t sp = (get_sp(cpu) - size) & x86_mask(x86_stack_width(cpu));

	x86_write(cpu, X86_SS, sp, size, v);
	set_sp(cpu, sp);
}

/* Pops a `size`-byte value. */
uint32_t x86_pop(struct x86_cpu *cpu, unsigned size)
{
	uint32_t sp = get_sp(cpu);
	uint32_t v = x86_read(cpu, X86_SS, sp, size);

	set_sp(cpu, sp + size);
	return v;
}

/* PUSH reg (50h-57h); PUSH SP pushes the value before the push. */
void x86_op_push_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_push(cpu, in->osz, x86_get_reg(cpu, in->osz, in->op & 7));
}

/* POP reg (58h-5Fh) */
void x86_op_pop_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_set_reg(cpu, in->osz, in->op & 7, x86_pop(cpu, in->osz));
}

/* PUSH ES/CS/SS/DS (06h...1Eh), FS/GS (0F A0h/A8h) */
void x86_op_push_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_push(cpu, in->osz, cpu->seg[(in->op >> 3) & 7].sel);
}

/* POP ES/SS/DS (07h, 17h, 1Fh), FS/GS (0F A1h/A9h). The pop moves SP or
 * ESP by the B bit of the SS it popped from, even when it loads SS with
 * another B (test386's stack tests). */
void x86_op_pop_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int seg = (in->op >> 3) & 7;
	unsigned width = x86_stack_width(cpu);
	uint32_t sp = get_sp(cpu);
	uint16_t sel = x86_read(cpu, X86_SS, sp, 2);

	x86_load_seg(cpu, seg, sel);
	x86_set_reg(cpu, width, X86_ESP, sp + in->osz);
	if (seg == X86_SS)
		cpu->irq_shadow = true;
}

/* PUSH imm (68h), PUSH imm8 sign-extended (6Ah) */
void x86_op_push_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_push(cpu, in->osz, in->op == 0x6a ? x86_sext(in->imm, 1) : in->imm);
}

/* POP r/m (8Fh /0): an ESP-based address uses the incremented ESP, but a
 * faulting write leaves ESP as it was (SDM vol. 2, POP). */
void x86_op_pop_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t esp = cpu->regs[X86_ESP], popped, v, off;

	if (in->reg != 0)
		cpu_raise(cpu, X86_VEC_UD, 0);
	v = x86_pop(cpu, in->osz);
	if (in->mod == 3) {
		x86_set_reg(cpu, in->osz, in->rm, v);
		return;
	}
	popped = cpu->regs[X86_ESP];
	off = x86_ea(cpu, in);
	cpu->regs[X86_ESP] = esp;
	x86_write(cpu, x86_ea_seg(in), off, in->osz, v);
	cpu->regs[X86_ESP] = popped;
}

/* PUSHA (60h): AX, CX, DX, BX, the original SP, BP, SI, DI. The stores go
 * lowest address first, so that a stack end past the limit faults before
 * anything is written, and SP moves only when all are done: a fault
 * leaves the stack and SP as they were (SDM: #SS when the starting or
 * ending address is outside the segment). */
void x86_op_pusha(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t sp = get_sp(cpu), mask = x86_mask(x86_stack_width(cpu));
	unsigned size = in->osz;

	for (int r = X86_EDI; r >= X86_EAX; r--) {
		uint32_t at = (sp - (uint32_t)(r + 1) * size) & mask;

		x86_write(cpu, X86_SS, at, size, x86_get_reg(cpu, size, (unsigned)r));
	}
	set_sp(cpu, sp - 8 * size);
}

/* POPA (61h): the reverse, skipping SP; everything is read before any
 * register changes, so a fault leaves them all (and SP) as they were. */
void x86_op_popa(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t sp = get_sp(cpu), mask = x86_mask(x86_stack_width(cpu)), v[8];
	unsigned size = in->osz;

	for (int r = X86_EDI; r >= X86_EAX; r--)
		v[r] = x86_read(cpu, X86_SS, (sp + (uint32_t)(X86_EDI - r) * size) & mask, size);
	for (unsigned r = X86_EAX; r <= X86_EDI; r++)
		if (r != X86_ESP)
			x86_set_reg(cpu, size, r, v[r]);
	set_sp(cpu, sp + 8 * size);
}

/* PUSHF (9Ch): VM and RF read as 0. */
void x86_op_pushf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_v86_check_iopl(cpu);
	x86_push(cpu, in->osz, x86_get_eflags(cpu) & ~(X86_VM | X86_RF));
}

/* POPF (9Dh) */
void x86_op_popf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t mask = in->osz == 2 ? POPF_MASK & 0xffff : POPF_MASK;

	x86_v86_check_iopl(cpu);
	if (cpu->cr[0] & X86_CR0_PE)
		mask = x86_popf_mask(cpu, in->osz);

	x86_set_eflags(cpu, x86_pop(cpu, in->osz), mask);
	x86_poll_soon(cpu);
}

/* Bytes ENTER pushes: eBP, level - 1 frame pointers and the new frame
 * pointer when level > 0. */
static uint32_t enter_bytes(unsigned level, unsigned osz)
{
	return osz * (level ? level + 1 : 1);
}

/* ENTER size, level (C8h). It faults first when a write at its final
 * stack pointer would (SDM vol. 2, ENTER: #SS, #PF), and the frame
 * pointer it makes is the whole ESP with a 32-bit operand size even on a
 * 16-bit stack (test386). */
void x86_op_enter(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned level = in->imm2 & 31, w = x86_stack_width(cpu);
	uint32_t bp = x86_get_reg(cpu, w, X86_EBP);
	uint32_t frame;

	x86_probe_write(cpu, X86_SS,
			(get_sp(cpu) - enter_bytes(level, in->osz) - in->imm) & x86_mask(w));
	x86_push(cpu, in->osz, x86_get_reg(cpu, in->osz, X86_EBP));
	frame = cpu->regs[X86_ESP];
	for (unsigned i = 1; i < level; i++) {
		bp = (bp - in->osz) & x86_mask(w);
		x86_push(cpu, in->osz, x86_read(cpu, X86_SS, bp, in->osz));
	}
	if (level > 0)
		x86_push(cpu, in->osz, frame);
	x86_set_reg(cpu, in->osz, X86_EBP, frame);
	set_sp(cpu, get_sp(cpu) - in->imm);
}

/* LEAVE (C9h) */
void x86_op_leave(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t bp = x86_get_reg(cpu, x86_stack_width(cpu), X86_EBP);
	uint32_t v = x86_read(cpu, X86_SS, bp, in->osz);

	set_sp(cpu, bp + in->osz);
	x86_set_reg(cpu, in->osz, X86_EBP, v);
}
