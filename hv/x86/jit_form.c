/* The instructions the JIT does natively (jit_emit.c calls the handler of
 * every other one): MOV, the ALU operations (ADC and SBB with the carry
 * in from the lazy record or EFLAGS), TEST, INC and DEC, NEG, in 8, 16
 * and 32 bits, on registers, immediates and memory, and through jit_ops.c
 * the shifts and rotates, LEA, MOVZX/MOVSX, IMUL and NOT, through
 * jit_cond.c CMOVcc, SETcc, CBW/CWD and the NOPs, through jit_rmw.c
 * XADD, CMPXCHG, SHLD and SHRD. The
 * lazy flags record is written as fast.h's alu() and incdec() write it.
 * A memory operand goes through the soft TLB inline, as x86_fast_ptr
 * does: the segment's fast check (fast_end, see x86_seg_sync), then the
 * tag of the access kind for the page of the operand's last byte, then
 * the host load or store at the entry's addend plus the linear address.
 * Anything else (a segment check that needs the full path, a miss, a page
 * straddle, MMIO, a page holding decoded code, whose write tags block.c drops)
 * takes the instruction's slow path, emitted by jit_emit.c: its handler, which
 * does it all again with the faults. Nothing is changed before the operand is
 * reached. An operand in the page of the one before (the same registers,
 * a known distance) skips the lookup (jit_near.c). */
#include "hv/x86/jit_asm.h"

_Static_assert(sizeof(struct x86_tlb_entry) == 32, "TLB entries are indexed by shl 5");
_Static_assert((X86_TLB_SIZE & (X86_TLB_SIZE - 1)) == 0, "the TLB is indexed by a mask");

static struct j_opnd imm_opnd(uint32_t imm, unsigned size)
{
	return (struct j_opnd){J_IMM, 0, imm & x86_mask(size)};
}

static const struct j_opnd none = {J_NONE, 0, 0};

/* op r/m, reg (dir 0) or op reg, r/m (dir 1), or op acc, imm. */
static bool alu_form(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op, size = (op & 1) ? in->osz : 1;

	f->op = (op >> 3) & 7;
	f->size = size;
	switch (op & 7) {
	case 0:
	case 1:
		f->a = j_rm_opnd(in, size);
		f->b = j_reg_opnd(in->reg, size);
		f->dst = f->a;
		break;
	case 2:
	case 3:
		f->a = j_reg_opnd(in->reg, size);
		f->b = j_rm_opnd(in, size);
		f->dst = f->a;
		break;
	case 4:
	case 5:
		f->a = j_reg_opnd(X86_EAX, size);
		f->b = imm_opnd(in->imm, size);
		f->dst = f->a;
		break;
	default: return false;
	}
	return true;
}

/* Group 1 (80h, 81h, 83h), TEST (84h, 85h, A8h, A9h), INC/DEC. */
static bool other_form(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (op == 0x80 || op == 0x81 || op == 0x83) {
		f->size = op == 0x80 ? 1 : in->osz;
		f->op = in->reg;
		f->a = f->dst = j_rm_opnd(in, f->size);
		f->b = imm_opnd(op == 0x83 ? x86_sext(in->imm, 1) : in->imm, f->size);
	} else if (op == 0x84 || op == 0x85) {
		f->size = op == 0x84 ? 1 : in->osz;
		f->op = J_TEST;
		f->a = j_rm_opnd(in, f->size);
		f->b = j_reg_opnd(in->reg, f->size);
	} else if (op == 0xa8 || op == 0xa9) {
		f->size = op == 0xa8 ? 1 : in->osz;
		f->op = J_TEST;
		f->a = j_reg_opnd(X86_EAX, f->size);
		f->b = imm_opnd(in->imm, f->size);
	} else if (op >= 0x40 && op < 0x50) {
		f->size = in->osz;
		f->op = op < 0x48 ? J_INC : J_DEC;
		f->a = f->dst = j_reg_opnd(op & 7, f->size);
	} else if ((op == 0xf6 || op == 0xf7) && in->reg <= 3 && in->reg != 2) {
		/* group 3: TEST r/m, imm; NEG as SUB from 0 (x86_op_grp3) */
		f->size = op == 0xf6 ? 1 : in->osz;
		f->op = in->reg <= 1 ? J_TEST : J_SUB;
		f->a = in->reg <= 1 ? j_rm_opnd(in, f->size) : imm_opnd(0, f->size);
		f->b = in->reg <= 1 ? imm_opnd(in->imm, f->size) : j_rm_opnd(in, f->size);
		if (in->reg == 3)
			f->dst = f->b;
	} else if ((op == 0xfe || op == 0xff) && in->reg <= 1) {
		f->size = op == 0xfe ? 1 : in->osz;
		f->op = in->reg ? J_DEC : J_INC;
		f->a = f->dst = j_rm_opnd(in, f->size);
	} else {
		return false;
	}
	return true;
}

