/* The JIT's assembler: the few x86-64 encodings the emitter (jit_emit.c)
 * and its forms (jit_form.c, jit_ops.c) write, into a bounded buffer. Host
 * registers: rbx holds cpu, r12d the block's first EIP, r13 cpu plus
 * four times cpu->acc_user (so [r13 + tlb tag offset] is the tag of the
 * current privilege's access kind), r8 the host address of a memory
 * operand; eax, ecx, edx, esi and edi are scratch; rbp, r14, r15, r9,
 * r10 and r11 cache guest registers (jit_regs.c). Only jit_*.c include
 * this header. */
#ifndef HV_X86_JIT_ASM_H
#define HV_X86_JIT_ASM_H

#include <stddef.h>
#include <string.h>

#include "hv/x86/cpu_state.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* The guest operations of the forms: the group-1 ALU numbering, then the
 * rest. */
enum {
	J_ADD,
	J_OR,
	J_ADC,
	J_SBB,
	J_AND,
	J_SUB,
	J_XOR,
	J_CMP,
	J_TEST,
	J_MOV,
	J_INC,
	J_DEC,
	/* jit_ops.c */
	J_NOT,
	J_LEA,
	J_MOVZX,
	J_MOVSX,
	J_SHIFT, /* group 2: j_form.sub is ROL, ROR, -, -, SHL, SHR, SHL, SAR */
	J_IMUL,	 /* the two- and three-operand forms */
	J_MUL,	 /* MUL r/m32: a EAX, b the operand */
	J_BSCAN, /* BSF (sub 0), BSR (sub 1) */
	/* jit_cond.c */
	J_CMOV,
	J_SETCC,
	J_CBW, /* CBW, CWDE */
	J_CWD, /* CWD, CDQ */
	J_NOP,
	/* jit_rmw.c */
	J_XADD,
	J_CMPXCHG,
	J_DSHIFT, /* SHLD (sub 0), SHRD (sub 1) of 32 bits: b the source register */
	/* jit_stack.c: 32-bit operands on a 32-bit stack (all with memory) */
	J_PUSH, /* b: the value */
	J_POP,	/* dst: the register */
	J_LEAVE,
	J_CALL, /* CALL rel32: b.imm the displacement */
	J_RET,	/* RET, RET imm16: b.imm what is added to ESP after the pop */
};

/* The most jumps a memory form takes to its slow path. */
#define J_MISSES 4

/* The page of the last memory operand emitted (jit_near.c): with
 * `valid`, r8 holds 0 (not seen: a slow path ran since) or the host
 * address of base + index << scale + disp (x86_insn's, asz 4) in a flat
 * segment, every path to here that left it nonzero having seen the soft
 * TLB map the bytes from rlo to rhi (from that address, 0 within them)
 * in its page, for writing too when `write`. */
struct j_last {
	bool valid;
	uint8_t base, index, scale;
	uint32_t disp;
	int32_t rlo, rhi;
	bool write;
};

/* How a memory form of jit_near.c checks its page against the last
 * one's: `full`, the jumps (r8 0, and the page offset's check if any)
 * to the full lookup out of line (NULL: a full lookup inline), which
 * looks up the `size` bytes from its address plus `lo`, for writing or
 * not, and goes back to `back`. */
struct j_near {
	uint8_t *full[2];
	const uint8_t *back;
	int32_t lo;
	uint16_t size;
	bool write;
};

