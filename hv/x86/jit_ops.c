/* More instructions the JIT does natively (after jit_form.c's MOV, ALU,
 * TEST, INC/DEC, NEG), ranked by what translated blocks still called
 * handlers for during a Linux boot: the group-2 shifts and rotates
 * (ROL, ROR, SHL, SHR, SAR by an immediate, by 1 and by CL), LEA,
 * MOVZX/MOVSX, IMUL reg, r/m(, imm), MUL r/m32, BSF/BSR and NOT. Each
 * leaves the registers, EFLAGS and the lazy record exactly as its handler
 * does (shift.c, mov.c, muldiv.c, bits.c, alu.c); a memory operand goes
 * through jit_form.c's inline soft-TLB path like the others. */
#include "hv/x86/jit_asm.h"

static struct j_opnd imm_opnd(uint32_t imm)
{
	return (struct j_opnd){J_IMM, 0, imm};
}

/* Group 2 but RCL and RCR: C0h/C1h imm8, D0h/D1h by 1, D2h/D3h by CL. A
 * count that is 0 once masked changes nothing and stays a handler call. */
static bool shift_form(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (in->reg == 2 || in->reg == 3)
		return false;
	f->op = J_SHIFT;
	f->sub = in->reg;
	f->size = (op & 1) ? in->osz : 1;
	f->a = f->dst = j_rm_opnd(in, f->size);
	if (op == 0xc0 || op == 0xc1) {
		if ((in->imm & 31) == 0)
			return false;
		f->b = imm_opnd(in->imm & 31);
	} else if (op == 0xd0 || op == 0xd1) {
		f->b = imm_opnd(1);
	} else {
		f->b = j_reg_opnd(X86_ECX, 1);
	}
	return true;
}

bool x86_jit_form_ops(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3))
		return shift_form(in, f);
	if ((op == 0xf6 || op == 0xf7) && in->reg == 2) {
		f->op = J_NOT;
		f->size = op == 0xf6 ? 1 : in->osz;
		f->a = f->dst = j_rm_opnd(in, f->size);
	} else if (op == 0x1bc || op == 0x1bd) {
		f->op = J_BSCAN;
		f->sub = op & 1;
		f->size = in->osz;
		f->b = j_rm_opnd(in, in->osz);
		f->dst = j_reg_opnd(in->reg, in->osz);
	} else if (op == 0xf7 && in->reg == 4 && in->osz == 4) {
		f->op = J_MUL;
		f->size = 4;
		f->a = j_reg_opnd(X86_EAX, 4);
		f->b = j_rm_opnd(in, 4);
	} else if (op == 0x8d && in->mod != 3) {
		f->op = J_LEA;
		f->size = in->osz;
		f->dst = j_reg_opnd(in->reg, in->osz);
	} else if (op == 0x1b6 || op == 0x1b7 || op == 0x1be || op == 0x1bf) {
		f->op = op < 0x1be ? J_MOVZX : J_MOVSX;
		f->size = (op & 1) ? 2 : 1;
		f->dsize = in->osz;
		f->b = j_rm_opnd(in, f->size);
		f->dst = j_reg_opnd(in->reg, in->osz);
	} else if (op == 0x1af) {
		f->op = J_IMUL;
		f->size = in->osz;
		f->a = f->dst = j_reg_opnd(in->reg, in->osz);
		f->b = j_rm_opnd(in, in->osz);
	} else if (op == 0x69 || op == 0x6b) {
		f->op = J_IMUL;
		f->size = in->osz;
		f->a = j_rm_opnd(in, in->osz);
		f->b = imm_opnd((op == 0x6b ? x86_sext(in->imm, 1) : in->imm) & x86_mask(in->osz));
		f->dst = j_reg_opnd(in->reg, in->osz);
	} else {
		return false;
	}
	return true;
}

/* movsx r64 (or r32 with rex 0) r of host register s, from size bytes. */
static void sext_to(struct as *a, unsigned rex, unsigned d, unsigned s, unsigned size)
{
	if (size == 4) {
		if (rex)
			E(a, rex, 0x63, 0xc0 | d << 3 | s); /* movsxd */
		else if (d != s)
			rr(a, 0x89, s, d);
		return;
	}
	if (rex)
		b1(a, rex);
	E(a, 0x0f, size == 1 ? 0xbe : 0xbf, 0xc0 | d << 3 | s);
}

/* shl/shr/sar r32, imm8 (ModRM reg 4, 5, 7). */
static void shift_imm(struct as *a, unsigned ext, unsigned r, unsigned n)
{
	E(a, 0xc1, 0xc0 | ext << 3 | r, n);
}