/* MOV: 88h-8Bh, A0h-A3h, B0h-BFh, C6h/C7h /0. */
static bool mov_form(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	f->op = J_MOV;
	if (op >= 0x88 && op <= 0x8b) {
		f->size = (op & 1) ? in->osz : 1;
		f->b = (op & 2) ? j_rm_opnd(in, f->size) : j_reg_opnd(in->reg, f->size);
		f->dst = (op & 2) ? j_reg_opnd(in->reg, f->size) : j_rm_opnd(in, f->size);
	} else if (op >= 0xa0 && op <= 0xa3) {
		f->size = (op & 1) ? in->osz : 1;
		f->b = (op & 2) ? j_reg_opnd(X86_EAX, f->size) : (struct j_opnd){J_MEM, 0, 0};
		f->dst = (op & 2) ? (struct j_opnd){J_MEM, 0, 0} : j_reg_opnd(X86_EAX, f->size);
	} else if (op >= 0xb0 && op < 0xc0) {
		f->size = op < 0xb8 ? 1 : in->osz;
		f->b = imm_opnd(in->imm, f->size);
		f->dst = j_reg_opnd(op & 7, f->size);
	} else if ((op == 0xc6 || op == 0xc7) && in->reg == 0) {
		f->size = op == 0xc6 ? 1 : in->osz;
		f->b = imm_opnd(in->imm, f->size);
		f->dst = j_rm_opnd(in, f->size);
	} else {
		return false;
	}
	return true;
}

bool x86_jit_form(const struct x86_insn *in, struct j_form *f)
{
	bool ok;

	*f = (struct j_form){in, 0, 0, 0, 0, none, none, none, false, false, false, false, false};
	if (in->lock || in->rep || in->fn == x86_op_ud)
		return false;
	if (in->op < 0x40 && (in->op & 7) <= 5)
		ok = alu_form(in, f);
	else if ((in->op >= 0x88 && in->op <= 0x8b) || (in->op >= 0xa0 && in->op <= 0xa3) ||
		 (in->op >= 0xb0 && in->op < 0xc0) || in->op == 0xc6 || in->op == 0xc7)
		ok = mov_form(in, f);
	else
		ok = other_form(in, f) || x86_jit_form_ops(in, f) || x86_jit_form_stack(in, f) ||
		     x86_jit_form_cond(in, f) || x86_jit_form_rmw(in, f);
	if (!ok)
		return false;
	if (!f->dsize)
		f->dsize = f->size;
	if (f->op == J_CMP || f->op == J_TEST)
		f->dst = none;
	f->mem =
	    f->a.kind == J_MEM || f->b.kind == J_MEM || f->dst.kind == J_MEM || f->op >= J_PUSH;
	f->write = f->dst.kind == J_MEM || f->op == J_PUSH || f->op == J_CALL;
	return true;
}

/* lea dst, [base + index << scale + disp], base and index any host
 * registers (index RSP: none; base NOBASE: none) with the given mod (0:
 * no displacement, 1: disp8, 2: disp32). */
#define NOBASE J_NOBASE

static void lea_sib(struct as *a, unsigned mod, unsigned dst, unsigned base, unsigned index,
		    unsigned scale, uint32_t disp)
{
	unsigned rex = 0x40 | (index >> 3) << 1 | (base == NOBASE ? 0 : base >> 3);

	if (base == NOBASE)
		mod = 0; /* base field 5 with mod 0: disp32, no base */
	else if (mod == 0 && (base & 7) == RBP)
		mod = 1; /* (that would mean no base: rbp takes a disp8 of 0) */
	if (rex != 0x40)
		b1(a, rex);
	E(a, 0x8d, (uint8_t)(mod << 6 | dst << 3 | 4),
	  (uint8_t)(scale << 6 | (index & 7) << 3 | (base == NOBASE ? RBP : base & 7)));
	if (mod == 1)
		b1(a, disp);
	else if (mod == 2 || base == NOBASE)
		b4(a, disp);
}

