/* The x87 FPU's internal interface, shared by hv/x86/fpu*.c: the register
 * stack, the status-word bookkeeping, exception delivery and the host
 * core that does the arithmetic on the host's own x87. */
#ifndef HV_X86_FPU_H
#define HV_X86_FPU_H

#include "hv/x86/cpu_state.h"

/* Status-word bits. */
#define FPU_IE	0x0001u /* invalid operation */
#define FPU_DE	0x0002u /* denormal operand */
#define FPU_ZE	0x0004u /* divide by zero */
#define FPU_OE	0x0008u /* overflow */
#define FPU_UE	0x0010u /* underflow */
#define FPU_PE	0x0020u /* precision (inexact) */
#define FPU_SF	0x0040u /* stack fault (with IE; C1 = 1 overflow, 0 underflow) */
#define FPU_ES	0x0080u /* an unmasked exception is pending */
#define FPU_C0	0x0100u
#define FPU_C1	0x0200u
#define FPU_C2	0x0400u
#define FPU_C3	0x4000u
#define FPU_B	0x8000u /* busy: mirrors ES */
#define FPU_CC	(FPU_C0 | FPU_C1 | FPU_C2 | FPU_C3)
#define FPU_EXC 0x003fu /* the six exception flags (and mask bits in cw) */

/* Operations of the host core: a is ST(0) on the host, b ST(1). */
enum fpu_hop {
	FPU_H_ADD,
	FPU_H_MUL,
	FPU_H_COM,  /* C3 C2 C0 from a vs b; IE on any NaN */
	FPU_H_UCOM, /* the same, IE on signalling NaNs only */
	FPU_H_SUB,  /* a - b */
	FPU_H_SUBR, /* b - a */
	FPU_H_DIV,  /* a / b */
	FPU_H_DIVR, /* b / a */
	FPU_H_PREM,
	FPU_H_PREM1,
	FPU_H_SCALE,
	FPU_H_PATAN, /* r0 = atan(b / a) */
	FPU_H_YL2X,  /* r0 = b * log2(a) */
	FPU_H_YL2XP1,
	FPU_H_SQRT,
	FPU_H_SIN,
	FPU_H_COS,
	FPU_H_SINCOS, /* r0 = cos, r1 = sin (when C2 is clear) */
	FPU_H_PTAN,   /* r0 = 1.0, r1 = tan */
	FPU_H_2XM1,
	FPU_H_RNDINT,
	FPU_H_XTRACT, /* r0 = significand, r1 = exponent */
};

/* Memory formats of loads and stores. */
enum fpu_fmt { FPU_M32, FPU_M64, FPU_M80, FPU_I16, FPU_I32, FPU_I64, FPU_BCD };

/* Size in bytes of a memory format. */
unsigned fpu_fmt_size(enum fpu_fmt f);

/* fpu_host.c: runs op on the host x87 with the guest's control word cw
 * (invalid, denormal, zero-divide and precision masked on the host);
 * returns the host status word after the operation. */
uint16_t fpu_host_op(enum fpu_hop op, uint16_t cw, const struct x86_f80 *a, const struct x86_f80 *b,
		     struct x86_f80 *r0, struct x86_f80 *r1);
/* Converts `fmt` bytes at mem to extended; returns the status word. */
uint16_t fpu_host_load(enum fpu_fmt fmt, uint16_t cw, const uint8_t *mem, struct x86_f80 *r);
/* Converts a to `fmt` bytes at mem; returns the status word. */
uint16_t fpu_host_store(enum fpu_fmt fmt, uint16_t cw, const struct x86_f80 *a, uint8_t *mem);

/* The host x87 of this thread while decode-time handlers (fpu_fast.c)
 * run on it: they leave the guest's (fully masked) control word loaded
 * and the host's exception flags accumulating, instead of loading and
 * restoring the control word and clearing the flags around each
 * operation. While the session is the cpu's and the guest's control word
 * is still `cw`, the host's control word is the guest's and the host's
 * flags are a subset of the guest's (every fast operation merges its
 * own into the guest's), so an operation's FNSTSW merged into the guest
 * status word gives exactly its own flags and C1. The session starts only
 * when every exception is masked and none pending, and FLDCW changes cw.
 * What clears guest flags (FNCLEX, FNINIT, FNSAVE, FLDENV, FRSTOR,
 * FXRSTOR, a reset or restore) ends the session (x86_fpu_host_leave), so
 * the next fast operation starts it again with FNCLEX; on another thread
 * (a restore) the vCPU is outside x86_cpu_run, which ends the session on
 * its way out. x86_fpu_host_leave also puts the host's own control word
 * back before code that expects it runs on the thread: at the run loop's
 * exits, port and MMIO accesses, interrupt acknowledges. */
struct fpu_session {
	const struct x86_cpu *cpu; /* NULL: the host's own state is loaded */
	uint16_t cw;		   /* the guest's, loaded on the host */
	uint16_t host_cw;	   /* the host's control word, put back on leaving */
};
extern __thread struct fpu_session fpu_session;

/* Starts (or restarts) the session for cpu with its control word. */
void fpu_host_enter(const struct x86_cpu *cpu);

/* The constant of D9 E8h + which (FLD1 ... FLDZ), rounded as cw says. */
void fpu_host_const(unsigned which, uint16_t cw, struct x86_f80 *r);

/* fpu_core.c */
/* The stack slot ST(i). */
static inline unsigned fpu_top(const struct x86_cpu *cpu)
{
	return (cpu->fpu.sw >> 11) & 7;
}

