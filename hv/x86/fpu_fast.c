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
 * rounding control, the flags and C1 come out the same. */
#include <string.h>

#include "hv/x86/fpu.h"

#define INLINE static inline __attribute__((always_inline))

/* The general handler of the instruction (table.c). */
INLINE void general(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_handlers[in->op](cpu, in);
}

/* CR0.EM/TS clear, no exception pending, all six masked. */
INLINE bool fast_ok(const struct x86_cpu *cpu)
{
	return !(cpu->cr[0] & (X86_CR0_EM | X86_CR0_TS)) && !(cpu->fpu.sw & FPU_ES) &&
	       (cpu->fpu.cw & FPU_EXC) == FPU_EXC;
}

INLINE bool valid(const struct x86_cpu *cpu, unsigned phys)
{
	return cpu->fpu.valid & (1u << phys);
}

/* fpu_note: the opcode, the instruction and data pointers. */
INLINE void note(struct x86_cpu *cpu, const struct x86_insn *in, bool mem, uint32_t off)
{
	struct x86_fpu *f = &cpu->fpu;

	f->fop = (in->op & 7) << 8 | in->mod << 6 | in->reg << 3 | in->rm;
	f->fip = cpu->ip_start;
	f->fcs = cpu->seg[X86_CS].sel;
	if (mem) {
		f->fdp = off;
		f->fds = cpu->seg[in->ea_seg].sel;
	}
}

/* fpu_raise with every exception masked: the flags accumulate and C1
 * (rounded up, or 0) is the operation's. */
INLINE void merge(struct x86_cpu *cpu, uint16_t sw)
{
	struct x86_fpu *f = &cpu->fpu;

	f->sw = (f->sw & ~FPU_C1) | (sw & (FPU_C1 | FPU_EXC | FPU_SF));
}

INLINE void set_top(struct x86_cpu *cpu, unsigned top)
{
	cpu->fpu.sw = (cpu->fpu.sw & ~0x3800u) | (top & 7) << 11;
}

/* r = a OP b on the host with the guest's (fully masked) control word:
 * `load` puts b on the host stack from operand b, then a goes on top. */
#define HOST_BINARY(load, op, bval)                                                                \
	__asm__ volatile("fnstcw %[save]\n\t"                                                      \
			 "fnclex\n\t"                                                              \
			 "fldcw %[cw]\n\t" load " %[b]\n\t"                                        \
			 "fldt %[a]\n\t" op "\n\t"                                                 \
			 "fnstsw %[sw]\n\t"                                                        \
			 "fstpt %[r]\n\t"                                                          \
			 "fstp %%st(0)\n\t"                                                        \
			 "fldcw %[save]"                                                           \
			 : [sw] "=m"(sw), [r] "=m"(*r), [save] "+m"(save)                          \
			 : [cw] "m"(cw), [a] "m"(*a), [b] "m"(bval)                                \
			 : "st", "st(1)")

/* The six arithmetic operations of the reg field (2 and 3 compare). */
#define OPS(F)                                                                                     \
	F(0, "fadd %%st(1), %%st")                                                                 \
	F(1, "fmul %%st(1), %%st")                                                                 \
	F(4, "fsub %%st(1), %%st")                                                                 \
	F(5, "fsubr %%st(1), %%st")                                                                \
	F(6, "fdiv %%st(1), %%st")                                                                 \
	F(7, "fdivr %%st(1), %%st")

/* Register forms: ST(0) OP ST(i) to ST(0) (D8), to ST(i) (DC), to ST(i)
 * and pop (DE). */
