/* The JIT's emitter: x86-64 code for one decoded block (the registers
 * it uses: jit_asm.h). r12d holds the block's first EIP (the code is
 * shared by every EIP the block is entered at, like the decoded block).
 * Each instruction either calls its handler (the one the block
 * interpreter would call, with ip_start and EIP stored first, and the
 * block left when the handler asks for a break) or is done here
 * (jit_form.c). Native register forms cannot fault and read no EIP, so
 * they store neither; a native memory form that misses the soft TLB
 * goes out of line to its slow path, which stores them and calls the
 * handler like any other instruction, then comes back (or leaves the
 * block on a break: the handler wrote code, or a device asks for a
 * poll). The guest registers the block uses most are cached in host
 * registers (jit_regs.c): loaded after the entries, written through, and
 * loaded again after the calls.
 * A block's code is in two areas of the buffer (jit.h's x86_jit_area):
 * hot, what runs each time (the chained entry, the body, the link slots
 * and the jump cache lookup), and cold, what seldom does (the prologue
 * from C, the slow paths, the ways out on a break or to the run loop,
 * the far stubs, the self entry, a jump's #GP), so that the hot code of
 * the blocks of a loop sits together in the host's instruction cache. */
#include <stddef.h>
#include <string.h>

#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"
#include "hv/x86/jit_asm.h"

/* The Jcc of a fused pair (fuse.c) whose first instruction has just been
 * emitted, with the host flags set as it sets the guest's (see
 * host_flags), so the host Jcc of the same condition decides. EIP and
 * ip_start are left as fused_jcc leaves them; a target beyond the CS
 * limit faults with ip_start at the Jcc. `off` is the offset of the pair
 * in the block, which it ends. */
static void emit_fused_jcc(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask,
			   struct j_exit *out)
{
	uint32_t end = off + in->len;
	struct j_jump j = {in->fuse_cc, in->imm2, in->fuse_osz, off, end - in->fuse, end, out};

	x86_jit_jump(a, &j, mask); /* (LEA, MOVZX and MOV keep the host flags) */
}

/* How an instruction was emitted: a handler call, natively (NATIVE_EIP:
 * EIP and ip_start are stored: a fused Jcc, JMP rel or a Jcc after a
 * native flag setter, jit_jcc.c), or natively with a memory
 * operand and a slow path (NATIVE_JUMP: a CALL or RET, which stores
 * EIP). */
enum { CALL, NATIVE, NATIVE_EIP, NATIVE_MEM, NATIVE_JUMP };

/* A memory form's slow path, emitted after the block's exits. */
struct slow {
	uint8_t *miss[J_MISSES];
	struct j_near near;  /* its check against the last page (jit_near.c) */
	const uint8_t *cont; /* where the native form ends */
	uint16_t valid;	     /* the cached registers valid there */
	unsigned i;	     /* the instruction */
	uint32_t off;	     /* its offset in the block */
	uint8_t sink;	     /* the INC or DEC whose record it writes (jit_sink.c) */
	bool fold;	     /* and whether that one folds CF */
};

/* The code may have written any lazy record and EFLAGS (a handler). */
static void forget_lazy(struct as *a)
{
	a->lazy_known = false;
	a->cf_folded = false;
}

/* Whether f's flags are never seen, or only its CF and that by an INC or
 * DEC (f.cf_only), given those live after it (x86_jit_live). */
static void liveness(struct j_form *f, uint32_t live)
{
	uint32_t def = x86_jit_defs(f);

	f->dead = def && !(def & live);
	f->cf_only = !f->mem && f->op <= J_TEST && (live & J_LIVE_INCDEC) && (def & live) == X86_CF;
	f->sunk = (live & J_LIVE_SUNK) != 0;
}

static int emit_native(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask,
		       struct slow *s, struct j_flags *st, bool last, uint32_t live, unsigned uses,
		       struct j_exit *out)
{
	struct j_form f;

