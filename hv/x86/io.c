/* Port I/O: IN and OUT with an immediate port or DX, 8/16/32 bits. A
 * device access may raise an interrupt or remap memory, so each one asks
 * for an interrupt poll and re-checks the soft TLB. */
#include "hv/core/machine.h"
#include "hv/x86/cpu_state.h"

/* Reads `size` bytes from a port. */
uint32_t x86_port_in(struct x86_cpu *cpu, uint16_t port, unsigned size)
{
	uint32_t v;

	x86_check_io(cpu, port, size);
	x86_fpu_host_leave(); /* the host x87's own control word for devices */
	v = machine_pio_read(cpu->m, port, size);
	x86_poll_soon(cpu);
	return v & x86_mask(size);
}

/* Writes `size` bytes to a port. */
void x86_port_out(struct x86_cpu *cpu, uint16_t port, unsigned size, uint32_t v)
{
	x86_check_io(cpu, port, size);
	x86_fpu_host_leave();
	machine_pio_write(cpu->m, port, size, v & x86_mask(size));
	x86_tlb_sync(cpu);
	x86_poll_soon(cpu);
}

/* IN AL/eAX, imm8 (E4h/E5h) */
void x86_op_in_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_set_reg(cpu, size, X86_EAX, x86_port_in(cpu, in->imm & 0xff, size));
}

/* OUT imm8, AL/eAX (E6h/E7h) */
void x86_op_out_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_port_out(cpu, in->imm & 0xff, size, x86_get_reg(cpu, size, X86_EAX));
}

/* IN AL/eAX, DX (ECh/EDh) */
void x86_op_in_dx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_set_reg(cpu, size, X86_EAX, x86_port_in(cpu, cpu->regs[X86_EDX] & 0xffff, size));
}

/* OUT DX, AL/eAX (EEh/EFh) */
void x86_op_out_dx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned size = x86_opsize(in);

	x86_port_out(cpu, cpu->regs[X86_EDX] & 0xffff, size, x86_get_reg(cpu, size, X86_EAX));
}
