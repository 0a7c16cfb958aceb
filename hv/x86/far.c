/* Far CALL and RETF in protected mode: code segments, call gates with a
 * stack switch to an inner privilege level and parameter copy, and returns
 * to an outer privilege level. Real mode keeps its simple forms here too. */
#include "hv/x86/cpu_state.h"

/* Loads CS from a checked descriptor; the selector's RPL becomes `cpl`. */
void x86_commit_cs(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned cpl, uint32_t ip)
{
	struct x86_seg cs;

	x86_seg_from_desc(&cs, (uint16_t)((sel & ~3u) | cpl), d);
	if (ip > cs.limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
	x86_desc_set_type_bit(cpu, sel, X86_SEG_ACCESSED);
	cs.attr |= X86_SEG_ACCESSED;
	cpu->seg[X86_CS] = cs;
	cpu->eip = ip;
	x86_set_cpl(cpu, cpl);
}

/* The code segment a CALL targets through sel (directly or via a gate). */
static uint64_t code_desc(struct x86_cpu *cpu, uint16_t sel)
{
	uint64_t d;

	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, 0);
	if ((x86_desc_type(d) & 0x18) != 0x18 || x86_desc_dpl(d) > cpu->cpl)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	return d;
}

/* Pushes the return address on frame f and transfers. */
static void call_commit(struct x86_cpu *cpu, struct x86_frame *f, unsigned size, uint16_t sel,
			uint64_t d, unsigned cpl, uint32_t ip)
{
	x86_frame_push(cpu, f, size, cpu->seg[X86_CS].sel);
	x86_frame_push(cpu, f, size, cpu->eip);
	x86_commit_cs(cpu, sel, d, cpl, ip);
	x86_frame_commit(cpu, f);
}

/* Call gate to a more privileged non-conforming segment: new stack from
 * the TSS, old SS:ESP and `count` parameters copied onto it. */
static void call_inner(struct x86_cpu *cpu, uint64_t g, uint16_t sel, uint64_t d, uint32_t ip)
{
	unsigned dpl = x86_desc_dpl(d), size = x86_desc_type(g) == 0x0c ? 4 : 2;
	unsigned count = (unsigned)(g >> 32) & 0x1f;
	struct x86_frame old, f = {.cpl = dpl, .vector = X86_VEC_SS};
	uint32_t esp, params[32];
	uint16_t ss;

	x86_tss_stack(cpu, dpl, &ss, &esp);
	x86_check_ss(cpu, ss, dpl, X86_VEC_TS, &f.ss);
	f.sp = esp;
	f.error = ss & ~3u;
	x86_frame_current(cpu, &old);
	for (unsigned i = 0; i < count; i++)
		params[i] = x86_frame_pop(cpu, &old, size); /* a copy: ESP stays */
	x86_frame_current(cpu, &old);
	x86_frame_push(cpu, &f, size, cpu->seg[X86_SS].sel);
	x86_frame_push(cpu, &f, size, old.sp);
	for (unsigned i = 0; i < count; i++)
		x86_frame_push(cpu, &f, size, params[count - 1 - i]);
	call_commit(cpu, &f, size, sel, d, dpl, ip);
}

/* CALL through a call gate. */
static void call_gate(struct x86_cpu *cpu, uint16_t gsel, uint64_t g)
{
	uint16_t sel = (uint16_t)(g >> 16);
	uint32_t ip = (uint32_t)(g & 0xffff);
	struct x86_frame f;
	uint64_t d;

	if (x86_desc_dpl(g) < cpu->cpl || x86_desc_dpl(g) < (gsel & 3u))
		cpu_raise(cpu, X86_VEC_GP, gsel & ~3u);
	if (!x86_desc_present(g))
		cpu_raise(cpu, X86_VEC_NP, gsel & ~3u);
	if (x86_desc_type(g) == 0x0c)
		ip |= (uint32_t)(g >> 32) & 0xffff0000u;
	d = code_desc(cpu, sel);
	if (!(x86_desc_type(d) & X86_SEG_CONFORM) && x86_desc_dpl(d) < cpu->cpl) {
		call_inner(cpu, g, sel, d, ip);
		return;
	}
	x86_frame_current(cpu, &f);
	call_commit(cpu, &f, x86_desc_type(g) == 0x0c ? 4 : 2, sel, d, cpu->cpl, ip);
}