	/* the registers it uses that a call left to memory */
	x86_jit_regs_load(a, uses);
	if (in->fuse) {
		if (!x86_jit_fused_native(in, &f)) {
			forget_lazy(a);
			return CALL;
		}
		x86_jit_op(a, &f);
		x86_jit_host_flags(a, &f);
		emit_fused_jcc(a, in, off, mask, out);
		return NATIVE_EIP;
	}
	if (last && x86_jit_jump_native(in)) {
		x86_jit_near(a, in, st, off, mask, out);
		return NATIVE_EIP;
	}
	if (!x86_jit_form(in, &f)) {
		x86_jit_flags_after(st, NULL);
		forget_lazy(a);
		return CALL;
	}
	x86_jit_flags_after(st, &f);
	liveness(&f, live);
	memset(s->miss, 0, sizeof s->miss);
	memset(&s->near, 0, sizeof s->near);
	if (f.mem)
		x86_jit_mem(a, in, &f, s->miss, &s->near);
	if (f.op == J_CALL || f.op == J_RET) {
		x86_jit_branch(a, &f, off + in->len, mask, s->miss);
		return NATIVE_JUMP;
	}
	x86_jit_op(a, &f);
	/* The record as the handler writes it (jit_jcc.c) unless the flags
	 * are unknown after it (a rotate, a shift by CL), or dead: then the
	 * native path leaves the record alone and the slow path does not. */
	if (!st->known || (f.dead && f.mem))
		forget_lazy(a);
	return f.mem ? NATIVE_MEM : NATIVE;
}

/* Whether any instruction of b is a native memory form (which needs r13). */
static bool has_mem(const struct x86_block *b)
{
	struct j_form f;

	for (unsigned i = 0; i < b->n; i++)
		if (!b->insns[i].fuse && x86_jit_form(&b->insns[i], &f) && f.mem)
			return true;
	return false;
}

/* ip_start and EIP as run_insns sets them, then the handler; r13 again
 * when the block needs it (the handler may have changed the CPL). */
static void emit_call(struct as *a, const struct x86_insn *in, uint32_t off, uint32_t mask,
		      bool acc)
{
	block_ip(a, off, mask);
	store(a, RAX, CPU(ip_start));
	block_ip(a, off + in->len, mask);
	store(a, RAX, CPU(eip));
	b1(a, 0x48); /* mov rsi, in */
	b1(a, 0xbe);
	b8(a, (uint64_t)(uintptr_t)in);
	call_fn(a, (const void *)in->fn);
	a->valid = 0; /* it may have changed any register */
	if (acc)
		set_acc(a);
}

/* The frame of a block, the same for all (a chained entry runs in the
 * frame of the block that jumped to it): the callee-saved registers it
 * uses, and the stack aligned for calls. r13 is set here by every block,
 * and again after each handler call by those that use it (`acc`), so
 * that it is right at every chained entry: a chain keeps CS, and so the
 * CPL (the instructions that change it end their blocks unlinked, or
 * fault). */
static void prologue(struct as *a)
{
	b1(a, 0x53); /* push rbx; push r12; push r13; push r14; push r15 */
	E(a, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57);
	b1(a, 0x55); /* push rbp; push rax (the stack aligned) */
	b1(a, 0x50);
	b1(a, 0x48); /* mov rbx, rdi */
	b1(a, 0x89);
	b1(a, 0xfb);
	set_acc(a);
}

/* r12d loaded and stored as block_eip: where the prologue and the
 * chained entry (which runs in the frame of the block that jumped to
 * it) meet. */
static void load_ip(struct as *a)
{
	b1(a, 0x44); /* mov r12d, [rbx + eip] */
	b1(a, 0x8b);
	b1(a, 0xa3);
	b4(a, CPU(eip));
	b1(a, 0x44); /* mov [rbx + block_eip], r12d */
	b1(a, 0x89);
	b1(a, 0xa3);
	b4(a, CPU(block_eip));
}

/* Returns eax. */
static void epilogue(struct as *a)
{
	b1(a, 0x59); /* pop rcx (the alignment); pop rbp */
	b1(a, 0x5d);
	E(a, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c);
	b1(a, 0x5b);
	b1(a, 0xc3);
}

