/* The x87 environment: FNINIT, FLDENV/FNSTENV and FRSTOR/FNSAVE in their
 * four layouts (16- or 32-bit operand size, real or protected mode; SDM
 * vol. 1, figures 8-9 to 8-12). The image is built or read whole before
 * any FPU state changes, so a fault leaves the FPU as it was. */
#include <string.h>

#include "hv/x86/fpu.h"

void fpu_fninit(struct x86_cpu *cpu)
{
	x86_fpu_reset(cpu);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Fills the 14- or 28-byte environment image at p; returns its size. */
static unsigned build_env(struct x86_cpu *cpu, bool wide, uint8_t *p)
{
	const struct x86_fpu *f = &cpu->fpu;
	unsigned step = wide ? 4 : 2;
	uint32_t ip = f->fip, dp = f->fdp;

	memset(p, 0, 28);
	put16(p, f->cw);
	put16(p + step, fpu_status(cpu));
	put16(p + 2 * step, fpu_tag_word(cpu));
	if (x86_protected(cpu)) {
		(wide ? put32 : put16)(p + 3 * step, ip);
		put16(p + 4 * step, f->fcs);
		if (wide)
			put16(p + 18, f->fop);
		(wide ? put32 : put16)(p + 5 * step, dp);
		put16(p + 6 * step, f->fds);
	} else {
		/* Real and V86 mode keep 20- or 32-bit linear addresses. */
		ip += (uint32_t)f->fcs << 4;
		dp += (uint32_t)f->fds << 4;
		put16(p + 3 * step, ip);
		(wide ? put32 : put16)(p + 4 * step, (ip >> 16) << 12 | f->fop);
		put16(p + 5 * step, dp);
		(wide ? put32 : put16)(p + 6 * step, (dp >> 16) << 12);
	}
	return 7 * step;
}

static void apply_env(struct x86_cpu *cpu, bool wide, const uint8_t *p)
{
	struct x86_fpu *f = &cpu->fpu;
	unsigned step = wide ? 4 : 2;
	uint16_t tw = get16(p + 2 * step);

	f->cw = get16(p) | 0x0040; /* bit 6 reads as one */
	f->sw = get16(p + step);
	f->valid = 0;
	for (unsigned i = 0; i < 8; i++)
		if (((tw >> (2 * i)) & 3) != 3)
			f->valid |= 1u << i;
	if (x86_protected(cpu)) {
		f->fip = wide ? get32(p + 3 * step) : get16(p + 3 * step);
		f->fcs = get16(p + 4 * step);
		f->fop = wide ? get16(p + 18) & 0x7ff : f->fop;
		f->fdp = wide ? get32(p + 5 * step) : get16(p + 5 * step);
		f->fds = get16(p + 6 * step);
	} else {
		uint32_t hi_ip = wide ? get32(p + 4 * step) : get16(p + 4 * step);
		uint32_t hi_dp = wide ? get32(p + 6 * step) : get16(p + 6 * step);

		f->fip = get16(p + 3 * step) | (hi_ip >> 12) << 16;
		f->fop = hi_ip & 0x7ff;
		f->fdp = get16(p + 5 * step) | (hi_dp >> 12) << 16;
		f->fcs = f->fds = 0;
	}
	fpu_update_es(cpu);
}

/* FLDENV (regs false) or FRSTOR (regs true). */
void fpu_fldenv(struct x86_cpu *cpu, const struct x86_insn *in, bool regs)
{
	bool wide = in->osz == 4;
	unsigned env = wide ? 28 : 14;
	uint8_t buf[108];

	fpu_mem_read(cpu, in, 0, buf, env + (regs ? 80 : 0));
	if (regs)
		for (unsigned i = 0; i < 8; i++) {
			/* ST(i) by the new TOP. */
			unsigned top = (get16(buf + (wide ? 4 : 2)) >> 11) & 7;
			struct x86_f80 *r = &cpu->fpu.st[(top + i) & 7];

			memcpy(&r->mant, buf + env + 10 * i, 8);
			r->se = get16(buf + env + 10 * i + 8);
		}
	apply_env(cpu, wide, buf);
}

/* FNSTENV (regs false: then masks every exception) or FNSAVE (regs true:
 * then FNINIT). */
void fpu_fnstenv(struct x86_cpu *cpu, const struct x86_insn *in, bool regs)
{
	uint8_t buf[108];
	unsigned len = build_env(cpu, in->osz == 4, buf);

	if (regs)
		for (unsigned i = 0; i < 8; i++) {
			const struct x86_f80 *r = fpu_st(cpu, i);

			memcpy(buf + len + 10 * i, &r->mant, 8);
			put16(buf + len + 10 * i + 8, r->se);
		}
	fpu_mem_write(cpu, in, 0, buf, len + (regs ? 80 : 0));
	if (regs)
		fpu_fninit(cpu);
	else
		cpu->fpu.cw |= FPU_EXC;
}
