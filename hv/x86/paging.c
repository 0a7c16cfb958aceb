/* Two-level 32-bit paging: 4 KiB pages, 4 MiB pages with CR4.PSE, global
 * pages with CR4.PGE; U/S and R/W checks with CR0.WP; accessed and dirty
 * bits written back; #PF with its error code and CR2. The soft TLB in
 * mem.c calls this only on a miss. */
#include "hv/x86/cpu_state.h"

#define PTE_P  0x001u
#define PTE_W  0x002u
#define PTE_U  0x004u
#define PTE_A  0x020u
#define PTE_D  0x040u
#define PTE_PS 0x080u
#define PTE_G  0x100u

/* #PF error code bits. */
#define PF_PROT	 0x1u
#define PF_WRITE 0x2u
#define PF_USER	 0x4u

static _Noreturn void page_fault(struct x86_cpu *cpu, uint32_t lin, unsigned acc, bool prot)
{
	uint32_t err = (prot ? PF_PROT : 0) | ((acc & X86_ACC_WRITE) ? PF_WRITE : 0) |
		       ((acc & X86_ACC_USER) ? PF_USER : 0);

	cpu->cr[2] = lin;
	cpu_raise(cpu, X86_VEC_PF, err);
}

/* Whether the combined U/S and R/W bits allow the access. */
static bool allowed(const struct x86_cpu *cpu, uint32_t flags, unsigned acc)
{
	if ((acc & X86_ACC_USER) && !(flags & PTE_U))
		return false;
	if (!(acc & X86_ACC_WRITE) || (flags & PTE_W))
		return true;
	return !(acc & X86_ACC_USER) && !(cpu->cr[0] & X86_CR0_WP);
}

/* Sets `bits` in the entry at pa unless already there. */
static void set_bits(struct x86_cpu *cpu, uint32_t pa, uint32_t entry, uint32_t bits)
{
	if ((entry & bits) != bits)
		x86_phys_write(cpu, pa, 4, entry | bits);
}

/* X86_PAGE_* bits of a translation with these combined flags. */
static unsigned page_bits(const struct x86_cpu *cpu, uint32_t flags)
{
	unsigned bits = 0;

	if ((flags & (PTE_U | PTE_W)) == (PTE_U | PTE_W))
		bits |= X86_PAGE_USER_WRITE;
	if ((flags & PTE_G) && (cpu->cr[4] & X86_CR4_PGE))
		bits |= X86_PAGE_GLOBAL;
	return bits;
}

/* Translates a linear address; see cpu_state.h. */
uint32_t x86_translate(struct x86_cpu *cpu, uint32_t lin, unsigned acc, unsigned *page)
{
	uint32_t pde_pa = (cpu->cr[3] & ~0xfffu) + (lin >> 22) * 4;
	uint32_t pde = x86_phys_read(cpu, pde_pa, 4), pte_pa, pte, flags;
	uint32_t dirty = (acc & X86_ACC_WRITE) ? PTE_D : 0;

	if (!(pde & PTE_P))
		page_fault(cpu, lin, acc, false);
	if ((pde & PTE_PS) && (cpu->cr[4] & X86_CR4_PSE)) {
		if (!allowed(cpu, pde, acc))
			page_fault(cpu, lin, acc, true);
		set_bits(cpu, pde_pa, pde, PTE_A | dirty);
		*page = page_bits(cpu, pde) | X86_PAGE_LARGE;
		return (pde & 0xffc00000u) | (lin & 0x3fffffu);
	}
	pte_pa = (pde & ~0xfffu) + ((lin >> 12) & 0x3ff) * 4;
	pte = x86_phys_read(cpu, pte_pa, 4);
	if (!(pte & PTE_P))
		page_fault(cpu, lin, acc, false);
	flags = pde & pte;
	if (!allowed(cpu, flags, acc))
		page_fault(cpu, lin, acc, true);
	set_bits(cpu, pde_pa, pde, PTE_A);
	set_bits(cpu, pte_pa, pte, PTE_A | dirty);
	*page = page_bits(cpu, (flags & ~PTE_G) | (pte & PTE_G));
	return (pte & ~0xfffu) | (lin & 0xfffu);
}
