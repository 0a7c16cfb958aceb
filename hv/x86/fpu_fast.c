/* Decode-time handlers for the common x87 instructions: the arithmetic of
 * D8/DC/DE on registers and on m32/m64 operands, FSQRT, FLD/FST/FSTP of
 * m32/m64 and of ST(i), FXCH. Each takes the path the general handlers of
 * fpu_esc.c take only when nothing unusual can happen: CR0.EM and TS
 * clear, no exception pending, every exception masked in the control
 * word (so the host result is the one to store, whatever it raised), the
 * operands' registers valid and the destination free, a memory operand
 * reachable through the inline soft-TLB path. Anything else goes to the
 * general handler before any state changes, which does everything again
 * with its checks and faults. The arithmetic itself is the host x87's
 * under the guest's control word, as in fpu_host.c, so precision and
 * rounding control, the flags and C1 come out the same; the control word
 * stays loaded from one operation to the next (struct fpu_session in
 * fpu.h), so an operation costs its loads, the instruction itself, an
 * FNSTSW and a store. A memory operand of the arithmetic goes straight to
 * the host's own form of the instruction (FADD m32 is FADD m32). */
#include <string.h>

#include "hv/x86/fpu.h"

#define INLINE static inline __attribute__((always_inline))

/* The general handler of the instruction (table.c). */
INLINE void general(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_handlers[in->op](cpu, in);
}

/* CR0.EM/TS clear, no exception pending, all six masked, and every
 * register in `need` (a mask of physical registers) valid. */
INLINE bool fast_ok(const struct x86_cpu *cpu, unsigned need)
{
	const struct x86_fpu *f = &cpu->fpu;

	return !(cpu->cr[0] & (X86_CR0_EM | X86_CR0_TS)) && !(f->sw & FPU_ES) &&
	       (f->cw & FPU_EXC) == FPU_EXC && (f->valid & need) == need;
}

/* The session holds for cpu with the guest's control word (so all
 * exceptions masked), none is pending, and CR0.EM/TS are clear: the fast
 * path may use the host x87 as it is. */
INLINE bool ready(const struct x86_cpu *cpu)
{
	return fpu_session.cpu == cpu && fpu_session.cw == cpu->fpu.cw && !(cpu->fpu.sw & FPU_ES) &&
	       !(cpu->cr[0] & (X86_CR0_EM | X86_CR0_TS));
}

/* Out of the fast path when not ready(): starts the session and runs the
 * handler `self` again when the state allows, else the general handler. */
static __attribute__((noinline)) void start(struct x86_cpu *cpu, const struct x86_insn *in,
					    x86_handler self)
{
	if (!fast_ok(cpu, 0)) {
		general(cpu, in);
		return;
	}
	fpu_host_enter(cpu);
	self(cpu, in);
}

/* fpu_note for a register form: `fop` has all but the rm field. */
INLINE void note_reg(struct x86_cpu *cpu, const struct x86_insn *in, unsigned fop)
{
	struct x86_fpu *f = &cpu->fpu;

	f->fop = fop | in->rm;
	f->fip = cpu->ip_start;
	f->fcs = cpu->seg[X86_CS].sel;
}

/* fpu_note for a memory form at offset off: `fop` has the op and reg. */
INLINE void note_mem(struct x86_cpu *cpu, const struct x86_insn *in, unsigned fop, uint32_t off)
{
	struct x86_fpu *f = &cpu->fpu;

	f->fop = fop | in->mod << 6 | in->rm;
	f->fip = cpu->ip_start;
	f->fcs = cpu->seg[X86_CS].sel;
	f->fdp = off;
	f->fds = cpu->seg[in->ea_seg].sel;
}

/* fpu_raise with every exception masked: the flags accumulate and C1
 * (rounded up, or 0) is the operation's; `keep` says which bits of the
 * host's status word count. On a
 * 32-bit host, whose own double arithmetic is x87, the host's control
 * word goes back after every operation. */
INLINE void merge(struct x86_cpu *cpu, uint16_t sw, uint16_t keep)
{
	struct x86_fpu *f = &cpu->fpu;

	f->sw = (f->sw & ~FPU_C1) | (sw & keep);
#ifdef __i386__
	x86_fpu_host_leave();
#endif
}

