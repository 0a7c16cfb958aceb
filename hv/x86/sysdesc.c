/* The protected-mode descriptor instructions: group 6 (SLDT, STR, LLDT,
 * LTR, VERR, VERW), LAR, LSL and ARPL. They do not exist in real or
 * virtual-8086 mode (#UD). */
#include "hv/x86/cpu_state.h"

#define TYPE_LDT   0x02
#define TYPE_TSS16 0x01
#define TYPE_TSS32 0x09
#define TSS_BUSY   0x02

static void require_protected(struct x86_cpu *cpu)
{
	if (!x86_protected(cpu))
		cpu_raise(cpu, X86_VEC_UD, 0);
}

/* A GDT system descriptor for LLDT/LTR: #GP(sel) unless of type `want`
 * (or `alt`), #NP(sel) when absent. */
static uint64_t system_desc(struct x86_cpu *cpu, uint16_t sel, unsigned want, unsigned alt)
{
	uint64_t d;

	if (sel & 4)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	d = x86_desc_get(cpu, sel, X86_VEC_GP, 0);
	if (x86_desc_type(d) != want && x86_desc_type(d) != alt)
		cpu_raise(cpu, X86_VEC_GP, sel & ~3u);
	if (!x86_desc_present(d))
		cpu_raise(cpu, X86_VEC_NP, sel & ~3u);
	return d;
}

/* LLDT: a null selector leaves no LDT. */
static void lldt(struct x86_cpu *cpu, uint16_t sel)
{
	x86_require_cpl0(cpu);
	if ((sel & ~3u) == 0) {
		cpu->ldtr = (struct x86_seg){.sel = sel};
		return;
	}
	x86_seg_from_desc(&cpu->ldtr, sel, system_desc(cpu, sel, TYPE_LDT, TYPE_LDT));
}

/* LTR: an available TSS, marked busy. */
static void ltr(struct x86_cpu *cpu, uint16_t sel)
{
	uint64_t d;

	x86_require_cpl0(cpu);
	if ((sel & ~3u) == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	d = system_desc(cpu, sel, TYPE_TSS16, TYPE_TSS32);
	x86_desc_set_type_bit(cpu, sel, TSS_BUSY);
	x86_seg_from_desc(&cpu->tr, sel, d | (uint64_t)TSS_BUSY << 40);
}

/* Whether sel names a descriptor visible at CPL and RPL (conforming code
 * is visible from any level). */
static bool visible(struct x86_cpu *cpu, uint16_t sel, uint64_t d)
{
	unsigned dpl = x86_desc_dpl(d);

	if ((x86_desc_type(d) & 0x1c) == 0x1c)
		return true;
	return dpl >= cpu->cpl && dpl >= (sel & 3u);
}

/* VERR (read) or VERW (write): ZF says whether the segment allows it. */
static void verify(struct x86_cpu *cpu, uint16_t sel, bool write)
{
	uint64_t d;
	unsigned type;
	bool ok = false;

	if ((sel & ~3u) != 0 && x86_desc_read(cpu, sel, &d)) {
		type = x86_desc_type(d);
		if (write)
			ok = (type & 0x1a) == 0x12;
		else
			ok = (type & 0x10) && ((type & 0x1a) != 0x18);
		ok = ok && visible(cpu, sel, d);
	}
	x86_set_flag(cpu, X86_ZF, ok);
}

/* Group 6 (0F 00h): SLDT, STR, LLDT, LTR, VERR, VERW. */
void x86_op_grp6(struct x86_cpu *cpu, const struct x86_insn *in)
{
	require_protected(cpu);
	switch (in->reg) {
	case 0: x86_rm_write(cpu, in, in->mod == 3 ? in->osz : 2, cpu->ldtr.sel); break;
	case 1: x86_rm_write(cpu, in, in->mod == 3 ? in->osz : 2, cpu->tr.sel); break;
	case 2: lldt(cpu, x86_rm_read(cpu, in, 2)); break;
	case 3: ltr(cpu, x86_rm_read(cpu, in, 2)); break;
	case 4: verify(cpu, x86_rm_read(cpu, in, 2), false); break;
	case 5: verify(cpu, x86_rm_read(cpu, in, 2), true); break;
	default: x86_op_ud(cpu, in);
	}
}

/* System types LAR accepts; LSL accepts those with a limit. */
static bool lar_type(unsigned type, bool lsl)
{
	if (type & 0x10)
		return true;
	switch (type) {
	case 0x01:
	case 0x02:
	case 0x03:
	case 0x09:
	case 0x0b: return true;
	case 0x04:
	case 0x05:
	case 0x0c: return !lsl;
	default: return false;
	}
}

/* The descriptor for LAR/LSL, or false (ZF cleared). */
static bool lar_desc(struct x86_cpu *cpu, uint16_t sel, bool lsl, uint64_t *d)
{
	bool ok = (sel & ~3u) != 0 && x86_desc_read(cpu, sel, d) &&
		  lar_type(x86_desc_type(*d), lsl) && visible(cpu, sel, *d);

	x86_set_flag(cpu, X86_ZF, ok);
	return ok;
}

/* LAR r, r/m16 (0F 02h): access rights bytes of a descriptor. */
void x86_op_lar(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint64_t d;

	require_protected(cpu);
	if (lar_desc(cpu, x86_rm_read(cpu, in, 2), false, &d))
		x86_set_reg(cpu, in->osz, in->reg, (uint32_t)(d >> 32) & 0x00f0ff00u);
}

/* LSL r, r/m16 (0F 03h): a descriptor's limit in bytes. */
void x86_op_lsl(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint16_t sel = x86_rm_read(cpu, in, 2);
	struct x86_seg s;
	uint64_t d;

	require_protected(cpu);
	if (!lar_desc(cpu, sel, true, &d))
		return;
	x86_seg_from_desc(&s, sel, d);
	x86_set_reg(cpu, in->osz, in->reg, s.floor ? s.floor - 1 : s.limit);
}

/* ARPL r/m16, r16 (63h): raises the destination's RPL to the source's. */
void x86_op_arpl(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint16_t dst, src = x86_get_reg(cpu, 2, in->reg);

	require_protected(cpu);
	dst = x86_rm_read(cpu, in, 2);
	if ((dst & 3u) < (src & 3u)) {
		x86_rm_write(cpu, in, 2, (dst & ~3u) | (src & 3u));
		x86_set_flag(cpu, X86_ZF, true);
	} else {
		x86_set_flag(cpu, X86_ZF, false);
	}
}