void x86_jit_lea(struct as *a, unsigned dst, unsigned base, unsigned index, unsigned scale,
		 uint32_t disp)
{
	unsigned mod = !disp ? 0 : x86_sext(disp, 1) == disp ? 1 : 2;

	lea_sib(a, mod, dst, base, index, scale, disp);
}

/* esi = the operand's offset (x86_ea; for A0h-A3h, the moffs). */
void x86_jit_ea(struct as *a, const struct x86_insn *in)
{
	unsigned base = NOBASE, index = RSP;

	if (in->op >= 0xa0 && in->op <= 0xa3) {
		mov_imm(a, RSI, in->imm);
		return;
	}
	if (in->index != X86_REG_NONE)
		index = ea_reg(a, in->index, RAX);
	if (in->base != X86_REG_NONE)
		base = ea_reg(a, in->base, RSI);
	if (base == NOBASE && index == RSP) {
		mov_imm(a, RSI, in->disp);
	} else if (index == RSP && !in->disp) {
		if (base != RSI) {
			x86_jit_prefix(a, 4, base, RSI); /* mov esi, base */
			rr(a, 0x89, base & 7, RSI);
		}
	} else {
		x86_jit_lea(a, RSI, base, index, in->scale & 3u, in->disp);
	}
	if (in->asz == 2)
		zext(a, RSI, 2);
}

void x86_jit_tlb_lookup(struct as *a, unsigned lin, unsigned size, bool write, uint8_t *miss[2])
{
	const uint32_t tlb = CPU(tlb);

	rr(a, 0x89, lin, RCX);	  /* mov ecx, lin */
	E(a, 0xc1, 0xe9, 12 - 5); /* shr ecx, 7 */
	E(a, 0x81, 0xe1);	  /* and ecx, slot << 5 */
	b4(a, (X86_TLB_SIZE - 1) << 5);
	if (size <= 128) { /* lea eax, [lin + size - 1]; shr eax, 12 */
		E(a, 0x8d, (uint8_t)(0x40 | lin), size - 1);
	} else { /* (jit_near.c's lookups of up to a page) */
		E(a, 0x8d, (uint8_t)(0x80 | lin));
		b4(a, size - 1);
	}
	E(a, 0xc1, 0xe8, 12);
	E(a, 0x41, 0x3b, 0x84, 0x0d); /* cmp eax, [r13 + rcx + tag[acc]] */
	b4(a, tlb + (uint32_t)offsetof(struct x86_tlb_entry, tag) + 4u * write);
	miss[1] = jump(a, 0x5);
	E(a, 0x4c, 0x8b, 0x84, 0x0b); /* mov r8, [rbx + rcx + addend] */
	b4(a, tlb + (uint32_t)offsetof(struct x86_tlb_entry, addend));
	E(a, 0x49, 0x01, (uint8_t)(0xc0 | lin << 3)); /* add r8, lin */
}

void x86_jit_tlb(struct as *a, unsigned s, unsigned size, bool write, uint8_t *miss[2])
{
	const uint32_t seg = CPU(seg) + s * (uint32_t)sizeof(struct x86_seg);

	a->last.valid = false; /* r8 is another page's */
	/* A flat segment (the block's entries check it) adds nothing, and
	 * its fast check lets through every access the tag check does not
	 * stop: one that wraps past 4 GiB has the tag of page 0 in another
	 * slot, a miss, as a page straddle. */
	if (a->flat >> s & 1) {
		a->flat_used |= (uint8_t)(1u << s);
		miss[0] = NULL;
		x86_jit_tlb_lookup(a, RSI, size, write, miss);
		return;
	}
	/* cmp esi, [rbx + fast_end[write]]; jae miss */
	mem_op(a, 0x3b, RSI, seg + (uint32_t)offsetof(struct x86_seg, fast_end) + 4u * write);
	miss[0] = jump(a, 0x3);
	rr(a, 0x89, RSI, RDX);					    /* mov edx, esi */
	mem_op(a, 0x03, RDX, seg + offsetof(struct x86_seg, base)); /* add edx, base */
	x86_jit_tlb_lookup(a, RDX, size, write, miss);
}

