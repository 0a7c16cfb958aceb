/* The x87 arithmetic core: the host is an x86 whose x87 is the very unit
 * being emulated, so every operation runs there, on the guest's operands
 * and with the guest's precision and rounding control, giving bit-exact
 * results and the exact exception flags and condition codes.
 *
 * Each operation starts from the empty host stack the ABI guarantees and
 * leaves it empty (TOP may have moved, which nothing relies on) with the
 * host's control word back in place. FNCLEX first makes the status word
 * the operation's own. Every exception is masked on the host: an unmasked
 * invalid, denormal, zero-divide or precision exception only means "leave
 * the destination", which the caller does. An unmasked overflow or
 * underflow instead delivers a result with a biased exponent; that rare
 * case runs the operation again with the guest's own OM and UM, and an
 * FNCLEX right after FNSTSW keeps the then pending exception from ever
 * reaching a waiting instruction, and the host as SIGFPE. (FNINIT at both
 * ends would be simpler, but costs several times the operation.) */
#include <string.h>

#include "hv/x86/fpu.h"

#if !defined(__x86_64__) && !defined(__i386__)
#error "hv's x87 emulation runs the arithmetic on the host's x87: build on x86 or x86-64"
#endif

/* ST(0) = a, ST(1) = b; run insn; the status; then `out` stores the
 * results and leaves the host stack empty. `mid` is empty, or FNCLEX
 * when cw may unmask an exception. */
#define HOST_OP_CW(insn, out, mid, cw)                                                             \
	__asm__ volatile("fnstcw %[save]\n\t"                                                      \
			 "fnclex\n\t"                                                              \
			 "fldcw %[cwm]\n\t"                                                        \
			 "fldt %[b]\n\t"                                                           \
			 "fldt %[a]\n\t" insn "\n\t"                                               \
			 "fnstsw %[sw]\n\t" mid "\n\t" out "\n\t"                                  \
			 "fldcw %[save]"                                                           \
			 : [sw] "=m"(sw), [r0] "=m"(*r0), [r1] "=m"(*r1), [save] "+m"(save)        \
			 : [cwm] "m"(cw), [a] "m"(*a), [b] "m"(*b)                                 \
			 : "st", "st(1)", "st(2)")

/* Masked, and again with the guest's OM/UM when it unmasked what came. */
#define HOST_OP(insn, out)                                                                         \
	do {                                                                                       \
		HOST_OP_CW(insn, out, "", masked);                                                 \
		if (sw & ~cw & (FPU_OE | FPU_UE))                                                  \
			HOST_OP_CW(insn, out, "fnclex", exact);                                    \
	} while (0)

/* Results left by an operation: two (ST(1) kept or a one-operand one),
 * one (it popped) or up to three (it pushed; FFREE of an empty register
 * does nothing, so a partial tangent's two values are fine too). */
#define OUT2	  "fstpt %[r0]\n\tfstpt %[r1]"
#define OUT1	  "fstpt %[r0]"
#define OUT3	  OUT2 "\n\tffree %%st(0)"
#define OP2(insn) HOST_OP(insn, OUT2)

uint16_t fpu_host_op(enum fpu_hop op, uint16_t cw, const struct x86_f80 *a, const struct x86_f80 *b,
		     struct x86_f80 *r0, struct x86_f80 *r1)
{
	uint16_t sw = 0, save = 0, masked = cw | FPU_EXC;
	uint16_t exact = cw | FPU_IE | FPU_DE | FPU_ZE | FPU_PE;
	switch (op) {
	case FPU_H_ADD: OP2("fadd %%st(1), %%st"); break;
	case FPU_H_MUL: OP2("fmul %%st(1), %%st"); break;
	case FPU_H_COM: OP2("fcom %%st(1)"); break;
	case FPU_H_UCOM: OP2("fucom %%st(1)"); break;
	case FPU_H_SUB: OP2("fsub %%st(1), %%st"); break;
	case FPU_H_SUBR: OP2("fsubr %%st(1), %%st"); break;
	case FPU_H_DIV: OP2("fdiv %%st(1), %%st"); break;
	case FPU_H_DIVR: OP2("fdivr %%st(1), %%st"); break;
	case FPU_H_PREM: OP2("fprem"); break;
	case FPU_H_PREM1: OP2("fprem1"); break;
	case FPU_H_SCALE: OP2("fscale"); break;
	case FPU_H_PATAN: HOST_OP("fpatan", OUT1); break;
	case FPU_H_YL2X: HOST_OP("fyl2x", OUT1); break;
	case FPU_H_YL2XP1: HOST_OP("fyl2xp1", OUT1); break;
	case FPU_H_SQRT: OP2("fsqrt"); break;
	case FPU_H_SIN: OP2("fsin"); break;
	case FPU_H_COS: OP2("fcos"); break;
	case FPU_H_SINCOS: HOST_OP("fsincos", OUT3); break;
	case FPU_H_PTAN: HOST_OP("fptan", OUT3); break;
	case FPU_H_2XM1: OP2("f2xm1"); break;
	case FPU_H_RNDINT: OP2("frndint"); break;
	case FPU_H_XTRACT: HOST_OP("fxtract", OUT3); break;
	}
	return sw;
}

