/* Operand access shared by the handlers, beside the inline helpers of
 * cpu_state.h: memory at an offset from the EA, the count register. */
#include "hv/x86/cpu_state.h"

/* Memory at EA + extra, the offset wrapped to the address size. */
uint32_t x86_mem_read(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra, unsigned size)
{
	uint32_t off = x86_ea(cpu, in) + extra;

	if (in->asz == 2)
		off &= 0xffff;
	return x86_read(cpu, x86_ea_seg(in), off, size);
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