/* CALL far to a code segment at the current privilege level. */
static void call_code(struct x86_cpu *cpu, uint16_t sel, uint64_t d, uint32_t ip, unsigned osz)
{
	struct x86_frame f;
	unsigned dpl = x86_desc_dpl(d);

	if ((x86_desc_type(d) & X86_SEG_CONFORM) ? dpl > cpu->cpl
						 : ((sel & 3u) > cpu->cpl || dpl != cpu->cpl))
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	x86_frame_current(cpu, &f);
	call_commit(cpu, &f, osz, sel, d, cpu->cpl, ip);
}

/* CALL far. */
void x86_far_call(struct x86_cpu *cpu, uint16_t sel, uint32_t ip, unsigned osz)
{
	struct x86_frame f;
	uint64_t d;

	ip &= x86_mask(osz);
	if (!x86_protected(cpu)) {
		x86_frame_current(cpu, &f);
		x86_frame_push(cpu, &f, osz, cpu->seg[X86_CS].sel);
		x86_frame_push(cpu, &f, osz, cpu->eip);
		x86_far_jump(cpu, sel, ip, osz);
		x86_frame_commit(cpu, &f);
		return;
	}
	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, 0);
	switch (x86_desc_type(d)) {
	case 0x04:
	case 0x0c: call_gate(cpu, sel, d); return;
	case 0x01:
	case 0x03:
	case 0x09:
	case 0x0b:
	case 0x05: x86_task_jump(cpu, sel, d, X86_TASK_CALL); return;
	default:
		if ((x86_desc_type(d) & 0x18) != 0x18)
			cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
		if (!x86_desc_present(d))
			cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
		call_code(cpu, sel, d, ip, osz);
	}
}

/* The code segment a RETF/IRET returns to: RPL >= CPL; conforming with
 * DPL <= RPL or non-conforming with DPL = RPL; present. */
uint64_t x86_return_cs(struct x86_cpu *cpu, uint16_t sel)
{
	unsigned rpl = sel & 3u, dpl;
	uint64_t d;

	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, 0);
	dpl = x86_desc_dpl(d);
	if ((x86_desc_type(d) & 0x18) != 0x18 || rpl < cpu->cpl)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if ((x86_desc_type(d) & X86_SEG_CONFORM) ? dpl > rpl : dpl != rpl)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	return d;
}

/* RETF. */
void x86_far_return(struct x86_cpu *cpu, unsigned osz, uint16_t imm)
{
	struct x86_frame f;
	uint32_t ip;
	uint16_t sel;
	uint64_t d;

	x86_frame_current(cpu, &f);
	ip = x86_frame_pop(cpu, &f, osz);
	sel = (uint16_t)x86_frame_pop(cpu, &f, osz);
	if (!x86_protected(cpu)) {
		x86_far_jump(cpu, sel, ip, osz);
		x86_frame_skip(&f, imm);
		x86_frame_commit(cpu, &f);
		return;
	}
	d = x86_return_cs(cpu, sel);
	x86_frame_skip(&f, imm);
	if ((sel & 3u) == cpu->cpl) {
		x86_commit_cs(cpu, sel, d, cpu->cpl, ip);
		x86_frame_commit(cpu, &f);
		return;
	}
	x86_return_outer(cpu, &f, osz, sel, d, ip, imm);
	x86_frame_commit(cpu, &f);
	x86_null_inner_segs(cpu);
}

void x86_return_outer(struct x86_cpu *cpu, struct x86_frame *f, unsigned osz, uint16_t sel,
		      uint64_t d, uint32_t ip, uint16_t release)
{
	struct x86_seg ss;
	uint32_t esp = x86_frame_pop(cpu, f, osz);
	uint16_t ss_sel = (uint16_t)x86_frame_pop(cpu, f, osz);

	x86_check_ss(cpu, ss_sel, sel & 3u, X86_VEC_GP, &ss);
	x86_commit_cs(cpu, sel, d, sel & 3u, ip);
	f->ss = ss;
	f->sp = esp;
	x86_frame_skip(f, release);
}
