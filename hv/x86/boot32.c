/* The state a boot loader leaves the CPU in for a 32-bit protected-mode
 * entry (the Linux boot protocol's code32_start): what the loader's own
 * LGDT, MOV CR0 and far jump would have made, set directly. */
#include <string.h>

#include "hv/x86/cpu_state.h"
#include "hv/x86/protected.h"

/* Flat 4 GiB descriptors as the GDT holds them: present, DPL 0, G, D/B. */
#define FLAT_CODE 0x00cf9b000000ffffull /* execute/read, accessed */
#define FLAT_DATA 0x00cf93000000ffffull /* read/write, accessed */

void x86_cpu_set_boot32(struct x86_cpu *cpu, const struct vcpu_boot32 *boot)
{
	memset(cpu->regs, 0, sizeof cpu->regs);
	cpu->regs[X86_ESI] = boot->esi;
	cpu->eip = boot->eip;
	cpu->eflags = 0x2;
	cpu->lazy.mask = 0;
	cpu->gdtr = (struct x86_dtr){boot->gdt_base, boot->gdt_limit};
	cpu->idtr = (struct x86_dtr){0, 0};
	cpu->cr[0] = (cpu->cr[0] & ~(X86_CR0_PG | X86_CR0_EM)) | X86_CR0_PE | X86_CR0_ET;
	x86_set_cpl(cpu, 0);
	for (int i = 0; i < X86_NSEG; i++)
		x86_seg_from_desc(&cpu->seg[i], boot->ds, FLAT_DATA);
	x86_seg_from_desc(&cpu->seg[X86_CS], boot->cs, FLAT_CODE);
	cpu->halted = false;
	cpu->check_intr = true;
	cpu->fetch_host = NULL;
	x86_tlb_flush(cpu);
}
