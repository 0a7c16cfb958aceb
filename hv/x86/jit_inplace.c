/* ALU forms, INC/DEC and shifts by an immediate whose flags no one reads
 * (f->dead), or only CF, folded by an INC or DEC (f->cf_only; jit_live.c):
 * the host's own operation of the same size on the operand in place
 * ([rbx + off] or [r8]), whose CF is the guest's when it is kept. No
 * carry vector, no lazy record. */
#include "hv/x86/jit_asm.h"

/* op r/m, with ModRM reg field `reg`, on operand o of `size` (opc8 for
 * bytes, opc otherwise, 66h for words). */
static void rm_op(struct as *a, unsigned size, unsigned opc8, unsigned opc, unsigned reg,
		  const struct j_opnd *o)
{
	if (size == 2)
		b1(a, 0x66);
	if (o->kind == J_MEM)
		b1(a, 0x41); /* [r8] */
	b1(a, size == 1 ? opc8 : opc);
	if (o->kind == J_MEM) {
		b1(a, reg << 3);
	} else {
		b1(a, 0x83 | reg << 3);
		b4(a, o->off);
	}
}

/* EFLAGS.CF = the host's CF (logic: 0). */
static void keep_cf(struct as *a, bool logic)
{
	if (!logic)
		E(a, 0x0f, 0x92, 0xc0); /* setc al */
	E(a, 0x80, 0xa3);		/* and byte [rbx + eflags], ~CF */
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
		rm_op(a, size, 0xf6, 0xf7, 3, o);
	} else if (f->b.kind == J_IMM) {
		rm_op(a, size, 0x80, 0x81, op, o);
		b_imm(a, size, f->b.imm);
	} else {
		x86_jit_get(a, RCX, &f->b, size);
		rm_op(a, size, op * 8, op * 8 + 1, RCX, o);
	}
	if (f->cf_only)
		keep_cf(a, logic);
}

void x86_jit_inplace_incdec(struct as *a, const struct j_form *f)
{
	rm_op(a, f->size, 0xfe, 0xff, f->op == J_DEC, &f->dst);
}

void x86_jit_inplace_shift(struct as *a, const struct j_form *f)
{
	rm_op(a, f->size, 0xc0, 0xc1, f->sub == 6 ? 4 : f->sub, &f->dst);
	b1(a, f->b.imm);
}