#define REG_ARITH(n, insn)                                                                         \
	static void reg_##n(struct x86_cpu *cpu, const struct x86_insn *in, bool to_sti, bool pop) \
	{                                                                                          \
		unsigned top = fpu_top(cpu), pi = (top + in->rm) & 7;                              \
		uint16_t sw = 0, save = 0, cw = cpu->fpu.cw;                                       \
		const struct x86_f80 *a = &cpu->fpu.st[top], *b = &cpu->fpu.st[pi];                \
		struct x86_f80 *r = &cpu->fpu.st[to_sti ? pi : top];                               \
		if (!fast_ok(cpu) || !valid(cpu, top) || !valid(cpu, pi)) {                        \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note(cpu, in, false, 0);                                                           \
		HOST_BINARY("fldt", insn, *b);                                                     \
		merge(cpu, sw);                                                                    \
		if (pop) {                                                                         \
			cpu->fpu.valid &= ~(1u << top);                                            \
			set_top(cpu, top + 1);                                                     \
		}                                                                                  \
	}                                                                                          \
	static void d8_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, false, false);                                                    \
	}                                                                                          \
	static void dc_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, true, false);                                                     \
	}                                                                                          \
	static void de_reg_##n(struct x86_cpu *cpu, const struct x86_insn *in)                     \
	{                                                                                          \
		reg_##n(cpu, in, true, true);                                                      \
	}
OPS(REG_ARITH)

/* The memory operand's host bytes for a read or a write, or NULL. */
INLINE uint8_t *operand(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t off, unsigned size,
			bool write)
{
	return x86_fast_ptr(cpu, in->ea_seg, off, size, write ? X86_DENY_WRITE : X86_DENY_READ,
			    x86_acc(cpu, write));
}

/* Memory forms: ST(0) OP m32 (D8) or m64 (DC) to ST(0). */
#define MEM_ARITH_SIZED(name, size, load, insn)                                                    \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = fpu_top(cpu);                                                       \
		uint32_t off = x86_ea(cpu, in);                                                    \
		const uint8_t *p = operand(cpu, in, off, size, false);                             \
		uint16_t sw = 0, save = 0, cw = cpu->fpu.cw;                                       \
		const struct x86_f80 *a = &cpu->fpu.st[top];                                       \
		struct x86_f80 *r = &cpu->fpu.st[top];                                             \
		if (!p || !fast_ok(cpu) || !valid(cpu, top)) {                                     \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note(cpu, in, true, off);                                                          \
		HOST_BINARY(load, insn, *(const uint8_t(*)[size])p);                               \
		merge(cpu, sw);                                                                    \
	}
#define MEM_ARITH(n, insn)                                                                         \
	MEM_ARITH_SIZED(d8_mem_##n, 4, "flds", insn)                                               \
	MEM_ARITH_SIZED(dc_mem_##n, 8, "fldl", insn)
OPS(MEM_ARITH)

/* FSQRT: ST(0) = sqrt(ST(0)). */
static void fsqrt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu);
	uint16_t sw = 0, save = 0, cw = cpu->fpu.cw;
	struct x86_f80 *r = &cpu->fpu.st[top];

	if (!fast_ok(cpu) || !valid(cpu, top)) {
		general(cpu, in);
		return;
	}
	note(cpu, in, false, 0);
	__asm__ volatile("fnstcw %[save]\n\t"
			 "fnclex\n\t"
			 "fldcw %[cw]\n\t"
			 "fldt %[r]\n\t"
			 "fsqrt\n\t"
			 "fnstsw %[sw]\n\t"
			 "fstpt %[r]\n\t"
			 "fldcw %[save]"
			 : [sw] "=m"(sw), [r] "+m"(*r), [save] "+m"(save)
			 : [cw] "m"(cw)
			 : "st");
	merge(cpu, sw);
}

/* FLD m32 (D9 /0) and m64 (DD /0): converted (exactly) and pushed; a
 * signalling NaN or a denormal raises its flag, C1 is cleared. */
#define FLD_MEM(name, size, load)                                                                  \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = (fpu_top(cpu) - 1) & 7;                                             \
		uint32_t off = x86_ea(cpu, in);                                                    \
		const uint8_t *p = operand(cpu, in, off, size, false);                             \
		uint16_t sw = 0, save = 0, cw = cpu->fpu.cw;                                       \
		struct x86_f80 *r = &cpu->fpu.st[top];                                             \
		if (!p || !fast_ok(cpu) || valid(cpu, top)) {                                      \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note(cpu, in, true, off);                                                          \
		__asm__ volatile("fnstcw %[save]\n\t"                                              \
				 "fnclex\n\t"                                                      \
				 "fldcw %[cw]\n\t" load " %[m]\n\t"                                \
				 "fnstsw %[sw]\n\t"                                                \
				 "fstpt %[r]\n\t"                                                  \
				 "fldcw %[save]"                                                   \
				 : [sw] "=m"(sw), [r] "=m"(*r), [save] "+m"(save)                  \
				 : [cw] "m"(cw), [m] "m"(*(const uint8_t(*)[size])p)               \
				 : "st");                                                          \
		merge(cpu, sw &FPU_EXC);                                                           \
		cpu->fpu.valid |= 1u << top;                                                       \
		set_top(cpu, top);                                                                 \
	}