struct as {
	uint8_t *p, *end;
	/* The other area of the block's code, and whether p is in the cold
	 * one (as_area): the code a block runs each time (entries,
	 * body, slots) is emitted hot, what it seldom runs (slow paths,
	 * ways out, far stubs) cold, in another part of the buffer, so
	 * that the hot code of neighbouring blocks packs the host's
	 * instruction cache. Jumps between them are rel32. */
	uint8_t *other, *other_end;
	bool in_cold;
	bool over;
	/* What the lazy record's mask and bits hold when the code emitted so
	 * far has run, whichever way (native or slow path) each form went,
	 * when known (x86_jit_set_lazy then stores only res and cv). */
	bool lazy_known;
	uint32_t lazy_mask;
	unsigned lazy_bits;
	/* The segments flat when the block is translated (bit 1 << s), and
	 * those whose accesses were emitted with no fast check (x86_jit_tlb):
	 * the block's x86_block.flat. */
	uint8_t flat, flat_used;
	/* EFLAGS.CF is the guest's CF when the code so far has run, whatever
	 * the lazy record's mask says (an INC or DEC, or a cf_only form,
	 * folded it): no INC or DEC folds it again, ADC and SBB read it. */
	bool cf_folded;
	/* The guest registers the block caches (jit_regs.c): host[g] the
	 * host register of guest register g (0: none), g = 8 for EFLAGS.
	 * Memory always holds their values (every write goes to both);
	 * `valid` has bit g set when the host register does too, here, on
	 * every path to it: only a call (call_fn, a handler) clears bits,
	 * only a reload sets them. */
	uint8_t host[9];
	uint16_t valid;
	/* The guest registers whose write by the form being emitted needs no
	 * store to memory (jit_dse.c; x86_jit_store_dead). */
	uint16_t nostore;
	uint16_t volatile_regs; /* those in caller-saved r9-r11 */
	/* jit_near.c: the last memory operand's page, and the forms that
	 * relied on it so far. */
	struct j_last last;
	unsigned near;
};

static inline void b1(struct as *a, unsigned v)
{
	if (a->p < a->end)
		*a->p++ = (uint8_t)v;
	else
		a->over = true;
}

static inline void b2(struct as *a, uint32_t v)
{
	b1(a, v & 0xff);
	b1(a, (v >> 8) & 0xff);
}

static inline void b4(struct as *a, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b1(a, (v >> (8 * i)) & 0xff);
}

/* An immediate of an operand size (1, 2 or 4 bytes). */
static inline void b_imm(struct as *a, unsigned size, uint32_t v)
{
	if (size == 1)
		b1(a, v & 0xff);
	else if (size == 2)
		b2(a, v);
	else
		b4(a, v);
}

static inline void b8(struct as *a, uint64_t v)
{
	b4(a, (uint32_t)v);
	b4(a, (uint32_t)(v >> 32));
}

static inline void bytes(struct as *a, const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b1(a, v[i]);
}

/* Emits the bytes given: E(a, 0x48, 0x89, 0xd0). */
#define E(a, ...) bytes(a, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

#define CPU(field) ((uint32_t)offsetof(struct x86_cpu, field))
#define REG(r)	   (CPU(regs) + 4u * (r))

/* op r32, [rbx + off] (8Bh: load; 3Bh: cmp) and op [rbx + off], r32 (89h). */
static inline void mem_op(struct as *a, unsigned op, unsigned r, uint32_t off)
{
	b1(a, op);
	b1(a, 0x83 | r << 3);
	b4(a, off);
}

/* jit_regs.c: the host register holding the guest register whose
 * 32 bits are at offset off in x86_cpu (REG(g), or CPU(eflags)), when it
 * is cached and valid here; 0 otherwise (memory holds it: the only
 * choice for AH-BH). */
unsigned x86_jit_cached(const struct as *a, uint32_t off);
/* After a store of host register r to offset off: the cached guest
 * register there updated too. */
void x86_jit_stored(struct as *a, unsigned r, uint32_t off);
/* Whether a store of a guest register at offset off may be left out:
 * in a->nostore, cached and held by its host register. */
bool x86_jit_store_dead(const struct as *a, uint32_t off);

/* r = [rbx + off], from the host register caching it if any. */
static inline void load(struct as *a, unsigned r, uint32_t off)
{
	unsigned h = x86_jit_cached(a, off);

	if (h) {
		b1(a, 0x40 | (h >> 3)); /* mov r32, h32 (rex.b for r8-r15) */
		b1(a, 0x8b);
		b1(a, 0xc0 | r << 3 | (h & 7));
		return;
	}
	mem_op(a, 0x8b, r, off);
}

/* The host register holding guest register g for an address: its cached
 * one, or `scratch` loaded. */