/* Leaves the block after instruction i (i + 1 of them ran) when the
 * handler just called asked for a break: the jne to patch. */
static uint8_t *break_check(struct as *a)
{
	b1(a, 0x80); /* cmp byte [rbx + block_break], 0 */
	b1(a, 0xbb);
	b4(a, CPU(block_break));
	b1(a, 0);
	return jump(a, 0x5); /* jne */
}

/* jne/jb/... (rel32) to the chained entry's way out: its offset. */
static uint8_t *out_if(struct as *a, unsigned cc)
{
	return jump(a, cc);
}

/* mov r64, imm64 (rax or rcx). */
static void mov_imm64(struct as *a, unsigned r, uint64_t v)
{
	b1(a, 0x48);
	b1(a, 0xb8 + r);
	b8(a, v);
}

_Static_assert(sizeof(struct x86_jc) == 16, "jump cache entries are indexed by shl 4");
_Static_assert((X86_JIT_JC & (X86_JIT_JC - 1)) == 0, "the jump cache is indexed by a mask");

/* Whether b ends in a RET or an indirect near JMP/CALL (its code looks
 * the next EIP up in the jump cache). */
static bool ends_indirect(const struct x86_block *b)
{
	const struct x86_insn *in = &b->insns[b->n - 1];

	return in->op == 0xc3 || in->op == 0xc2 ||
	       (in->op == 0xff && (in->reg == 2 || in->reg == 4));
}

/* rax = the host address of CS.base + eax, as the soft TLB's read entry
 * for its page maps it for a fetch (run_chain's fetch_maps): returns the
 * jne taken when the entry is not that page's (rcx, rdx clobbered). */
static uint8_t *fetch_host(struct as *a)
{
	const uint32_t tlb = CPU(tlb);
	uint8_t *miss;

	mem_op(a, 0x03, RAX, CPU(seg[X86_CS].base)); /* add eax, CS.base */
	rr(a, 0x89, RAX, RDX);
	E(a, 0xc1, 0xea, 12); /* shr edx, 12 */
	rr(a, 0x89, RAX, RCX);
	E(a, 0xc1, 0xe9, 12 - 5); /* shr ecx, 7; and ecx, slot << 5 */
	E(a, 0x81, 0xe1);
	b4(a, (X86_TLB_SIZE - 1) << 5);
	E(a, 0x41, 0x3b, 0x94, 0x0d); /* cmp edx, [r13 + rcx + tag[read]] */
	b4(a, tlb + (uint32_t)offsetof(struct x86_tlb_entry, tag));
	miss = jump(a, 0x5);
	E(a, 0x25); /* and eax, 0fffh */
	b4(a, 0xfff);
	E(a, 0x48, 0x03, 0x84, 0x0b); /* add rax, [rbx + rcx + host] */
	b4(a, tlb + (uint32_t)offsetof(struct x86_tlb_entry, host));
	return miss;
}

/* The far stubs of a block's slots (jit.h's X86_JIT_FAR_BYTES), after
 * `out`, the return of 0 the slots jump to unlinked: each checks that
 * CS:EIP is fetched from the host bytes of the block linked (the imm64,
 * 0 until jit_link.c patches it) and jumps to its chained entry (the
 * rel32, to `out` until then). Their start in *far. */
static void emit_far_stubs(struct as *a, const uint8_t *out, uint8_t **far)
{
	*far = a->p;
	for (unsigned k = 0; k < X86_JIT_SLOTS; k++) {
		uint8_t *at = a->p, *host;

		load(a, RAX, CPU(eip));
		patch_to(fetch_host(a), out);
		host = a->p + 2;
		mov_imm64(a, RCX, 0);
		E(a, 0x48, 0x39, 0xc8); /* cmp rax, rcx */
		patch_to(jump(a, 0x5), out);
		jump_to(a, out);
		if (!a->over && (host - at != X86_JIT_FAR_HOST || a->p - at != X86_JIT_FAR_BYTES))
			a->over = true; /* cannot happen: the layout jit_link.c patches */
	}
}