void x86_jit_mem(struct as *a, const struct x86_insn *in, const struct j_form *f,
		 uint8_t *miss[J_MISSES], struct j_near *n)
{
	/* The segment of A0h-A3h is the override or DS (mov.c). */
	unsigned s = in->op >= 0xa0 && in->op <= 0xa3 ? (in->seg >= 0 ? (unsigned)in->seg : X86_DS)
						      : in->ea_seg;

	if (f->op >= J_PUSH) {
		x86_jit_stack_mem(a, f, miss);
		return;
	}
	if (x86_jit_near_mem(a, in, s, f, n))
		return;
	x86_jit_ea(a, in);
	x86_jit_tlb(a, s, f->size, f->write, miss);
	x86_jit_near_source(a, in, s, f);
}

/* Host register r = the operand, zero-extended. */
void x86_jit_get(struct as *a, unsigned r, const struct j_opnd *o, unsigned size)
{
	unsigned h = o->kind == J_REG ? x86_jit_cached(a, o->off) : 0;

	if (o->kind == J_IMM) {
		mov_imm(a, r, o->imm);
		return;
	}
	if (h) { /* mov r, h or movzx r, h8/h16 */
		x86_jit_prefix(a, size == 1 ? 1 : 4, r, h);
		if (size == 4)
			b1(a, 0x8b);
		else
			E(a, 0x0f, size == 1 ? 0xb6 : 0xb7);
		b1(a, 0xc0 | (r & 7) << 3 | (h & 7));
		return;
	}
	if (o->kind == J_MEM)
		b1(a, 0x41); /* [r8] */
	if (size == 4) {
		b1(a, 0x8b);
	} else {
		b1(a, 0x0f);
		b1(a, size == 1 ? 0xb6 : 0xb7);
	}
	if (o->kind == J_MEM) {
		b1(a, r << 3);
	} else {
		b1(a, 0x83 | r << 3);
		b4(a, o->off);
	}
}

bool x86_jit_load_direct(struct as *a, const struct j_form *f, bool sx)
{
	unsigned size = f->size;
	unsigned hd = f->dst.kind == J_REG ? x86_jit_cached(a, f->dst.off) : 0;
	unsigned hs = f->b.kind == J_REG ? x86_jit_cached(a, f->b.off) : 0;
	uint8_t opc = size == 4 ? 0x8b : (uint8_t)((sx ? 0xbe : 0xb6) + (size == 2));

	if (f->dst.kind != J_REG || f->dsize != 4 || (!hs && f->b.kind != J_MEM))
		return false;
	if (!hd && hs && size == 4) { /* MOV: memory = hs */
		x86_jit_store_host(a, hs, f->dst.off);
		return true;
	}
	if (!hd)
		return false;
	if (hs) { /* mov hd, hs; movzx or movsx hd, hs8/hs16 */
		x86_jit_prefix(a, size == 1 ? 1 : 4, hd, hs);
	} else {
		b1(a, 0x41 | (hd >> 3) << 2); /* [r8] */
	}
	if (size != 4)
		b1(a, 0x0f);
	b1(a, opc);
	b1(a, (hs ? 0xc0 | (hs & 7) : 0) | (hd & 7) << 3);
	x86_jit_store_host(a, hd, f->dst.off);
	return true;
}

/* MOV to memory of a cached register: mov [r8], h8/h16/h32, not through
 * eax. */
static bool store_direct(struct as *a, const struct j_form *f)
{
	unsigned h = f->b.kind == J_REG ? x86_jit_cached(a, f->b.off) : 0;

	if (f->dst.kind != J_MEM || !h)
		return false;
	x86_jit_prefix(a, f->size, h, 8);
	b1(a, f->size == 1 ? 0x88 : 0x89);
	b1(a, (h & 7) << 3);
	return true;
}

/* The low size bytes of cached register h = those of host register r,
 * then memory = h. */
static void put_cached(struct as *a, unsigned r, unsigned h, uint32_t off, unsigned size)
{
	if (size == 4) {
		store(a, r, off);
		return;
	}
	x86_jit_prefix(a, size, r, h); /* mov h8/h16, r8/r16 */
	b1(a, size == 1 ? 0x88 : 0x89);
	b1(a, 0xc0 | (r & 7) << 3 | (h & 7));
	x86_jit_store_host(a, h, off);
}

