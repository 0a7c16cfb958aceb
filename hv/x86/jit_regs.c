/* Guest registers cached in host registers within a translated block,
 * write-through: the native forms read the guest registers a block uses
 * most, EFLAGS among them, from host registers instead of cpu->regs, so
 * that a loop-carried value does not go through a store and a load on
 * every instruction (CF kept in EFLAGS by a SUB before an INC, each turn
 * of a loop, was the slowest chain of all).
 * Every write goes to both the host register and memory, so memory is
 * always current: a block leaves, faults (a longjmp from a slow path or
 * handler) or calls a handler with nothing to flush. A handler may change
 * any guest register, and a call leaves r9-r11 unknown: the emitter
 * (x86_jit_regs_load) loads a register again before the next form that
 * uses it, a slow path before it goes back to the form's end, and the
 * self entry before it goes back to the body. In between, a form reads
 * a register the host no longer holds from memory. High bytes (AH-BH)
 * are read from memory; a block that writes one does not cache its
 * register (x86_jit_put reloads it should one be written anyway). */
#include "hv/x86/jit_asm.h"

/* The host registers, in the order they are given out: the callee-saved
 * ones first (a call to x86_cond keeps them). */
static const uint8_t hosts[] = {RBP, 14, 15, 9, 10, 11};

/* The slots: the 8 guest registers, then EFLAGS; REG_NONE for none. */
#define FLAGS	 8u
#define SLOTS	 9u
#define REG_NONE SLOTS

static uint32_t slot_off(unsigned g)
{
	return g == FLAGS ? CPU(eflags) : REG(g);
}

/* The slot whose 32 bits hold offset off of x86_cpu, or REG_NONE. */
static unsigned guest_of(uint32_t off)
{
	uint32_t rel = off - REG(0); /* (regs may be at offset 0) */

	if (off - CPU(eflags) < 4)
		return FLAGS;
	return rel < 4u * 8 ? rel / 4 : REG_NONE;
}

unsigned x86_jit_cached(const struct as *a, uint32_t off)
{
	unsigned g = guest_of(off);

	if (g == REG_NONE || off != slot_off(g) || !(a->valid >> g & 1))
		return 0;
	return a->host[g];
}

void x86_jit_prefix(struct as *a, unsigned size, unsigned reg, unsigned rm)
{
	unsigned rex = 0x40 | (reg >> 3) << 2 | rm >> 3;

	if (size == 2)
		b1(a, 0x66);
	if (rex != 0x40 || size == 1)
		b1(a, rex);
}

/* op h, [rbx + off] or op [rbx + off], h with h any host register. */
static void host_mem(struct as *a, unsigned op, unsigned h, uint32_t off)
{
	x86_jit_prefix(a, 4, h, 0);
	b1(a, op);
	b1(a, 0x83 | (h & 7) << 3);
	b4(a, off);
}

bool x86_jit_store_dead(const struct as *a, uint32_t off)
{
	unsigned g = guest_of(off);

	return g < 8 && off == slot_off(g) && (a->nostore >> g & 1) && a->host[g] &&
	       (a->valid >> g & 1);
}

void x86_jit_store_host(struct as *a, unsigned h, uint32_t off)
{
	if (x86_jit_store_dead(a, off) && x86_jit_cached(a, off) == h)
		return;
	host_mem(a, 0x89, h, off);
}

void x86_jit_stored(struct as *a, unsigned r, uint32_t off)
{
	unsigned g = guest_of(off), h;

	if (g == REG_NONE || !(a->valid >> g & 1))
		return;
	h = a->host[g];
	if ((off - REG(0)) % 4) {
		a->valid &= (uint16_t) ~(3u << g); /* (not emitted: no unaligned dword) */
		return;
	}
	x86_jit_prefix(a, 4, r, h); /* mov h, r */
	b1(a, 0x89);
	b1(a, 0xc0 | (r & 7) << 3 | (h & 7));
}

void x86_jit_resync(struct as *a, uint32_t off)
{
	unsigned g = guest_of(off);

	if (g != REG_NONE && (a->valid >> g & 1))
		host_mem(a, 0x8b, a->host[g], slot_off(g));
}

void x86_jit_regs_load(struct as *a, unsigned mask)
{
	for (unsigned g = 0; g < SLOTS; g++) {
		if (!a->host[g] || !(mask >> g & 1) || (a->valid >> g & 1))
			continue;
		host_mem(a, 0x8b, a->host[g], slot_off(g));
		a->valid |= (uint16_t)(1u << g);
	}
}

