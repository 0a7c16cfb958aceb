/* FXSAVE and FXRSTOR (0F AE /0 and /1): the 512-byte image of the x87
 * state with an abridged tag byte (one bit per physical register: not
 * empty). There is no SSE, so the XMM area is neither written nor read;
 * MXCSR is stored as its reset value. */
#include <string.h>

#include "hv/core/le.h"
#include "hv/x86/fpu.h"

#define FXSAVE_X87_BYTES VCPU_FX_BYTES /* header and ST0-ST7; the rest is SSE */
#define MXCSR_RESET	 0x1f80u

/* The area must be 16-byte aligned: #GP(0) otherwise. */
static void check_alignment(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t lin = cpu->seg[x86_ea_seg(in)].base + x86_ea(cpu, in);

	if (lin & 15)
		cpu_raise(cpu, X86_VEC_GP, 0);
}

void fpu_fx_image(struct x86_cpu *cpu, uint8_t *buf)
{
	const struct x86_fpu *f = &cpu->fpu;

	memset(buf, 0, FXSAVE_X87_BYTES);
	le_put16(buf, f->cw);
	le_put16(buf + 2, fpu_status(cpu));
	buf[4] = f->valid;
	le_put16(buf + 6, f->fop);
	le_put32(buf + 8, f->fip);
	le_put16(buf + 12, f->fcs);
	le_put32(buf + 16, f->fdp);
	le_put16(buf + 20, f->fds);
	le_put32(buf + 24, MXCSR_RESET);
	for (unsigned i = 0; i < 8; i++) {
		const struct x86_f80 *r = fpu_st(cpu, i);

		memcpy(buf + 32 + 16 * i, &r->mant, 8);
		le_put16(buf + 40 + 16 * i, r->se);
	}
}

void fpu_fx_apply(struct x86_cpu *cpu, const uint8_t *buf)
{
	struct x86_fpu *f = &cpu->fpu;

	x86_fpu_host_leave(); /* the flags may go: the host's too (fpu.h) */
	f->cw = le_get16(buf) | 0x0040;
	f->sw = le_get16(buf + 2);
	f->valid = buf[4];
	f->fop = le_get16(buf + 6) & 0x7ff;
	f->fip = le_get32(buf + 8);
	f->fcs = le_get16(buf + 12);
	f->fdp = le_get32(buf + 16);
	f->fds = le_get16(buf + 20);
	for (unsigned i = 0; i < 8; i++) {
		struct x86_f80 *r = fpu_st(cpu, i);

		memcpy(&r->mant, buf + 32 + 16 * i, 8);
		r->se = le_get16(buf + 40 + 16 * i);
	}
	fpu_update_es(cpu);
}

void fpu_fxsave(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t buf[FXSAVE_X87_BYTES];

	check_alignment(cpu, in);
	fpu_fx_image(cpu, buf);
	fpu_mem_write(cpu, in, 0, buf, sizeof buf);
}

void fpu_fxrstor(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t buf[FXSAVE_X87_BYTES];

	check_alignment(cpu, in);
	fpu_mem_read(cpu, in, 0, buf, sizeof buf);
	fpu_fx_apply(cpu, buf);
}

/* Group 15 (0F AEh): FXSAVE, FXRSTOR; the SSE members are #UD here. */
void x86_op_grp15(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod == 3 || in->reg > 1)
		x86_op_ud(cpu, in);
	fpu_begin(cpu, in, true);
	if (in->reg == 0)
		fpu_fxsave(cpu, in);
	else
		fpu_fxrstor(cpu, in);
}