/* The operand = the low size bytes of host register r (eax or edx). */
void x86_jit_put(struct as *a, unsigned r, const struct j_opnd *o, unsigned size)
{
	unsigned h = o->kind == J_REG ? x86_jit_cached(a, o->off) : 0;

	if (h) {
		put_cached(a, r, h, o->off, size);
		return;
	}
	if (size == 2)
		b1(a, 0x66);
	if (o->kind == J_MEM)
		b1(a, 0x41);
	b1(a, size == 1 ? 0x88 : 0x89);
	if (o->kind == J_MEM) {
		b1(a, r << 3);
	} else {
		b1(a, 0x83 | r << 3);
		b4(a, o->off);
		x86_jit_resync(a, o->off); /* AH-BH */
	}
}

/* The operand = imm. */
static void put_imm(struct as *a, const struct j_opnd *o, uint32_t imm, unsigned size)
{
	unsigned h = o->kind == J_REG ? x86_jit_cached(a, o->off) : 0;

	if (h) { /* mov h8/h16/h32, imm; memory = h */
		x86_jit_prefix(a, size, 0, h);
		b1(a, (size == 1 ? 0xb0 : 0xb8) + (h & 7));
		b_imm(a, size, imm);
		x86_jit_store_host(a, h, o->off);
		return;
	}
	if (size == 2)
		b1(a, 0x66);
	if (o->kind == J_MEM)
		b1(a, 0x41);
	b1(a, size == 1 ? 0xc6 : 0xc7);
	if (o->kind == J_MEM) {
		b1(a, 0x00);
	} else {
		b1(a, 0x83);
		b4(a, o->off);
	}
	b_imm(a, size, imm);
	if (o->kind == J_REG)
		x86_jit_resync(a, o->off); /* AH-BH */
}

/* edx = eax op ecx (ADD, ADC, SUB, SBB, CMP; ADC and SBB also add or
 * subtract edi, the carry in) in 64 bits, then eax = its carry vector:
 * for zero-extended operands, the carry (borrow) out of bit i is the one
 * into bit i + 1, bit i + 1 of a ^ b ^ r, whatever the operation; bit
 * 32 of the 64-bit r is the carry out of bit 31. This is fast.h's
 * add_cv and sub_cv of the operands and the 32-bit result (bits past the
 * size: 0 for a sum, the borrow for a difference, as theirs). */
static void arith_cv(struct as *a, unsigned op)
{
	if (op == J_ADD || op == J_ADC) {
		E(a, 0x48, 0x8d, 0x14, 0x08); /* lea rdx, [rax + rcx] */
		if (op == J_ADC)
			E(a, 0x48, 0x01, 0xfa); /* add rdx, rdi */
	} else {
		E(a, 0x48, 0x89, 0xc2); /* mov rdx, rax; sub rdx, rcx */
		E(a, 0x48, 0x29, 0xca);
		if (op == J_SBB)
			E(a, 0x48, 0x29, 0xfa); /* sub rdx, rdi */
	}
	E(a, 0x48, 0x31, 0xc8); /* xor rax, rcx; xor rax, rdx; shr rax, 1 */
	E(a, 0x48, 0x31, 0xd0);
	E(a, 0x48, 0xd1, 0xe8);
}

/* edx = eax op ecx and eax = its carry vector (fast.h's add_cv, sub_cv)
 * for zero-extended operands of `size`; ecx is kept. With `masked` (INC
 * and DEC, as incdec() does) the vector is that of the result cut to the
 * size, otherwise (alu()) of the full one; edx is cut to it either way.
 * ADC and SBB add or subtract edi, the carry in, too. `dead`: no vector
 * (the flags are not kept). */
void x86_jit_alu_cv(struct as *a, unsigned op, unsigned size, bool masked, bool dead)
{
	static const uint8_t code[] = {
	    [J_ADD] = 0x01, [J_OR] = 0x09,  [J_ADC] = 0x01, [J_SBB] = 0x29, [J_AND] = 0x21,
	    [J_SUB] = 0x29, [J_XOR] = 0x31, [J_CMP] = 0x29, [J_TEST] = 0x21};
	bool logic = op == J_OR || op == J_AND || op == J_XOR || op == J_TEST;

	if (dead || logic) {
		rr(a, 0x89, RAX, RDX);
		rr(a, code[op], RCX, RDX);
		if (op == J_ADC || op == J_SBB)
			rr(a, code[op], RDI, RDX);
		zext(a, RDX, size);
		if (!dead)
			rr(a, 0x31, RAX, RAX);
		return;
	}
	arith_cv(a, op);
	/* the vector of the cut result: none of the carry out of the size */
	if (masked && size < 4) {
		b1(a, 0x25); /* and eax, mask */
		b4(a, x86_mask(size));
	}
	zext(a, RDX, size);
}