/* The jump cache lookup (jit.h's X86_JIT_JC): EIP's entry, its block at
 * the host address the soft TLB's read entry gives CS.base + EIP, of the
 * same CS.D, translated: add the count and on to its chained entry. The
 * jumps to where the block returns its count are put in out[5]. */
static void emit_jc(struct as *a, const struct x86_block *b, uint8_t **out)
{
	const uint32_t jc = CPU(jc);

	load(a, RAX, CPU(eip));
	rr(a, 0x89, RAX, RCX);
	E(a, 0x81, 0xe1); /* and ecx, X86_JIT_JC - 1 */
	b4(a, X86_JIT_JC - 1);
	E(a, 0xc1, 0xe1, 4);	/* shl ecx, 4 */
	E(a, 0x3b, 0x84, 0x0b); /* cmp eax, [rbx + rcx + jc.eip] */
	b4(a, jc + (uint32_t)offsetof(struct x86_jc, eip));
	out[0] = jump(a, 0x5);
	E(a, 0x48, 0x8b, 0xb4, 0x0b); /* mov rsi, [rbx + rcx + jc.b] */
	b4(a, jc + (uint32_t)offsetof(struct x86_jc, b));
	E(a, 0x48, 0x85, 0xf6); /* test rsi, rsi */
	out[1] = jump(a, 0x4);
	E(a, 0x80, 0xbe); /* cmp byte [rsi + big], b->big */
	b4(a, (uint32_t)offsetof(struct x86_block, big));
	b1(a, b->big);
	out[2] = jump(a, 0x5);
	out[3] = fetch_host(a);
	E(a, 0x48, 0x3b, 0x86); /* cmp rax, [rsi + host] */
	b4(a, (uint32_t)offsetof(struct x86_block, host));
	out[4] = jump(a, 0x5);
	E(a, 0x48, 0x8b, 0x86); /* mov rax, [rsi + chain_in] */
	b4(a, (uint32_t)offsetof(struct x86_block, chain_in));
	E(a, 0x48, 0x85, 0xc0); /* test rax, rax */
	out[5] = jump(a, 0x4);
	b1(a, 0x48); /* add qword [rbx + insns], count */
	b1(a, 0x81);
	b1(a, 0x83);
	b4(a, CPU(insns));
	b4(a, b->count);
	E(a, 0xff, 0xe0); /* jmp rax */
}

/* The normal end of a block that may be chained (x86_block.chain): with
 * no break asked (`brk`: a handler ran since the last check), EIP minus
 * the first EIP is compared with the deltas of its two link slots
 * (struct x86_jit_slot), each of which adds the block's count and jumps
 * to the chained entry of the block linked (jit.c patches them; at first
 * they go to a return of 0 instead). A block ending in a native jump
 * that gives its exits (ex) has fixed deltas, the taken one in slot 0:
 * each way jumps straight to its slot's add, past the compare. The ways
 * to the run loop (a return of the count, or of 0 from a slot not
 * linked) and the far stubs are cold. */
