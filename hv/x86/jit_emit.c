/* The JIT's emitter: x86-64 code for one decoded block. Host registers:
 * rbx holds cpu, r12d the block's first EIP (the code is shared by every
 * EIP the block is entered at, like the decoded block); eax, ecx, edx,
 * esi and edi are scratch. Each instruction either calls its handler (the
 * one the block interpreter would call, with ip_start and EIP stored
 * first, and the block left when the handler asks for a break) or, for
 * the commonest 32-bit register forms, is done here with the lazy flags
 * record written as fast.h's alu() and incdec() write it. Native forms
 * cannot fault and read no EIP, so they store neither. */
#include <stddef.h>
#include <string.h>

#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };
enum { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST };

struct as {
	uint8_t *p, *end;
	bool over;
};

static void b1(struct as *a, unsigned v)
{
	if (a->p < a->end)
		*a->p++ = (uint8_t)v;
	else
		a->over = true;
}

static void b4(struct as *a, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b1(a, (v >> (8 * i)) & 0xff);
}

static void b8(struct as *a, uint64_t v)
{
	b4(a, (uint32_t)v);
	b4(a, (uint32_t)(v >> 32));
}

#define CPU(field) ((uint32_t)offsetof(struct x86_cpu, field))
#define REG(r)	   (CPU(regs) + 4u * (r))

/* op r32, [rbx + off] (8Bh: load; 3Bh: cmp) and op [rbx + off], r32 (89h). */
static void mem_op(struct as *a, unsigned op, unsigned r, uint32_t off)
{
	b1(a, op);
	b1(a, 0x83 | r << 3);
	b4(a, off);
}

static void load(struct as *a, unsigned r, uint32_t off)
{
	mem_op(a, 0x8b, r, off);
}

static void store(struct as *a, unsigned r, uint32_t off)
{
	mem_op(a, 0x89, r, off);
}

/* mov dword [rbx + off], imm */
static void store_imm(struct as *a, uint32_t off, uint32_t imm)
{
	b1(a, 0xc7);
	b1(a, 0x83);
	b4(a, off);
	b4(a, imm);
}

/* op dst, src on 32-bit registers (the r/m, r form of op). */
static void rr(struct as *a, unsigned op, unsigned src, unsigned dst)
{
	b1(a, op);
	b1(a, 0xc0 | src << 3 | dst);
}

static void not_r(struct as *a, unsigned r)
{
	b1(a, 0xf7);
	b1(a, 0xd0 | r);
}

static void mov_imm(struct as *a, unsigned r, uint32_t imm)
{
	b1(a, 0xb8 + r);
	b4(a, imm);
}

/* eax = (r12d + off) & mask: an EIP of the block. */
static void block_ip(struct as *a, uint32_t off, uint32_t mask)
{
	b1(a, 0x41); /* lea eax, [r12 + off] */
	b1(a, 0x8d);
	b1(a, 0x84);
	b1(a, 0x24);
	b4(a, off);
	if (mask == 0xffff) {
		b1(a, 0x0f); /* movzx eax, ax */
		b1(a, 0xb7);
		b1(a, 0xc0);
	}
}

/* A rel32 jump (0Fh 8xh Jcc or E9h JMP) to be patched: its offset. */
static uint8_t *jump(struct as *a, unsigned cc_or_jmp)
{
	if (cc_or_jmp == 0xe9) {
		b1(a, 0xe9);
	} else {
		b1(a, 0x0f);
		b1(a, 0x80 | cc_or_jmp);
	}
	b4(a, 0);
	return a->over ? NULL : a->p - 4;
}

static void patch(struct as *a, uint8_t *at)
{
	int32_t rel = (int32_t)(a->p - (at + 4));

	if (at)
		memcpy(at, &rel, 4);
}

/* The lazy record {edx, eax, mask, 32}. */
static void set_lazy(struct as *a, uint32_t mask)
{
	store(a, RDX, CPU(lazy.res));
	store(a, RAX, CPU(lazy.cv));
	store_imm(a, CPU(lazy.mask), mask);
	b1(a, 0xc6); /* mov byte [rbx + bits], 32 */
	b1(a, 0x83);
	b4(a, CPU(lazy.bits));
	b1(a, 32);
}

/* edx = eax op ecx and eax = its carry vector (fast.h's add_cv, sub_cv);
 * ecx is kept. */
