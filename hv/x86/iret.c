/* IRET in protected mode: a return at the same privilege level or to an
 * outer one (popping SS:ESP and nulling data segment registers the outer
 * level may not use). Which EFLAGS bits it may change depends on the CPL
 * and IOPL, as for POPF. Nested-task returns go to task.c, returns to
 * and within virtual-8086 mode to v86.c. */
#include "hv/x86/cpu_state.h"

#define IRET_MASK                                                                                  \
	(X86_ARITH | X86_TF | X86_IF | X86_DF | X86_IOPL | X86_NT | X86_AC | X86_ID | X86_RF)

/* The EFLAGS bits an IRET or POPF at cpl may change. */
static uint32_t flags_mask(const struct x86_cpu *cpu, unsigned osz)
{
	uint32_t mask = IRET_MASK;
	unsigned iopl = (cpu->eflags & X86_IOPL) >> 12;

	if (cpu->cpl > 0)
		mask &= ~X86_IOPL;
	if (cpu->cpl > iopl)
		mask &= ~X86_IF;
	return osz == 2 ? mask & 0xffff : mask;
}

/* IRET in protected mode. */
void x86_iret_protected(struct x86_cpu *cpu, unsigned osz)
{
	struct x86_frame f;
	uint32_t ip, fl, mask;
	uint16_t sel;
	uint64_t d;

	if (cpu->eflags & X86_VM) {
		x86_v86_iret(cpu, osz);
		return;
	}
	if (cpu->eflags & X86_NT) {
		x86_task_return(cpu);
		return;
	}
	x86_frame_current(cpu, &f);
	ip = x86_frame_pop(cpu, &f, osz);
	sel = (uint16_t)x86_frame_pop(cpu, &f, osz);
	fl = x86_frame_pop(cpu, &f, osz);
	if ((fl & X86_VM) && osz == 4 && cpu->cpl == 0) {
		x86_v86_enter(cpu, &f, ip, sel, fl);
		return;
	}
	d = x86_return_cs(cpu, sel);
	mask = flags_mask(cpu, osz);
	if ((sel & 3u) == cpu->cpl) {
		x86_commit_cs(cpu, sel, d, cpu->cpl, ip);
		x86_frame_commit(cpu, &f);
		x86_set_eflags(cpu, fl, mask);
		return;
	}
	x86_return_outer(cpu, &f, osz, sel, d, ip, 0);
	x86_frame_commit(cpu, &f);
	x86_set_eflags(cpu, fl, mask);
	x86_null_inner_segs(cpu);
}

/* The EFLAGS bits POPF may change in protected mode. */
uint32_t x86_popf_mask(const struct x86_cpu *cpu, unsigned osz)
{
	return flags_mask(cpu, osz) & ~X86_RF;
}
