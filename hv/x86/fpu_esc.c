/* The x87 escape opcodes D8h-DFh: one handler per opcode byte, which
 * picks the instruction by mod, reg and r/m (SDM vol. 2, table A-7 to
 * A-22) and hands it to the family files. */
#include "hv/x86/fpu.h"

/* A waiting data instruction: #NM/#MF checks, then FIP/FDP/FOP. */
static bool begin(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!fpu_begin(cpu, in, false))
		return false;
	fpu_note(cpu, in);
	return true;
}

/* The eight memory operations of D8/DA/DC/DE on a converted operand. */
static void mem_arith(struct x86_cpu *cpu, const struct x86_insn *in, enum fpu_fmt fmt)
{
	struct x86_f80 v;

	if (!begin(cpu, in))
		return;
	if (!fpu_operand(cpu, in, fmt, &v))
		return;
	if (in->reg == 2 || in->reg == 3)
		fpu_compare(cpu, 0, &v, false, in->reg == 3, false);
	else
		fpu_arith(cpu, in->reg, 0, 0, &v, false);
}

/* Register forms of D8 (to ST(0)), DC (to ST(i)) and DE (to ST(i), pop). */
static void reg_arith(struct x86_cpu *cpu, const struct x86_insn *in, bool to_sti, bool pop)
{
	if (!begin(cpu, in))
		return;
	if (in->reg == 2 || in->reg == 3)
		fpu_compare(cpu, in->rm, NULL, false, (in->reg == 3) + pop, false);
	else
		fpu_arith(cpu, in->reg, to_sti ? in->rm : 0, in->rm, NULL, pop);
}

void x86_op_fpu_d8(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod == 3)
		reg_arith(cpu, in, false, false);
	else
		mem_arith(cpu, in, FPU_M32);
}

void x86_op_fpu_dc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod == 3)
		reg_arith(cpu, in, true, false);
	else
		mem_arith(cpu, in, FPU_M64);
}

void x86_op_fpu_de(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod != 3) {
		mem_arith(cpu, in, FPU_I16);
		return;
	}
	if (in->reg == 3 && in->rm != 1)
		x86_op_ud(cpu, in);
	if (in->reg == 3) { /* FCOMPP */
		if (!begin(cpu, in))
			return;
		fpu_compare(cpu, 1, NULL, false, 2, false);
		return;
	}
	reg_arith(cpu, in, true, true); /* FCOMP5 (reg 2) pops too */
}

void x86_op_fpu_da(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod != 3) {
		mem_arith(cpu, in, FPU_I32);
		return;
	}
	if (in->reg == 5 && in->rm == 1) { /* FUCOMPP */
		if (!begin(cpu, in))
			return;
		fpu_compare(cpu, 1, NULL, true, 2, false);
		return;
	}
	if (in->reg > 3)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	/* FCMOVB, FCMOVE, FCMOVBE, FCMOVU: condition codes 2, 4, 6, 10. */
	fpu_fcmov(cpu, in->rm, x86_cond(cpu, (const uint8_t[]){2, 4, 6, 10}[in->reg]));
}

static void store_word(struct x86_cpu *cpu, const struct x86_insn *in, uint16_t v)
{
	uint8_t buf[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	fpu_mem_write(cpu, in, 0, buf, 2);
}

static void d9_mem(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint8_t buf[2];

	if (in->reg == 1)
		x86_op_ud(cpu, in);
	/* FNSTENV and FNSTCW do not wait; FLDENV and FLDCW keep FIP. */
	if (!fpu_begin(cpu, in, in->reg >= 6))
		return;
	if (in->reg < 4)
		fpu_note(cpu, in);
	switch (in->reg) {
	case 0: fpu_load_mem(cpu, in, FPU_M32); break;
	case 2:
	case 3: fpu_store_mem(cpu, in, FPU_M32, in->reg == 3); break;
	case 4: fpu_fldenv(cpu, in, false); break;
	case 5:
		fpu_mem_read(cpu, in, 0, buf, 2);
		cpu->fpu.cw = buf[0] | buf[1] << 8 | 0x0040;
		fpu_update_es(cpu);
		break;
	case 6: fpu_fnstenv(cpu, in, false); break;
	default: store_word(cpu, in, cpu->fpu.cw); break;
	}
}

void x86_op_fpu_d9(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod != 3) {
		d9_mem(cpu, in);
		return;
	}
	if (in->reg == 2 && in->rm != 0)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	switch (in->reg) {
	case 0: fpu_fld_st(cpu, in->rm); break;
	case 1: fpu_fxch(cpu, in->rm); break;
	case 2: break; /* FNOP */
	case 3: fpu_fst_st(cpu, in->rm, true); break;
	default: fpu_d9_misc(cpu, in); break;
	}
}

