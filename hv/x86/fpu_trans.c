/* D9 E0h-FFh: sign operations, FTST/FXAM, the constants and the
 * transcendental and other stack-only operations (FSQRT, FSIN, FPTAN,
 * FPATAN, FYL2X, FPREM, FSCALE, FXTRACT, ...), and FINCSTP/FDECSTP. */
#include "hv/x86/fpu.h"

/* How an operation uses the stack. */
enum shape {
	UNARY,	   /* ST(0) = f(ST(0)) */
	KEEP,	   /* ST(0) = f(ST(0), ST(1)) */
	POP,	   /* ST(1) = f(ST(0), ST(1)), then pop */
	PUSH,	   /* ST(0) = r1, then push r0 */
	PUSH_TRIG, /* PUSH unless C2 says the operand is out of range */
};

/* The condition codes an operation defines (C1: rounded up); the other
 * ones keep their values, as the hardware leaves them. */
static uint16_t cc_defined(enum fpu_hop op)
{
	switch (op) {
	case FPU_H_PREM:
	case FPU_H_PREM1: return FPU_CC; /* C2: incomplete; C0 C3 C1: quotient */
	case FPU_H_SIN:
	case FPU_H_COS:
	case FPU_H_SINCOS:
	case FPU_H_PTAN: return FPU_C1 | FPU_C2; /* C2: out of range */
	default: return FPU_C1;
	}
}

static void run_op(struct x86_cpu *cpu, enum fpu_hop op, enum shape shape)
{
	bool two = shape == KEEP || shape == POP;
	struct x86_f80 a = *fpu_st(cpu, 0), b = *fpu_st(cpu, 1), r0, r1;
	uint16_t sw;

	if (fpu_empty(cpu, 0) || (two && fpu_empty(cpu, 1))) {
		if (!fpu_underflow(cpu))
			return;
		r0 = r1 = fpu_indefinite;
		sw = 0;
	} else if (shape >= PUSH && !fpu_empty(cpu, 7)) {
		if (fpu_raise(cpu, FPU_IE | FPU_SF | FPU_C1, FPU_C1))
			return;
		r0 = r1 = fpu_indefinite;
		sw = 0;
	} else {
		sw = fpu_host_op(op, cpu->fpu.cw, &a, &b, &r0, &r1);
		if (fpu_raise(cpu, sw, cc_defined(op)))
			return;
		if (shape == PUSH_TRIG && (sw & FPU_C2))
			return;
	}
	switch (shape) {
	case UNARY:
	case KEEP: fpu_set(cpu, 0, &r0); break;
	case POP:
		fpu_set(cpu, 1, &r0);
		fpu_pop(cpu);
		break;
	default:
		fpu_set(cpu, 0, &r1);
		fpu_push(cpu, &r0);
		break;
	}
}

/* FCHS and FABS: only the sign changes, whatever the operand. */
static void sign_op(struct x86_cpu *cpu, bool abs)
{
	struct x86_f80 v = *fpu_st(cpu, 0);

	if (fpu_empty(cpu, 0)) {
		if (fpu_underflow(cpu))
			fpu_set(cpu, 0, &fpu_indefinite);
		return;
	}
	v.se = abs ? v.se & 0x7fff : v.se ^ 0x8000;
	cpu->fpu.sw &= ~FPU_C1;
	fpu_set(cpu, 0, &v);
}

/* FXAM: the class of ST(0) in C3 C2 C0, its sign in C1. */
static void fxam(struct x86_cpu *cpu)
{
	const struct x86_f80 *v = fpu_st(cpu, 0);
	unsigned exp = v->se & 0x7fff;
	uint64_t frac = v->mant << 1;
	uint16_t cc;

	if (fpu_empty(cpu, 0))
		cc = FPU_C3 | FPU_C0;
	else if (exp == 0)
		cc = v->mant ? FPU_C3 | FPU_C2 : FPU_C3; /* denormal, zero */
	else if (!(v->mant >> 63))
		cc = 0; /* unnormal, pseudo-NaN, pseudo-infinity: unsupported */
	else if (exp == 0x7fff)
		cc = frac ? FPU_C0 : FPU_C2 | FPU_C0; /* NaN, infinity */
	else
		cc = FPU_C2; /* normal */
	if (v->se & 0x8000)
		cc |= FPU_C1;
	cpu->fpu.sw = (cpu->fpu.sw & ~FPU_CC) | cc;
}

static void move_top(struct x86_cpu *cpu, int by)
{
	struct x86_fpu *f = &cpu->fpu;

	f->sw = (f->sw & ~(0x3800u | FPU_C1)) | ((fpu_top(cpu) + by) & 7) << 11;
}

/* The operations of D9 F0h-FFh, by the low nibble. */
static const struct {
	enum fpu_hop op;
	enum shape shape;
} f_ops[16] = {
    [0x0] = {FPU_H_2XM1, UNARY},     [0x1] = {FPU_H_YL2X, POP},
    [0x2] = {FPU_H_PTAN, PUSH_TRIG}, [0x3] = {FPU_H_PATAN, POP},
    [0x4] = {FPU_H_XTRACT, PUSH},    [0x5] = {FPU_H_PREM1, KEEP},
    [0x8] = {FPU_H_PREM, KEEP},	     [0x9] = {FPU_H_YL2XP1, POP},
    [0xa] = {FPU_H_SQRT, UNARY},     [0xb] = {FPU_H_SINCOS, PUSH_TRIG},
    [0xc] = {FPU_H_RNDINT, UNARY},   [0xd] = {FPU_H_SCALE, KEEP},
    [0xe] = {FPU_H_SIN, UNARY},	     [0xf] = {FPU_H_COS, UNARY},
};

void fpu_d9_misc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const struct x86_f80 zero = {0, 0};
	unsigned low = (in->reg & 1) << 3 | in->rm;

	if (in->reg == 4) {
		switch (in->rm) {
		case 0: sign_op(cpu, false); return;
		case 1: sign_op(cpu, true); return;
		case 4: fpu_compare(cpu, 0, &zero, false, 0, false); return;
		case 5: fxam(cpu); return;
		default: x86_op_ud(cpu, in);
		}
	}
	if (in->reg == 5) {
		if (in->rm == 7)
			x86_op_ud(cpu, in);
		fpu_fld_const(cpu, in->rm);
		return;
	}
	if (low == 6 || low == 7) {
		move_top(cpu, low == 6 ? -1 : 1);
		return;
	}
	run_op(cpu, f_ops[low].op, f_ops[low].shape);
}
