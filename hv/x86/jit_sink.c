/* Lazy flag records sunk into slow paths. jit_live.c counts a memory
 * form as a point that reads every flag: its slow path (a soft-TLB miss,
 * then the handler) may fault or leave the block, with the record and
 * EFLAGS as the interpreter has them. An INC or DEC of a register whose
 * flags are read only there (every fast path replaces them all first:
 * after it come only forms that neither read nor replace a flag, nor
 * write its register, then one that replaces its flags) writes no record
 * and folds no CF on its fast path (J_LIVE_SUNK; jit_form.c's
 * sunk_incdec). Each slow path of a memory form from it to that form
 * writes them instead, before its handler: the operand is the register
 * less (INC) or plus (DEC) 1, the register unwritten since. A second
 * such slow path after a first writes the same record again; the fold
 * reads the record's mask at run time, so it folds nothing then. The
 * fast path leaves EFLAGS.CF stale under the old record's mask, which
 * the lazy flags allow (cpu_state.h) and the lockstep check ignores.
 *
 * A 32-bit SHL, SHR or SAR of a register by an immediate is sunk the
 * same way, except that its result does not give back its operand (the
 * bits shifted out): its fast path stores the operand in
 * x86_cpu.sunk_opnd (one store, where the record took some dozen
 * instructions), then shifts in place; the slow paths build the record
 * from it. It replaces every flag, so they fold nothing, and its
 * register may be written after it. */
#include "hv/x86/jit_asm.h"

/* A 32-bit shift of a register by an immediate (SHL, SHR, SAR). */
static bool shift_imm(const struct j_form *f)
{
	return f->op == J_SHIFT && f->sub >= 4 && f->b.kind == J_IMM && f->size == 4;
}

/* Whether in is a native INC or DEC of a register, or shift_imm, whose
 * flags are read after it (live: those read; *f its form, *def its
 * flags). */
static bool producer(const struct x86_insn *in, uint32_t live, struct j_form *f, uint32_t *def)
{
	if (in->fuse || !x86_jit_form(in, f) || f->mem)
		return false;
	if (f->op != J_INC && f->op != J_DEC && !shift_imm(f))
		return false;
	*def = x86_jit_defs(f);
	return (*def & live) != 0;
}

/* The index of the native form after p that replaces all of def, the
 * forms between reading and replacing no flag and writing none of the
 * registers `regs`; 0 for none. */
static unsigned killer(const struct x86_block *b, unsigned p, uint32_t def, unsigned regs)
{
	for (unsigned k = p + 1; k < b->n; k++) {
		const struct x86_insn *in = &b->insns[k];
		struct j_form f;
		uint32_t d, u;
		bool native = in->fuse ? x86_jit_fused_native(in, &f) : x86_jit_form(in, &f);

		if (!native || !x86_jit_effect(&f, &d, &u) || (u & def))
			return 0;
		if ((d & def) == def)
			return k;
		if (d || u || in->fuse || (x86_jit_form_writes(&f) & regs))
			return 0;
	}
	return 0;
}

void x86_jit_sink(const struct x86_block *b, uint32_t *live, uint8_t *owner)
{
	memset(owner, J_NO_SINK, b->n);
	for (unsigned p = 0; p < b->n; p++) {
		struct j_form f;
		uint32_t def;
		unsigned k;

		if (!producer(&b->insns[p], live[p], &f, &def))
			continue;
		k = killer(b, p, def, f.op == J_SHIFT ? 0 : x86_jit_opnd_reg(&f.dst));
		if (!k)
			continue;
		live[p] |= J_LIVE_SUNK;
		for (unsigned i = p + 1; i <= k; i++)
			owner[i] = (uint8_t)p;
	}
}

void x86_jit_sink_record(struct as *a, const struct x86_insn *in, bool fold)
{
	struct j_form f;
	bool dec;

	if (!x86_jit_form(in, &f))
		return; /* (cannot happen: x86_jit_sink chose it) */
	a->valid = 0;	/* memory holds the registers; the handler is next */
	if (f.op == J_SHIFT) {
		a->lazy_known = false;
		x86_jit_shift_record(a, &f); /* all its flags: none to fold */
		return;
	}
	dec = f.op == J_DEC;
	if (fold)
		x86_jit_fold_cf_lazy(a);
	x86_jit_get(a, RAX, &f.dst, f.size);
	E(a, 0x8d, 0x40, dec ? 0x01 : 0xff); /* lea eax, [rax -/+ 1]: the operand */
	zext(a, RAX, f.size);
	x86_jit_incdec_cv(a, dec, f.size);
	a->lazy_known = false; /* the body's record state does not hold here */
	x86_jit_set_lazy(a, X86_ARITH & ~X86_CF, f.size);
}