FLD_MEM(fld_m32, 4, "flds")
FLD_MEM(fld_m64, 8, "fldl")

/* FST/FSTP m32 (D9 /2 /3) and m64 (DD /2 /3): ST(0) rounded as the
 * control word says; C1 says whether it was rounded up. */
#define FST_MEM(name, size, store)                                                                 \
	static void name(struct x86_cpu *cpu, const struct x86_insn *in)                           \
	{                                                                                          \
		unsigned top = fpu_top(cpu);                                                       \
		uint32_t off = x86_ea(cpu, in);                                                    \
		uint8_t *p = operand(cpu, in, off, size, true);                                    \
		uint16_t sw = 0, save = 0, cw = cpu->fpu.cw;                                       \
		const struct x86_f80 *a = &cpu->fpu.st[top];                                       \
		if (!p || !fast_ok(cpu) || !valid(cpu, top)) {                                     \
			general(cpu, in);                                                          \
			return;                                                                    \
		}                                                                                  \
		note(cpu, in, true, off);                                                          \
		__asm__ volatile(                                                                  \
		    "fnstcw %[save]\n\t"                                                           \
		    "fnclex\n\t"                                                                   \
		    "fldcw %[cw]\n\t"                                                              \
		    "fldt %[a]\n\t" store " %[m]\n\t"                                              \
		    "fnstsw %[sw]\n\t"                                                             \
		    "fldcw %[save]"                                                                \
		    : [sw] "=m"(sw), [m] "=m"(*(uint8_t(*)[size])p), [save] "+m"(save)             \
		    : [cw] "m"(cw), [a] "m"(*a)                                                    \
		    : "st");                                                                       \
		merge(cpu, sw &(FPU_EXC | FPU_C1));                                                \
		if (in->reg == 3) {                                                                \
			cpu->fpu.valid &= ~(1u << top);                                            \
			set_top(cpu, top + 1);                                                     \
		}                                                                                  \
	}
FST_MEM(fst_m32, 4, "fstps")
FST_MEM(fst_m64, 8, "fstpl")

/* FLD ST(i) (D9 C0+i): pushes a copy; C1 cleared. */
static void fld_st(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu), src = (top + in->rm) & 7, dst = (top - 1) & 7;

	if (!fast_ok(cpu) || !valid(cpu, src) || valid(cpu, dst)) {
		general(cpu, in);
		return;
	}
	note(cpu, in, false, 0);
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

	if (!fast_ok(cpu) || !valid(cpu, top) || !valid(cpu, other)) {
		general(cpu, in);
		return;
	}
	note(cpu, in, false, 0);
	t = cpu->fpu.st[top];
	cpu->fpu.st[top] = cpu->fpu.st[other];
	cpu->fpu.st[other] = t;
	cpu->fpu.sw &= ~FPU_C1;
}

/* FST ST(i) / FSTP ST(i) (DD D0+i / D8+i); C1 cleared. */
static void fst_st(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned top = fpu_top(cpu), dst = (top + in->rm) & 7;

	if (!fast_ok(cpu) || !valid(cpu, top)) {
		general(cpu, in);
		return;
	}
	note(cpu, in, false, 0);
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
			return in->reg == 0			? fld_m32
			       : (in->reg == 2 || in->reg == 3) ? fst_m32
								: NULL;
		if (in->reg == 0)
			return fld_st;
		if (in->reg == 1)
			return fxch;
		return in->reg == 7 && in->rm == 2 ? fsqrt : NULL;
	case 0xdd:
		if (!reg)
			return in->reg == 0			? fld_m64
			       : (in->reg == 2 || in->reg == 3) ? fst_m64
								: NULL;
		return in->reg == 2 || in->reg == 3 ? fst_st : NULL;
	default: return NULL;
	}
}
