/* System and flag instructions: HLT, CLC/STC/CMC/CLI/STI/CLD/STD,
 * LAHF/SAHF, CPUID, RDTSC, descriptor-table and control-register moves,
 * and #UD. */
#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"

/* CPUID leaf 1: family 6, model 3, stepping 3 (a Pentium II). */
#define CPUID_SIGNATURE 0x633u
/* EDX features actually implemented: FPU, PSE, TSC, MSR, CX8, SEP, PGE,
 * CMOV, FXSR. */
#define CPUID_FEATURES                                                                             \
	((1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 11) | (1u << 13) |     \
	 (1u << 15) | (1u << 24))
#define CR0_WRITABLE 0xe005003fu
#define CR4_WRITABLE (X86_CR4_TSD | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_OSFXSR)

/* An opcode this CPU does not know: #UD. */
void x86_op_ud(struct x86_cpu *cpu, const struct x86_insn *in)
{
	log_guest("x86: #UD at %04x:%08x, opcode %s%02x", cpu->seg[X86_CS].sel, cpu->ip_start,
		  in->op > 0xff ? "0f " : "", in->op & 0xff);
	cpu_raise(cpu, X86_VEC_UD, 0);
}

/* HLT (F4h): sleep until an interrupt; it returns to the next insn. */
void x86_op_hlt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_require_cpl0(cpu);
	cpu->halted = true;
	x86_poll_soon(cpu);
}

/* CLI/STI: #GP(0) in protected mode when CPL > IOPL (V86: IOPL < 3). */
static void check_iopl(struct x86_cpu *cpu)
{
	unsigned iopl = (cpu->eflags & X86_IOPL) >> 12;

	if ((cpu->cr[0] & X86_CR0_PE) && cpu->cpl > iopl)
		cpu_raise(cpu, X86_VEC_GP, 0);
}

/* Privileged instructions: #GP(0) unless CPL is 0. */
void x86_require_cpl0(struct x86_cpu *cpu)
{
	if (cpu->cpl != 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
}

/* CMC, CLC, STC, CLI, STI, CLD, STD (F5h, F8h-FDh) */
void x86_op_flag_op(struct x86_cpu *cpu, const struct x86_insn *in)
{
	switch (in->op) {
	case 0xf5: x86_set_flag(cpu, X86_CF, !x86_cf(cpu)); break;
	case 0xf8: x86_set_flag(cpu, X86_CF, false); break;
	case 0xf9: x86_set_flag(cpu, X86_CF, true); break;
	case 0xfa:
		check_iopl(cpu);
		cpu->eflags &= ~X86_IF;
		break;
	case 0xfb:
		check_iopl(cpu);
		/* Interrupts stay off until after the next instruction. */
		if (!(cpu->eflags & X86_IF))
			cpu->irq_shadow = true;
		cpu->eflags |= X86_IF;
		x86_poll_soon(cpu);
		break;
	case 0xfc: cpu->eflags &= ~X86_DF; break;
	default: cpu->eflags |= X86_DF; break;
	}
}

/* SAHF (9Eh): SF, ZF, AF, PF, CF from AH. */
void x86_op_sahf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t mask = X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF;

	(void)in;
	x86_set_eflags(cpu, x86_get_reg(cpu, 1, 4), mask);
}

/* LAHF (9Fh) */
void x86_op_lahf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_set_reg(cpu, 1, 4, x86_get_eflags(cpu) & 0xff);
}

/* CPUID (0F A2h): advertises only what is implemented. */
void x86_op_cpuid(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t *r = cpu->regs;

	(void)in;
	switch (r[X86_EAX]) {
	case 0:
		r[X86_EAX] = 1;
		r[X86_EBX] = 0x756e6547; /* "GenuineIntel" */
		r[X86_EDX] = 0x49656e69;
		r[X86_ECX] = 0x6c65746e;
		break;
	case 1:
		r[X86_EAX] = CPUID_SIGNATURE;
		r[X86_EBX] = r[X86_ECX] = 0;
		r[X86_EDX] = CPUID_FEATURES;
		break;
	default: r[X86_EAX] = r[X86_EBX] = r[X86_ECX] = r[X86_EDX] = 0; break;
	}
}

/* RDTSC (0F 31h): the TSC of x86_tsc_read (msr.c). */
void x86_op_rdtsc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint64_t tsc;

	(void)in;
	if ((cpu->cr[4] & X86_CR4_TSD) && cpu->cpl != 0 && (cpu->cr[0] & X86_CR0_PE))
		cpu_raise(cpu, X86_VEC_GP, 0);
	tsc = x86_tsc_read(cpu);
	cpu->regs[X86_EAX] = (uint32_t)tsc;
	cpu->regs[X86_EDX] = (uint32_t)(tsc >> 32);
}