unsigned x86_jit_regs_cached(const struct as *a)
{
	unsigned m = 0;

	for (unsigned g = 0; g < SLOTS; g++)
		if (a->host[g])
			m |= 1u << g;
	return m;
}

/* Counts operand o of f in n (a register's uses), and a write of a high
 * byte in *high. */
static void count_opnd(const struct j_opnd *o, bool dst, unsigned *n, unsigned *mask,
		       unsigned *high)
{
	unsigned g;

	if (o->kind != J_REG || (g = guest_of(o->off)) >= 8)
		return;
	n[g]++;
	*mask |= 1u << g;
	if (dst && (o->off - REG(0)) % 4)
		*high |= 1u << g;
}

static void count_reg(unsigned g, unsigned *n, unsigned *mask)
{
	if (g < 8) {
		n[g]++;
		*mask |= 1u << g;
	}
}

/* Whether native form f may read or write EFLAGS itself (not the lazy
 * record), given the flags live after it: CF folded by INC and DEC or
 * kept by an ALU operation whose only reader is one (jit_emit.c's
 * liveness, jit_inplace.c), the carry in of ADC and SBB, CF and OF of
 * rotates, IMUL and MUL, ZF of BSF and BSR. */
static bool flags_user(const struct j_form *f, uint32_t live)
{
	switch (f->op) {
	case J_INC:
	case J_DEC:
	case J_ADC:
	case J_SBB:
	case J_IMUL:
	case J_MUL:
	case J_BSCAN: return true;
	case J_SHIFT: return f->sub <= 1;
	default:
		return f->op <= J_TEST && !f->mem && (live & J_LIVE_INCDEC) &&
		       (x86_jit_defs(f) & live) == X86_CF;
	}
}

/* The guest registers native form f reads or writes, counted in n. */
static unsigned form_uses(const struct j_form *f, uint32_t live, unsigned *n, unsigned *high)
{
	const struct x86_insn *in = f->in;
	unsigned mask = 0;

	count_opnd(&f->a, false, n, &mask, high);
	count_opnd(&f->b, false, n, &mask, high);
	count_opnd(&f->dst, true, n, &mask, high);
	if ((f->mem && f->op < J_PUSH && !(in->op >= 0xa0 && in->op <= 0xa3)) || f->op == J_LEA) {
		count_reg(in->base, n, &mask);
		count_reg(in->index, n, &mask);
	}
	if (f->op >= J_PUSH)
		count_reg(f->op == J_LEAVE ? X86_EBP : X86_ESP, n, &mask);
	if (f->op == J_MUL)
		count_reg(X86_EDX, n, &mask);
	if (f->op == J_CMPXCHG)
		count_reg(in->reg, n, &mask);
	if (f->op == J_DSHIFT && (in->op & 1))
		count_reg(X86_ECX, n, &mask);
	if (flags_user(f, live)) {
		n[FLAGS]++;
		mask |= 1u << FLAGS;
	}
	return mask;
}

void x86_jit_regs_pick(struct as *a, const struct x86_block *b, const uint32_t *live,
		       uint16_t *uses)
{
	unsigned n[SLOTS] = {0}, high = 0, given = 0;
	struct j_form f;

	for (unsigned i = 0; i < b->n; i++) {
		const struct x86_insn *in = &b->insns[i];
		bool native = in->fuse ? x86_jit_fused_native(in, &f) : x86_jit_form(in, &f);

		uses[i] = native ? (uint16_t)form_uses(&f, live[i], n, &high) : 0;
	}
	memset(a->host, 0, sizeof a->host);
	a->volatile_regs = 0;
	/* the most used first; a register used once gains nothing */
	while (given < sizeof hosts) {
		unsigned best = REG_NONE;

		for (unsigned g = 0; g < SLOTS; g++)
			if (!a->host[g] && !(high >> g & 1) && n[g] >= 2 &&
			    (best == REG_NONE || n[g] > n[best]))
				best = g;
		if (best == REG_NONE)
			break;
		a->host[best] = hosts[given++];
		if (a->host[best] >= 9 && a->host[best] <= 11)
			a->volatile_regs |= (uint16_t)(1u << best);
	}
	a->valid = 0;
}
