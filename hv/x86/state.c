/* The soft CPU's registers as the engine-neutral struct vcpu_state: read
 * for debugging, written as a debugger or a restore would. The CPU is
 * 32-bit, so a state needing long mode or more than 32 bits is refused. */
#include <stdio.h>
#include <string.h>

#include "hv/x86/cpu_state.h"
#include "hv/x86/fpu.h"
#include "hv/x86/protected.h"

#define EFER_LONG   0x500u /* LME, LMA */
#define HIGH32	    0xffffffff00000000ull
#define SEG_ATTR    0xf0ffu /* the descriptor bits a segment cache keeps */
#define DENY_ALL    (X86_DENY_READ | X86_DENY_WRITE)
#define FLAGS_FIXED 0x2u

static struct x86_seg *cpu_seg(struct x86_cpu *cpu, int i)
{
	return i == VCPU_LDTR ? &cpu->ldtr : i == VCPU_TR ? &cpu->tr : &cpu->seg[i];
}

static void get_seg(struct x86_cpu *cpu, int i, struct vcpu_segment *g)
{
	const struct x86_seg *s = cpu_seg(cpu, i);

	g->selector = s->sel;
	g->base = s->base;
	g->limit = s->floor ? s->floor - 1 : s->limit; /* expand-down: the descriptor's */
	g->attr = s->attr & SEG_ATTR;
	/* A null selector in protected mode denies every access; so does
	 * execute-only code, which only CS can hold. */
	if (i < VCPU_LDTR && i != VCPU_CS && s->deny == DENY_ALL)
		g->attr |= VCPU_SEG_UNUSABLE;
}

void x86_cpu_get_state(struct x86_cpu *cpu, struct vcpu_state *st)
{
	memset(st, 0, sizeof *st);
	for (int i = 0; i < 8; i++)
		st->regs[i] = cpu->regs[i];
	st->rip = cpu->eip;
	st->rflags = x86_get_eflags(cpu);
	for (int i = 0; i < VCPU_NSEG; i++)
		get_seg(cpu, i, &st->seg[i]);
	st->gdtr = (struct vcpu_dtable){cpu->gdtr.base, cpu->gdtr.limit};
	st->idtr = (struct vcpu_dtable){cpu->idtr.base, cpu->idtr.limit};
	st->cr0 = cpu->cr[0];
	st->cr2 = cpu->cr[2];
	st->cr3 = cpu->cr[3];
	st->cr4 = cpu->cr[4];
	st->dr6 = cpu->dr[6];
	st->dr7 = cpu->dr[7];
	st->halted = cpu->halted;
	for (int i = 0; i < 4; i++)
		st->dr[i] = cpu->dr[i];
	st->sysenter_cs = cpu->sysenter_cs;
	st->sysenter_esp = cpu->sysenter_esp;
	st->sysenter_eip = cpu->sysenter_eip;
	st->irq_shadow = cpu->irq_shadow;
	st->nmi_blocked = cpu->nmi_blocked;
	fpu_fx_image(cpu, st->fx);
}

/* What the 32-bit CPU cannot hold, or NULL. */
static const char *unfit(const struct vcpu_state *st)
{
	if (st->efer & EFER_LONG)
		return "long mode";
	for (int i = 0; i < 16; i++)
		if (i >= 8 ? st->regs[i] != 0 : (st->regs[i] & HIGH32) != 0)
			return "64-bit general registers";
	if ((st->rip | st->rflags | st->cr0 | st->cr3 | st->cr4) & HIGH32)
		return "64-bit RIP, RFLAGS or control registers";
	for (int i = 0; i < VCPU_NSEG; i++)
		if (st->seg[i].base & HIGH32 || st->seg[i].attr & VCPU_SEG_LONG)
			return "a 64-bit segment";
	if ((st->gdtr.base | st->idtr.base) & HIGH32)
		return "a 64-bit descriptor table base";
	return NULL;
}

/* The cache as a load of the equivalent descriptor fills it. */
static void set_seg(struct x86_cpu *cpu, int i, const struct vcpu_segment *g, bool real)
{
	uint32_t raw = (g->attr & VCPU_SEG_GRAN) ? g->limit >> 12 : g->limit;
	uint64_t d = (raw & 0xffff) | (uint64_t)(g->base & 0xffffff) << 16 |
		     (uint64_t)(g->attr & SEG_ATTR) << 40 | (uint64_t)(raw & 0xf0000) << 32 |
		     (uint64_t)(g->base & 0xff000000) << 32;
	struct x86_seg *s = cpu_seg(cpu, i);

	x86_seg_from_desc(s, g->selector, d);
	if (i >= VCPU_LDTR)
		return;
	if (real)
		s->deny = 0; /* real and V86 mode: any access within the limit */
	else if (g->attr & VCPU_SEG_UNUSABLE ||
		 ((g->selector & ~3u) == 0 && i != VCPU_CS && i != VCPU_SS))
		s->deny = DENY_ALL;
	x86_seg_sync(s);
}

int x86_cpu_set_state(struct x86_cpu *cpu, const struct vcpu_state *st, char *err, size_t len)
{
	const char *why = unfit(st);
	bool real = !(st->cr0 & X86_CR0_PE) || (st->rflags & X86_VM);

	if (why) {
		snprintf(err, len, "the soft CPU is 32-bit: it cannot hold %s", why);
		return -1;
	}
	/* A guest that reads its time from KVM's paravirtual clock would see
	 * it stand still here: the soft engine has none. */
	if (st->pvclock_system_time & 1) {
		snprintf(err, len,
			 "the guest uses KVM's paravirtual clock (kvm-clock), which the soft "
			 "engine does not have: restore it on the KVM engine");
		return -1;
	}
	for (int i = 0; i < 8; i++)
		cpu->regs[i] = (uint32_t)st->regs[i];
	cpu->eip = (uint32_t)st->rip;
	cpu->lazy.mask = 0;
	cpu->eflags = (uint32_t)st->rflags | FLAGS_FIXED;
	for (int i = 0; i < VCPU_NSEG; i++)
		set_seg(cpu, i, &st->seg[i], real);
	cpu->gdtr = (struct x86_dtr){(uint32_t)st->gdtr.base, st->gdtr.limit};
	cpu->idtr = (struct x86_dtr){(uint32_t)st->idtr.base, st->idtr.limit};
	cpu->cr[0] = (uint32_t)st->cr0;
	cpu->cr[2] = (uint32_t)st->cr2;
	cpu->cr[3] = (uint32_t)st->cr3;
	cpu->cr[4] = (uint32_t)st->cr4;
	cpu->dr[6] = (uint32_t)st->dr6;
	cpu->dr[7] = (uint32_t)st->dr7;
	x86_set_cpl(cpu, !(st->cr0 & X86_CR0_PE) ? 0 : real ? 3 : st->seg[VCPU_CS].selector & 3);
	cpu->halted = st->halted;
	for (int i = 0; i < 4; i++)
		cpu->dr[i] = (uint32_t)st->dr[i];
	cpu->sysenter_cs = (uint32_t)st->sysenter_cs;
	cpu->sysenter_esp = (uint32_t)st->sysenter_esp;
	cpu->sysenter_eip = (uint32_t)st->sysenter_eip;
	cpu->irq_shadow = st->irq_shadow;
	cpu->nmi_blocked = st->nmi_blocked;
	fpu_fx_apply(cpu, st->fx);
	cpu->check_intr = true;
	cpu->fetch_host = NULL;
	x86_tlb_flush(cpu);
	return 0;
}