/* The carry vector of a shift (shift.c's shift_flags): eax = esi << top |
 * (esi ^ edi) << (top - 1), esi the CF and edi the OF (0 or 1). */
void x86_jit_shift_cv(struct as *a, unsigned top)
{
	rr(a, 0x89, RSI, RAX);
	shift_imm(a, 4, RAX, top);
	rr(a, 0x31, RDI, RSI);
	shift_imm(a, 4, RSI, top - 1);
	rr(a, 0x09, RSI, RAX);
}

/* SHL, SHR, SAR of eax (zero-extended) by ecx (1-31): edx = the result,
 * eax = the carry vector, as shl(), shr() and sar() in shift.c. */
static void shift(struct as *a, unsigned sub, unsigned size)
{
	unsigned top = size * 8 - 1;

	if (sub == 4 || sub == 6) {		 /* SHL: CF is bit `bits` of v << n */
		rr(a, 0x89, RAX, RDX);		 /* mov edx, eax */
		E(a, 0x48, 0xd3, 0xe2);		 /* shl rdx, cl */
		E(a, 0x48, 0x89, 0xd6);		 /* mov rsi, rdx */
		E(a, 0x48, 0xc1, 0xee, top + 1); /* shr rsi, bits */
		E(a, 0x83, 0xe6, 1);		 /* and esi, 1 */
		zext(a, RDX, size);
		rr(a, 0x89, RDX, RDI); /* OF = msb(r) ^ CF */
		shift_imm(a, 5, RDI, top);
		rr(a, 0x31, RSI, RDI);
		x86_jit_shift_cv(a, top);
		return;
	}
	if (sub == 7)
		sext_to(a, 0, RAX, RAX, size);
	rr(a, 0x89, RAX, RDX);
	E(a, 0xd3, sub == 7 ? 0xfa : 0xea); /* sar/shr edx, cl */
	zext(a, RDX, size);
	rr(a, 0x89, RAX, RSI); /* CF = bit n - 1 */
	E(a, 0xff, 0xc9);      /* dec ecx */
	E(a, 0xd3, sub == 7 ? 0xfe : 0xee);
	E(a, 0x83, 0xe6, 1);
	if (sub == 7) {
		rr(a, 0x31, RDI, RDI); /* OF = 0 */
	} else {
		rr(a, 0x89, RAX, RDI); /* OF = msb(v) */
		shift_imm(a, 5, RDI, top);
	}
	x86_jit_shift_cv(a, top);
}

/* EFLAGS' bits `clear` replaced by ecx (its only bits set among them),
 * which are no longer lazy: x86_set_flag for each. */
static void set_flags(struct as *a, uint32_t clear, bool lazy_too)
{
	load(a, RSI, CPU(eflags));
	E(a, 0x81, 0xe6); /* and esi, ~clear */
	b4(a, ~clear);
	rr(a, 0x09, RCX, RSI);
	store(a, RSI, CPU(eflags));
	if (lazy_too) {
		E(a, 0x81, 0xa3); /* and dword [rbx + lazy.mask], ~clear */
		b4(a, CPU(lazy.mask));
		b4(a, ~clear);
	}
}

/* ROL, ROR of eax by cl: edx = the result; CF and OF set in EFLAGS (rol()
 * and ror() in shift.c, from the result, whatever the count). */
static void rotate(struct as *a, unsigned sub, unsigned size)
{
	unsigned top = size * 8 - 1;

	if (size == 2)
		b1(a, 0x66);
	E(a, size == 1 ? 0xd2 : 0xd3, sub == 0 ? 0xc0 : 0xc8);
	rr(a, 0x89, RAX, RDX);
	zext(a, RDX, size);
	rr(a, 0x89, RDX, RSI);
	rr(a, 0x89, RDX, RDI);
	if (sub == 0) { /* CF = bit 0, OF = msb ^ CF */
		E(a, 0x83, 0xe6, 1);
		shift_imm(a, 5, RDI, top);
	} else { /* CF = msb, OF = msb ^ the bit below */
		shift_imm(a, 5, RSI, top);
		shift_imm(a, 5, RDI, top - 1);
		E(a, 0x83, 0xe7, 1);
	}
	rr(a, 0x31, RSI, RDI);
	rr(a, 0x89, RSI, RCX);
	shift_imm(a, 4, RDI, 11);
	rr(a, 0x09, RDI, RCX);
	set_flags(a, X86_CF | X86_OF, true);
}

