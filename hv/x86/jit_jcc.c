/* Near jumps at the end of a translated block, natively: JMP rel8/rel16/32
 * and Jcc. When the flags come from an instruction of the same block that
 * the JIT did itself (jit_form.c): an ALU operation, TEST, INC/DEC, NEG,
 * a shift by an immediate or IMUL, that form leaves the lazy record
 * with a mask and width known when the block is translated (its slow
 * path, the handler, writes the same record), so the condition is read
 * from the record or EFLAGS with no call: x86_cond's reading, flag by
 * flag. After anything else, or reading PF, the code calls x86_cond
 * itself (not the Jcc's handler). The jump itself is emitted as the fused pairs' (jit_emit.c):
 * EIP set, and a target beyond the CS limit faults with ip_start at it. */
#include "hv/x86/jit_asm.h"

static bool is_jcc(const struct x86_insn *in)
{
	return (in->op >= 0x70 && in->op <= 0x7f) || (in->op >= 0x180 && in->op <= 0x18f);
}

static bool is_jmp(const struct x86_insn *in)
{
	return in->op == 0xe9 || in->op == 0xeb;
}

void x86_jit_flags_after(struct j_flags *st, const struct j_form *f)
{
	if (!f) {
		st->known = false;
		return;
	}
	switch (f->op) {
	case J_MOV:
	case J_LEA:
	case J_MOVZX:
	case J_MOVSX:
	case J_NOT:
	case J_CMOV:
	case J_SETCC:
	case J_CBW:
	case J_CWD:
	case J_NOP:
	case J_PUSH:
	case J_POP:
	case J_LEAVE: return; /* no flag changed */
	case J_INC:
	case J_DEC: /* CF folded into EFLAGS (incdec in fast.h) */
		*st = (struct j_flags){true, X86_ARITH & ~X86_CF, f->size * 8};
		return;
	case J_SHIFT: /* shift_flags() in shift.c, but a count of CL may be 0 */
		if (f->sub >= 4 && f->b.kind == J_IMM)
			*st = (struct j_flags){true, X86_ARITH, f->size * 8};
		else
			st->known = false;
		return;
	case J_XADD:
	case J_CMPXCHG: /* alu() of ADD, CMP */
		*st = (struct j_flags){true, X86_ARITH, f->size * 8};
		return;
	case J_DSHIFT: /* shift_flags(), but a count of CL may be 0 */
		if (f->in->op & 1)
			st->known = false;
		else
			*st = (struct j_flags){true, X86_ARITH, 32};
		return;
	case J_IMUL: /* imul2() and mul() in muldiv.c: CF, OF and AF in EFLAGS */
	case J_MUL: *st = (struct j_flags){true, X86_SF | X86_ZF | X86_PF, f->size * 8}; return;
	default: /* alu(); not rotates, BSF/BSR (ZF in EFLAGS), CALL, RET */
		if (f->op <= J_TEST)
			*st = (struct j_flags){true, X86_ARITH, f->size * 8};
		else
			st->known = false;
		return;
	}
}

bool x86_jit_jump_native(const struct x86_insn *in)
{
	if (in->lock || in->fn == x86_op_ud)
		return false;
	if (is_jmp(in))
		return true;
	return is_jcc(in);
}

/* test dword [rbx + off], imm */
static void test_mem(struct as *a, uint32_t off, uint32_t imm)
{
	E(a, 0xf7, 0x83);
	b4(a, off);
	b4(a, imm);
}

/* Tests flag F as fast.h's zf(), cf(), sf() and of() read it: returns
 * the host condition (4: z, 5: nz) that holds when it is set; esi and
 * edi are clobbered. */
static unsigned flag_test(struct as *a, uint32_t F, const struct j_flags *st)
{
	uint32_t top = 1u << (st->bits - 1);

	if (!(st->mask & F)) {
		test_mem(a, CPU(eflags), F);
		return 0x5;
	}
	switch (F) {
	case X86_ZF: test_mem(a, CPU(lazy.res), x86_mask(st->bits / 8)); return 0x4;
	case X86_SF: test_mem(a, CPU(lazy.res), top); return 0x5;
	case X86_CF: test_mem(a, CPU(lazy.cv), top); return 0x5;
	default: /* OF: bit bits-1 of cv ^ cv << 1 */
		load(a, RSI, CPU(lazy.cv));
		E(a, 0x8d, 0x3c, 0x36); /* lea edi, [rsi + rsi] */
		rr(a, 0x31, RDI, RSI);
		E(a, 0xf7, 0xc6); /* test esi, top */
		b4(a, top);
		return 0x5;
	}
}