static inline unsigned ea_reg(struct as *a, unsigned g, unsigned scratch)
{
	unsigned h = x86_jit_cached(a, REG(g));

	if (h)
		return h;
	load(a, scratch, REG(g));
	return scratch;
}

/* [rbx + off] = r, and the host register caching it if any. */
static inline void store(struct as *a, unsigned r, uint32_t off)
{
	if (!x86_jit_store_dead(a, off))
		mem_op(a, 0x89, r, off);
	x86_jit_stored(a, r, off);
}

/* mov dword [rbx + off], imm */
static inline void store_imm(struct as *a, uint32_t off, uint32_t imm)
{
	b1(a, 0xc7);
	b1(a, 0x83);
	b4(a, off);
	b4(a, imm);
}

/* op dst, src on 32-bit registers (the r/m, r form of op). */
static inline void rr(struct as *a, unsigned op, unsigned src, unsigned dst)
{
	b1(a, op);
	b1(a, 0xc0 | src << 3 | dst);
}

static inline void mov_imm(struct as *a, unsigned r, uint32_t imm)
{
	b1(a, 0xb8 + r);
	b4(a, imm);
}

/* movzx r32, r8/r16 of the same register (size 1 or 2; nothing for 4). */
static inline void zext(struct as *a, unsigned r, unsigned size)
{
	if (size == 4)
		return;
	b1(a, 0x0f);
	b1(a, size == 1 ? 0xb6 : 0xb7);
	b1(a, 0xc0 | r << 3 | r);
}

/* A rel32 jump (0Fh 8xh Jcc or E9h JMP) to be patched: its offset. */
static inline uint8_t *jump(struct as *a, unsigned cc_or_jmp)
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

/* Points the jump at `at` to `to`. */
static inline void patch_to(uint8_t *at, const uint8_t *to)
{
	int32_t rel;

	if (!at)
		return; /* the jump was not emitted: the buffer ran over */
	rel = (int32_t)(to - (at + 4));
	memcpy(at, &rel, 4);
}

/* Points the jump at `at` here. */
static inline void patch(struct as *a, uint8_t *at)
{
	if (!a->over)
		patch_to(at, a->p);
}

/* Emits into the other area from here on: the cold one (cold true) or
 * the hot one. */
static inline void as_area(struct as *a, bool cold)
{
	uint8_t *p = a->p, *end = a->end;

	if (a->in_cold == cold)
		return;
	a->p = a->other;
	a->end = a->other_end;
	a->other = p;
	a->other_end = end;
	a->in_cold = cold;
}

static inline void cold_area(struct as *a)
{
	as_area(a, true);
}

static inline void hot_area(struct as *a)
{
	as_area(a, false);
}

/* A jmp back to `to`, already emitted. */
static inline void jump_to(struct as *a, const uint8_t *to)
{
	patch_to(jump(a, 0xe9), to);
}

/* mov rdi, rbx; then the call of fn, which leaves r9-r11 unknown. A
 * function that may write guest registers or EFLAGS (a handler) must be
 * followed by a->valid = 0: memory then holds them, not the host. */
static inline void call_fn(struct as *a, const void *fn)
{
	a->valid &= (uint16_t)~a->volatile_regs;
	a->last.valid = false; /* r8 lost, and any TLB entry */
	b1(a, 0x48);	       /* mov rdi, rbx */
	b1(a, 0x89);
	b1(a, 0xdf);
	b1(a, 0x48); /* mov rax, fn; call rax */
	b1(a, 0xb8);
	b8(a, (uint64_t)(uintptr_t)fn);
	b1(a, 0xff);
	b1(a, 0xd0);
}

/* r13 = rbx + 4 * acc_user: at entry and after every handler call. */
static inline void set_acc(struct as *a)
{
	b1(a, 0x0f); /* movzx eax, byte [rbx + acc_user] */
	b1(a, 0xb6);
	b1(a, 0x83);
	b4(a, CPU(acc_user));
	b1(a, 0x4c); /* lea r13, [rbx + rax*4] */
	b1(a, 0x8d);
	b1(a, 0x2c);
	b1(a, 0x83);
}