/* Writes CR0; ET is hardwired to 1. PG without PE is #GP. */
void x86_write_cr0(struct x86_cpu *cpu, uint32_t val)
{
	uint32_t old = cpu->cr[0];

	val = (val & CR0_WRITABLE) | X86_CR0_ET;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		cpu_raise(cpu, X86_VEC_GP, 0);
	cpu->cr[0] = val;
	if (!(val & X86_CR0_PE)) {
		x86_set_cpl(cpu, 0);
		/* Real mode checks limits but not types: the cached limits
		 * stay ("unreal mode"), a read-only or null cache does not. */
		for (int i = 0; i < X86_NSEG; i++) {
			cpu->seg[i].deny = 0;
			x86_seg_sync(&cpu->seg[i]);
		}
	}
	if ((val ^ old) & (X86_CR0_PE | X86_CR0_PG | X86_CR0_WP))
		x86_tlb_flush(cpu);
}

/* Writes CR4: the paging bits flush the TLB; unimplemented bits #GP. */
static void write_cr4(struct x86_cpu *cpu, uint32_t v)
{
	if (v & ~CR4_WRITABLE) {
		log_guest("x86: CR4 %#x: unimplemented bits %#x", v, v & ~CR4_WRITABLE);
		cpu_raise(cpu, X86_VEC_GP, 0);
	}
	if ((v ^ cpu->cr[4]) & (X86_CR4_PSE | X86_CR4_PGE))
		x86_tlb_flush(cpu);
	cpu->cr[4] = v;
}

static void store_dtr(struct x86_cpu *cpu, const struct x86_insn *in, const struct x86_dtr *d)
{
	uint32_t base = in->osz == 2 ? d->base & 0xffffff : d->base;
	uint32_t off = x86_ea(cpu, in);
	int seg = x86_ea_seg(in);

	x86_write(cpu, seg, off, 2, d->limit);
	x86_write(cpu, seg, (off + 2) & x86_mask(in->asz), 4, base);
}

static void load_dtr(struct x86_cpu *cpu, const struct x86_insn *in, struct x86_dtr *d)
{
	uint16_t limit = x86_mem_read(cpu, in, 0, 2);
	uint32_t base = x86_mem_read(cpu, in, 2, 4);

	d->limit = limit;
	d->base = in->osz == 2 ? base & 0xffffff : base;
}

/* Group 7 (0F 01h): SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG. */
void x86_op_grp7(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->mod == 3 && in->reg != 4 && in->reg != 6)
		x86_op_ud(cpu, in);
	if (in->reg == 2 || in->reg == 3 || in->reg >= 6)
		x86_require_cpl0(cpu);
	switch (in->reg) {
	case 0: store_dtr(cpu, in, &cpu->gdtr); break;
	case 1: store_dtr(cpu, in, &cpu->idtr); break;
	case 2: load_dtr(cpu, in, &cpu->gdtr); break;
	case 3: load_dtr(cpu, in, &cpu->idtr); break;
	case 4: x86_rm_write(cpu, in, in->mod == 3 ? in->osz : 2, cpu->cr[0]); break;
	case 6:
		/* LMSW sets PE, MP, EM, TS but cannot clear PE. */
		x86_write_cr0(cpu, (cpu->cr[0] & ~0xeu) | (x86_rm_read(cpu, in, 2) & 0xf) |
				       (cpu->cr[0] & X86_CR0_PE));
		break;
	case 7: x86_tlb_flush_page(cpu, cpu->seg[x86_ea_seg(in)].base + x86_ea(cpu, in)); break;
	default: x86_op_ud(cpu, in);
	}
}

/* MOV reg32, CRn (0F 20h) */
void x86_op_mov_r_cr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->reg == 1 || in->reg > 4)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_require_cpl0(cpu);
	cpu->regs[in->rm] = cpu->cr[in->reg];
}

/* MOV CRn, reg32 (0F 22h) */
void x86_op_mov_cr_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v = cpu->regs[in->rm];

	if (in->reg == 1 || in->reg > 4)
		cpu_raise(cpu, X86_VEC_UD, 0);
	x86_require_cpl0(cpu);
	switch (in->reg) {
	case 0: x86_write_cr0(cpu, v); break;
	case 2: cpu->cr[2] = v; break;
	case 3:
		cpu->cr[3] = v;
		x86_tlb_flush_nonglobal(cpu);
		break;
	case 4: write_cr4(cpu, v); break;
	default: cpu_raise(cpu, X86_VEC_UD, 0);
	}
}

/* MOV reg32, DRn (0F 21h); DR4/DR5 alias DR6/DR7. */
void x86_op_mov_r_dr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned n = in->reg == 4 || in->reg == 5 ? in->reg + 2 : in->reg;

	x86_require_cpl0(cpu);
	cpu->regs[in->rm] = cpu->dr[n];
}

/* MOV DRn, reg32 (0F 23h): kept, breakpoints not implemented. */
void x86_op_mov_dr_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned n = in->reg == 4 || in->reg == 5 ? in->reg + 2 : in->reg;

	x86_require_cpl0(cpu);
	cpu->dr[n] = cpu->regs[in->rm];
}

/* CLTS (0F 06h) */
/* INVD, WBINVD: no caches to drop, but privileged all the same. */
void x86_op_invd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_require_cpl0(cpu);
}

void x86_op_clts(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	x86_require_cpl0(cpu);
	cpu->cr[0] &= ~X86_CR0_TS;
}
