/* The JIT's direct chaining (jit.h): the link slots of translated
 * blocks patched to jump to the chained entries of the blocks they lead
 * to, and unpatched when a block's slot is reused. Each block keeps the
 * list of the slots that jump to it (x86_block.in_head), so that its
 * entries need not check that the slot still holds it. */
#include <stdalign.h>
#include <string.h>

#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"

_Static_assert(X86_JIT_SLOTS == 2 && alignof(struct x86_block) >= 2,
	       "a slot in a list is its block with its index in bit 0");

/* A member of a list of slots: the block, and the slot's index in bit 0. */
static struct x86_block *edge_block(uintptr_t e)
{
	return (struct x86_block *)(e & ~(uintptr_t)1);
}

/* Takes slot k of b out of the list of the block it jumps to. */
static void edge_drop(struct x86_block *b, unsigned k)
{
	uintptr_t next = b->in_next[k], prev = b->in_prev[k];

	if (!b->slot_blk[k])
		return;
	if (prev)
		edge_block(prev)->in_next[prev & 1] = next;
	else
		b->slot_blk[k]->in_head = next;
	if (next)
		edge_block(next)->in_prev[next & 1] = prev;
	b->slot_blk[k] = NULL;
}

/* Puts slot k of b, which now jumps to an entry of t, in t's list. */
static void edge_add(struct x86_block *b, unsigned k, struct x86_block *t)
{
	uintptr_t e = (uintptr_t)b | k;

	b->slot_blk[k] = t;
	b->in_prev[k] = 0;
	b->in_next[k] = t->in_head;
	if (t->in_head)
		edge_block(t->in_head)->in_prev[t->in_head & 1] = e;
	t->in_head = e;
}

/* Writes 4 bytes of the code at rx through the writable view. */
static void poke(struct x86_jit_buf *buf, const uint8_t *rx, uint32_t v)
{
	memcpy(buf->rw + (rx - buf->rx), &v, 4);
}

/* Points the rel32 at rel to `to`. */
static void poke_jump(struct x86_jit_buf *buf, const uint8_t *rel, const uint8_t *to)
{
	poke(buf, rel, (uint32_t)(int32_t)(to - (rel + 4)));
}

/* Where slot k of b jumps for link l: the entry of the block linked, or
 * for a far link, b's far stub of the slot, pointed at that entry for
 * the host bytes of that block (jit.h). */
static const uint8_t *link_target(struct x86_jit_buf *buf, const struct x86_block *b, unsigned k,
				  const struct x86_link *l)
{
	const uint8_t *stub, *rel;
	uint64_t host;

	if (!l->far)
		return l->to == b && l->delta == 0 && b->chain_self ? b->chain_self
								    : l->to->chain_in;
	stub = b->far + k * X86_JIT_FAR_BYTES;
	rel = stub + X86_JIT_FAR_BYTES - 4;
	host = (uint64_t)(uintptr_t)l->to->host;
	memcpy(buf->rw + (stub + X86_JIT_FAR_HOST - buf->rx), &host, 8);
	poke_jump(buf, rel, l->to->chain_in);
	return stub;
}

/* The slot of a block with fixed deltas that has `delta`, or
 * X86_JIT_SLOTS for none (the first when both have it). */
static unsigned fixed_slot(const struct x86_block *b, uint32_t delta)
{
	unsigned k;

	for (k = 0; k < X86_JIT_SLOTS; k++) {
		uint32_t d;

		memcpy(&d, b->slots + k * X86_JIT_SLOT_BYTES + 1, 4);
		if (d == delta)
			break;
	}
	return k;
}

/* Whether slot k of b already jumps where link l leads: to the same
 * block, for the same delta (a far stub serves any block). */
static bool linked(const struct x86_block *b, unsigned k, const struct x86_link *l)
{
	uint32_t d;

	memcpy(&d, b->slots + k * X86_JIT_SLOT_BYTES + 1, 4);
	return b->slot_to[k] && b->slot_blk[k] == l->to && d == l->delta;
}

/* See jit.h. A slot patched stays right while the buffer lasts: its
 * delta leads to the bytes of the block it jumps to (a link in one page;
 * a far one, whose mapping may change, through the far stub that checks
 * it), that block's chained entry checks that its page is unwritten, and
 * the slot is pointed back at a return when the block's slot is reused
 * (x86_jit_unlink), so a slot is only ever pointed at a newer link. */
void x86_jit_chain(struct x86_cpu *cpu, struct x86_block *b)
{
	struct x86_jit *j = cpu->jit;

	/* HV_JIT_LOCKSTEP runs each block of native instructions alone. */
	if (!b->slots || !b->host || (j->check && b->pure))
		return;
	for (unsigned i = 0; i < X86_JIT_SLOTS; i++) {
		const struct x86_link *l = &b->link[i];
		unsigned k = b->slot_fixed ? fixed_slot(b, l->delta) : i;
		const uint8_t *slot = b->slots + k * X86_JIT_SLOT_BYTES, *rel, *to;

		if (k >= X86_JIT_SLOTS || !l->id || (l->far && !b->far) || l->to->id != l->id ||
		    !l->to->chain_in || (j->check && l->to->pure))
			continue;
		if (linked(b, k, l))
			continue;
		to = link_target(&j->buf, b, k, l);
		rel = slot + X86_JIT_SLOT_BYTES - 4;
		poke(&j->buf, slot + 1, l->delta);
		poke_jump(&j->buf, rel, to);
		b->slot_to[k] = to;
		edge_drop(b, k);
		edge_add(b, k, l->to);
		j->chained++;
	}
}

/* See jit.h. */
void x86_jit_unlink(struct x86_cpu *cpu, struct x86_block *b)
{
	for (unsigned k = 0; k < X86_JIT_SLOTS; k++)
		edge_drop(b, k);
	while (b->in_head) {
		struct x86_block *from = edge_block(b->in_head);
		unsigned k = b->in_head & 1;
		const uint8_t *rel = from->slots + k * X86_JIT_SLOT_BYTES + X86_JIT_SLOT_BYTES - 4;

		poke_jump(&cpu->jit->buf, rel, from->unlinked);
		from->slot_to[k] = NULL;
		edge_drop(from, k);
	}
}