/* The status word's output where FNSTSW AX comes before the FSTPT that
 * stores the result: AX is written while that address is still to be
 * used, so it is an early-clobber output. Without the "&" a compiler may
 * put the address in RAX; clang does, and the result went to an address
 * whose low 16 bits were the status word (gcc happened not to). */
#define SW_OUT "=&a"

INLINE void set_top(struct x86_cpu *cpu, unsigned top)
{
	cpu->fpu.sw = (cpu->fpu.sw & ~0x3800u) | (top & 7) << 11;
}

/* The six arithmetic operations of the reg field (2 and 3 compare): a
 * OP b, the mnemonic of its memory form, and the bytes of the popping
 * register form that leaves a OP b in ST(0) from a in ST(1) and b in
 * ST(0) (in Intel's terms FADDP, FMULP, FSUBP, FSUBRP, FDIVP, FDIVRP
 * ST(1), ST(0); as bytes because AT&T mnemonics swap the R forms). */
#define OPS(F)                                                                                     \
	F(0, "fadd", "0xde, 0xc1")                                                                 \
	F(1, "fmul", "0xde, 0xc9")                                                                 \
	F(4, "fsub", "0xde, 0xe9")                                                                 \
	F(5, "fsubr", "0xde, 0xe1")                                                                \
	F(6, "fdiv", "0xde, 0xf9")                                                                 \
	F(7, "fdivr", "0xde, 0xf1")

/* Register forms: ST(0) OP ST(i) to ST(0) (D8), to ST(i) (DC), to ST(i)
 * and pop (DE): a, then b, on the host stack, and the popping form. */
#define REG_ARITH(n, insn, popping)                                                                \
	static void d8_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in);                    \
	static void dc_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in);                    \
	static void de_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in);                    \
	INLINE void reg_##n(struct x86_cpu *cpu, const struct x86_insn *in, x86_handler self,      \
			    unsigned esc, bool to_sti, bool pop)                                   \
	{                                                                                          \
		unsigned top = fpu_top(cpu), pi = (top + in->rm) & 7;                              \
		uint16_t sw;                                                                       \
		const struct x86_f80 *a = &cpu->fpu.st[top], *b = &cpu->fpu.st[pi];                \
		struct x86_f80 *r = &cpu->fpu.st[to_sti ? pi : top];                               \
		if (!ready(cpu)) {                                                                 \
			start(cpu, in, self);                                                      \
			return;                                                                    \
		}                                                                                  \
		if ((cpu->fpu.valid & (1u << top | 1u << pi)) != (1u << top | 1u << pi)) {         \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note_reg(cpu, in, esc << 8 | 0xc0 | n << 3);                                       \
		__asm__ volatile("fldt %[a]\n\t"                                                   \
				 "fldt %[b]\n\t"                                                   \
				 ".byte " popping "\n\t"                                           \
				 "fnstsw %%ax\n\t"                                                 \
				 "fstpt %[r]"                                                      \
				 : SW_OUT(sw), [r] "=m"(*r)                                        \
				 : [a] "m"(*a), [b] "m"(*b)                                        \
				 : "st", "st(1)");                                                 \
		merge(cpu, sw, FPU_C1 | FPU_EXC | FPU_SF);                                         \
		if (pop) {                                                                         \
			cpu->fpu.valid &= ~(1u << top);                                            \
			set_top(cpu, top + 1);                                                     \
		}                                                                                  \
	}                                                                                          \
	static void d8_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, d8_reg_##n, 0, false, false);                                     \
	}                                                                                          \
	static void dc_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, dc_reg_##n, 4, true, false);                                      \
	}                                                                                          \
	static void de_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, de_reg_##n, 6, true, true);                                       \
	}
OPS(REG_ARITH)

/* The memory operand's host bytes for a read or a write, or NULL. */
INLINE uint8_t *operand(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t off, unsigned size,
			bool write)
{
	return x86_fast_ptr(cpu, in->ea_seg, off, size, write ? X86_DENY_WRITE : X86_DENY_READ,
			    x86_acc(cpu, write));
}

/* Memory forms: ST(0) OP m32 (D8) or m64 (DC) to ST(0), by the host's
 * own instruction on the operand (suffix s: m32, l: m64). */