/* When the lazy record holds CF: reg = that CF (bit 0, upper bits
 * garbage), ecx clobbered. Returns where the jz that skips it when not
 * ends (its displacement is patched by the caller). */
static uint8_t *lazy_cf(struct as *a, unsigned reg)
{
	uint8_t *skip;

	b1(a, 0xf6); /* test byte [rbx + mask], CF */
	b1(a, 0x83);
	b4(a, CPU(lazy.mask));
	b1(a, X86_CF);
	b1(a, 0x74); /* jz skip */
	b1(a, 0);
	skip = a->p;
	load(a, reg, CPU(lazy.cv));
	b1(a, 0x0f); /* movzx ecx, byte [rbx + bits] */
	b1(a, 0xb6);
	b1(a, 0x8b);
	b4(a, CPU(lazy.bits));
	E(a, 0xff, 0xc9);		   /* dec ecx */
	E(a, 0xd3, (uint8_t)(0xe8 | reg)); /* shr reg, cl */
	return skip;
}

/* Where CF is when the code so far has run, as far as the translation
 * knows: in EFLAGS, in the lazy record of known width, or unknown (the
 * record's mask says, at run time). */
enum { CF_EFLAGS, CF_LAZY, CF_RUNTIME };

static int cf_where(const struct as *a)
{
	if (a->cf_folded || (a->lazy_known && !(a->lazy_mask & X86_CF)))
		return CF_EFLAGS;
	return a->lazy_known ? CF_LAZY : CF_RUNTIME;
}

bool x86_jit_cf_in_eflags(const struct as *a)
{
	return cf_where(a) == CF_EFLAGS;
}

/* reg = the CF of a lazy record of the known width (bit 0, upper bits
 * garbage). */
static void known_lazy_cf(struct as *a, unsigned reg)
{
	load(a, reg, CPU(lazy.cv));
	E(a, 0xc1, (uint8_t)(0xe8 | reg), (uint8_t)(a->lazy_bits - 1)); /* shr reg, bits - 1 */
}

void x86_jit_carry_in(struct as *a)
{
	uint8_t *skip, *done;

	switch (cf_where(a)) {
	case CF_EFLAGS: load(a, RDI, CPU(eflags)); break;
	case CF_LAZY: known_lazy_cf(a, RDI); break;
	default:
		skip = lazy_cf(a, RDI);
		E(a, 0xeb, 0); /* jmp done */
		done = a->p;
		if (!a->over)
			skip[-1] = (uint8_t)(a->p - skip);
		load(a, RDI, CPU(eflags));
		if (!a->over)
			done[-1] = (uint8_t)(a->p - done);
		break;
	}
	E(a, 0x83, 0xe7, 1); /* and edi, 1 */
}

/* The lazy record's mask and bits, when they may differ from what it
 * holds (its res and cv are stored). */
static void lazy_kind(struct as *a, uint32_t mask, unsigned size)
{
	a->cf_folded = false; /* the record says where CF is */
	if (a->lazy_known && a->lazy_mask == mask && a->lazy_bits == size * 8)
		return;
	store_imm(a, CPU(lazy.mask), mask);
	b1(a, 0xc6); /* mov byte [rbx + bits], size * 8 */
	b1(a, 0x83);
	b4(a, CPU(lazy.bits));
	b1(a, size * 8);
	a->lazy_known = true;
	a->lazy_mask = mask;
	a->lazy_bits = size * 8;
}

void x86_jit_set_lazy(struct as *a, uint32_t mask, unsigned size)
{
	store(a, RDX, CPU(lazy.res));
	store(a, RAX, CPU(lazy.cv));
	lazy_kind(a, mask, size);
}

/* OR, AND, XOR of 32 bits into a cached register whose flags are seen:
 * done on its host register (from an immediate, a register or [r8]),
 * which then goes to memory and to the record's res, with a cv of 0
 * (alu()'s for logic), in 4 instructions instead of 9. */