static void emit_exit_slots(struct as *a, const struct x86_block *b, uint8_t **slots, bool brk,
			    const struct j_exit *ex, uint8_t **far)
{
	uint8_t *out = NULL, *ret0[X86_JIT_SLOTS], *skip[X86_JIT_SLOTS], *miss[6], *none;
	const uint8_t *unlinked;
	bool indirect = ends_indirect(b);

	if (brk && !ex)
		out = break_check(a);
	if (!ex) {
		load(a, RAX, CPU(eip));
		b1(a, 0x44); /* sub eax, r12d */
		b1(a, 0x29);
		b1(a, 0xe0);
	}
	*slots = a->p;
	for (unsigned k = 0; k < X86_JIT_SLOTS; k++) {
		b1(a, 0x3d); /* cmp eax, delta */
		b4(a, ex ? ex->delta[ex->jmp[1] ? k : 0] : 0);
		b1(a, 0x75); /* jne (the next slot) */
		b1(a, X86_JIT_SLOT_BYTES - 7);
		skip[k] = a->p;
		b1(a, 0x48); /* add qword [rbx + insns], count */
		b1(a, 0x81);
		b1(a, 0x83);
		b4(a, CPU(insns));
		b4(a, b->count);
		ret0[k] = jump(a, 0xe9);
		if (!a->over && a->p - skip[k] != X86_JIT_SLOT_BYTES - 7)
			a->over = true; /* cannot happen: the layout jit.c patches */
	}
	if (ex && !a->over) {
		patch_to(ex->jmp[0], skip[0]);
		patch_to(ex->jmp[1], skip[ex->delta[1] == ex->delta[0] ? 0 : 1]);
	}
	if (indirect)
		emit_jc(a, b, miss);
	/* neither slot (a fixed block never gets here; the jump cache's
	 * lookup ends in a jmp or its misses) */
	none = ex || indirect ? NULL : jump(a, 0xe9);
	cold_area(a);
	patch(a, none);
	for (unsigned k = 0; indirect && k < 6; k++)
		patch(a, miss[k]);
	patch(a, out);
	for (unsigned k = 0; ex && k < X86_JIT_SLOTS; k++)
		patch(a, ex->wrap[k]);
	mov_imm(a, RAX, b->count);
	epilogue(a);
	for (unsigned k = 0; k < X86_JIT_SLOTS; k++)
		patch(a, ret0[k]);
	unlinked = a->p;
	rr(a, 0x31, RAX, RAX); /* xor eax, eax: the count is in */
	epilogue(a);
	emit_far_stubs(a, unlinked, far);
	hot_area(a);
}

/* The check the chained and self entries share, a way out added to
 * out[n..]: the page's word still as decoded (ROM has none). Returns the
 * new n. */
static unsigned entry_checks(struct as *a, const struct x86_block *slot, uint8_t **out, unsigned n)
{
	if (slot->word) {
		mov_imm64(a, RAX, (uint64_t)(uintptr_t)slot->word);
		b1(a, 0x81); /* cmp dword [rax], seen */
		b1(a, 0x38);
		b4(a, slot->seen);
		out[n++] = out_if(a, 0x5);
	}
	return n;
}

/* The block's count taken from chain_left, the last check of an entry:
 * in one subtraction, that the budget covers it and that it ends by the
 * poll (run_chain's chain_stop), and that no kick came (a kick zeroes
 * it); with too little left, the jb to give it back before a way out
 * (return_0's `undo`). */
static uint8_t *take_left(struct as *a, uint32_t count)
{
	b1(a, 0x48); /* sub qword [rbx + chain_left], count */
	b1(a, 0x81);
	b1(a, 0xab);
	b4(a, CPU(chain_left));
	b4(a, count);
	return out_if(a, 0x2); /* jb */
}

/* The ways out of an entry: a return of 0 (the block that jumped there
 * added its count), `undo` after the count given back to chain_left. */
static void return_0(struct as *a, uint8_t **out, unsigned n, uint8_t *undo, uint32_t count)
{
	patch(a, undo);
	b1(a, 0x48); /* add qword [rbx + chain_left], count */
	b1(a, 0x81);
	b1(a, 0x83);
	b4(a, CPU(chain_left));
	b4(a, count);
	for (unsigned k = 0; k < n; k++)
		patch(a, out[k]);
	rr(a, 0x31, RAX, RAX); /* xor eax, eax */
	epilogue(a);
}

/* test byte [rbx + chain_nonflat], bits; the jnz, its target to patch.
 * *bits is the byte to set once the body is emitted (a->flat_used). */
static uint8_t *flat_test(struct as *a, uint8_t **bits)
{
	b1(a, 0xf6);
	b1(a, 0x83);
	b4(a, CPU(chain_nonflat));
	*bits = a->p;
	b1(a, 0);
	return out_if(a, 0x5);
}

/* The last byte's EIP of the block in `slot` compared with chain_cs
 * (CS.limit cut to its ip_mask): the ja to patch. */