static void alu_cv(struct as *a, unsigned op)
{
	static const uint8_t code[] = {[ADD] = 0x01, [OR] = 0x09,  [AND] = 0x21, [SUB] = 0x29,
				       [XOR] = 0x31, [CMP] = 0x29, [TEST] = 0x21};

	rr(a, 0x89, RAX, RDX);
	rr(a, code[op], RCX, RDX);
	switch (op) {
	case ADD: /* (a & b) | ((a | b) & ~r) */
		rr(a, 0x89, RAX, RSI);
		rr(a, 0x21, RCX, RSI);
		rr(a, 0x09, RCX, RAX);
		rr(a, 0x89, RDX, RDI);
		not_r(a, RDI);
		rr(a, 0x21, RDI, RAX);
		rr(a, 0x09, RSI, RAX);
		break;
	case SUB:
	case CMP: /* (~a & b) | (~(a ^ b) & r) */
		rr(a, 0x89, RAX, RSI);
		not_r(a, RSI);
		rr(a, 0x21, RCX, RSI);
		rr(a, 0x31, RCX, RAX);
		not_r(a, RAX);
		rr(a, 0x21, RDX, RAX);
		rr(a, 0x09, RSI, RAX);
		break;
	default: rr(a, 0x31, RAX, RAX); break;
	}
}

/* CF folded into EFLAGS when the record holds it (incdec in fast.h). */
static void fold_cf(struct as *a)
{
	uint8_t *skip;

	b1(a, 0xf6); /* test byte [rbx + mask], CF */
	b1(a, 0x83);
	b4(a, CPU(lazy.mask));
	b1(a, X86_CF);
	b1(a, 0x74); /* jz skip */
	b1(a, 0);
	skip = a->p;
	load(a, RAX, CPU(lazy.cv));
	b1(a, 0x0f); /* movzx ecx, byte [rbx + bits] */
	b1(a, 0xb6);
	b1(a, 0x8b);
	b4(a, CPU(lazy.bits));
	b1(a, 0xff); /* dec ecx */
	b1(a, 0xc9);
	b1(a, 0xd3); /* shr eax, cl */
	b1(a, 0xe8);
	b1(a, 0x83); /* and eax, 1 */
	b1(a, 0xe0);
	b1(a, 1);
	load(a, RDX, CPU(eflags));
	b1(a, 0x83); /* and edx, ~CF */
	b1(a, 0xe2);
	b1(a, 0xfe);
	rr(a, 0x09, RAX, RDX);
	store(a, RDX, CPU(eflags));
	if (!a->over)
		skip[-1] = (uint8_t)(a->p - skip);
}

/* The operation, operands and destination of a native 32-bit ALU form:
 * dst -1 for CMP and TEST; imm used when src is -1. */
struct alu_form {
	unsigned op;
	int a, src, dst;
	uint32_t imm;
};

static bool alu_native(const struct x86_insn *in, struct alu_form *f)
{
	unsigned op = in->op;

	if (in->osz != 4 || in->lock || in->rep || in->fn == x86_op_ud)
		return false;
	if (op < 0x40 && (op & 7) <= 5 && (op & 1)) {
		f->op = (op >> 3) & 7;
		if (f->op == ADC || f->op == SBB)
			return false;
		if ((op & 7) == 5) {
			*f = (struct alu_form){f->op, X86_EAX, -1, X86_EAX, in->imm};
		} else if (in->mod != 3) {
			return false;
		} else if ((op & 7) == 1) {
			*f = (struct alu_form){f->op, in->rm, in->reg, in->rm, 0};
		} else {
			*f = (struct alu_form){f->op, in->reg, in->rm, in->reg, 0};
		}
	} else if ((op == 0x81 || op == 0x83) && in->mod == 3) {
		if (in->reg == ADC || in->reg == SBB)
			return false;
		*f = (struct alu_form){in->reg, in->rm, -1, in->rm,
				       op == 0x83 ? x86_sext(in->imm, 1) : in->imm};
	} else if (op == 0x85 && in->mod == 3) {
		*f = (struct alu_form){TEST, in->rm, in->reg, -1, 0};
	} else if (op == 0xa9) {
		*f = (struct alu_form){TEST, X86_EAX, -1, -1, in->imm};
	} else {
		return false;
	}
	if (f->op == CMP)
		f->dst = -1;
	return true;
}

static void emit_alu(struct as *a, const struct alu_form *f)
{
	load(a, RAX, REG(f->a));
	if (f->src >= 0)
		load(a, RCX, REG(f->src));
	else
		mov_imm(a, RCX, f->imm);
	alu_cv(a, f->op);
	if (f->dst >= 0)
		store(a, RDX, REG(f->dst));
	set_lazy(a, X86_ARITH);
}

