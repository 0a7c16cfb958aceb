/* Segment register loads and far jumps. Real mode sets only the selector
 * and base (limit and attributes stay, which is what "unreal mode" relies
 * on). In protected mode a load reads the descriptor from the GDT or LDT
 * and applies the type, privilege and presence checks of the SDM. */
#include "hv/x86/cpu_state.h"

/* True in protected mode outside virtual-8086 mode. */
bool x86_protected(const struct x86_cpu *cpu)
{
	return (cpu->cr[0] & X86_CR0_PE) && !(cpu->eflags & X86_VM);
}

/* Sets the CPL, the one writer of it and of what follows from it (the
 * data accesses' soft-TLB kind); cached fetch pointers were checked for
 * the old one. */
void x86_set_cpl(struct x86_cpu *cpu, unsigned cpl)
{
	if (cpu->cpl != cpl)
		cpu->fetch_host = NULL;
	cpu->cpl = cpl;
	cpu->acc_user = cpl == 3 ? X86_ACC_USER : 0;
}

/* DS, ES, FS, GS (vector: #GP, or #TS in a task switch): a null selector loads an unusable
 * register; otherwise data or readable code, with privilege checks unless conforming code. */
void x86_load_data_seg(struct x86_cpu *cpu, int seg, uint16_t sel, int vector)
{
	uint64_t d;
	unsigned type, dpl;

	if ((sel & ~3u) == 0) {
		/* Unusable until reloaded; base and limit stay for a later
		 * return to real mode, as on hardware. */
		cpu->seg[seg].sel = sel;
		cpu->seg[seg].deny = X86_DENY_READ | X86_DENY_WRITE;
		x86_seg_sync(&cpu->seg[seg]);
		return;
	}
	d = x86_desc_get(cpu, sel, vector, 0);
	type = x86_desc_type(d);
	dpl = x86_desc_dpl(d);
	if (!(type & X86_SEG_S) || (type & 0x1a) == 0x18)
		cpu_raise(cpu, vector, sel & ~3u);
	if ((type & 0x1c) != 0x1c && ((sel & 3u) > dpl || cpu->cpl > dpl))
		cpu_raise(cpu, vector, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	x86_desc_set_type_bit(cpu, sel, X86_SEG_ACCESSED);
	x86_seg_from_desc(&cpu->seg[seg], sel, d | (uint64_t)X86_SEG_ACCESSED << 40);
}

/* Loads segment register `seg` with selector `sel`. */
void x86_load_seg(struct x86_cpu *cpu, int seg, uint16_t sel)
{
	struct x86_seg *s = &cpu->seg[seg];

	if (!x86_protected(cpu)) {
		s->sel = sel;
		s->base = (uint32_t)sel << 4;
		s->deny = 0;
		if (cpu->eflags & X86_VM) {
			s->limit = 0xffff;
			s->floor = 0;
		}
		x86_seg_sync(s);
		return;
	}
	if (seg == X86_SS) {
		x86_check_ss(cpu, sel, cpu->cpl, X86_VEC_GP, s);
		return;
	}
	if (seg == X86_CS) {
		/* MOV/POP CS do not exist; far transfers use x86_commit_cs. */
		cpu_raise(cpu, X86_VEC_UD, 0);
	}
	x86_load_data_seg(cpu, seg, sel, X86_VEC_GP);
}

/* Real-mode and V86 far jump: base = selector * 16. */
static void far_jump_real(struct x86_cpu *cpu, uint16_t sel, uint32_t ip)
{
	struct x86_seg *cs = &cpu->seg[X86_CS];

	if (ip > cs->limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
	cs->sel = sel;
	cs->base = (uint32_t)sel << 4;
	/* As for the data registers: a code descriptor cached in protected
	 * mode must not keep CS:-prefixed writes faulting in real mode. */
	cs->deny = 0;
	x86_seg_sync(cs);
	cpu->eip = ip;
	cpu->fetch_host = NULL;
}

/* Code segment target of a JMP/CALL at the current privilege level:
 * conforming with DPL <= CPL, or non-conforming with RPL <= CPL = DPL. */
static void check_code_target(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned rpl)
{
	unsigned dpl = x86_desc_dpl(d);

	if ((x86_desc_type(d) & 0x18) != 0x18)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if ((x86_desc_type(d) & X86_SEG_CONFORM) ? dpl > cpu->cpl
						 : (rpl > cpu->cpl || dpl != cpu->cpl))
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
}

/* JMP through a call gate: same privilege only. */
static void jump_gate(struct x86_cpu *cpu, uint16_t sel, uint64_t g)
{
	uint16_t target = (uint16_t)(g >> 16);
	uint32_t ip = (uint32_t)(g & 0xffff);
	uint64_t d;

	if (x86_desc_dpl(g) < cpu->cpl || x86_desc_dpl(g) < (sel & 3u))
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (!x86_desc_present(g))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	if ((target & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	if (x86_desc_type(g) == 0x0c)
		ip |= (uint32_t)(g >> 32) & 0xffff0000u;
	d = x86_desc_get(cpu, target, X86_VEC_GP, 0);
	check_code_target(cpu, target, d, cpu->cpl);
	x86_commit_cs(cpu, target, d, cpu->cpl, ip);
}

/* Loads CS:EIP for a far JMP. */
void x86_far_jump(struct x86_cpu *cpu, uint16_t sel, uint32_t ip, unsigned osz)
{
	uint64_t d;

	ip &= x86_mask(osz);
	if (!x86_protected(cpu)) {
		far_jump_real(cpu, sel, ip);
		return;
	}
	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, 0);
	switch (x86_desc_type(d)) {
	case 0x04:
	case 0x0c: jump_gate(cpu, sel, d); return;
	case 0x01:
	case 0x03:
	case 0x09:
	case 0x0b:
	case 0x05: x86_task_jump(cpu, sel, d, X86_TASK_JMP); return;
	default: check_code_target(cpu, sel, d, sel & 3u); x86_commit_cs(cpu, sel, d, cpu->cpl, ip);
	}
}