static uint8_t *cs_compare(struct as *a, const struct x86_block *slot)
{
	load(a, RAX, CPU(eip));
	b1(a, 0x48); /* lea rdi, [rax + bytes - 1] */
	b1(a, 0x8d);
	b1(a, 0xb8);
	b4(a, slot->bytes - 1u);
	b1(a, 0x48); /* cmp rdi, [rbx + chain_cs] */
	mem_op(a, 0x3b, RDI, CPU(chain_cs));
	return out_if(a, 0x7);
}

/* A chained entry's ways out and what is left to emit after the body
 * (finish_entry, return_0). */
struct entry {
	uint8_t *out[6], *undo;
	unsigned n;
	uint8_t *bits;	     /* the entry's flat test's */
	uint8_t *slow;	     /* 32-bit code: the jnz to the CS limit's slow check */
	const uint8_t *back; /* where that check comes back */
};

/* The chained entry of the block in `slot`: what run_chain (cpu.c)
 * checks before it runs a linked block, then what run_block sets; it
 * falls through to load_ip, so it is emitted first in the hot area,
 * and the prologue (cold) jumps past it. The slot holds this decode of the block (the
 * slots that jump here are unpatched before it is reused:
 * x86_jit_unlink); its page must be unwritten, chain_left cover its
 * count (the budget, the poll, a kick), the block lie within the CS
 * limit, and the segments the body accesses with no fast check
 * (a->flat_used) be flat still; otherwise it returns 0 (the block that
 * jumped here added its count: return_0 with e) and the run loop carries
 * on from where the last block left.
 * Only a block that cannot be linked loads a segment (block.c's chains),
 * so a chain keeps the segments it started with: the run loop checks
 * them when it starts one (cpu.c's run_translated) and notes those not
 * flat (chain_nonflat), and this entry tests them in one byte. 32-bit
 * code tests there too that CS has base 0 and limit 4 GiB
 * (X86_CHAIN_CS_WIDE: the block, within its page, then ends below 4
 * GiB); with another CS it compares its end with chain_cs out of line
 * (finish_entry), as 16-bit code does inline. */
static void emit_chain_entry(struct as *a, const struct x86_block *slot, struct entry *e)
{
	uint8_t *jnz;

	e->n = 0;
	mov_imm64(a, RCX, (uint64_t)(uintptr_t)slot);
	e->n = entry_checks(a, slot, e->out, e->n);
	if (!slot->big)
		e->out[e->n++] = cs_compare(a, slot);
	jnz = flat_test(a, &e->bits);
	e->slow = slot->big ? jnz : NULL;
	if (!slot->big)
		e->out[e->n++] = jnz;
	e->back = a->p;
	e->undo = take_left(a, slot->count);
	b1(a, 0x48); /* mov rdx, [rbx + insns] */
	mem_op(a, 0x8b, RDX, CPU(insns));
	b1(a, 0x48); /* mov [rbx + block], rcx */
	mem_op(a, 0x89, RCX, CPU(block));
	E(a, 0x48, 0x89, 0x91); /* mov [rcx + used], rdx */
	b4(a, (uint32_t)offsetof(struct x86_block, used));
}

/* What the chained entry leaves to after the body, once a->flat_used is
 * known: the bits of its flat test, and for 32-bit code the check made
 * when the test fails: the segments alone, then the CS limit (a CS not of
 * base 0 and limit 4 GiB), and back. */
static void finish_entry(struct as *a, const struct x86_block *slot, struct entry *e)
{
	uint8_t *bits;

	if (a->over)
		return;
	*e->bits = a->flat_used | (e->slow ? X86_CHAIN_CS_WIDE : 0);
	if (!e->slow)
		return;
	patch(a, e->slow);
	if (a->flat_used) {
		e->out[e->n++] = flat_test(a, &bits);
		if (!a->over)
			*bits = a->flat_used;
	}
	e->out[e->n++] = cs_compare(a, slot);
	jump_to(a, e->back);
}

