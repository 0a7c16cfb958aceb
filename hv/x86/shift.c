/* Shifts and rotates: group 2 (ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR) by
 * 1, CL or an immediate, and the double shifts SHLD/SHRD. The count is
 * masked to 5 bits; a masked count of 0 changes neither operand nor flags.
 * OF, defined only for a count of 1, is computed by the same formula for
 * every count (for RCR the one that gives the 386's OF at larger counts). */
#include "hv/x86/cpu_state.h"

static uint32_t msb(uint32_t v, unsigned bits)
{
	return (v >> (bits - 1)) & 1;
}

/* Flags of a shift: SF/ZF/PF from the result, CF and OF given, AF clear.
 * All six stay lazy, with a carry vector made up to give CF (its top
 * bit), OF (top XOR the one below) and AF (bit 3, clear): nothing is
 * folded. */
static void shift_flags(struct x86_cpu *cpu, uint32_t r, unsigned size, bool cf, bool of)
{
	unsigned top = size * 8 - 1;
	uint32_t cv = (uint32_t)cf << top | (uint32_t)(cf ^ of) << (top - 1);

	cpu->lazy = (struct x86_lazy){r, cv, X86_ARITH, (uint8_t)(size * 8)};
}

/* Rotate flags: only CF and OF change. */
static void rot_flags(struct x86_cpu *cpu, bool cf, bool of)
{
	x86_set_flag(cpu, X86_CF, cf);
	x86_set_flag(cpu, X86_OF, of);
}

static uint32_t rol(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	unsigned k = n % bits;
	uint32_t r = k ? ((v << k) | (v >> (bits - k))) & x86_mask(bits / 8) : v;

	rot_flags(cpu, r & 1, msb(r, bits) ^ (r & 1));
	return r;
}

static uint32_t ror(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	unsigned k = n % bits;
	uint32_t r = k ? ((v >> k) | (v << (bits - k))) & x86_mask(bits / 8) : v;

	rot_flags(cpu, msb(r, bits), msb(r, bits) ^ msb(r, bits - 1));
	return r;
}

static uint32_t rcl(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	bool cf = x86_cf(cpu);

	for (unsigned k = bits < 32 ? n % (bits + 1) : n; k > 0; k--) {
		bool out = msb(v, bits);

		v = ((v << 1) | cf) & x86_mask(bits / 8);
		cf = out;
	}
	rot_flags(cpu, cf, msb(v, bits) ^ cf);
	return v;
}

/* OF is the XOR of the result's two top bits, which for a count of 1 is
 * the SDM's MSB(DEST) XOR CF and for larger counts what the 386 gives
 * (test386's reference output, from hardware). */
static uint32_t rcr(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	bool cf = x86_cf(cpu);

	for (unsigned k = bits < 32 ? n % (bits + 1) : n; k > 0; k--) {
		bool out = v & 1;

		v = (v >> 1) | (uint32_t)cf << (bits - 1);
		cf = out;
	}
	rot_flags(cpu, cf, msb(v, bits) ^ msb(v, bits - 1));
	return v;
}

static uint32_t shl(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	uint64_t wide = (uint64_t)v << n;
	uint32_t r = wide & x86_mask(bits / 8);
	bool cf = (wide >> bits) & 1;

	shift_flags(cpu, r, bits / 8, cf, msb(r, bits) ^ cf);
	return r;
}

static uint32_t shr(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	uint32_t r = v >> n;

	shift_flags(cpu, r, bits / 8, (v >> (n - 1)) & 1, msb(v, bits));
	return r;
}

static uint32_t sar(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits)
{
	int32_t s = (int32_t)x86_sext(v, bits / 8);
	uint32_t r = (uint32_t)(s >> n) & x86_mask(bits / 8);

	shift_flags(cpu, r, bits / 8, (s >> (n - 1)) & 1, false);
	return r;
}

typedef uint32_t (*shift_fn)(struct x86_cpu *cpu, uint32_t v, unsigned n, unsigned bits);

static unsigned shift_count(const struct x86_cpu *cpu, const struct x86_insn *in)
{
	switch (in->op) {
	case 0xc0:
	case 0xc1: return in->imm & 31;
	case 0xd0:
	case 0xd1: return 1;
	default: return cpu->regs[X86_ECX] & 31;
	}
}

/* Group 2 (C0h/C1h imm8, D0h/D1h 1, D2h/D3h CL) */
void x86_op_shift_grp(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const shift_fn fns[8] = {rol, ror, rcl, rcr, shl, shr, shl, sar};
	unsigned size = x86_opsize(in), n = shift_count(cpu, in);
	uint32_t v = x86_rm_read(cpu, in, size);

	if (n == 0)
		return;
	x86_rm_write(cpu, in, size, fns[in->reg](cpu, v, n, size * 8));
}

/* The dest:src (SHLD) or src:dest (SHRD) bit string; a 16-bit operand
 * repeats dest after src, which is what counts above 16 shift in. */
static uint64_t concat(uint32_t hi, uint32_t lo, unsigned bits)
{
	if (bits == 16)
		return (uint64_t)hi << 32 | (uint64_t)lo << 16 | hi;
	return (uint64_t)hi << 32 | lo;
}

static unsigned dshift_count(const struct x86_cpu *cpu, const struct x86_insn *in)
{
	return ((in->op & 1) ? cpu->regs[X86_ECX] : in->imm) & 31;
}

/* SHLD r/m, reg, imm8/CL (0F A4h/A5h) */
void x86_op_shld(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned bits = in->osz * 8, total = bits == 16 ? 48 : 64, n = dshift_count(cpu, in);
	uint32_t dst = x86_rm_read(cpu, in, in->osz);
	uint64_t v = concat(dst, x86_get_reg(cpu, in->osz, in->reg), bits);
	uint32_t r;

	if (n == 0)
		return;
	r = ((v << n) >> (total - bits)) & x86_mask(in->osz);
	x86_rm_write(cpu, in, in->osz, r);
	shift_flags(cpu, r, in->osz, (v >> (total - n)) & 1, msb(r, bits) ^ msb(dst, bits));
}

/* SHRD r/m, reg, imm8/CL (0F ACh/ADh) */
void x86_op_shrd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned bits = in->osz * 8, n = dshift_count(cpu, in);
	uint32_t dst = x86_rm_read(cpu, in, in->osz);
	uint32_t src = x86_get_reg(cpu, in->osz, in->reg);
	/* Low to high: dest, src, and dest again for 16-bit counts above 16. */
	uint64_t v = bits == 16 ? (uint64_t)dst << 32 | (uint64_t)src << 16 | dst
				: (uint64_t)src << 32 | dst;
	uint32_t r;

	if (n == 0)
		return;
	r = (v >> n) & x86_mask(in->osz);
	x86_rm_write(cpu, in, in->osz, r);
	shift_flags(cpu, r, in->osz, (v >> (n - 1)) & 1, msb(r, bits) ^ msb(dst, bits));
}
