/* Which arithmetic flags of a block's instructions are read before being
 * replaced (a backward pass over the block, done when it is translated):
 * a native flag setter whose flags are all replaced before anything can
 * see them writes no lazy record (jit_form.c's f->dead). Everything can
 * see them at the block's end, in a handler (its call, or a memory
 * form's slow path, which a fault leaves through with the record as the
 * interpreter has it) and at the block's last jump: those points read
 * every flag. Between them, only native register forms run, which
 * neither fault nor call: what each reads and replaces is known. An INC
 * or DEC whose flags only slow paths read has its record written there
 * (jit_sink.c). */
#include "hv/x86/jit_asm.h"

bool x86_jit_fused_native(const struct x86_insn *in, struct j_form *f)
{
	struct x86_insn first = *in;
	unsigned cc = in->fuse_cc >> 1;

	first.fuse = 0;
	if (!x86_jit_form(&first, f) || f->mem)
		return false;
	if (f->op == J_INC || f->op == J_DEC)
		return cc != 1 && cc != 3;
	return f->op == J_CMP || f->op == J_TEST;
}

uint32_t x86_jit_defs(const struct j_form *f)
{
	if (f->op == J_INC || f->op == J_DEC)
		return X86_ARITH & ~X86_CF; /* CF folded into EFLAGS (incdec in fast.h) */
	if (f->op <= J_TEST)
		return X86_ARITH;
	if (f->op == J_SHIFT && f->sub >= 4 && f->b.kind == J_IMM)
		return X86_ARITH; /* shift_flags(): a count of CL may be 0 */
	if (f->op == J_IMUL || f->op == J_MUL)
		return X86_ARITH; /* mul_flags(): CF, OF, AF in EFLAGS, the rest lazy */
	return 0;
}

bool x86_jit_effect(const struct j_form *f, uint32_t *def, uint32_t *use)
{
	*def = *use = 0;
	switch (f->op) {
	case J_MOV:
	case J_LEA:
	case J_MOVZX:
	case J_MOVSX:
	case J_NOT:
	case J_CBW:
	case J_CWD:
	case J_NOP: return true;
	default: break;
	}
	*def = x86_jit_defs(f);
	if (f->op == J_INC || f->op == J_DEC || f->op == J_ADC || f->op == J_SBB)
		*use = X86_CF;
	return *def != 0;
}

/* x86_jit_effect of in, false for a point: not a native register form
 * (the block's last instruction is one anyway). */
static bool effect(const struct x86_insn *in, uint32_t *def, uint32_t *use)
{
	struct j_form f;

	*def = *use = 0;
	if (in->fuse ? !x86_jit_fused_native(in, &f) : !x86_jit_form(in, &f) || f.mem)
		return false;
	return x86_jit_effect(&f, def, use);
}

void x86_jit_live(const struct x86_block *b, uint32_t *live)
{
	uint32_t now = X86_ARITH, incdec = 0, def, use;

	for (unsigned i = b->n; i-- > 0;) {
		const struct x86_insn *in = &b->insns[i];

		live[i] = now | incdec;
		if (!effect(in, &def, &use)) {
			now = X86_ARITH;
			incdec = 0;
			continue;
		}
		now = (now & ~def) | use;
		if (def | use)
			incdec = def == (X86_ARITH & ~X86_CF) ? J_LIVE_INCDEC : 0;
	}
}
