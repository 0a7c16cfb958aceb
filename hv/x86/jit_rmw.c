/* Read-modify-write instructions the JIT does natively, next in an idle
 * modern guest's handler calls after jit_cond.c's: XADD and CMPXCHG
 * without LOCK (a uniprocessor kernel patches its LOCK prefixes out), in
 * 8, 16 and 32 bits, and SHLD and SHRD of 32 bits by an immediate or CL.
 * Each leaves the registers, the operand and the lazy record as its
 * handler does (alu.c, shift.c): CMPXCHG writes its destination back
 * when it does not match, as the processor does; a count that is 0 once
 * masked changes nothing. A memory operand goes through jit_form.c's
 * inline soft-TLB path (for writing) like the others. */
#include "hv/x86/jit_asm.h"

bool x86_jit_form_rmw(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (op == 0x1c0 || op == 0x1c1 || op == 0x1b0 || op == 0x1b1) {
		f->op = op >= 0x1c0 ? J_XADD : J_CMPXCHG;
		f->size = (op & 1) ? in->osz : 1;
		f->dst = j_rm_opnd(in, f->size);
		if (f->op == J_XADD) {
			f->a = f->dst;
			f->b = j_reg_opnd(in->reg, f->size);
		} else {
			f->a = j_reg_opnd(X86_EAX, f->size);
			f->b = f->dst;
		}
		return true;
	}
	if ((op == 0x1a4 || op == 0x1a5 || op == 0x1ac || op == 0x1ad) && in->osz == 4) {
		if (!(op & 1) && (in->imm & 31) == 0)
			return false;
		f->op = J_DSHIFT;
		f->sub = op >= 0x1ac;
		f->size = 4;
		f->a = f->dst = j_rm_opnd(in, 4);
		f->b = j_reg_opnd(in->reg, 4);
		return true;
	}
	return false;
}

/* x86_op_xadd: the destination's old value to the register, then the sum
 * to the destination (so XADD of a register with itself leaves the sum);
 * a memory destination's address was taken before either. */
static void emit_xadd(struct as *a, const struct j_form *f)
{
	x86_jit_get(a, RAX, &f->a, f->size);
	x86_jit_get(a, RCX, &f->b, f->size);
	rr(a, 0x89, RAX, RDI); /* mov edi, eax */
	x86_jit_alu_cv(a, J_ADD, f->size, false, f->dead);
	if (!f->dead)
		x86_jit_set_lazy(a, X86_ARITH, f->size);
	rr(a, 0x89, RDI, RAX);
	x86_jit_put(a, RAX, &f->b, f->size);
	x86_jit_put(a, RDX, &f->dst, f->size);
}

/* x86_op_cmpxchg: CMP of the accumulator with the destination, then the
 * source to the destination when equal, else the destination written
 * back and loaded into the accumulator. */
static void emit_cmpxchg(struct as *a, const struct j_form *f)
{
	struct j_opnd src = j_reg_opnd(f->in->reg, f->size);
	uint8_t *ne, *done;

	x86_jit_get(a, RAX, &f->a, f->size);
	x86_jit_get(a, RCX, &f->b, f->size);
	x86_jit_alu_cv(a, J_CMP, f->size, false, false);
	x86_jit_set_lazy(a, X86_ARITH, f->size);
	rr(a, 0x85, RDX, RDX); /* test edx, edx; jnz ne */
	ne = jump(a, 0x5);
	x86_jit_get(a, RAX, &src, f->size);
	x86_jit_put(a, RAX, &f->dst, f->size);
	done = jump(a, 0xe9);
	patch(a, ne);
	x86_jit_put(a, RCX, &f->dst, f->size);
	x86_jit_put(a, RCX, &f->a, f->size);
	patch(a, done);
}

/* x86_op_shld, x86_op_shrd of 32 bits: the host's own shift of eax (the
 * destination) with edx (the source) by cl, its CF; OF is msb(r) ^
 * msb(dst) for every count, as shift.c has it. */
static void emit_dshift(struct as *a, const struct j_form *f)
{
	const struct j_opnd cl = j_reg_opnd(X86_ECX, 1);
	uint8_t *skip = NULL;

	if (!(f->in->op & 1)) {
		mov_imm(a, RCX, f->in->imm & 31);
	} else {
		x86_jit_get(a, RCX, &cl, 1);
		E(a, 0x83, 0xe1, 31); /* and ecx, 31; jz: nothing changes */
		skip = jump(a, 0x4);
	}
	x86_jit_get(a, RAX, &f->a, 4);
	x86_jit_get(a, RDX, &f->b, 4);
	rr(a, 0x89, RAX, RDI);			/* mov edi, eax */
	rr(a, 0x31, RSI, RSI);			/* xor esi, esi */
	E(a, 0x0f, f->sub ? 0xad : 0xa5, 0xd0); /* shld/shrd eax, edx, cl */
	E(a, 0x40, 0x0f, 0x92, 0xc6);		/* setc sil */
	rr(a, 0x89, RAX, RDX);			/* mov edx, eax */
	rr(a, 0x31, RAX, RDI);			/* xor edi, eax */
	E(a, 0xc1, 0xef, 31);			/* shr edi, 31 */
	x86_jit_shift_cv(a, 31);
	x86_jit_put(a, RDX, &f->dst, 4);
	x86_jit_set_lazy(a, X86_ARITH, 4);
	if (skip)
		patch(a, skip);
}

void x86_jit_op_rmw(struct as *a, const struct j_form *f)
{
	if (f->op == J_XADD)
		emit_xadd(a, f);
	else if (f->op == J_CMPXCHG)
		emit_cmpxchg(a, f);
	else
		emit_dshift(a, f);
}