/* The self entry of a block with slots, which a slot linked to the
 * block itself at delta 0 jumps to (a loop of one block): the same EIP,
 * CS and decode, so only the page's word and chain_left are checked,
 * and nothing is stored but chain_left; on to the body past
 * the reload, with the cached registers the block's end (`valid`) did
 * not hold loaded. */
static void emit_self_entry(struct as *a, const struct x86_block *slot, const uint8_t *body,
			    uint16_t valid)
{
	uint8_t *out[2], *undo;
	unsigned n = 0;

	n = entry_checks(a, slot, out, n);
	undo = take_left(a, slot->count);
	a->valid = valid;
	x86_jit_regs_load(a, x86_jit_regs_cached(a));
	jump_to(a, body);
	return_0(a, out, n, undo, slot->count);
}

/* What the slow paths call to load the cached registers again after
 * their handler (all of them, memory holding their values), shared to
 * keep the block small: NULL when the block caches none. */
static const uint8_t *emit_reload(struct as *a)
{
	const uint8_t *at = a->p;

	if (!x86_jit_regs_cached(a))
		return NULL;
	a->valid = 0;
	x86_jit_regs_load(a, x86_jit_regs_cached(a));
	b1(a, 0xc3); /* ret */
	return at;
}

/* The cached registers valid at the end of a form its slow path goes back
 * to, loaded again (a call of `reload`). */
static void reload_for(struct as *a, const uint8_t *reload, uint16_t valid)
{
	if (!reload || !valid)
		return;
	b1(a, 0xe8); /* call reload */
	b4(a, 0);
	if (!a->over)
		patch_to(a->p - 4, reload);
}

/* The slow paths of the memory forms: the handler, then back, or out of
 * the block on a break. */
static void emit_slow(struct as *a, const struct x86_block *b, const struct slow *s,
		      const uint8_t *reload)
{
	const struct x86_insn *in = &b->insns[s->i];

	patch(a, x86_jit_near_full(a, in, &s->near));
	for (unsigned k = 0; k < J_MISSES; k++)
		patch(a, s->miss[k]);
	if (s->sink != J_NO_SINK)
		x86_jit_sink_record(a, &b->insns[s->sink], s->fold);
	emit_call(a, in, s->off, b->ip_mask, true);
	if (s->i + 1 < b->n) {
		uint8_t *out = break_check(a);

		reload_for(a, reload, s->valid);
		x86_jit_near_lost(a);
		jump_to(a, s->cont);
		patch(a, out);
		mov_imm(a, RAX, s->i + 1);
		epilogue(a);
	} else {
		reload_for(a, reload, s->valid);
		jump_to(a, s->cont);
	}
}

/* The C entry, cold once the block is chained: the prologue, then a jmp
 * to the hot area, which the caller points at load_ip. */
static uint8_t *emit_c_entry(struct as *a, struct x86_jit_links *l)
{
	uint8_t *on;

	cold_area(a);
	l->code = a->p;
	prologue(a);
	on = jump(a, 0xe9);
	hot_area(a);
	return on;
}

size_t x86_jit_emit_linked(const struct x86_block *b, const struct x86_block *slot,
			   const struct x86_jit_area *area, unsigned *native, unsigned *mem,
			   struct x86_jit_links *l)
{
	struct as a = {.p = area->hot,
		       .end = area->hot_end,
		       .other = area->cold,
		       .other_end = area->cold_end,
		       .flat = b->flat};
	uint8_t *body, *slots = NULL, *entry = NULL, *self = NULL, *far = NULL, *c_entry;
	const uint8_t *reload;
	struct entry in;
	uint8_t *exits[X86_BLOCK_MAX];
	struct j_exit ex = {{NULL, NULL}, {0, 0}, {NULL, NULL}};
	bool chain = slot && slot->chain;
	struct slow slow[X86_BLOCK_MAX];
	unsigned nslow = 0;
	uint32_t off = 0, mask = b->ip_mask;
	int last = CALL;
	struct j_flags st = {false, 0, 0};
	uint32_t live[X86_BLOCK_MAX];
	uint8_t owner[X86_BLOCK_MAX];
	bool fold[X86_BLOCK_MAX];
	uint16_t uses[X86_BLOCK_MAX], nostore[X86_BLOCK_MAX], end_valid;
	/* r13 for the memory forms, and the soft-TLB checks of the jump
	 * cache and the far stubs */
	bool acc = has_mem(b) || chain;