#define MEM_ARITH_SIZED(name, esc, n, size, insn)                                                  \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = fpu_top(cpu);                                                       \
		uint32_t off = x86_ea(cpu, in);                                                    \
		const uint8_t *p = operand(cpu, in, off, size, false);                             \
		uint16_t sw;                                                                       \
		struct x86_f80 *r = &cpu->fpu.st[top];                                             \
		if (!ready(cpu)) {                                                                 \
			start(cpu, in, name);                                                      \
			return;                                                                    \
		}                                                                                  \
		if (!p || !(cpu->fpu.valid & 1u << top)) {                                         \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note_mem(cpu, in, esc << 8 | n << 3, off);                                         \
		__asm__ volatile("fldt %[r]\n\t" insn " %[m]\n\t"                                  \
				 "fnstsw %%ax\n\t"                                                 \
				 "fstpt %[r]"                                                      \
				 : SW_OUT(sw), [r] "+m"(*r)                                        \
				 : [m] "m"(*(const uint8_t(*)[size])p)                             \
				 : "st");                                                          \
		merge(cpu, sw, FPU_C1 | FPU_EXC | FPU_SF);                                         \
	}
#define MEM_ARITH(n, insn, popping)                                                                \
	MEM_ARITH_SIZED(d8_mem_##n, 0, n, 4, insn "s")                                             \
	MEM_ARITH_SIZED(dc_mem_##n, 4, n, 8, insn "l")
OPS(MEM_ARITH)

/* FSQRT: ST(0) = sqrt(ST(0)). */
static void fsqrt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu);
	uint16_t sw;
	struct x86_f80 *r = &cpu->fpu.st[top];

	if (!ready(cpu)) {
		start(cpu, in, fsqrt);
		return;
	}
	if (!(cpu->fpu.valid & 1u << top)) {
		general(cpu, in);
		return;
	}
	note_reg(cpu, in, 1u << 8 | 0xf8);
	__asm__ volatile("fldt %[r]\n\t"
			 "fsqrt\n\t"
			 "fnstsw %%ax\n\t"
			 "fstpt %[r]"
			 : SW_OUT(sw), [r] "+m"(*r)
			 :
			 : "st");
	merge(cpu, sw, FPU_C1 | FPU_EXC | FPU_SF);
}

/* FLD m32 (D9 /0) and m64 (DD /0): converted (exactly) and pushed; a
 * signalling NaN or a denormal raises its flag, C1 is cleared. */
#define FLD_MEM(name, esc, size, load)                                                             \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = (fpu_top(cpu) - 1) & 7;                                             \
		uint32_t off = x86_ea(cpu, in);                                                    \
		const uint8_t *p = operand(cpu, in, off, size, false);                             \
		uint16_t sw;                                                                       \
		struct x86_f80 *r = &cpu->fpu.st[top];                                             \
		if (!ready(cpu)) {                                                                 \
			start(cpu, in, name);                                                      \
			return;                                                                    \
		}                                                                                  \
		if (!p || (cpu->fpu.valid & 1u << top)) {                                          \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note_mem(cpu, in, esc << 8, off);                                                  \
		__asm__ volatile(load " %[m]\n\t"                                                  \
				      "fnstsw %%ax\n\t"                                            \
				      "fstpt %[r]"                                                 \
				 : SW_OUT(sw), [r] "=m"(*r)                                        \
				 : [m] "m"(*(const uint8_t(*)[size])p)                             \
				 : "st");                                                          \
		merge(cpu, sw, FPU_EXC);                                                           \
		cpu->fpu.valid |= 1u << top;                                                       \
		set_top(cpu, top);                                                                 \
	}
FLD_MEM(fld_m32, 1, 4, "flds")
FLD_MEM(fld_m64, 5, 8, "fldl")

/* FST/FSTP m32 (D9 /2 /3) and m64 (DD /2 /3): ST(0) rounded as the
 * control word says; C1 says whether it was rounded up. */
#define FST_MEM(name, esc, pop, size, store)                                                       \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = fpu_top(cpu);                                                       \
		uint32_t off = x86_ea(cpu, in);                                                    \
		uint8_t *p = operand(cpu, in, off, size, true);                                    \
		uint16_t sw;                                                                       \
		const struct x86_f80 *a = &cpu->fpu.st[top];                                       \
		if (!ready(cpu)) {                                                                 \
			start(cpu, in, name);                                                      \
			return;                                                                    \
		}                                                                                  \
		if (!p || !(cpu->fpu.valid & 1u << top)) {                                         \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note_mem(cpu, in, esc << 8 | (2 + pop) << 3, off);                                 \
		__asm__ volatile("fldt %[a]\n\t" store " %[m]\n\t"                                 \
				 "fnstsw %%ax"                                                     \
				 : "=a"(sw), [m] "=m"(*(uint8_t(*)[size])p)                        \
				 : [a] "m"(*a)                                                     \
				 : "st");                                                          \
		merge(cpu, sw, FPU_EXC | FPU_C1);                                                  \
		if (pop) {                                                                         \
			cpu->fpu.valid &= ~(1u << top);                                            \
			set_top(cpu, top + 1);                                                     \
		}                                                                                  \
	}