/* INC/DEC r32 (40h-4Fh). */
static void emit_incdec(struct as *a, const struct x86_insn *in)
{
	unsigned r = in->op & 7;

	fold_cf(a);
	load(a, RAX, REG(r));
	mov_imm(a, RCX, 1);
	alu_cv(a, in->op < 0x48 ? ADD : SUB);
	store(a, RDX, REG(r));
	set_lazy(a, X86_ARITH & ~X86_CF);
}

/* MOV forms without memory or flags; false if not one. */
static bool emit_mov(struct as *a, const struct x86_insn *in)
{
	unsigned op = in->op;

	if (in->lock || in->fn == x86_op_ud)
		return false;
	if (op >= 0xb8 && op < 0xc0 && in->osz == 4) {
		store_imm(a, REG(op & 7), in->imm);
	} else if (op >= 0xb0 && op < 0xb8) {
		b1(a, 0xc6); /* mov byte [rbx + reg byte], imm8 */
		b1(a, 0x83);
		b4(a, (op & 7) < 4 ? REG(op & 7) : REG((op & 7) - 4) + 1);
		b1(a, in->imm & 0xff);
	} else if ((op == 0x89 || op == 0x8b) && in->mod == 3 && in->osz == 4) {
		load(a, RAX, REG(op == 0x89 ? in->reg : in->rm));
		store(a, RAX, REG(op == 0x89 ? in->rm : in->reg));
	} else {
		return false;
	}
	return true;
}

/* mov rdi, rbx; then the call of fn. */
static void call_fn(struct as *a, const void *fn)
{
	b1(a, 0x48); /* mov rdi, rbx */
	b1(a, 0x89);
	b1(a, 0xdf);
	b1(a, 0x48); /* mov rax, fn; call rax */
	b1(a, 0xb8);
	b8(a, (uint64_t)(uintptr_t)fn);
	b1(a, 0xff);
	b1(a, 0xd0);
}

/* The Jcc of a fused pair (fuse.c) whose first instruction has just been
 * emitted, with the host flags set as it sets the guest's (see
 * host_flags), so the host Jcc of the same condition decides. EIP and ip_start are left as
 * fused_jcc leaves them; a target beyond the CS limit faults with ip_start at the Jcc. `off` is the
 * offset of the pair in the block, which it ends. */
static void emit_fused_jcc(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask)
{
	uint32_t end = off + in->len;
	uint8_t *skip, *fault, *done;

	block_ip(a, off, mask); /* (LEA, MOVZX and MOV keep the host flags) */
	store(a, RAX, CPU(ip_start));
	skip = jump(a, in->fuse_cc ^ 1);
	block_ip(a, end, mask);
	b1(a, 0x05); /* add eax, rel */
	b4(a, in->imm2);
	if (in->fuse_osz == 2) {
		b1(a, 0x0f); /* movzx eax, ax */
		b1(a, 0xb7);
		b1(a, 0xc0);
	}
	mem_op(a, 0x3b, RAX, CPU(seg[X86_CS].limit));
	fault = jump(a, 0x7); /* ja */
	store(a, RAX, CPU(eip));
	done = jump(a, 0xe9);
	patch(a, fault);
	block_ip(a, end - in->fuse, mask);
	store(a, RAX, CPU(ip_start));
	block_ip(a, end, mask);
	store(a, RAX, CPU(eip));
	b1(a, 0xbe); /* mov esi, #GP; xor edx, edx */
	b4(a, X86_VEC_GP);
	rr(a, 0x31, RDX, RDX);
	call_fn(a, (const void *)cpu_raise);
	patch(a, skip);
	block_ip(a, end, mask);
	store(a, RAX, CPU(eip));
	patch(a, done);
}

/* Whether a fused pair is one done natively: CMP or TEST of 32-bit
 * registers or a register and an immediate, or INC/DEC of a 32-bit
 * register before a Jcc that does not read CF (the host's INC/DEC leave
 * it alone, the guest's keep it in EFLAGS). */
static bool fused_native(const struct x86_insn *in, struct alu_form *f)
{
	struct x86_insn first = *in;
	unsigned cc = in->fuse_cc >> 1;

	first.fuse = 0;
	if (in->op >= 0x40 && in->op < 0x50)
		return in->osz == 4 && !in->lock && cc != 1 && cc != 3;
	return alu_native(&first, f) && (f->op == CMP || f->op == TEST);
}

/* The host flags as the first instruction of a fused pair left the
 * guest's: CMP or TEST of the same operands (ecx still holds the second),
 * or for INC/DEC, the opposite step then the same one on the result, the
 * second step having the first's operand. */