/* SHL, SHR, SAR of the 32 bits of eax by n (1-31), as shift(): the
 * carry vector's two bits from the bit shifted out last (moved to bit
 * 31) and msb(r) or msb(v), with no CF and OF apart (9 instructions
 * fewer for SHL, 6 for SHR, 8 for SAR). */
static void shift32_imm(struct as *a, unsigned sub, unsigned n)
{
	if (sub == 4 || sub == 6) { /* t = v << (n - 1): CF in bit 31, msb(r) in 30 */
		rr(a, 0x89, RAX, RDX);
		if (n > 1)
			shift_imm(a, 4, RDX, n - 1);
		rr(a, 0x89, RDX, RAX);
		rr(a, 0x01, RDX, RDX); /* r = t << 1 */
	} else {
		rr(a, 0x89, RAX, RDX);
		shift_imm(a, sub, RDX, n); /* shr/sar edx, n */
		shift_imm(a, 4, RAX, 32 - n);
		shift_imm(a, 7, RAX, 1); /* CF in bits 31 and 30 */
		if (sub == 5) {		 /* OF = msb(v), bit 31 - n of r: CF ^ OF in bit 30 */
			rr(a, 0x89, RDX, RSI);
			if (n > 1)
				shift_imm(a, 4, RSI, n - 1);
			rr(a, 0x31, RSI, RAX);
		}
	}
	E(a, 0x25); /* and eax, CF << 31 | (CF ^ OF) << 30 */
	b4(a, 0xc0000000u);
}

/* A shift f->sunk (jit_sink.c): its operand kept for the slow paths that
 * build its record, then done in place, the record left as it was. */
static void sunk_shift(struct as *a, const struct j_form *f)
{
	unsigned h = x86_jit_cached(a, f->a.off);

	if (h) {
		x86_jit_store_host(a, h, CPU(sunk_opnd));
	} else {
		x86_jit_get(a, RAX, &f->a, 4);
		store(a, RAX, CPU(sunk_opnd));
	}
	x86_jit_inplace_shift(a, f);
	a->lazy_known = false;
	a->cf_folded = false;
}

void x86_jit_shift_record(struct as *a, const struct j_form *f)
{
	load(a, RAX, CPU(sunk_opnd));
	shift32_imm(a, f->sub, f->b.imm);
	x86_jit_set_lazy(a, X86_ARITH, 4);
}

static void emit_shift(struct as *a, const struct j_form *f)
{
	uint8_t *skip = NULL;

	if (f->dead) { /* by an immediate (x86_jit_defs) */
		x86_jit_inplace_shift(a, f);
		return;
	}
	if (f->sunk) {
		sunk_shift(a, f);
		return;
	}
	if (f->b.kind == J_IMM && f->size == 4 && f->sub >= 4) {
		x86_jit_get(a, RAX, &f->a, 4);
		shift32_imm(a, f->sub, f->b.imm);
		x86_jit_put(a, RDX, &f->dst, 4);
		x86_jit_set_lazy(a, X86_ARITH, 4);
		return;
	}
	if (f->b.kind == J_IMM) {
		mov_imm(a, RCX, f->b.imm);
	} else {
		x86_jit_get(a, RCX, &f->b, 1);
		E(a, 0x83, 0xe1, 31); /* and ecx, 31; jz: nothing changes */
		skip = jump(a, 0x4);
	}
	x86_jit_get(a, RAX, &f->a, f->size);
	if (f->sub <= 1) {
		rotate(a, f->sub, f->size);
		x86_jit_put(a, RDX, &f->dst, f->size);
	} else {
		shift(a, f->sub, f->size);
		x86_jit_put(a, RDX, &f->dst, f->size);
		x86_jit_set_lazy(a, X86_ARITH, f->size);
	}
	if (skip)
		patch(a, skip);
}

/* imul2() in muldiv.c: the product cut to the size in edx; CF = OF = it
 * did not fit, AF clear, SF/ZF/PF lazy from it. */
