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
	return state_in_done(in) ? 0 : -1;
}