/* eax = (r12d + off) & mask: an EIP of the block. */
static inline void block_ip(struct as *a, uint32_t off, uint32_t mask)
{
	b1(a, 0x41); /* lea eax, [r12 + off] */
	b1(a, 0x8d);
	b1(a, 0x84);
	b1(a, 0x24);
	b4(a, off);
	if (mask == 0xffff)
		zext(a, RAX, 2);
}

/* The form of an instruction the emitter does natively (jit_form.c). */
enum { J_NONE, J_REG, J_IMM, J_MEM };
struct j_opnd {
	uint8_t kind;
	uint32_t off; /* J_REG: byte offset in x86_cpu (AH-BH: one past AL-BL) */
	uint32_t imm; /* J_IMM */
};

struct j_form {
	const struct x86_insn *in;
	unsigned op;	/* J_* */
	unsigned size;	/* 1, 2, 4: of the operation, and of a memory operand */
	unsigned dsize; /* of dst, when it differs (MOVZX, MOVSX), else size */
	unsigned sub;	/* J_SHIFT: the operation (ModRM reg) */
	struct j_opnd a, b, dst;
	bool mem;   /* a memory operand, through the soft TLB */
	bool write; /* written (or read-modify-written) */
	/* Its flags are replaced before anything can read them (x86_jit_live):
	 * the ALU forms, INC/DEC and shifts by an immediate are done in place
	 * (jit_inplace.c), with no lazy record. */
	bool dead;
	/* An ALU register form of which only CF is read, by an INC or DEC
	 * that folds it into EFLAGS before anything else can see the record:
	 * the form puts it in EFLAGS itself, and writes no record. */
	bool cf_only;
	/* An INC or DEC whose record only slow paths read (J_LIVE_SUNK): done
	 * in place, with no record and no CF folded; they write them. */
	bool sunk;
};

/* Register r as a size-byte operand (AH-BH for 4-7 of 1). */
static inline struct j_opnd j_reg_opnd(unsigned r, unsigned size)
{
	uint32_t off = size == 1 && r >= 4 ? REG(r - 4) + 1 : REG(r);

	return (struct j_opnd){J_REG, off, 0};
}

/* The r/m operand: a register, or the memory operand. */
static inline struct j_opnd j_rm_opnd(const struct x86_insn *in, unsigned size)
{
	if (in->mod == 3)
		return j_reg_opnd(in->rm, size);
	return (struct j_opnd){J_MEM, 0, 0};
}

/* Whether in is done natively, and how; fused pairs included (their
 * first instruction). */
bool x86_jit_form(const struct x86_insn *in, struct j_form *f);
/* The forms of jit_ops.c (f cleared, in checked for LOCK and REP). */
bool x86_jit_form_ops(const struct x86_insn *in, struct j_form *f);
/* The forms of jit_cond.c, and their code. */
bool x86_jit_form_cond(const struct x86_insn *in, struct j_form *f);
void x86_jit_op_cond(struct as *a, const struct j_form *f);
/* The forms of jit_rmw.c, and their code. */
bool x86_jit_form_rmw(const struct x86_insn *in, struct j_form *f);
void x86_jit_op_rmw(struct as *a, const struct j_form *f);
/* edx = eax op ecx and eax = its carry vector for zero-extended operands
 * of `size` (jit_form.c: fast.h's alu() with masked 0, incdec() with 1;
 * `dead`: no vector). */
void x86_jit_alu_cv(struct as *a, unsigned op, unsigned size, bool masked, bool dead);
/* eax = a shift's carry vector (shift.c's shift_flags) from esi, the CF,
 * and edi, the OF (0 or 1), for an operand whose top bit is `top`. */
void x86_jit_shift_cv(struct as *a, unsigned top);
/* esi = the offset of in's memory operand (x86_ea; A0h-A3h: the moffs). */
void x86_jit_ea(struct as *a, const struct x86_insn *in);
/* The effective address, segment check and soft-TLB lookup of a memory
 * form, leaving the host address in r8: the jumps taken to the
 * instruction's slow path (its handler) go in miss (unused ones NULL). */