static bool logic_direct(struct as *a, const struct j_form *f)
{
	unsigned op = f->op, hd, hs;

	if ((op != J_OR && op != J_AND && op != J_XOR) || f->size != 4 || f->dst.kind != J_REG)
		return false;
	hd = x86_jit_cached(a, f->dst.off);
	if (!hd)
		return false;
	hs = f->b.kind == J_REG ? x86_jit_cached(a, f->b.off) : 0;
	if (f->b.kind == J_IMM) { /* op hd, imm32 */
		x86_jit_prefix(a, 4, 0, hd);
		E(a, 0x81, (uint8_t)(0xc0 | op << 3 | (hd & 7)));
		b4(a, f->b.imm);
	} else if (hs) { /* op hd, hs */
		x86_jit_prefix(a, 4, hs, hd);
		E(a, (uint8_t)(op * 8 + 1), (uint8_t)(0xc0 | (hs & 7) << 3 | (hd & 7)));
	} else if (f->b.kind == J_MEM) { /* op hd, [r8] */
		E(a, (uint8_t)(0x41 | (hd >> 3) << 2), (uint8_t)(op * 8 + 3),
		  (uint8_t)((hd & 7) << 3));
	} else { /* op hd, [rbx + off] */
		x86_jit_prefix(a, 4, hd, 0);
		E(a, (uint8_t)(op * 8 + 3), (uint8_t)(0x83 | (hd & 7) << 3));
		b4(a, f->b.off);
	}
	x86_jit_store_host(a, hd, f->dst.off);
	x86_jit_store_host(a, hd, CPU(lazy.res));
	store_imm(a, CPU(lazy.cv), 0);
	lazy_kind(a, X86_ARITH, 4);
	return true;
}

/* EFLAGS.CF = the host's CF, after clear_cf: adc dword [rbx + eflags], 0;
 * the host register caching EFLAGS, if any, loaded again (both wrote
 * memory alone). */
static void put_cf(struct as *a)
{
	E(a, 0x83, 0x93);
	b4(a, CPU(eflags));
	b1(a, 0);
	x86_jit_resync(a, CPU(eflags));
}

/* and dword [rbx + eflags], ~CF (the host's CF cleared too). */
static void clear_cf(struct as *a)
{
	E(a, 0x83, 0xa3);
	b4(a, CPU(eflags));
	b1(a, 0xfe);
}

/* CF folded into EFLAGS when the record holds it (incdec in fast.h):
 * nothing when the translation knows it does not, no test when it
 * knows it does. The record's CF, bit bits - 1 of cv, goes to the host's
 * CF (bt), and from there into EFLAGS. */
static void fold_cf(struct as *a)
{
	switch (cf_where(a)) {
	case CF_EFLAGS: return;
	case CF_LAZY:
		clear_cf(a);
		E(a, 0x0f, 0xba, 0xa3); /* bt dword [rbx + cv], bits - 1 */
		b4(a, CPU(lazy.cv));
		b1(a, a->lazy_bits - 1);
		put_cf(a);
		break;
	default: x86_jit_fold_cf_lazy(a); break;
	}
	a->cf_folded = true;
}

void x86_jit_fold_cf_lazy(struct as *a)
{
	uint8_t *skip;

	b1(a, 0xf6); /* test byte [rbx + mask], CF */
	b1(a, 0x83);
	b4(a, CPU(lazy.mask));
	b1(a, X86_CF);
	E(a, 0x74, 0); /* jz skip */
	skip = a->p;
	b1(a, 0x0f); /* movzx ecx, byte [rbx + bits] */
	b1(a, 0xb6);
	b1(a, 0x8b);
	b4(a, CPU(lazy.bits));
	load(a, RAX, CPU(lazy.cv));
	E(a, 0xff, 0xc9); /* dec ecx */
	clear_cf(a);
	E(a, 0x0f, 0xa3, 0xc8); /* bt eax, ecx */
	put_cf(a);
	if (!a->over)
		skip[-1] = (uint8_t)(a->p - skip);
}

/* Masked, as incdec() does: a ^ 1 ^ r differs from a ^ r only in bit 0,
 * which the shift drops, so no ecx of 1 is needed. */
