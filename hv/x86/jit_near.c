/* Memory operands in the page of the one before: a form of a flat
 * segment whose address is the last memory form's (a->last: the same
 * base and index registers, unwritten since, with no call in between)
 * plus a displacement known when translated does not look the soft TLB
 * up again. r8, the host address of the last operand, plus the
 * difference is its host address when its bytes lie in the page seen:
 * known when they lie within the bytes seen (or, with no base and no
 * index, from the addresses themselves), checked otherwise on the page
 * offset of the last address (3 instructions, not the lookup's 9 and
 * its two loads), out of line to the full lookup when they leave it.
 * A write needs a page seen for writing (dirty bits, code pages).
 * Every path to a form must leave what a->last says. A slow path that
 * goes back to a form's end has run a handler, which may have changed
 * the TLB or found the page unmapped (a device, a straddle): it leaves
 * r8 0, "not seen", and each form here tests r8 first (test, jz: one
 * fused pair), out of line to a full lookup of all the bytes a->last
 * will say were seen, so that the block goes on as interpreted (leaving
 * it there had ended runs short of their budget: fuzz_x86). */
#include "hv/x86/jit_asm.h"

static bool moffs(const struct x86_insn *in)
{
	return in->op >= 0xa0 && in->op <= 0xa3;
}

static uint32_t ea_disp(const struct x86_insn *in)
{
	return moffs(in) ? in->imm : in->disp;
}

static uint8_t ea_base(const struct x86_insn *in)
{
	return moffs(in) ? X86_REG_NONE : in->base;
}

static uint8_t ea_index(const struct x86_insn *in)
{
	return moffs(in) ? X86_REG_NONE : in->index;
}

static uint8_t ea_scale(const struct x86_insn *in)
{
	return ea_index(in) == X86_REG_NONE ? 0 : in->scale & 3u;
}

/* Whether the linear address of in's operand in segment s is its offset
 * (a flat segment) computed in 32 bits. */
static bool flat_32(const struct as *a, const struct x86_insn *in, unsigned s)
{
	return in->asz == 4 && (a->flat >> s & 1);
}

void x86_jit_near_source(struct as *a, const struct x86_insn *in, unsigned s,
			 const struct j_form *f)
{
	if (!flat_32(a, in, s))
		return;
	a->last = (struct j_last){.valid = true,
				  .base = ea_base(in),
				  .index = ea_index(in),
				  .scale = ea_scale(in),
				  .disp = ea_disp(in),
				  .rhi = (int32_t)f->size,
				  .write = f->write};
}

/* eax = the last operand's linear address (in's registers, the last
 * displacement). */
static void last_lin(struct as *a, const struct x86_insn *in, uint32_t disp)
{
	unsigned base = J_NOBASE, index = RSP;

	if (ea_index(in) != X86_REG_NONE)
		index = ea_reg(a, ea_index(in), RAX);
	if (ea_base(in) != X86_REG_NONE)
		base = ea_reg(a, ea_base(in), RSI);
	x86_jit_lea(a, RAX, base, index, ea_scale(in), disp);
}

/* lea r8, [r8 + d] */
static void move_r8(struct as *a, int32_t d)
{
	if (!d)
		return;
	if (d >= -128 && d < 128) {
		E(a, 0x4d, 0x8d, 0x40, (uint8_t)d);
		return;
	}
	E(a, 0x4d, 0x8d, 0x80);
	b4(a, (uint32_t)d);
}

/* The check that the page offset of the last address, eax, is at most
 * `most` (ja) or at least `least` (jb): the jump to patch. */
static uint8_t *offset_check(struct as *a, bool above, uint32_t bound)
{
	E(a, 0x25, 0xff, 0x0f, 0x00, 0x00); /* and eax, 0fffh */
	if (bound < 128) {
		E(a, 0x83, 0xf8, (uint8_t)bound); /* cmp eax, bound */
	} else {
		b1(a, 0x3d);
		b4(a, bound);
	}
	return jump(a, above ? 0x7 : 0x2);
}

/* Whether in's operand has the last one's registers. */
static bool same_regs(const struct j_last *l, const struct x86_insn *in)
{
	return l->base == ea_base(in) && l->index == ea_index(in) && l->scale == ea_scale(in);
}

/* The bytes [lo, hi) from the last address, with no base and no index:
 * whether they lie in its page, which the address gives. */