static void emit_imul(struct as *a, const struct j_form *f)
{
	unsigned size = f->size;

	x86_jit_get(a, RAX, &f->a, size);
	x86_jit_get(a, RCX, &f->b, size);
	if (f->dead) { /* the low half of the product alone (x86_jit_defs) */
		rr(a, 0x89, RAX, RDX);
		E(a, 0x0f, 0xaf, 0xd1); /* imul edx, ecx */
		x86_jit_put(a, RDX, &f->dst, size);
		return;
	}
	if (size == 4) { /* the host's CF: the same "did not fit" */
		rr(a, 0x89, RAX, RDX);
		E(a, 0x0f, 0xaf, 0xd1); /* imul edx, ecx; setc al; movzx ecx, al */
		E(a, 0x0f, 0x92, 0xc0);
		E(a, 0x0f, 0xb6, 0xc8);
	} else {
		sext_to(a, 0x48, RAX, RAX, size);
		sext_to(a, 0x48, RCX, RCX, size);
		E(a, 0x48, 0x0f, 0xaf, 0xc1); /* imul rax, rcx */
		rr(a, 0x89, RAX, RDX);
		zext(a, RDX, size);
		sext_to(a, 0x48, RSI, RAX, size);
		E(a, 0x48, 0x39, 0xc6); /* cmp rsi, rax */
		mov_imm(a, RCX, 0);
		E(a, 0x0f, 0x95, 0xc1); /* setne cl */
	}
	E(a, 0x69, 0xc9); /* imul ecx, ecx, CF | OF */
	b4(a, X86_CF | X86_OF);
	set_flags(a, X86_CF | X86_OF | X86_AF, false);
	rr(a, 0x31, RAX, RAX);
	x86_jit_put(a, RDX, &f->dst, size);
	x86_jit_set_lazy(a, X86_SF | X86_ZF | X86_PF, size);
}

/* mul() in muldiv.c, 32 bits: EDX:EAX = EAX * the operand; CF = OF = the
 * high half is not 0, AF clear, SF/ZF/PF lazy from the low half. */
static void emit_mul(struct as *a, const struct j_form *f)
{
	const struct j_opnd edx = j_reg_opnd(X86_EDX, 4);

	x86_jit_get(a, RAX, &f->a, 4);
	x86_jit_get(a, RCX, &f->b, 4);
	E(a, 0xf7, 0xe1); /* mul ecx */
	x86_jit_put(a, RAX, &f->a, 4);
	x86_jit_put(a, RDX, &edx, 4);
	if (f->dead) /* (x86_jit_defs) */
		return;
	mov_imm(a, RCX, 0);
	rr(a, 0x85, RDX, RDX);	/* test edx, edx */
	E(a, 0x0f, 0x95, 0xc1); /* setne cl */
	E(a, 0x69, 0xc9);	/* imul ecx, ecx, CF | OF */
	b4(a, X86_CF | X86_OF);
	set_flags(a, X86_CF | X86_OF | X86_AF, false);
	rr(a, 0x89, RAX, RDX);
	rr(a, 0x31, RAX, RAX);
	x86_jit_set_lazy(a, X86_SF | X86_ZF | X86_PF, 4);
}

/* x86_op_bsf, x86_op_bsr: ZF (in EFLAGS, no longer lazy) = the operand
 * is 0; else the host's BSF/BSR of it to the register. */
static void emit_bscan(struct as *a, const struct j_form *f)
{
	uint8_t *zero;

	x86_jit_get(a, RAX, &f->b, f->size);
	mov_imm(a, RCX, 0);
	rr(a, 0x85, RAX, RAX);	/* test eax, eax */
	E(a, 0x0f, 0x94, 0xc1); /* sete cl */
	shift_imm(a, 4, RCX, 6);
	set_flags(a, X86_ZF, true);
	rr(a, 0x85, RAX, RAX); /* test eax, eax; jz zero */
	zero = jump(a, 0x4);
	E(a, 0x0f, f->sub ? 0xbd : 0xbc, 0xc0); /* bsr/bsf eax, eax */
	x86_jit_put(a, RAX, &f->dst, f->size);
	patch(a, zero);
}

void x86_jit_op_ops(struct as *a, const struct j_form *f)
{
	switch (f->op) {
	case J_NOT:
		x86_jit_get(a, RAX, &f->a, f->size);
		E(a, 0xf7, 0xd0); /* not eax */
		x86_jit_put(a, RAX, &f->dst, f->size);
		return;
	case J_LEA:
		x86_jit_ea(a, f->in);
		x86_jit_put(a, RSI, &f->dst, f->dsize);
		return;
	case J_MOVZX:
	case J_MOVSX:
		if (x86_jit_load_direct(a, f, f->op == J_MOVSX))
			return;
		x86_jit_get(a, RAX, &f->b, f->size);
		if (f->op == J_MOVSX)
			sext_to(a, 0, RAX, RAX, f->size);
		x86_jit_put(a, RAX, &f->dst, f->dsize);
		return;
	case J_SHIFT: emit_shift(a, f); return;
	case J_MUL: emit_mul(a, f); return;
	case J_BSCAN: emit_bscan(a, f); return;
	default: emit_imul(a, f); return;
	}
}
