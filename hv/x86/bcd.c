/* Decimal arithmetic: DAA, DAS, AAA, AAS, AAM, AAD, and SALC. Flags the
 * manual leaves undefined are set the way later Intel parts set them: SF,
 * ZF, PF from AL, OF clear. */
#include "hv/x86/cpu_state.h"

static uint8_t al(const struct x86_cpu *cpu)
{
	return cpu->regs[X86_EAX] & 0xff;
}

/* SF/ZF/PF from an 8-bit result, then CF, AF, OF explicitly. */
static void bcd_flags(struct x86_cpu *cpu, uint8_t res, bool cf, bool af)
{
	x86_lazy_set(cpu, res, 0, 1, X86_SF | X86_ZF | X86_PF);
	x86_set_flag(cpu, X86_CF, cf);
	x86_set_flag(cpu, X86_AF, af);
	x86_set_flag(cpu, X86_OF, false);
}

/* DAA (27h) */
void x86_op_daa(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t old = al(cpu), a = old;
	bool old_cf = x86_cf(cpu), cf = false, af = false;

	(void)in;
	if ((a & 0xf) > 9 || x86_af(cpu)) {
		cf = old_cf || a > 0xf9;
		a += 6;
		af = true;
	}
	if (old > 0x99 || old_cf) {
		a += 0x60;
		cf = true;
	} else {
		cf = false;
	}
	x86_set_reg(cpu, 1, X86_EAX, a);
	bcd_flags(cpu, a, cf, af);
}

/* DAS (2Fh) */
void x86_op_das(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t old = al(cpu), a = old;
	bool old_cf = x86_cf(cpu), cf = false, af = false;

	(void)in;
	if ((a & 0xf) > 9 || x86_af(cpu)) {
		cf = old_cf || a < 6;
		a -= 6;
		af = true;
	}
	if (old > 0x99 || old_cf) {
		a -= 0x60;
		cf = true;
	}
	x86_set_reg(cpu, 1, X86_EAX, a);
	bcd_flags(cpu, a, cf, af);
}

/* AAA (37h) */
void x86_op_aaa(struct x86_cpu *cpu, const struct x86_insn *in)
{
	bool adj = (al(cpu) & 0xf) > 9 || x86_af(cpu);

	(void)in;
	if (adj)
		x86_set_reg(cpu, 2, X86_EAX, x86_get_reg(cpu, 2, X86_EAX) + 0x106);
	x86_set_reg(cpu, 1, X86_EAX, al(cpu) & 0xf);
	bcd_flags(cpu, al(cpu), adj, adj);
}

/* AAS (3Fh) */
void x86_op_aas(struct x86_cpu *cpu, const struct x86_insn *in)
{
	bool adj = (al(cpu) & 0xf) > 9 || x86_af(cpu);

	(void)in;
	if (adj) {
		x86_set_reg(cpu, 2, X86_EAX, x86_get_reg(cpu, 2, X86_EAX) - 6);
		x86_set_reg(cpu, 1, 4, x86_get_reg(cpu, 1, 4) - 1); /* AH */
	}
	x86_set_reg(cpu, 1, X86_EAX, al(cpu) & 0xf);
	bcd_flags(cpu, al(cpu), adj, adj);
}

/* AAM imm8 (D4h): AH = AL / imm, AL = AL % imm; #DE for 0. */
void x86_op_aam(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t base = in->imm, a = al(cpu);

	if (base == 0)
		cpu_raise(cpu, X86_VEC_DE, 0);
	x86_set_reg(cpu, 2, X86_EAX, (uint32_t)(a / base) << 8 | (a % base));
	bcd_flags(cpu, a % base, false, false);
}

/* AAD imm8 (D5h): AL = AL + AH * imm, AH = 0. */
void x86_op_aad(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t a = al(cpu) + x86_get_reg(cpu, 1, 4) * (uint8_t)in->imm;

	x86_set_reg(cpu, 2, X86_EAX, a);
	bcd_flags(cpu, a, false, false);
}

/* SALC (D6h, undocumented): AL = CF ? FFh : 0. */
void x86_op_salc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_set_reg(cpu, 1, X86_EAX, x86_cf(cpu) ? 0xff : 0);
}