/* The low byte of host register r = flag F (0 or 1). */
static void flag(struct as *a, unsigned r, uint32_t F, const struct j_flags *st)
{
	E(a, 0x0f, (uint8_t)(0x90 | flag_test(a, F, st)), (uint8_t)(0xc0 | r)); /* setcc r8 */
}

/* Sets the host flags for the condition cc >> 1 (not negated): returns
 * the host condition that holds when it does. One flag is tested in
 * place; the others are combined in al, then `test al, al`. Flags not
 * known when the block is translated, and PF, are x86_cond's (a call). */
static unsigned condition(struct as *a, unsigned cc, const struct j_flags *st)
{
	static const uint32_t one[] = {X86_OF, X86_CF, X86_ZF, 0, X86_SF};

	if (!st->known || cc >> 1 == 5) {
		mov_imm(a, RSI, cc & ~1u);
		call_fn(a, (const void *)x86_cond);
	} else if (cc >> 1 <= 4 && cc >> 1 != 3) {
		return flag_test(a, one[cc >> 1], st);
	} else if (cc >> 1 == 3) {
		flag(a, RAX, X86_CF, st);
		flag(a, RCX, X86_ZF, st);
		E(a, 0x08, 0xc8); /* or al, cl */
	} else {		  /* 6: SF != OF; 7: ZF or SF != OF */
		flag(a, RAX, X86_SF, st);
		flag(a, RCX, X86_OF, st);
		E(a, 0x30, 0xc8); /* xor al, cl */
		if (cc >> 1 == 7) {
			flag(a, RDX, X86_ZF, st);
			E(a, 0x08, 0xd0); /* or al, dl */
		}
	}
	E(a, 0x84, 0xc0); /* test al, al */
	return 0x5;
}

/* eax = EIP at off from the block's first for a jump that leaves by a
 * fixed slot (out non-NULL): cut to 16 bits (`cut`) only by a way out of
 * its own, cold, the rel32 jmp it puts in *wrap: a 16-bit EIP that wraps
 * around is not at off from the first, so it goes back to the run loop
 * (its count returned), stored, and checked against the CS limit (the
 * ja to `fault`, to patch) when `limit`. */
static void fixed_ip(struct as *a, uint32_t off, uint32_t cut, bool limit, uint8_t **fault,
		     uint8_t **wrap)
{
	uint8_t *ja;
	bool was_cold;

	block_ip(a, off, 0xffffffffu);
	*fault = NULL;
	*wrap = NULL;
	if (cut != 0xffff)
		return;
	b1(a, 0x3d); /* cmp eax, 0ffffh; ja (cold) */
	b4(a, 0xffff);
	ja = jump(a, 0x7);
	was_cold = a->in_cold;
	cold_area(a);
	patch(a, ja);
	zext(a, RAX, 2);
	if (limit) {
		mem_op(a, 0x3b, RAX, CPU(seg[X86_CS].limit));
		*fault = jump(a, 0x7); /* ja */
	}
	store(a, RAX, CPU(eip));
	*wrap = jump(a, 0xe9);
	as_area(a, was_cold);
}

/* Whether the jump's target is within the bytes of its block, at
 * end + rel from its first EIP with no cut (rel as fixed_ip adds it):
 * every entry of the block checked them against the CS limit (no
 * instruction but a block's last changes CS), so no 16-bit EIP wraps and
 * none is beyond the limit. */
static bool inside(const struct j_jump *j, uint32_t mask, uint32_t rel)
{
	uint32_t to = j->end + rel;

	if (mask == 0xffff ? j->osz != 2 : j->osz != 4)
		return false;
	return (int32_t)to >= 0 && to < j->end;
}

/* The #GP of a target beyond the CS limit, out of line: ip_start at the
 * jump, EIP after it; the ja of the limit's check (and of a 16-bit EIP
 * that wrapped) patched there. */
