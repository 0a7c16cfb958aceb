#include "hv/core/vcpu_save.h"

#include <string.h>

static void put_seg(struct state_out *o, const struct vcpu_segment *s)
{
	state_put_u64(o, s->base);
	state_put_u32(o, s->limit);
	state_put_u32(o, s->attr);
	state_put_u16(o, s->selector);
}

static void get_seg(struct state_in *in, struct vcpu_segment *s)
{
	s->base = state_get_u64(in);
	s->limit = state_get_u32(in);
	s->attr = state_get_u32(in);
	s->selector = state_get_u16(in);
}

static void put_dtable(struct state_out *o, const struct vcpu_dtable *t)
{
	state_put_u64(o, t->base);
	state_put_u16(o, t->limit);
}

static void get_dtable(struct state_in *in, struct vcpu_dtable *t)
{
	t->base = state_get_u64(in);
	t->limit = state_get_u16(in);
}

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define APIC_LVT_TIMER	 0x320
#define APIC_LVT0	 0x350
#define APIC_ISR	 0x100 /* eight 32-bit words 10h apart; TMR, IRR follow */
#define APIC_IRR	 0x200
#define LVT_MASKED	 (1u << 16)
#define LVT_MODE	 (7u << 8)
#define LVT_EXTINT	 (7u << 8)

static uint32_t reg(const struct vcpu_apic *a, unsigned off)
{
	return (uint32_t)a->page[off] | (uint32_t)a->page[off + 1] << 8 |
	       (uint32_t)a->page[off + 2] << 16 | (uint32_t)a->page[off + 3] << 24;
}

bool vcpu_apic_in_use(const struct vcpu_apic *a)
{
	uint32_t lvt0 = reg(a, APIC_LVT0);

	if (!a->present || !(a->base & APIC_BASE_ENABLE))
		return false; /* globally disabled: the 8259 reaches INTR directly */
	if ((a->base & APIC_BASE_X2APIC) || (lvt0 & (LVT_MASKED | LVT_MODE)) != LVT_EXTINT ||
	    !(reg(a, APIC_LVT_TIMER) & LVT_MASKED))
		return true;
	for (unsigned i = 0; i < 8; i++)
		if (reg(a, APIC_ISR + 0x10 * i) || reg(a, APIC_IRR + 0x10 * i))
			return true;
	for (unsigned i = 0; i < VCPU_IOAPIC_PINS; i++)
		if (!(a->redir[i] & LVT_MASKED))
			return true;
	return false;
}

static void put_apic(struct state_out *o, const struct vcpu_apic *a)
{
	state_put_bool(o, a->present);
	if (!a->present)
		return;
	state_put_u64(o, a->base);
	state_put_bytes(o, a->page, sizeof a->page);
	state_put_u32(o, a->ioapic_id);
	state_put_u32(o, a->ioapic_sel);
	state_put_u32(o, a->ioapic_irr);
	for (int i = 0; i < VCPU_IOAPIC_PINS; i++)
		state_put_u64(o, a->redir[i]);
}

static void get_apic(struct state_in *in, struct vcpu_apic *a)
{
	a->present = state_get_bool(in);
	if (!a->present)
		return;
	a->base = state_get_u64(in);
	state_get_bytes(in, a->page, sizeof a->page);
	a->ioapic_id = state_get_u32(in);
	a->ioapic_sel = state_get_u32(in);
	a->ioapic_irr = state_get_u32(in);
	for (int i = 0; i < VCPU_IOAPIC_PINS; i++)
		a->redir[i] = state_get_u64(in);
}

static void put_msrs(struct state_out *o, const struct vcpu_state *st)
{
	const uint64_t v[] = {st->star,		  st->lstar, st->cstar, st->sfmask,
			      st->kernel_gs_base, st->pat,   st->tsc,	st->tsc_aux};

	state_put_bytes(o, st->xmm, sizeof st->xmm);
	state_put_bool(o, st->msrs);
	if (!st->msrs)
		return;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		state_put_u64(o, v[i]);
}

static void get_msrs(struct state_in *in, struct vcpu_state *st)
{
	uint64_t *v[] = {&st->star,	      &st->lstar, &st->cstar, &st->sfmask,
			 &st->kernel_gs_base, &st->pat,	  &st->tsc,   &st->tsc_aux};

	state_get_bytes(in, st->xmm, sizeof st->xmm);
	st->msrs = state_get_bool(in);
	if (!st->msrs)
		return;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		*v[i] = state_get_u64(in);
}

void vcpu_state_put(struct state_out *o, const struct vcpu_state *st)
{
	const uint64_t *u64s[] = {
	    &st->rip,	      &st->rflags,	 &st->cr0,	   &st->cr2, &st->cr3,
	    &st->cr4,	      &st->cr8,		 &st->efer,	   &st->dr6, &st->dr7,
	    &st->sysenter_cs, &st->sysenter_esp, &st->sysenter_eip};

	for (int i = 0; i < 16; i++)
		state_put_u64(o, st->regs[i]);
	for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++)
		state_put_u64(o, *u64s[i]);
	for (int i = 0; i < 4; i++)
		state_put_u64(o, st->dr[i]);
	for (int i = 0; i < VCPU_NSEG; i++)
		put_seg(o, &st->seg[i]);
	put_dtable(o, &st->gdtr);
	put_dtable(o, &st->idtr);
	state_put_bool(o, st->halted);
	state_put_bool(o, st->irq_shadow);
	state_put_bytes(o, st->fx, sizeof st->fx);
	state_put_bool(o, st->nmi_blocked);
	state_put_u64(o, st->pvclock_system_time);
	state_put_u64(o, st->pvclock_wall_clock);
	state_put_u64(o, st->pvclock_ns);
	put_apic(o, &st->apic);
	put_msrs(o, st);
	state_put_u64(o, st->pv_eoi);
}

int vcpu_state_get(struct state_in *in, uint32_t from, struct vcpu_state *st)
{
	uint64_t *u64s[] = {&st->rip,	      &st->rflags, &st->cr0,	     &st->cr2,
			    &st->cr3,	      &st->cr4,	   &st->cr8,	     &st->efer,
			    &st->dr6,	      &st->dr7,	   &st->sysenter_cs, &st->sysenter_esp,
			    &st->sysenter_eip};

	if (from < 1 || from > VCPU_SAVE_VERSION)
		return -1;
	memset(st, 0, sizeof *st);
	for (int i = 0; i < 16; i++)
		st->regs[i] = state_get_u64(in);
	for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++)
		*u64s[i] = state_get_u64(in);
	for (int i = 0; i < 4; i++)
		st->dr[i] = state_get_u64(in);
	for (int i = 0; i < VCPU_NSEG; i++)
		get_seg(in, &st->seg[i]);
	get_dtable(in, &st->gdtr);
	get_dtable(in, &st->idtr);
	st->halted = state_get_bool(in);
	st->irq_shadow = state_get_bool(in);
	state_get_bytes(in, st->fx, sizeof st->fx);
	if (from >= 2)
		st->nmi_blocked = state_get_bool(in);
	if (from >= 3) {
		st->pvclock_system_time = state_get_u64(in);
		st->pvclock_wall_clock = state_get_u64(in);
		st->pvclock_ns = state_get_u64(in);
	}
	if (from >= 4)
		get_apic(in, &st->apic);
	if (from >= 5)
		get_msrs(in, st);
	if (from >= 6)
		st->pv_eoi = state_get_u64(in);
	return state_in_done(in) ? 0 : -1;
}
