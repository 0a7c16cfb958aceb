/* Operand access shared by the handlers: registers by size (with the
 * AH/CH/DH/BH byte registers), the ModRM r/m operand, sizes and masks. */
#include "hv/x86/cpu_state.h"

/* Reads register r as a `size`-byte operand. */
uint32_t x86_get_reg(const struct x86_cpu *cpu, unsigned size, unsigned r)
{
	switch (size) {
	case 1: return r < 4 ? cpu->regs[r] & 0xff : (cpu->regs[r - 4] >> 8) & 0xff;
	case 2: return cpu->regs[r] & 0xffff;
	default: return cpu->regs[r];
	}
}

/* Writes register r as a `size`-byte operand, keeping the other bits. */
void x86_set_reg(struct x86_cpu *cpu, unsigned size, unsigned r, uint32_t v)
{
	switch (size) {
	case 1:
		if (r < 4)
			cpu->regs[r] = (cpu->regs[r] & ~0xffu) | (v & 0xff);
		else
			cpu->regs[r - 4] = (cpu->regs[r - 4] & ~0xff00u) | (v & 0xff) << 8;
		break;
	case 2: cpu->regs[r] = (cpu->regs[r] & ~0xffffu) | (v & 0xffff); break;
	default: cpu->regs[r] = v; break;
	}
}

/* The r/m operand. */
uint32_t x86_rm_read(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	if (in->mod == 3)
		return x86_get_reg(cpu, size, in->rm);
	return x86_read(cpu, x86_ea_seg(in), x86_ea(cpu, in), size);
}

/* Writes the r/m operand. */
void x86_rm_write(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size, uint32_t v)
{
	if (in->mod == 3)
		x86_set_reg(cpu, size, in->rm, v);
	else
		x86_write(cpu, x86_ea_seg(in), x86_ea(cpu, in), size, v);
}

/* Memory at EA + extra, the offset wrapped to the address size. */
uint32_t x86_mem_read(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra, unsigned size)
{
	uint32_t off = x86_ea(cpu, in) + extra;

	if (in->asz == 2)
		off &= 0xffff;
	return x86_read(cpu, x86_ea_seg(in), off, size);
}

/* 1 for the byte form of an instruction (opcode bit 0 clear). */
unsigned x86_opsize(const struct x86_insn *in)
{
	return (in->op & 1) ? in->osz : 1;
}

/* Mask of a `size`-byte operand. */
uint32_t x86_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Sign-extends the low `size` bytes. */
uint32_t x86_sext(uint32_t v, unsigned size)
{
	switch (size) {
	case 1: return (uint32_t)(int32_t)(int8_t)v;
	case 2: return (uint32_t)(int32_t)(int16_t)v;
	default: return v;
	}
}

/* CX or ECX, by address size. */
uint32_t x86_count(const struct x86_cpu *cpu, const struct x86_insn *in)
{
	return in->asz == 2 ? cpu->regs[X86_ECX] & 0xffff : cpu->regs[X86_ECX];
}

/* Sets CX or ECX, by address size. */
void x86_set_count(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t v)
{
	x86_set_reg(cpu, in->asz, X86_ECX, v);
}
