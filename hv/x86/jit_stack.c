/* The stack forms the JIT does natively: PUSH r32, PUSH imm32/imm8, POP
 * r32, LEAVE, CALL rel32 and RET (imm16), with a 32-bit operand on a 32-bit
 * stack (SS.B set), through the same inline soft-TLB path as the other
 * memory operands (jit_form.c's x86_jit_tlb, SS's fast check). Anything
 * else takes the instruction's slow path, its handler, before a thing
 * changes: SS 16-bit (a runtime check, SS may change under a block), an
 * offset past the fast check (wrapping below 0 included), a soft-TLB
 * miss, a page straddle, a code page, and for CALL and RET a target
 * beyond the CS limit; so ESP and memory stay as they were when the
 * handler faults. The values and ESP are those of x86_op_push_r,
 * x86_op_pop_r, x86_op_leave (a POP EBP from EBP), x86_op_push_imm,
 * x86_op_call_rel and x86_op_ret. */
#include "hv/x86/jit_asm.h"

#define SS_SEG (CPU(seg) + X86_SS * (uint32_t)sizeof(struct x86_seg))

bool x86_jit_form_stack(const struct x86_insn *in, struct j_form *f)
{
	unsigned op = in->op;

	if (in->osz != 4)
		return false;
	f->size = 4;
	if (op >= 0x50 && op <= 0x57) {
		f->op = J_PUSH;
		f->b = (struct j_opnd){J_REG, REG(op & 7), 0};
	} else if (op >= 0x58 && op <= 0x5f) {
		f->op = J_POP;
		f->dst = (struct j_opnd){J_REG, REG(op & 7), 0};
	} else if (op == 0xc9) {
		f->op = J_LEAVE;
		f->dst = (struct j_opnd){J_REG, REG(X86_EBP), 0};
	} else if (op == 0x68 || op == 0x6a) {
		f->op = J_PUSH;
		f->b = (struct j_opnd){J_IMM, 0, op == 0x6a ? x86_sext(in->imm, 1) : in->imm};
	} else if (op == 0xe8) {
		f->op = J_CALL;
		f->b = (struct j_opnd){J_IMM, 0, in->imm};
	} else if (op == 0xc3 || op == 0xc2) {
		f->op = J_RET;
		f->b = (struct j_opnd){J_IMM, 0, op == 0xc2 ? in->imm & 0xffff : 0};
	} else {
		return false;
	}
	return true;
}

void x86_jit_stack_mem(struct as *a, const struct j_form *f, uint8_t *miss[J_MISSES])
{
	bool push = f->op == J_PUSH || f->op == J_CALL;

	b1(a, 0xf7); /* test dword [rbx + SS.attr], BIG; jz miss */
	b1(a, 0x83);
	b4(a, SS_SEG + (uint32_t)offsetof(struct x86_seg, attr));
	b4(a, X86_SEG_BIG);
	miss[0] = jump(a, 0x4);
	load(a, RSI, REG(f->op == J_LEAVE ? X86_EBP : X86_ESP));
	if (push)
		E(a, 0x83, 0xee, 4); /* sub esi, 4 */
	x86_jit_tlb(a, X86_SS, 4, push, &miss[1]);
}

void x86_jit_op_stack(struct as *a, const struct j_form *f)
{
	if (f->op == J_PUSH) {
		x86_jit_get(a, RAX, &f->b, 4); /* the ESP before, for PUSH ESP */
		E(a, 0x41, 0x89, 0x00);	       /* mov [r8], eax */
		store(a, RSI, REG(X86_ESP));
		return;
	}
	E(a, 0x41, 0x8b, 0x00);	     /* mov eax, [r8] */
	E(a, 0x83, 0xc6, 4);	     /* add esi, 4 */
	store(a, RSI, REG(X86_ESP)); /* then the register: POP ESP loads it */
	store(a, RAX, f->dst.off);
}

void x86_jit_branch(struct as *a, const struct j_form *f, uint32_t next, uint32_t mask,
		    uint8_t *miss[J_MISSES])
{
	if (f->op == J_CALL) {
		block_ip(a, next, mask); /* eax = the return address */
		E(a, 0x8d, 0x88);	 /* lea ecx, [rax + rel] */
		b4(a, f->b.imm);
	} else {
		E(a, 0x41, 0x8b, 0x08); /* mov ecx, [r8] */
	}
	mem_op(a, 0x3b, RCX, CPU(seg[X86_CS].limit)); /* cmp ecx, CS.limit; ja miss */
	miss[3] = jump(a, 0x7);
	if (f->op == J_CALL) {
		E(a, 0x41, 0x89, 0x00); /* mov [r8], eax */
	} else {
		E(a, 0x8d, 0xb6); /* lea esi, [rsi + 4 + imm16] */
		b4(a, 4 + f->b.imm);
	}
	store(a, RSI, REG(X86_ESP));
	store(a, RCX, CPU(eip));
}
