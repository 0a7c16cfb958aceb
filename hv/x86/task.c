/* Hardware task switching: JMP or CALL to a TSS or through a task gate,
 * interrupts through task gates, and IRET with NT set back along the
 * back-link. The current state is saved into the old TSS, the busy bits
 * and NT follow the kind of switch, and the new task's registers are
 * loaded with the usual descriptor checks, faulting (#TS, #NP, #SS) in the
 * context of the new task, as the SDM describes (vol. 3, 7.3). */
#include "hv/x86/cpu_state.h"

#define TSS_BUSY 0x2u

/* The registers a TSS holds. */
struct tss_state {
	uint32_t eip, eflags, cr3;
	uint32_t regs[8];
	uint16_t segs[X86_NSEG];
	uint16_t ldt;
};

static bool tss_big(const struct x86_seg *tr)
{
	return tr->attr & 0x8;
}

static uint32_t rd(struct x86_cpu *cpu, uint32_t lin, unsigned size)
{
	return x86_lin_read(cpu, lin, size, false);
}

static void wr(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
	x86_lin_write(cpu, lin, size, v, false);
}

/* Reads the new task's state; a 16-bit TSS has no FS, GS or CR3. */
static void tss_read(struct x86_cpu *cpu, const struct x86_seg *tr, struct tss_state *t)
{
	uint32_t b = tr->base;

	*t = (struct tss_state){.cr3 = cpu->cr[3]};
	if (tss_big(tr)) {
		t->cr3 = rd(cpu, b + 0x1c, 4);
		t->eip = rd(cpu, b + 0x20, 4);
		t->eflags = rd(cpu, b + 0x24, 4);
		for (unsigned i = 0; i < 8; i++)
			t->regs[i] = rd(cpu, b + 0x28 + 4 * i, 4);
		for (unsigned i = 0; i < X86_NSEG; i++)
			t->segs[i] = rd(cpu, b + 0x48 + 4 * i, 2);
		t->ldt = rd(cpu, b + 0x60, 2);
		return;
	}
	t->eip = rd(cpu, b + 0x0e, 2);
	t->eflags = rd(cpu, b + 0x10, 2);
	for (unsigned i = 0; i < 8; i++)
		t->regs[i] = rd(cpu, b + 0x12 + 2 * i, 2);
	for (unsigned i = 0; i <= X86_DS; i++)
		t->segs[i] = rd(cpu, b + 0x22 + 2 * i, 2);
	t->ldt = rd(cpu, b + 0x2a, 2);
}

/* Saves the current state into the current TSS. */
static void tss_save(struct x86_cpu *cpu, uint32_t eflags)
{
	uint32_t b = cpu->tr.base;

	if (tss_big(&cpu->tr)) {
		wr(cpu, b + 0x20, 4, cpu->eip);
		wr(cpu, b + 0x24, 4, eflags);
		for (unsigned i = 0; i < 8; i++)
			wr(cpu, b + 0x28 + 4 * i, 4, cpu->regs[i]);
		for (unsigned i = 0; i < X86_NSEG; i++)
			wr(cpu, b + 0x48 + 4 * i, 2, cpu->seg[i].sel);
		return;
	}
	wr(cpu, b + 0x0e, 2, cpu->eip);
	wr(cpu, b + 0x10, 2, eflags);
	for (unsigned i = 0; i < 8; i++)
		wr(cpu, b + 0x12 + 2 * i, 2, cpu->regs[i]);
	for (unsigned i = 0; i <= X86_DS; i++)
		wr(cpu, b + 0x22 + 2 * i, 2, cpu->seg[i].sel);
}

static void load_ldt(struct x86_cpu *cpu, uint16_t sel)
{
	uint64_t d;

	if ((sel & ~3u) == 0) {
		cpu->ldtr = (struct x86_seg){.sel = sel};
		return;
	}
	if (sel & 4)
		cpu_raise(cpu, X86_VEC_TS, sel & ~3u);
	d = x86_desc_get(cpu, sel, X86_VEC_TS, 0);
	if (x86_desc_type(d) != 0x02 || !x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_TS, sel & ~3u);
	x86_seg_from_desc(&cpu->ldtr, sel, d);
}

/* CS of the new task: code whose DPL fits its RPL, which becomes the CPL. */
static void load_task_cs(struct x86_cpu *cpu, uint16_t sel)
{
	unsigned rpl = sel & 3u, dpl;
	uint64_t d;

	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_TS, 0);
	d = x86_desc_get(cpu, sel, X86_VEC_TS, 0);
	dpl = x86_desc_dpl(d);
	if ((x86_desc_type(d) & 0x18) != 0x18 ||
	    ((x86_desc_type(d) & X86_SEG_CONFORM) ? dpl > rpl : dpl != rpl))
		cpu_raise(cpu, X86_VEC_TS, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	x86_seg_from_desc(&cpu->seg[X86_CS], sel, d);
	x86_set_cpl(cpu, rpl);
}

