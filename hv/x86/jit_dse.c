/* Dead stores of cached registers (jit_regs.c is write-through: every
 * write of a guest register goes to its host register and to memory).
 * A 32-bit write of a register by a native register form whose next
 * write, a 32-bit one too, comes before anything can read memory's copy
 * needs no store: in between run only native register forms that read
 * the guest registers from their host registers and neither call (the
 * host registers stay valid), nor fault, nor leave; the later write
 * stores the value memory must hold. Those forms (plain()): MOV, LEA,
 * MOVZX/MOVSX, NOT, the ALU operations, INC/DEC, IMUL, shifts by a
 * nonzero immediate, without memory; a read of AH-BH (from memory) ends
 * the run. The emitter skips the store only where the register's host
 * register holds it (x86_jit_store_dead). */
#include "hv/x86/jit_asm.h"

static bool plain(const struct x86_insn *in, struct j_form *f)
{
	if (in->fuse || !x86_jit_form(in, f) || f->mem)
		return false;
	if (f->op == J_SHIFT)
		return f->b.kind == J_IMM && (f->b.imm & 31) != 0;
	return f->op <= J_DEC || (f->op >= J_NOT && f->op <= J_MOVSX) || f->op == J_IMUL;
}

/* Guest register g as an 8-bit high byte (AH-BH) operand of f. */
static bool high_byte(const struct j_opnd *o, unsigned g)
{
	return o->kind == J_REG && o->off != REG(g) && (x86_jit_opnd_reg(o) >> g & 1);
}

/* The register f writes, all 32 bits of it, or 8 for none. */
static unsigned full_write(const struct j_form *f)
{
	unsigned g;

	if (f->dst.kind != J_REG || f->dsize != 4 || f->dst.off - REG(0) >= 32)
		return 8;
	g = (f->dst.off - REG(0)) / 4;
	return f->dst.off == REG(g) ? g : 8;
}

/* Whether, after instruction i, guest register g is written again (32
 * bits) by a plain form before anything but plain forms that leave it
 * alone or read it whole. */
static bool rewritten(const struct x86_block *b, unsigned i, unsigned g)
{
	for (unsigned j = i + 1; j < b->n; j++) {
		struct j_form f;

		if (!plain(&b->insns[j], &f))
			return false;
		if (high_byte(&f.a, g) || high_byte(&f.b, g) || high_byte(&f.dst, g))
			return false;
		if (full_write(&f) == g)
			return true;
		if (x86_jit_form_writes(&f) >> g & 1)
			return false;
	}
	return false;
}

void x86_jit_dse(const struct x86_block *b, uint16_t *nostore)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct j_form f;
		unsigned g;

		nostore[i] = 0;
		if (!plain(&b->insns[i], &f) || (g = full_write(&f)) >= 8)
			continue;
		if (x86_jit_form_writes(&f) == 1u << g && rewritten(b, i, g))
			nostore[i] = (uint16_t)(1u << g);
	}
}
