/* ALU forms, INC/DEC and shifts by an immediate whose flags no one reads
 * (f->dead), or only CF, folded by an INC or DEC (f->cf_only; jit_live.c):
 * the host's own operation of the same size on the operand in place
 * ([rbx + off], [r8], or the host register caching it, then memory), whose
 * CF is the guest's when it is kept. No carry vector, no lazy record. */
#include "hv/x86/jit_asm.h"

/* op r/m, with ModRM reg field `reg` (an extension, or host register 0-15),
 * on operand o of `size` (opc8 for bytes, opc otherwise, 66h for words):
 * on its cached register if any (returned; 0 for memory). Its immediate,
 * if any, comes next, then rm_done. */
static unsigned rm_op(struct as *a, unsigned size, unsigned opc8, unsigned opc, unsigned reg,
		      const struct j_opnd *o)
{
	unsigned h = o->kind == J_REG ? x86_jit_cached(a, o->off) : 0;

	x86_jit_prefix(a, size, reg, h ? h : o->kind == J_MEM ? 8 : 0);
	b1(a, size == 1 ? opc8 : opc);
	if (h) {
		b1(a, 0xc0 | (reg & 7) << 3 | (h & 7));
	} else if (o->kind == J_MEM) {
		b1(a, (reg & 7) << 3);
	} else {
		b1(a, 0x83 | (reg & 7) << 3);
		b4(a, o->off);
	}
	return h;
}

/* After an operation that writes (`write`) operand o: memory = its cached
 * register h, or h loaded again after a write of its AH-BH in memory
 * (mov keeps the host flags). */
static void rm_done(struct as *a, unsigned h, const struct j_opnd *o, bool write)
{
	if (!write || o->kind != J_REG)
		return;
	if (h)
		x86_jit_store_host(a, h, o->off);
	else
		x86_jit_resync(a, o->off);
}

/* The host register of the source operand of an operation in place: its
 * cached register, or ecx loaded. */
static unsigned src_reg(struct as *a, const struct j_opnd *o, unsigned size)
{
	unsigned h = o->kind == J_REG ? x86_jit_cached(a, o->off) : 0;

	if (h)
		return h;
	x86_jit_get(a, RCX, o, size);
	return RCX;
}

/* EFLAGS.CF = the host's CF (logic: 0): in the host register caching
 * EFLAGS if any, then memory. */
static void keep_cf(struct as *a, bool logic)
{
	unsigned h = x86_jit_cached(a, CPU(eflags));

	if (!logic)
		E(a, 0x0f, 0x92, 0xc0); /* setc al */
	if (h) {
		x86_jit_prefix(a, 4, 0, h); /* and h, ~CF */
		E(a, 0x83, (uint8_t)(0xe0 | (h & 7)), 0xfe);
		if (!logic) {
			E(a, 0x0f, 0xb6, 0xc0);	    /* movzx eax, al */
			x86_jit_prefix(a, 4, 0, h); /* or h, eax */
			E(a, 0x09, (uint8_t)(0xc0 | (h & 7)));
		}
		x86_jit_store_host(a, h, CPU(eflags));
		a->cf_folded = true;
		return;
	}
	E(a, 0x80, 0xa3); /* and byte [rbx + eflags], ~CF */
	b4(a, CPU(eflags));
	b1(a, 0xfe);
	if (!logic) {
		E(a, 0x08, 0x83); /* or byte [rbx + eflags], al */
		b4(a, CPU(eflags));
	}
	a->cf_folded = true;
}

void x86_jit_inplace_alu(struct as *a, const struct j_form *f)
{
	unsigned op = f->op, size = f->size;
	bool logic = op == J_OR || op == J_AND || op == J_XOR || op == J_TEST;
	/* CMP changes no operand: its a, to set the host's CF */
	const struct j_opnd *o = op == J_CMP ? &f->a : &f->dst;

	if (op == J_ADC || op == J_SBB) {
		x86_jit_carry_in(a);
		E(a, 0x0f, 0xba, 0xe7, 0x00); /* bt edi, 0: the host's CF */
	}
	if (op == J_TEST || (op == J_CMP && f->dead)) {
		/* nothing to change */
	} else if (f->a.kind == J_IMM) { /* NEG: 0 - the operand */
		rm_done(a, rm_op(a, size, 0xf6, 0xf7, 3, o), o, true);
	} else if (f->b.kind == J_IMM) {
		unsigned h = rm_op(a, size, 0x80, 0x81, op, o);

		b_imm(a, size, f->b.imm);
		rm_done(a, h, o, op != J_CMP);
	} else {
		unsigned src = src_reg(a, &f->b, size);

		rm_done(a, rm_op(a, size, op * 8, op * 8 + 1, src, o), o, op != J_CMP);
	}
	if (f->cf_only)
		keep_cf(a, logic);
}

void x86_jit_inplace_incdec(struct as *a, const struct j_form *f)
{
	rm_done(a, rm_op(a, f->size, 0xfe, 0xff, f->op == J_DEC, &f->dst), &f->dst, true);
}

void x86_jit_inplace_shift(struct as *a, const struct j_form *f)
{
	unsigned h = rm_op(a, f->size, 0xc0, 0xc1, f->sub == 6 ? 4 : f->sub, &f->dst);

	b1(a, f->b.imm);
	rm_done(a, h, &f->dst, true);
}
