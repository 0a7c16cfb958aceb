/* IOPL and the TSS I/O permission bitmap: IN/OUT/INS/OUTS at CPL > IOPL
 * (or in virtual-8086 mode) are allowed only for ports whose bits are all
 * clear in the bitmap of a 32-bit TSS. */
#include "hv/x86/cpu_state.h"

#define TSS_IOMAP_OFFSET 102

static bool io_needs_bitmap(const struct x86_cpu *cpu)
{
	if (!(cpu->cr[0] & X86_CR0_PE))
		return false;
	return (cpu->eflags & X86_VM) || cpu->cpl > ((cpu->eflags & X86_IOPL) >> 12);
}

/* #GP(0) unless every bit of port..port+size-1 is clear in the bitmap. */
static void check_bitmap(struct x86_cpu *cpu, uint16_t port, unsigned size)
{
	const struct x86_seg *tr = &cpu->tr;
	uint32_t base, byte, bits;

	if ((tr->sel & ~3u) == 0 || ((tr->attr & 0xf) != 0x9 && (tr->attr & 0xf) != 0xb) ||
	    tr->limit < TSS_IOMAP_OFFSET + 1)
		cpu_raise(cpu, X86_VEC_GP, 0);
	base = x86_lin_read(cpu, tr->base + TSS_IOMAP_OFFSET, 2, false);
	byte = base + port / 8;
	if (byte + 1 > tr->limit)
		cpu_raise(cpu, X86_VEC_GP, 0);
	bits = x86_lin_read(cpu, tr->base + byte, 2, false) >> (port & 7);
	if (bits & ((1u << size) - 1))
		cpu_raise(cpu, X86_VEC_GP, 0);
}

/* Faults unless the access is allowed. */
void x86_check_io(struct x86_cpu *cpu, uint16_t port, unsigned size)
{
	if (io_needs_bitmap(cpu))
		check_bitmap(cpu, port, size);
}