static void emit_fault(struct as *a, const struct j_jump *j, uint32_t mask, uint8_t *fault,
		       uint8_t *fault16)
{
	bool was_cold = a->in_cold;
	uint16_t valid;

	cold_area(a);
	patch(a, fault);
	patch(a, fault16);
	block_ip(a, j->at, mask);
	store(a, RAX, CPU(ip_start));
	block_ip(a, j->end, mask);
	store(a, RAX, CPU(eip));
	b1(a, 0xbe); /* mov esi, #GP; xor edx, edx */
	b4(a, X86_VEC_GP);
	rr(a, 0x31, RDX, RDX);
	valid = a->valid;
	call_fn(a, (const void *)cpu_raise);
	a->valid = valid; /* (it does not return) */
	as_area(a, was_cold);
}

void x86_jit_jump(struct as *a, const struct j_jump *j, uint32_t mask)
{
	uint8_t *skip = NULL, *fault = NULL, *fault16 = NULL, *done;
	bool direct = j->out && (j->osz == 2 || (j->osz == 4 && mask == 0xffffffffu));
	/* rel as 16-bit EIP adds it (cut to 16 bits after) */
	uint32_t rel = j->osz == 2 ? (uint32_t)(int32_t)(int16_t)j->rel : j->rel;
	bool loop = inside(j, mask, rel);

	/* (lea keeps the host flags; no cut: a start within the block, as
	 * inside() says) */
	block_ip(a, j->start, 0xffffffffu);
	store(a, RAX, CPU(ip_start));
	if (j->cc < 16)
		skip = jump(a, j->cc ^ 1);
	if (loop) {
		/* within the block's own bytes, which its entry checked
		 * against the CS limit (a loop) */
		block_ip(a, j->end + rel, 0xffffffffu);
		if (direct)
			j->out->wrap[0] = NULL;
	} else if (direct) {
		/* (j->osz == 2: the sum cut to 16 bits) */
		fixed_ip(a, j->end + rel, j->osz == 2 ? 0xffff : mask, true, &fault16,
			 &j->out->wrap[0]);
	} else if (j->osz == 2 || mask == 0xffffffffu) {
		/* the sum cut to 16 or 32 bits, whatever the carries past them */
		block_ip(a, j->end + j->rel, j->osz == 2 ? 0xffff : mask);
	} else {
		block_ip(a, j->end, mask);
		b1(a, 0x05); /* add eax, rel */
		b4(a, j->rel);
	}
	if (!loop) {
		mem_op(a, 0x3b, RAX, CPU(seg[X86_CS].limit));
		fault = jump(a, 0x7); /* ja */
	}
	store(a, RAX, CPU(eip));
	/* over the not-taken way, or the way out (its slot) */
	done = skip || direct ? jump(a, 0xe9) : NULL;
	if (fault)
		emit_fault(a, j, mask, fault, fault16);
	if (skip) {
		patch(a, skip);
		if (direct) {
			fixed_ip(a, j->end, mask, false, &fault16, &j->out->wrap[1]);
		} else {
			block_ip(a, j->end, mask);
		}
		store(a, RAX, CPU(eip));
		if (direct)
			j->out->jmp[1] = jump(a, 0xe9);
	} else if (direct) {
		j->out->jmp[1] = NULL;
		j->out->wrap[1] = NULL;
	}
	if (direct) {
		j->out->jmp[0] = done;
		j->out->delta[0] = j->end + rel;
		j->out->delta[1] = j->end;
	} else {
		if (j->out)
			j->out->jmp[0] = NULL;
		patch(a, done);
	}
}

void x86_jit_near(struct as *a, const struct x86_insn *in, const struct j_flags *st, uint32_t off,
		  uint32_t mask, struct j_exit *out)
{
	bool rel8 = in->op < 0x100 && in->op != 0xe9;
	struct j_jump j = {
	    16, rel8 ? x86_sext(in->imm, 1) : in->imm, in->osz, off, off, off + in->len, out};

	if (is_jcc(in)) {
		unsigned holds = condition(a, in->op & 15, st);

		j.cc = (in->op & 1) ? holds ^ 1 : holds; /* an odd cc negates */
	}
	x86_jit_jump(a, &j, mask);
}