FST_MEM(fst_m32, 1, 0, 4, "fstps")
FST_MEM(fstp_m32, 1, 1, 4, "fstps")
FST_MEM(fst_m64, 5, 0, 8, "fstpl")
FST_MEM(fstp_m64, 5, 1, 8, "fstpl")

/* FLD ST(i) (D9 C0+i): pushes a copy; C1 cleared. */
static void fld_st(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu), src = (top + in->rm) & 7, dst = (top - 1) & 7;

	if (!fast_ok(cpu, 1u << src) || (cpu->fpu.valid & 1u << dst)) {
		general(cpu, in);
		return;
	}
	note_reg(cpu, in, 1u << 8 | 0xc0);
	cpu->fpu.st[dst] = cpu->fpu.st[src];
	cpu->fpu.valid |= 1u << dst;
	cpu->fpu.sw &= ~FPU_C1;
	set_top(cpu, dst);
}

/* FXCH ST(i) (D9 C8+i); C1 cleared. */
static void fxch(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu), other = (top + in->rm) & 7;
	struct x86_f80 t;

	if (!fast_ok(cpu, 1u << top | 1u << other)) {
		general(cpu, in);
		return;
	}
	note_reg(cpu, in, 1u << 8 | 0xc8);
	t = cpu->fpu.st[top];
	cpu->fpu.st[top] = cpu->fpu.st[other];
	cpu->fpu.st[other] = t;
	cpu->fpu.sw &= ~FPU_C1;
}

/* FST ST(i) / FSTP ST(i) (DD D0+i / D8+i); C1 cleared. */
static void fst_st(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu), dst = (top + in->rm) & 7;

	if (!fast_ok(cpu, 1u << top)) {
		general(cpu, in);
		return;
	}
	note_reg(cpu, in, 5u << 8 | 0xc0 | in->reg << 3);
	cpu->fpu.st[dst] = cpu->fpu.st[top];
	cpu->fpu.valid |= 1u << dst;
	cpu->fpu.sw &= ~FPU_C1;
	if (in->reg == 3) {
		cpu->fpu.valid &= ~(1u << top);
		set_top(cpu, top + 1);
	}
}

#define ROW(form)                                                                                  \
	{                                                                                          \
		form##_0, form##_1, NULL, NULL, form##_4, form##_5, form##_6, form##_7             \
	}
static const x86_handler d8_reg[8] = ROW(d8_reg);
static const x86_handler dc_reg[8] = ROW(dc_reg);
static const x86_handler de_reg[8] = ROW(de_reg);
static const x86_handler d8_mem[8] = ROW(d8_mem);
static const x86_handler dc_mem[8] = ROW(dc_mem);

x86_handler x86_fpu_fast_handler(const struct x86_insn *in)
{
	bool reg = in->mod == 3;

	switch (in->op) {
	case 0xd8: return reg ? d8_reg[in->reg] : d8_mem[in->reg];
	case 0xdc: return reg ? dc_reg[in->reg] : dc_mem[in->reg];
	case 0xde: return reg ? de_reg[in->reg] : NULL;
	case 0xd9:
		if (!reg)
			return in->reg == 0   ? fld_m32
			       : in->reg == 2 ? fst_m32
			       : in->reg == 3 ? fstp_m32
					      : NULL;
		if (in->reg == 0)
			return fld_st;
		if (in->reg == 1)
			return fxch;
		return in->reg == 7 && in->rm == 2 ? fsqrt : NULL;
	case 0xdd:
		if (!reg)
			return in->reg == 0   ? fld_m64
			       : in->reg == 2 ? fst_m64
			       : in->reg == 3 ? fstp_m64
					      : NULL;
		return in->reg == 2 || in->reg == 3 ? fst_st : NULL;
	default: return NULL;
	}
}