static bool static_in_page(const struct j_last *l, int32_t lo, int32_t hi)
{
	int32_t off = (int32_t)(l->disp & 0xfffu);

	return off + lo >= 0 && off + hi <= 4096;
}

bool x86_jit_near_mem(struct as *a, const struct x86_insn *in, unsigned s, const struct j_form *f,
		      struct j_near *n)
{
	struct j_last *l = &a->last;
	int32_t d, lo, hi;
	bool below, above;

	if (!l->valid || !flat_32(a, in, s) || !same_regs(l, in) || (f->write && !l->write))
		return false;
	d = (int32_t)(ea_disp(in) - l->disp);
	if (d <= -4096 || d >= 4096)
		return false;
	lo = d;
	hi = d + (int32_t)f->size;
	below = lo < l->rlo;
	above = hi > l->rhi;
	if (l->base == X86_REG_NONE && l->index == X86_REG_NONE) {
		if (!static_in_page(l, lo, hi))
			return false;
		below = above = false;
		lo = lo < l->rlo ? lo : l->rlo;
		hi = hi > l->rhi ? hi : l->rhi;
	} else if ((below && above) || hi > 4096 || lo <= -4096) {
		return false;
	} else if (!below && !above) {
		lo = l->rlo;
		hi = l->rhi;
	}
	a->flat_used |= (uint8_t)(1u << s);
	a->near++;
	E(a, 0x4d, 0x85, 0xc0); /* test r8, r8 */
	n->full[0] = jump(a, 0x4);
	if (below || above) {
		last_lin(a, in, l->disp);
		n->full[1] = offset_check(a, above, above ? (uint32_t)(4096 - hi) : (uint32_t)-lo);
		l->disp = ea_disp(in);
		l->rlo = 0;
		l->rhi = hi - lo;
		l->write = f->write;
	} else { /* within what was seen: the same page and bytes */
		l->disp = ea_disp(in);
		l->rlo = lo - d;
		l->rhi = hi - d;
	}
	move_r8(a, d);
	n->back = a->p;
	n->lo = l->rlo;
	n->size = (uint16_t)(l->rhi - l->rlo);
	n->write = l->write;
	return true;
}

uint8_t *x86_jit_near_full(struct as *a, const struct x86_insn *in, const struct j_near *n)
{
	uint8_t *miss[2] = {NULL, NULL};

	if (!n->full[0])
		return NULL;
	patch(a, n->full[0]);
	patch(a, n->full[1]);
	a->valid = 0; /* (memory holds the registers too) */
	x86_jit_ea(a, in);
	if (n->lo)
		x86_jit_lea(a, RSI, RSI, RSP, 0, (uint32_t)n->lo);
	x86_jit_tlb_lookup(a, RSI, n->size, n->write, miss);
	move_r8(a, -n->lo);
	jump_to(a, n->back);
	return miss[1];
}

void x86_jit_near_lost(struct as *a)
{
	if (a->near)
		E(a, 0x45, 0x31, 0xc0); /* xor r8d, r8d */
}

unsigned x86_jit_opnd_reg(const struct j_opnd *o)
{
	uint32_t rel = o->off - REG(0);

	return o->kind == J_REG && rel < 32 ? 1u << (rel / 4) : 0;
}

/* Its destination, its first operand but for CMP and TEST (CMPXCHG's
 * accumulator), XADD's source, MUL's EDX, the stack forms' ESP and EBP. */
unsigned x86_jit_form_writes(const struct j_form *f)
{
	unsigned m = x86_jit_opnd_reg(&f->dst);

	if (f->op != J_CMP && f->op != J_TEST)
		m |= x86_jit_opnd_reg(&f->a);
	if (f->op == J_XADD || f->op == J_CMPXCHG)
		m |= x86_jit_opnd_reg(&f->b);
	if (f->op == J_MUL || f->op == J_CWD || f->op == J_CBW)
		m |= 1u << X86_EAX | 1u << X86_EDX;
	if (f->op >= J_PUSH)
		m |= 1u << X86_ESP | 1u << X86_EBP;
	return m;
}

void x86_jit_near_writes(struct as *a, const struct j_form *f)
{
	unsigned m = x86_jit_form_writes(f);

	if (a->last.valid && ((m >> a->last.base & 1) || (m >> a->last.index & 1)))
		a->last.valid = false;
}