void x86_jit_incdec_cv(struct as *a, bool dec, unsigned size)
{
	E(a, 0x48, 0x8d, 0x50, dec ? 0xff : 0x01); /* lea rdx, [rax +/- 1] */
	E(a, 0x48, 0x31, 0xd0);			   /* xor rax, rdx; shr rax, 1 */
	E(a, 0x48, 0xd1, 0xe8);
	if (size < 4) {
		b1(a, 0x25); /* and eax, mask */
		b4(a, x86_mask(size));
	}
	zext(a, RDX, size);
}

/* INC or DEC f->sunk: in place, the record and CF left as they were
 * here, or as the slow paths after it wrote them (jit_sink.c): its mask
 * and width no longer known, CF in EFLAGS only if it was already. */
static void sunk_incdec(struct as *a, const struct j_form *f)
{
	bool in_eflags = cf_where(a) == CF_EFLAGS;

	x86_jit_inplace_incdec(a, f);
	a->lazy_known = false;
	a->cf_folded = in_eflags;
}

static void op_body(struct as *a, const struct j_form *f)
{
	unsigned size = f->size;

	switch (f->op) {
	case J_MOV:
		if (f->b.kind == J_IMM) {
			put_imm(a, &f->dst, f->b.imm, size);
		} else if (!x86_jit_load_direct(a, f, false) && !store_direct(a, f)) {
			x86_jit_get(a, RAX, &f->b, size);
			x86_jit_put(a, RAX, &f->dst, size);
		}
		return;
	case J_INC:
	case J_DEC:
		if (f->sunk) {
			sunk_incdec(a, f);
			return;
		}
		fold_cf(a);
		if (f->dead) {
			x86_jit_inplace_incdec(a, f);
			return;
		}
		x86_jit_get(a, RAX, &f->a, size);
		x86_jit_incdec_cv(a, f->op == J_DEC, size);
		x86_jit_put(a, RDX, &f->dst, size);
		x86_jit_set_lazy(a, X86_ARITH & ~X86_CF, size);
		return;
	case J_NOT:
	case J_LEA:
	case J_MOVZX:
	case J_MOVSX:
	case J_SHIFT:
	case J_IMUL:
	case J_MUL:
	case J_BSCAN: x86_jit_op_ops(a, f); return;
	case J_CMOV:
	case J_SETCC:
	case J_CBW:
	case J_CWD:
	case J_NOP: x86_jit_op_cond(a, f); return;
	case J_XADD:
	case J_CMPXCHG:
	case J_DSHIFT: x86_jit_op_rmw(a, f); return;
	case J_PUSH:
	case J_POP:
	case J_LEAVE: x86_jit_op_stack(a, f); return;
	default:
		if (f->dead || f->cf_only) {
			x86_jit_inplace_alu(a, f);
			return;
		}
		if (logic_direct(a, f))
			return;
		if (f->op == J_ADC || f->op == J_SBB)
			x86_jit_carry_in(a);
		x86_jit_get(a, RAX, &f->a, size);
		x86_jit_get(a, RCX, &f->b, size);
		x86_jit_alu_cv(a, f->op, size, false, false);
		if (f->dst.kind != J_NONE)
			x86_jit_put(a, RDX, &f->dst, size);
		x86_jit_set_lazy(a, X86_ARITH, size);
		return;
	}
}

void x86_jit_op(struct as *a, const struct j_form *f)
{
	op_body(a, f);
	x86_jit_near_writes(a, f);
}

/* inc/dec (/0, /1) of eax, al or ax. */
static void incdec_eax(struct as *a, unsigned size, bool dec)
{
	if (size == 2)
		b1(a, 0x66);
	b1(a, size == 1 ? 0xfe : 0xff);
	b1(a, dec ? 0xc8 : 0xc0);
}

void x86_jit_host_flags(struct as *a, const struct j_form *f)
{
	if (f->op == J_INC || f->op == J_DEC) {
		x86_jit_get(a, RAX, &f->a, f->size);
		incdec_eax(a, f->size, f->op == J_INC);
		incdec_eax(a, f->size, f->op == J_DEC);
		return;
	}
	x86_jit_get(a, RAX, &f->a, f->size);
	if (f->size == 2)
		b1(a, 0x66);
	if (f->op == J_TEST)
		rr(a, f->size == 1 ? 0x84 : 0x85, RCX, RAX);
	else
		rr(a, f->size == 1 ? 0x38 : 0x39, RCX, RAX);
}
