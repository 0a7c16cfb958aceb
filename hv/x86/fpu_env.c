/* The x87 environment: FNINIT, FLDENV/FNSTENV and FRSTOR/FNSAVE in their
 * four layouts (16- or 32-bit operand size, real or protected mode; SDM
 * vol. 1, figures 8-9 to 8-12). The image is built or read whole before
 * any FPU state changes, so a fault leaves the FPU as it was. */
#include <string.h>

#include "hv/core/le.h"
#include "hv/x86/fpu.h"

void fpu_fninit(struct x86_cpu *cpu)
{
	x86_fpu_reset(cpu);
}

/* A pointer or opcode field: 32 bits in the 28-byte image, 16 in the
 * 14-byte one. */
static void put_field(uint8_t *p, uint32_t v, bool wide)
{
	if (wide)
		le_put32(p, v);
	else
		le_put16(p, (uint16_t)v);
}

/* Fills the 14- or 28-byte environment image at p; returns its size. */
static unsigned build_env(struct x86_cpu *cpu, bool wide, uint8_t *p)
{
	const struct x86_fpu *f = &cpu->fpu;
	unsigned step = wide ? 4 : 2;
	uint32_t ip = f->fip, dp = f->fdp;

	memset(p, 0, 28);
	le_put16(p, f->cw);
	le_put16(p + step, fpu_status(cpu));
	le_put16(p + 2 * step, fpu_tag_word(cpu));
	if (x86_protected(cpu)) {
		put_field(p + 3 * step, ip, wide);
		le_put16(p + 4 * step, f->fcs);
		if (wide)
			le_put16(p + 18, f->fop);
		put_field(p + 5 * step, dp, wide);
		le_put16(p + 6 * step, f->fds);
	} else {
		/* Real and V86 mode keep 20- or 32-bit linear addresses. */
		ip += (uint32_t)f->fcs << 4;
		dp += (uint32_t)f->fds << 4;
		le_put16(p + 3 * step, ip);
		put_field(p + 4 * step, (ip >> 16) << 12 | f->fop, wide);
		le_put16(p + 5 * step, dp);
		put_field(p + 6 * step, (dp >> 16) << 12, wide);
	}
	return 7 * step;
}

static void apply_env(struct x86_cpu *cpu, bool wide, const uint8_t *p)
{
	struct x86_fpu *f = &cpu->fpu;
	unsigned step = wide ? 4 : 2;
	uint16_t tw = le_get16(p + 2 * step);

	x86_fpu_host_leave();	      /* the flags may go: the host's too (fpu.h) */
	f->cw = le_get16(p) | 0x0040; /* bit 6 reads as one */
	f->sw = le_get16(p + step);
	f->valid = 0;
	for (unsigned i = 0; i < 8; i++)
		if (((tw >> (2 * i)) & 3) != 3)
			f->valid |= 1u << i;
	if (x86_protected(cpu)) {
		f->fip = wide ? le_get32(p + 3 * step) : le_get16(p + 3 * step);
		f->fcs = le_get16(p + 4 * step);
		f->fop = wide ? le_get16(p + 18) & 0x7ff : f->fop;
		f->fdp = wide ? le_get32(p + 5 * step) : le_get16(p + 5 * step);
		f->fds = le_get16(p + 6 * step);
	} else {
		uint32_t hi_ip = wide ? le_get32(p + 4 * step) : le_get16(p + 4 * step);
		uint32_t hi_dp = wide ? le_get32(p + 6 * step) : le_get16(p + 6 * step);

		f->fip = le_get16(p + 3 * step) | (hi_ip >> 12) << 16;
		f->fop = hi_ip & 0x7ff;
		f->fdp = le_get16(p + 5 * step) | (hi_dp >> 12) << 16;
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
			unsigned top = (le_get16(buf + (wide ? 4 : 2)) >> 11) & 7;
			struct x86_f80 *r = &cpu->fpu.st[(top + i) & 7];

			memcpy(&r->mant, buf + env + 10 * i, 8);
			r->se = le_get16(buf + env + 10 * i + 8);
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
			le_put16(buf + len + 10 * i + 8, r->se);
		}
	fpu_mem_write(cpu, in, 0, buf, len + (regs ? 80 : 0));
	if (regs)
		fpu_fninit(cpu);
	else
		cpu->fpu.cw |= FPU_EXC;
}