void x86_jit_mem(struct as *a, const struct x86_insn *in, const struct j_form *f,
		 uint8_t *miss[J_MISSES], struct j_near *n);
/* The soft-TLB lookup of the `size` bytes (up to a page) at linear
 * address `lin` (host register edx or esi), for writing or not: r8 =
 * their host address, or miss[1], the jump taken (eax, ecx clobbered). */
void x86_jit_tlb_lookup(struct as *a, unsigned lin, unsigned size, bool write, uint8_t *miss[2]);
/* lea dst, [base + index << scale + disp] (base J_NOBASE: none; index
 * RSP: none), host registers, dst one of eax-edi. */
#define J_NOBASE 16u
void x86_jit_lea(struct as *a, unsigned dst, unsigned base, unsigned index, unsigned scale,
		 uint32_t disp);
/* jit_near.c. A memory form of a flat segment whose page is that of the
 * last one (the same base and index, unwritten since; its offset from
 * it known), done without the full lookup: r8 from the last one's, after
 * a check of the page offset when the bytes may leave the page seen
 * (out of line to the full lookup when they do). False: none emitted. */
bool x86_jit_near_mem(struct as *a, const struct x86_insn *in, unsigned s, const struct j_form *f,
		      struct j_near *n);
/* After a form's full lookup: its page as the last one, when it may be. */
void x86_jit_near_source(struct as *a, const struct x86_insn *in, unsigned s,
			 const struct j_form *f);
/* After form f's operation: the last page forgotten when f wrote its
 * base or index register. */
void x86_jit_near_writes(struct as *a, const struct j_form *f);
/* In the slow path of instruction in, before its handler: the full
 * lookup its jumps go to, if any; returns that lookup's jump to the
 * handler (NULL for none). */
uint8_t *x86_jit_near_full(struct as *a, const struct x86_insn *in, const struct j_near *n);
/* In a slow path going back to its form's end, after its handler and
 * the reload: r8 = 0 (the page not seen) when a form relies on it. */
void x86_jit_near_lost(struct as *a);
/* The segment's fast check and the soft-TLB lookup of the `size` bytes
 * at offset esi in segment s (esi kept; eax, ecx, edx clobbered), r8 =
 * their host address; the two jumps to the slow path in miss. */
void x86_jit_tlb(struct as *a, unsigned s, unsigned size, bool write, uint8_t *miss[2]);
/* The forms of jit_stack.c: PUSH r32/imm, POP r32, CALL rel32, RET. */
bool x86_jit_form_stack(const struct x86_insn *in, struct j_form *f);
/* Their x86_jit_mem: SS 32-bit (a miss otherwise), esi = the new ESP of
 * a push or the ESP of a pop, r8 its host address. */
void x86_jit_stack_mem(struct as *a, const struct j_form *f, uint8_t *miss[J_MISSES]);
/* PUSH and POP after x86_jit_stack_mem. */
void x86_jit_op_stack(struct as *a, const struct j_form *f);
/* CALL and RET after x86_jit_stack_mem: `next` is the offset in the
 * block of the instruction after it; EIP is stored, or a target beyond
 * the CS limit takes miss[3] with nothing changed. */
void x86_jit_branch(struct as *a, const struct j_form *f, uint32_t next, uint32_t mask,
		    uint8_t *miss[J_MISSES]);
/* The operation of the form, after x86_jit_mem for a memory one. */
void x86_jit_op(struct as *a, const struct j_form *f);
/* That of a jit_ops.c form. */
void x86_jit_op_ops(struct as *a, const struct j_form *f);
/* Host register r = the operand, zero-extended (jit_form.c). */
void x86_jit_get(struct as *a, unsigned r, const struct j_opnd *o, unsigned size);
/* MOV, MOVZX (sx false) or MOVSX (true) to a 32-bit register from memory
 * or a cached register, straight into the destination's host register
 * when it is cached (a MOV of a cached one: from its host register), then
 * memory, with no trip through eax; false when neither is cached (the
 * caller does it through eax). */