static inline unsigned fpu_phys(const struct x86_cpu *cpu, unsigned i)
{
	return (fpu_top(cpu) + i) & 7;
}

static inline bool fpu_empty(const struct x86_cpu *cpu, unsigned i)
{
	return !(cpu->fpu.valid & (1u << fpu_phys(cpu, i)));
}

static inline struct x86_f80 *fpu_st(struct x86_cpu *cpu, unsigned i)
{
	return &cpu->fpu.st[fpu_phys(cpu, i)];
}

/* Writes ST(i) and marks it valid. */
void fpu_set(struct x86_cpu *cpu, unsigned i, const struct x86_f80 *v);
/* Pushes v (TOP - 1). */
void fpu_push(struct x86_cpu *cpu, const struct x86_f80 *v);
/* Marks ST(0) empty and increments TOP. */
void fpu_pop(struct x86_cpu *cpu);
/* The start of every escape: #NM for CR0.EM/TS, then (unless the
 * instruction is one of the FN* control ones, `nowait`) a pending
 * unmasked exception raises #MF, or FERR# with CR0.NE clear. Returns
 * false when the instruction must not run now (it waits for IRQ13). */
bool fpu_begin(struct x86_cpu *cpu, const struct x86_insn *in, bool nowait);
/* Records the instruction and data pointers and the opcode. */
void fpu_note(struct x86_cpu *cpu, const struct x86_insn *in);
/* Merges exception flags (and the condition codes in cc_mask) from a
 * status word; sets ES and B for unmasked ones. Returns true when an unmasked IE, DE or ZE means
 * the destination must stay as it was. */
bool fpu_raise(struct x86_cpu *cpu, uint16_t sw, uint16_t cc_mask);
/* Stack underflow: IE|SF with C1 clear. True when masked (store the
 * indefinite), false when the instruction must leave everything. */
bool fpu_underflow(struct x86_cpu *cpu);
/* Stack overflow on a push: IE|SF|C1; the masked response pushes the
 * indefinite in place of the value. */
void fpu_overflow(struct x86_cpu *cpu);
/* Recomputes ES and B from the flags and masks (FLDCW, FLDENV, FRSTOR). */
void fpu_update_es(struct x86_cpu *cpu);
/* The 2-bit tag of physical register i: 0 valid, 1 zero, 2 special, 3 empty. */
unsigned fpu_tag(const struct x86_cpu *cpu, unsigned i);
uint16_t fpu_tag_word(const struct x86_cpu *cpu);
/* Status word as FNSTSW stores it. */
uint16_t fpu_status(const struct x86_cpu *cpu);
/* The QNaN "real indefinite". */
extern const struct x86_f80 fpu_indefinite;

/* Memory operands: reads the operand (whole) into buf before anything
 * changes, and writes buf. */
void fpu_mem_read(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra, uint8_t *buf,
		  unsigned len);
void fpu_mem_write(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra,
		   const uint8_t *buf, unsigned len);

/* fpu_arith.c: the eight operations of D8/DA/DC/DE (reg field) with
 * ST(0) as a, b as the other operand, result to ST(dst); pops after if
 * pop. b NULL means ST(src) is the operand. */
void fpu_arith(struct x86_cpu *cpu, unsigned op, unsigned dst, unsigned src,
	       const struct x86_f80 *b, bool pop);
/* FCOM/FUCOM of ST(0) with b (or ST(src)); pops `pops` times; with
 * eflags, sets ZF/PF/CF (FCOMI) instead of C3/C2/C0. */
void fpu_compare(struct x86_cpu *cpu, unsigned src, const struct x86_f80 *b, bool unordered,
		 unsigned pops, bool eflags);

/* fpu_ldst.c */
void fpu_load_mem(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt);
void fpu_store_mem(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt, bool pop);
/* Reads an m32/m64/m16int/m32int operand as extended (for arithmetic);
 * returns false when an unmasked exception stops the instruction. */
bool fpu_operand(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt,
		 struct x86_f80 *v);
void fpu_fld_st(struct x86_cpu *cpu, unsigned i);
void fpu_fst_st(struct x86_cpu *cpu, unsigned i, bool pop);
void fpu_fxch(struct x86_cpu *cpu, unsigned i);
void fpu_fcmov(struct x86_cpu *cpu, unsigned i, bool cond);
void fpu_fld_const(struct x86_cpu *cpu, unsigned which);

/* fpu_trans.c: D9 E0-FF (FCHS ... FCOS). */
void fpu_d9_misc(struct x86_cpu *cpu, const struct x86_insn *in);

/* fpu_env.c */
void fpu_fninit(struct x86_cpu *cpu);
void fpu_fldenv(struct x86_cpu *cpu, const struct x86_insn *in, bool regs);
void fpu_fnstenv(struct x86_cpu *cpu, const struct x86_insn *in, bool regs);

/* fpu_fxsave.c */
/* The x87 state as FXSAVE's first VCPU_FX_BYTES bytes, and back (for
 * save/restore: an image FXRSTOR would take). */
void fpu_fx_image(struct x86_cpu *cpu, uint8_t *buf);
void fpu_fx_apply(struct x86_cpu *cpu, const uint8_t *buf);
void fpu_fxsave(struct x86_cpu *cpu, const struct x86_insn *in);
void fpu_fxrstor(struct x86_cpu *cpu, const struct x86_insn *in);

#endif
