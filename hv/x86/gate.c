/* Interrupts and exceptions in protected mode: the IDT's interrupt and
 * trap gates (16- and 32-bit), privilege checks for INT n, a stack switch
 * from the TSS when the handler is more privileged, and the error code.
 * The new stack is built as a frame and committed last, so a fault while
 * delivering leaves the interrupted state intact for #DF. */
#include "hv/x86/cpu_state.h"

#define GATE_TASK   0x05
#define GATE_INT16  0x06
#define GATE_TRAP16 0x07
#define GATE_INT32  0x0e
#define GATE_TRAP32 0x0f

/* Reads and checks the IDT gate for vector. */
static uint64_t idt_gate(struct x86_cpu *cpu, int vector, unsigned flags, uint32_t ext)
{
	uint32_t entry = (uint32_t)vector * 8, idt_err = entry | 2 | ext;
	uint64_t g;
	unsigned type;

	if (entry + 7 > cpu->idtr.limit)
		cpu_raise(cpu, X86_VEC_GP, idt_err);
	g = (uint64_t)x86_lin_read(cpu, cpu->idtr.base + entry + 4, 4, false) << 32 |
	    x86_lin_read(cpu, cpu->idtr.base + entry, 4, false);
	type = x86_desc_type(g);
	if (type != GATE_TASK && type != GATE_INT16 && type != GATE_TRAP16 && type != GATE_INT32 &&
	    type != GATE_TRAP32)
		cpu_raise(cpu, X86_VEC_GP, idt_err);
	if ((flags & X86_INT_SOFT) && x86_desc_dpl(g) < cpu->cpl)
		cpu_raise(cpu, X86_VEC_GP, entry | 2);
	if (!x86_desc_present(g))
		cpu_raise(cpu, X86_VEC_NP, idt_err);
	return g;
}

/* The handler's code segment: present code with DPL <= CPL. */
static uint64_t handler_cs(struct x86_cpu *cpu, uint16_t sel, uint32_t ext)
{
	uint64_t d;

	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, ext);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, ext);
	if ((x86_desc_type(d) & 0x18) != 0x18 || x86_desc_dpl(d) > cpu->cpl)
		cpu_raise(cpu, X86_VEC_GP, (sel & ~3u) | ext);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, (sel & ~3u) | ext);
	return d;
}

/* The stack the handler runs on: the TSS's for an inner level, with the
 * old SS:ESP pushed; else the current one. Returns the new CPL. */
static unsigned handler_stack(struct x86_cpu *cpu, uint64_t d, unsigned size, uint32_t ext,
			      struct x86_frame *f)
{
	unsigned dpl = x86_desc_dpl(d);
	uint32_t esp;
	uint16_t ss;

	if ((x86_desc_type(d) & X86_SEG_CONFORM) || dpl == cpu->cpl) {
		x86_frame_current(cpu, f);
		return cpu->cpl;
	}
	x86_tss_stack(cpu, dpl, &ss, &esp);
	if ((ss & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_TS, ext);
	*f = (struct x86_frame){.cpl = dpl, .vector = X86_VEC_SS, .error = (ss & ~3u) | ext};
	x86_check_ss(cpu, ss, dpl, X86_VEC_TS, &f->ss);
	f->sp = esp;
	x86_frame_push(cpu, f, size, cpu->seg[X86_SS].sel);
	x86_frame_push(cpu, f, size, cpu->regs[X86_ESP]);
	return dpl;
}

/* Delivers vector through the IDT. */
void x86_deliver_protected(struct x86_cpu *cpu, int vector, uint32_t ret_ip, unsigned flags,
			   uint32_t error)
{
	uint32_t ext = (flags & X86_INT_SOFT) ? 0 : 1, ip;
	uint64_t g = idt_gate(cpu, vector, flags, ext), d;
	unsigned type = x86_desc_type(g), size = (type & 8) ? 4 : 2, cpl;
	uint16_t sel = (uint16_t)(g >> 16);
	struct x86_frame f;

	if (type == GATE_TASK) {
		cpu->eip = ret_ip;
		x86_task_switch(cpu, sel, x86_task_tss(cpu, sel, ext), X86_TASK_INT, flags, error);
		return;
	}
	d = handler_cs(cpu, sel, ext);
	if (cpu->eflags & X86_VM) {
		x86_v86_deliver(cpu, g, d, ret_ip, flags, error);
		return;
	}
	ip = size == 4 ? (uint32_t)(g & 0xffff) | ((uint32_t)(g >> 32) & 0xffff0000u)
		       : (uint32_t)(g & 0xffff);
	cpl = handler_stack(cpu, d, size, ext, &f);
	x86_frame_push(cpu, &f, size, x86_get_eflags(cpu));
	x86_frame_push(cpu, &f, size, cpu->seg[X86_CS].sel);
	x86_frame_push(cpu, &f, size, ret_ip);
	if (flags & X86_INT_ERROR)
		x86_frame_push(cpu, &f, size, error);
	x86_commit_cs(cpu, sel, d, cpl, ip);
	x86_frame_commit(cpu, &f);
	cpu->eflags &= ~(X86_TF | X86_NT | X86_VM | X86_RF);
	if (!(type & 1))
		cpu->eflags &= ~X86_IF;
}