bool x86_jit_load_direct(struct as *a, const struct j_form *f, bool sx);
/* The operand = the low size bytes of host register r. */
void x86_jit_put(struct as *a, unsigned r, const struct j_opnd *o, unsigned size);
/* jit_inplace.c: an ALU form (after x86_jit_mem), INC/DEC (after the CF
 * fold) or shift by an immediate that is f->dead or f->cf_only, done by
 * the host's operation in place. */
void x86_jit_inplace_alu(struct as *a, const struct j_form *f);
void x86_jit_inplace_incdec(struct as *a, const struct j_form *f);
void x86_jit_inplace_shift(struct as *a, const struct j_form *f);
/* edi = CF (0 or 1), from the lazy record or EFLAGS (fast.h's cf());
 * eax and ecx clobbered. */
void x86_jit_carry_in(struct as *a);
/* The lazy record {edx, eax, mask, size * 8}. */
void x86_jit_set_lazy(struct as *a, uint32_t mask, unsigned size);
/* After x86_jit_op of a fused pair's first instruction (registers only):
 * the host flags as it set the guest's, for the host Jcc of the same
 * condition. CMP or TEST of the same operands (ecx still holds the
 * second), or for INC/DEC, the opposite step then the same one on the
 * result, the second step having the first's operand. */
void x86_jit_host_flags(struct as *a, const struct j_form *f);

/* jit_regs.c: the guest registers to cache in block b (a->host; none
 * valid yet), given the flags live after each instruction (x86_jit_live),
 * and those each instruction's native form uses (uses[i], bit g, bit 8
 * EFLAGS; 0 for a handler call). */
void x86_jit_regs_pick(struct as *a, const struct x86_block *b, const uint32_t *live,
		       uint16_t *uses);
/* The cached registers (bit g), and those of mask not valid loaded into
 * their host registers. */
unsigned x86_jit_regs_cached(const struct as *a);
void x86_jit_regs_load(struct as *a, unsigned mask);
/* After a write of memory at off (AH-BH) not through the host register
 * of a valid cached register holding it: that register loaded again. */
void x86_jit_resync(struct as *a, uint32_t off);
/* The prefixes of an operation of `size` (66h for 2) whose ModRM reg
 * field is host register reg and r/m field host register rm (0-15, 0 for
 * [rbx + off]): a REX for r8-r15, and always for bytes (4-7 are then
 * SPL-DIL, never AH-BH). */
void x86_jit_prefix(struct as *a, unsigned size, unsigned reg, unsigned rm);
/* [rbx + off] = the 32 bits of host register h (any). */
void x86_jit_store_host(struct as *a, unsigned h, uint32_t off);

/* What the lazy record holds after the instructions emitted so far in a
 * block (jit_jcc.c): when known, its mask and width, the same whichever
 * way (native or slow path) the last flag-setting one went. */
struct j_flags {
	bool known;
	uint32_t mask;
	unsigned bits;
};

/* jit_live.c: live[i] = the arithmetic flags read after instruction i
 * of b before being replaced, with J_LIVE_INCDEC when the next
 * instruction to read or replace any is a native register INC or DEC. */
#define J_LIVE_INCDEC (1u << 31)
void x86_jit_live(const struct x86_block *b, uint32_t *live);
/* The arithmetic flags native form f replaces whatever they were (0 for
 * none, or when it may leave some as they were). */
uint32_t x86_jit_defs(const struct j_form *f);
/* What native form f does to the flags (its memory operand aside):
 * *def those it replaces, *use those it reads (INC and DEC read CF to
 * fold it into EFLAGS, ADC and SBB as the carry in); false when it
 * reads them otherwise (a point that reads them all). */
bool x86_jit_effect(const struct j_form *f, uint32_t *def, uint32_t *use);

/* jit_sink.c: live[p] |= J_LIVE_SUNK for a native register INC or DEC
 * whose flags only memory forms' slow paths read (every fast path
 * replaces them first); owner[i] = p for each memory form i whose slow
 * path writes p's record before its handler, J_NO_SINK otherwise. */