	*native = *mem = 0;
	l->hot = a.p;
	c_entry = emit_c_entry(&a, l);
	if (slot) {
		entry = a.p;
		emit_chain_entry(&a, slot, &in);
	}
	patch(&a, c_entry);
	load_ip(&a);
	x86_jit_live(b, live);
	x86_jit_sink(b, live, owner);
	x86_jit_regs_pick(&a, b, live, uses);
	x86_jit_dse(b, nostore);
	x86_jit_regs_load(&a, x86_jit_regs_cached(&a));
	body = a.p;
	for (unsigned i = 0; i < b->n; i++) {
		const struct x86_insn *in = &b->insns[i];

		exits[i] = NULL;
		fold[i] = !x86_jit_cf_in_eflags(&a); /* (for a sunk INC or DEC) */
		a.nostore = nostore[i];
		last = emit_native(&a, in, off, mask, &slow[nslow], &st, i + 1 == b->n, live[i],
				   uses[i], chain ? &ex : NULL);
		a.nostore = 0;
		if (last == NATIVE_MEM || last == NATIVE_JUMP) {
			slow[nslow].cont = a.p;
			slow[nslow].valid = a.valid;
			slow[nslow].i = i;
			slow[nslow].sink = owner[i];
			slow[nslow].fold = owner[i] != J_NO_SINK && fold[owner[i]];
			slow[nslow++].off = off;
			(*mem)++;
		}
		if (last != CALL) {
			(*native)++;
		} else {
			emit_call(&a, in, off, mask, acc);
			if (i + 1 < b->n)
				exits[i] = break_check(&a);
		}
		off += in->len;
	}
	if (last == NATIVE || last == NATIVE_MEM || last == NATIVE_JUMP) {
		/* ip_start of the last one, and EIP unless it set it */
		block_ip(&a, off - b->insns[b->n - 1].len, mask);
		store(&a, RAX, CPU(ip_start));
		if (last != NATIVE_JUMP) {
			block_ip(&a, off, mask);
			store(&a, RAX, CPU(eip));
		}
	}
	end_valid = a.valid;
	if (chain) {
		/* a break asked by the last instruction's handler or slow path */
		bool brk = last == CALL || last == NATIVE_MEM || last == NATIVE_JUMP;

		emit_exit_slots(&a, b, &slots, brk, ex.jmp[0] ? &ex : NULL, &far);
	} else {
		mov_imm(&a, RAX, b->count);
		epilogue(&a);
	}
	l->hot_end = a.p;
	cold_area(&a);
	/* A break after instruction i: i + 1 of them ran. */
	for (unsigned i = 0; i + 1 < b->n; i++) {
		if (!exits[i])
			continue;
		patch(&a, exits[i]);
		mov_imm(&a, RAX, i + 1);
		epilogue(&a);
	}
	reload = nslow ? emit_reload(&a) : NULL;
	for (unsigned k = 0; k < nslow; k++)
		emit_slow(&a, b, &slow[k], reload);
	if (slot) {
		finish_entry(&a, slot, &in);
		return_0(&a, in.out, in.n, in.undo, slot->count);
		if (slots) {
			self = a.p;
			emit_self_entry(&a, slot, body, end_valid);
		}
	}
	l->cold_end = a.p;
	l->slots = slots;
	l->entry = entry;
	l->self = self;
	l->far = far;
	l->fixed = slots && ex.jmp[0];
	l->flat = a.flat_used;
	l->near = a.near;
	if (a.over)
		return 0;
	return (size_t)(l->hot_end - l->hot) + (size_t)(l->cold_end - l->code);
}
