/* Instructions the JIT does natively that read a condition or do
 * nothing to the flags, the commonest handler calls left in an idle
 * modern guest's timer tick: CMOVcc and SETcc (their condition is
 * x86_cond's own, called from the code: no EIP stored, no break check),
 * CBW/CWDE, CWD/CDQ, and the NOPs (90h, 0F 19h-1Fh). Each leaves the
 * registers and the flags as its handler does (bits.c, mov.c); a memory
 * operand goes through jit_form.c's inline soft-TLB path, whose slow
 * path is the handler: CMOVcc reads its source, and so may fault,
 * whatever the condition, as x86_op_cmovcc does. */
#include "hv/x86/jit_asm.h"

bool x86_jit_form_cond(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (in->fn == x86_op_nop) {
		f->op = J_NOP;
		f->size = in->osz;
	} else if (op >= 0x140 && op <= 0x14f) {
		f->op = J_CMOV;
		f->size = in->osz;
		f->b = j_rm_opnd(in, in->osz);
		f->dst = j_reg_opnd(in->reg, in->osz);
	} else if (op >= 0x190 && op <= 0x19f) {
		f->op = J_SETCC;
		f->size = 1;
		f->dst = j_rm_opnd(in, 1);
	} else if (op == 0x98 || op == 0x99) {
		f->op = op == 0x98 ? J_CBW : J_CWD;
		f->size = in->osz;
		f->a = j_reg_opnd(X86_EAX, op == 0x98 ? in->osz / 2 : in->osz);
		f->dst = j_reg_opnd(op == 0x98 ? X86_EAX : X86_EDX, in->osz);
	} else {
		return false;
	}
	return true;
}

/* eax = x86_cond(cpu, cc) (0 or 1); r8, the memory operand's host
 * address, kept (two pushes keep the stack aligned for the call). */
static void cond_call(struct as *a, unsigned cc, bool mem)
{
	if (mem)
		E(a, 0x41, 0x50, 0x41, 0x50); /* push r8; push r8 */
	mov_imm(a, RSI, cc);
	call_fn(a, (const void *)x86_cond);
	if (mem)
		E(a, 0x41, 0x58, 0x41, 0x58); /* pop r8; pop r8 */
	E(a, 0x0f, 0xb6, 0xc0);		      /* movzx eax, al */
}

void x86_jit_op_cond(struct as *a, const struct j_form *f)
{
	unsigned cc = f->in->op & 15;
	uint8_t *skip;

	switch (f->op) {
	case J_NOP: return;
	case J_CMOV:
		cond_call(a, cc, f->mem);
		E(a, 0x85, 0xc0); /* test eax, eax; jz skip */
		skip = jump(a, 0x4);
		x86_jit_get(a, RAX, &f->b, f->size);
		x86_jit_put(a, RAX, &f->dst, f->size);
		patch(a, skip);
		return;
	case J_SETCC:
		cond_call(a, cc, f->mem);
		x86_jit_put(a, RAX, &f->dst, 1);
		return;
	default: /* CBW/CWDE, CWD/CDQ: the host's own, of the same size */
		x86_jit_get(a, RAX, &f->a, f->op == J_CBW ? f->size / 2 : f->size);
		if (f->size == 2)
			b1(a, 0x66);
		b1(a, f->op == J_CBW ? 0x98 : 0x99);
		x86_jit_put(a, f->op == J_CBW ? RAX : RDX, &f->dst, f->size);
		return;
	}
}