static void db_reg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg == 4) {
		/* FENI/FDISI/FSETPM do nothing after the 287; FNCLEX; FNINIT. */
		if (in->rm > 4)
			x86_op_ud(cpu, in);
		fpu_begin(cpu, in, true);
		if (in->rm == 2) {
			cpu->fpu.sw &= ~(FPU_EXC | FPU_SF | FPU_ES | FPU_B);
			cpu->fpu.ferr = false;
			x86_fpu_host_leave(); /* the host's flags go too (fpu.h) */
		} else if (in->rm == 3) {
			fpu_fninit(cpu);
		}
		return;
	}
	if (in->reg == 7)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	if (in->reg >= 5) /* FUCOMI, FCOMI */
		fpu_compare(cpu, in->rm, NULL, in->reg == 5, 0, true);
	else /* FCMOVNB, FCMOVNE, FCMOVNBE, FCMOVNU */
		fpu_fcmov(cpu, in->rm, !x86_cond(cpu, (const uint8_t[]){2, 4, 6, 10}[in->reg]));
}

void x86_op_fpu_db(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const int8_t fmt[8] = {FPU_I32, -1, FPU_I32, FPU_I32, -1, FPU_M80, -1, FPU_M80};

	if (in->mod == 3) {
		db_reg(cpu, in);
		return;
	}
	if (fmt[in->reg] < 0)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	if (in->reg == 0 || in->reg == 5)
		fpu_load_mem(cpu, in, fmt[in->reg]);
	else
		fpu_store_mem(cpu, in, fmt[in->reg], in->reg != 2);
}

static void dd_mem(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg == 1 || in->reg == 5)
		x86_op_ud(cpu, in);
	/* FNSAVE and FNSTSW do not wait; FRSTOR keeps FIP. */
	if (!fpu_begin(cpu, in, in->reg >= 6))
		return;
	if (in->reg < 4)
		fpu_note(cpu, in);
	switch (in->reg) {
	case 0: fpu_load_mem(cpu, in, FPU_M64); break;
	case 2:
	case 3: fpu_store_mem(cpu, in, FPU_M64, in->reg == 3); break;
	case 4: fpu_fldenv(cpu, in, true); break;
	case 6: fpu_fnstenv(cpu, in, true); break;
	default: store_word(cpu, in, fpu_status(cpu)); break;
	}
}

void x86_op_fpu_dd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod != 3) {
		dd_mem(cpu, in);
		return;
	}
	if (in->reg >= 6)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	switch (in->reg) {
	case 0: cpu->fpu.valid &= ~(1u << fpu_phys(cpu, in->rm)); break; /* FFREE */
	case 1: fpu_fxch(cpu, in->rm); break;
	case 2:
	case 3: fpu_fst_st(cpu, in->rm, in->reg == 3); break;
	default: fpu_compare(cpu, in->rm, NULL, true, in->reg == 5, false); break;
	}
}

void x86_op_fpu_df(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const int8_t fmt[8] = {FPU_I16, -1,	FPU_I16, FPU_I16,
				      FPU_BCD, FPU_I64, FPU_BCD, FPU_I64};

	if (in->mod != 3) {
		if (fmt[in->reg] < 0)
			x86_op_ud(cpu, in);
		if (!begin(cpu, in))
			return;
		if (in->reg == 0 || in->reg == 4 || in->reg == 5)
			fpu_load_mem(cpu, in, fmt[in->reg]);
		else
			fpu_store_mem(cpu, in, fmt[in->reg], in->reg != 2);
		return;
	}
	if (in->reg == 4 && in->rm == 0) { /* FNSTSW AX */
		fpu_begin(cpu, in, true);
		x86_set_reg(cpu, 2, X86_EAX, fpu_status(cpu));
		return;
	}
	if (in->reg == 4 || in->reg == 7)
		x86_op_ud(cpu, in);
	if (!begin(cpu, in))
		return;
	switch (in->reg) {
	case 0: /* FFREEP */
		cpu->fpu.valid &= ~(1u << fpu_phys(cpu, in->rm));
		fpu_pop(cpu);
		break;
	case 1: fpu_fxch(cpu, in->rm); break;
	case 2:
	case 3: fpu_fst_st(cpu, in->rm, true); break;
	default: fpu_compare(cpu, in->rm, NULL, in->reg == 5, 1, true); break;
	}
}