/* Loads *m with insn; r = ST(0). */
#define HOST_LOAD(insn)                                                                            \
	__asm__ volatile("fnstcw %[save]\n\t"                                                      \
			 "fnclex\n\t"                                                              \
			 "fldcw %[cw]\n\t" insn " %[m]\n\t"                                        \
			 "fnstsw %[sw]\n\t"                                                        \
			 "fstpt %[r]\n\t"                                                          \
			 "fldcw %[save]"                                                           \
			 : [sw] "=m"(sw), [r] "=m"(*r), [save] "+m"(save)                          \
			 : [cw] "m"(cw), [m] "m"(*(const uint8_t(*)[10])mem)                       \
			 : "st")

uint16_t fpu_host_load(enum fpu_fmt fmt, uint16_t cw, const uint8_t *mem, struct x86_f80 *r)
{
	uint16_t sw = 0, save = 0;

	cw |= FPU_EXC;
	switch (fmt) {
	case FPU_M32: HOST_LOAD("flds"); break;
	case FPU_M64: HOST_LOAD("fldl"); break;
	case FPU_I16: HOST_LOAD("filds"); break;
	case FPU_I32: HOST_LOAD("fildl"); break;
	case FPU_I64: HOST_LOAD("fildll"); break;
	case FPU_BCD: HOST_LOAD("fbld"); break;
	case FPU_M80:
		memcpy(&r->mant, mem, 8);
		memcpy(&r->se, mem + 8, 2);
		break;
	}
	return sw;
}

/* Stores ST(0) = a to *m with insn, a popping store. An unmasked
 * exception stores nothing, which the caller sees from the flags. */
#define HOST_STORE(insn)                                                                           \
	__asm__ volatile("fnstcw %[save]\n\t"                                                      \
			 "fnclex\n\t"                                                              \
			 "fldcw %[cw]\n\t"                                                         \
			 "fldt %[a]\n\t" insn " %[m]\n\t"                                          \
			 "fnstsw %[sw]\n\t"                                                        \
			 "fldcw %[save]"                                                           \
			 : [sw] "=m"(sw), [m] "=m"(*(uint8_t(*)[10])mem), [save] "+m"(save)        \
			 : [cw] "m"(cw), [a] "m"(*a)                                               \
			 : "st")

uint16_t fpu_host_store(enum fpu_fmt fmt, uint16_t cw, const struct x86_f80 *a, uint8_t *mem)
{
	uint16_t sw = 0, save = 0;

	cw |= FPU_EXC;
	switch (fmt) {
	case FPU_M32: HOST_STORE("fstps"); break;
	case FPU_M64: HOST_STORE("fstpl"); break;
	case FPU_I16: HOST_STORE("fistps"); break;
	case FPU_I32: HOST_STORE("fistpl"); break;
	case FPU_I64: HOST_STORE("fistpll"); break;
	case FPU_BCD: HOST_STORE("fbstp"); break;
	case FPU_M80:
		memcpy(mem, &a->mant, 8);
		memcpy(mem + 8, &a->se, 2);
		break;
	}
	return sw;
}

/* Pushes insn's constant; r = ST(0). */
#define HOST_CONST(insn)                                                                           \
	__asm__ volatile("fnstcw %[save]\n\t"                                                      \
			 "fldcw %[cw]\n\t" insn "\n\t"                                             \
			 "fstpt %[r]\n\t"                                                          \
			 "fldcw %[save]"                                                           \
			 : [r] "=m"(*r), [save] "+m"(save)                                         \
			 : [cw] "m"(cw)                                                            \
			 : "st")

void fpu_host_const(unsigned which, uint16_t cw, struct x86_f80 *r)
{
	uint16_t save = 0;

	cw |= FPU_EXC;
	switch (which) {
	case 0: HOST_CONST("fld1"); break;
	case 1: HOST_CONST("fldl2t"); break;
	case 2: HOST_CONST("fldl2e"); break;
	case 3: HOST_CONST("fldpi"); break;
	case 4: HOST_CONST("fldlg2"); break;
	case 5: HOST_CONST("fldln2"); break;
	default: HOST_CONST("fldz"); break;
	}
}

__thread struct fpu_session fpu_session;

void fpu_host_enter(const struct x86_cpu *cpu)
{
	uint16_t cw = cpu->fpu.cw;

	if (!fpu_session.cpu)
		__asm__ volatile("fnstcw %0" : "=m"(fpu_session.host_cw));
	__asm__ volatile("fnclex\n\tfldcw %0" : : "m"(cw));
	fpu_session.cpu = cpu;
	fpu_session.cw = cw;
}

void x86_fpu_host_leave(void)
{
	if (!fpu_session.cpu)
		return;
	__asm__ volatile("fnclex\n\tfldcw %0" : : "m"(fpu_session.host_cw));
	fpu_session.cpu = NULL;
}

/* Size in bytes of a memory format. */
unsigned fpu_fmt_size(enum fpu_fmt f)
{
	static const unsigned size[] = {4, 8, 10, 2, 4, 8, 10};

	return size[f];
}