#define J_LIVE_SUNK (1u << 30)
#define J_NO_SINK   0xffu
void x86_jit_sink(const struct x86_block *b, uint32_t *live, uint8_t *owner);
/* jit_dse.c: nostore[i], the guest registers whose write by instruction
 * i of b needs no store to memory when their host registers hold them. */
void x86_jit_dse(const struct x86_block *b, uint16_t *nostore);
/* In a slow path, before its handler: the record INC or DEC `in` writes
 * (from its register, unwritten since), CF folded into EFLAGS first
 * when `fold` (the record's CF read at run time). */
void x86_jit_sink_record(struct as *a, const struct x86_insn *in, bool fold);
/* The record of a 32-bit shift by an immediate, f, from the operand a
 * sunk one kept (x86_cpu.sunk_opnd; jit_ops.c). */
void x86_jit_shift_record(struct as *a, const struct j_form *f);
/* The guest registers (bit g) native form f may write (jit_near.c). */
unsigned x86_jit_form_writes(const struct j_form *f);
/* The guest register (bit) of operand o, 0 when o is not a register. */
unsigned x86_jit_opnd_reg(const struct j_opnd *o);
/* Whether EFLAGS holds the guest's CF here, whatever the lazy record says
 * (an INC or DEC then folds nothing; jit_form.c). */
bool x86_jit_cf_in_eflags(const struct as *a);
/* CF folded into EFLAGS when the lazy record holds it, read at run time
 * (eax, ecx clobbered; memory's EFLAGS, the translation's state kept). */
void x86_jit_fold_cf_lazy(struct as *a);
/* x86_jit_alu_cv of INC or DEC: edx = eax + 1 or - 1, eax its vector. */
void x86_jit_incdec_cv(struct as *a, bool dec, unsigned size);
/* Whether fused pair in is done natively: CMP or TEST of registers or a
 * register and an immediate, or INC/DEC of a register before a Jcc that
 * does not read CF (the host's INC/DEC leave it alone, the guest's keep
 * it in EFLAGS); f = the form of its first instruction. */
bool x86_jit_fused_native(const struct x86_insn *in, struct j_form *f);
/* The state after form f (NULL: an instruction done by its handler). */
void x86_jit_flags_after(struct j_flags *st, const struct j_form *f);
struct j_exit;
/* Whether in, the last instruction of a block, is a near jump done
 * natively: JMP rel, or a Jcc (x86_jit_near reads its condition as the
 * flags' state allows). */
bool x86_jit_jump_native(const struct x86_insn *in);
/* It, at offset off in the block: EIP and ip_start stored; out as
 * j_jump's. */
void x86_jit_near(struct as *a, const struct x86_insn *in, const struct j_flags *st, uint32_t off,
		  uint32_t mask, struct j_exit *out);

/* A near jump's second half, after the host flags are set for cc (< 16:
 * taken when the host's condition cc holds; 16: always): ip_start =
 * start, then EIP = end + rel (cut to osz) if taken, else end; a target
 * beyond the CS limit raises #GP with ip_start = at (the jump's own).
 * With out non-NULL, a jump whose EIP is end + rel or end from the
 * block's first EIP (osz 2, or osz and mask 4 bytes) leaves by the
 * rel32 jmps it puts in out, for the caller to patch; otherwise
 * out->jmp[0] is NULL and the code goes on after it. A 16-bit EIP is at
 * that delta unless it wraps around 64 KiB: then it leaves by out->wrap
 * instead (EIP stored), for the caller to patch to a return of the
 * block's count. */
struct j_exit {
	uint8_t *jmp[2];   /* taken; not taken (NULL for a JMP) */
	uint32_t delta[2]; /* EIP from the block's first EIP on each */
	uint8_t *wrap[2];  /* taken, not taken: the 16-bit EIP wrapped (or NULL) */
};
struct j_jump {
	unsigned cc;
	uint32_t rel;
	unsigned osz;
	uint32_t start, at, end;
	struct j_exit *out;
};
void x86_jit_jump(struct as *a, const struct j_jump *j, uint32_t mask);

#endif