static void host_flags(struct as *a, const struct x86_insn *in, const struct alu_form *f)
{
	if (in->op >= 0x40 && in->op < 0x50) {
		bool dec = in->op >= 0x48;

		load(a, RAX, REG(in->op & 7));
		rr(a, 0xff, dec ? 0 : 1, RAX); /* inc eax / dec eax */
		rr(a, 0xff, dec ? 1 : 0, RAX);
		return;
	}
	load(a, RAX, REG(f->a));
	rr(a, f->op == TEST ? 0x85 : 0x39, RCX, RAX);
}

/* The instruction done natively, if it is one of those forms: NATIVE, or
 * NATIVE_EIP when EIP and ip_start are already stored (a fused Jcc). */
enum { CALL, NATIVE, NATIVE_EIP };
static int emit_native(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask)
{
	struct alu_form f;

	if (in->fuse) {
		if (!fused_native(in, &f))
			return CALL;
		if (in->op >= 0x40 && in->op < 0x50)
			emit_incdec(a, in);
		else
			emit_alu(a, &f);
		host_flags(a, in, &f);
		emit_fused_jcc(a, in, off, mask);
		return NATIVE_EIP;
	}
	if (alu_native(in, &f)) {
		emit_alu(a, &f);
		return NATIVE;
	}
	if (in->op >= 0x40 && in->op < 0x50 && in->osz == 4 && !in->lock) {
		emit_incdec(a, in);
		return NATIVE;
	}
	return emit_mov(a, in) ? NATIVE : CALL;
}

/* ip_start and EIP as run_insns sets them, then the handler. */
static void emit_call(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask)
{
	block_ip(a, off, mask);
	store(a, RAX, CPU(ip_start));
	block_ip(a, off + in->len, mask);
	store(a, RAX, CPU(eip));
	b1(a, 0x48); /* mov rsi, in */
	b1(a, 0xbe);
	b8(a, (uint64_t)(uintptr_t)in);
	call_fn(a, (const void *)in->fn);
}

static void prologue(struct as *a)
{
	b1(a, 0x53); /* push rbx; push r12; push r13 (the stack aligned) */
	b1(a, 0x41);
	b1(a, 0x54);
	b1(a, 0x41);
	b1(a, 0x55);
	b1(a, 0x48); /* mov rbx, rdi */
	b1(a, 0x89);
	b1(a, 0xfb);
	b1(a, 0x44); /* mov r12d, [rbx + eip] */
	b1(a, 0x8b);
	b1(a, 0xa3);
	b4(a, CPU(eip));
}

/* Returns eax. */
static void epilogue(struct as *a)
{
	b1(a, 0x41);
	b1(a, 0x5d);
	b1(a, 0x41);
	b1(a, 0x5c);
	b1(a, 0x5b);
	b1(a, 0xc3);
}

size_t x86_jit_emit(const struct x86_block *b, uint8_t *out, unsigned *native)
{
	struct as a = {out, out + X86_JIT_MAX_BLOCK_CODE, false};
	uint8_t *exits[X86_BLOCK_MAX];
	uint32_t off = 0, mask = b->ip_mask;
	int last = CALL;

	*native = 0;
	prologue(&a);
	for (unsigned i = 0; i < b->n; i++) {
		const struct x86_insn *in = &b->insns[i];

		exits[i] = NULL;
		last = emit_native(&a, in, off, mask);
		if (last != CALL) {
			(*native)++;
		} else {
			emit_call(&a, in, off, mask);
			if (i + 1 < b->n) {
				b1(&a, 0x80); /* cmp byte [rbx + block_break], 0 */
				b1(&a, 0xbb);
				b4(&a, CPU(block_break));
				b1(&a, 0);
				exits[i] = jump(&a, 0x5); /* jne */
			}
		}
		off += in->len;
	}
	if (last == NATIVE) { /* EIP and ip_start of the last instruction */
		block_ip(&a, off - b->insns[b->n - 1].len, mask);
		store(&a, RAX, CPU(ip_start));
		block_ip(&a, off, mask);
		store(&a, RAX, CPU(eip));
	}
	mov_imm(&a, RAX, b->count);
	epilogue(&a);
	/* A break after instruction i: i + 1 of them ran. */
	for (unsigned i = 0; i + 1 < b->n; i++) {
		if (!exits[i])
			continue;
		patch(&a, exits[i]);
		mov_imm(&a, RAX, i + 1);
		epilogue(&a);
	}
	return a.over ? 0 : (size_t)(a.p - out);
}