/* The new task's segment registers, checked as loads of that task. */
static void load_task_segs(struct x86_cpu *cpu, const struct tss_state *t)
{
	for (int i = 0; i < X86_NSEG; i++)
		cpu->seg[i].sel = t->segs[i];
	load_ldt(cpu, t->ldt);
	if (cpu->eflags & X86_VM) {
		x86_v86_load_segs(cpu, t->segs);
		return;
	}
	load_task_cs(cpu, t->segs[X86_CS]);
	x86_check_ss(cpu, t->segs[X86_SS], cpu->cpl, X86_VEC_TS, &cpu->seg[X86_SS]);
	for (int i = 0; i < X86_NSEG; i++)
		if (i != X86_CS && i != X86_SS)
			x86_load_data_seg(cpu, i, t->segs[i], X86_VEC_TS);
}

/* Loads the new task's registers. */
static void enter_task(struct x86_cpu *cpu, const struct tss_state *t)
{
	if (tss_big(&cpu->tr) && (cpu->cr[0] & X86_CR0_PG) && t->cr3 != cpu->cr[3]) {
		cpu->cr[3] = t->cr3;
		x86_tlb_flush_nonglobal(cpu);
	}
	for (unsigned i = 0; i < 8; i++)
		cpu->regs[i] = t->regs[i];
	cpu->eip = t->eip;
	/* From here on a fault belongs to the new task, at its EIP. */
	cpu->ip_start = t->eip;
	x86_set_eflags(cpu, t->eflags | 0x2, 0xffffffffu);
	cpu->cr[0] |= X86_CR0_TS;
	load_task_segs(cpu, t);
	if (cpu->eip > cpu->seg[X86_CS].limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
}

/* Switches to the task of TSS selector sel (descriptor d). */
void x86_task_switch(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned reason, unsigned flags,
		     uint32_t error)
{
	struct x86_seg ntr;
	struct tss_state t;
	uint32_t eflags = x86_get_eflags(cpu);

	if ((cpu->tr.sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_TS, 0); /* no current task to save into */
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	x86_seg_from_desc(&ntr, sel, d);
	if (ntr.limit < (tss_big(&ntr) ? 0x67u : 0x2bu))
		cpu_raise(cpu, X86_VEC_TS, sel & ~3u);
	if (reason == X86_TASK_IRET ? !(ntr.attr & TSS_BUSY) : (ntr.attr & TSS_BUSY))
		cpu_raise(cpu, reason == X86_TASK_IRET ? X86_VEC_TS : X86_VEC_GP, sel & ~3u);
	tss_read(cpu, &ntr, &t);
	if (reason == X86_TASK_IRET)
		eflags &= ~X86_NT;
	tss_save(cpu, eflags);
	if (reason == X86_TASK_JMP || reason == X86_TASK_IRET)
		x86_desc_clear_type_bit(cpu, cpu->tr.sel, TSS_BUSY);
	if (reason == X86_TASK_CALL || reason == X86_TASK_INT) {
		wr(cpu, ntr.base, 2, cpu->tr.sel);
		t.eflags |= X86_NT;
	}
	if (reason != X86_TASK_IRET) {
		x86_desc_set_type_bit(cpu, sel, TSS_BUSY);
		ntr.attr |= TSS_BUSY;
	}
	cpu->tr = ntr;
	enter_task(cpu, &t);
	if (flags & X86_INT_ERROR)
		x86_push(cpu, tss_big(&ntr) ? 4 : 2, error);
}

/* JMP or CALL to a TSS descriptor or a task gate. */
void x86_task_jump(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned reason)
{
	unsigned dpl = x86_desc_dpl(d);
	uint16_t tss = sel;

	if (dpl < cpu->cpl || dpl < (sel & 3u))
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (x86_desc_type(d) == 0x05) {
		if (!x86_desc_present(d))
			cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
		tss = (uint16_t)(d >> 16);
		d = x86_task_tss(cpu, tss, 0);
	}
	if (tss & 4)
		cpu_raise(cpu, X86_VEC_GP, tss & ~3u);
	x86_task_switch(cpu, tss, d, reason, 0, 0);
}

/* The descriptor of the TSS a task gate names: an available TSS in the
 * GDT, else #GP(sel | ext). */
uint64_t x86_task_tss(struct x86_cpu *cpu, uint16_t sel, uint32_t ext)
{
	uint64_t d;

	if (sel & 4)
		cpu_raise(cpu, X86_VEC_GP, (sel & ~3u) | ext);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, ext);
	if (x86_desc_type(d) != 0x01 && x86_desc_type(d) != 0x09)
		cpu_raise(cpu, X86_VEC_GP, (sel & ~3u) | ext);
	return d;
}

/* IRET with NT set: back to the task in the current TSS's back-link. */
void x86_task_return(struct x86_cpu *cpu)
{
	uint16_t link = rd(cpu, cpu->tr.base, 2);
	uint64_t d;

	if (link & 4)
		cpu_raise(cpu, X86_VEC_TS, link & ~3u);
	d = x86_desc_get(cpu, link, X86_VEC_TS, 0);
	if (x86_desc_type(d) != 0x03 && x86_desc_type(d) != 0x0b)
		cpu_raise(cpu, X86_VEC_TS, link & ~3u);
	x86_task_switch(cpu, link, d, X86_TASK_IRET, 0, 0);
}
