/* Model-specific registers and fast system calls: RDMSR/WRMSR for the TSC,
 * the APIC base, the microcode signature and the SYSENTER MSRs (#GP for
 * any other), SYSENTER and SYSEXIT with their fixed flat segments. */
#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"

#define MSR_TSC		 0x10
#define MSR_APIC_BASE	 0x1b
#define MSR_BIOS_SIGN_ID 0x8b /* microcode revision: 0, none loaded */
#define MSR_SYSENTER_CS	 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

/* Flat 4 GiB segments as SYSENTER/SYSEXIT load them. */
#define FLAT_CODE 0xc09bu
#define FLAT_DATA 0xc093u

/* The virtual clock's ns (0 for a CPU without a machine: unit tests). */
static int64_t clock_ns(const struct x86_cpu *cpu)
{
	return cpu->m ? vclock_now(&cpu->m->clock) : 0;
}

/* Whether the TSC counts retired instructions (exact and repeatable, as
 * the lockstep checkers need when they run an instruction twice, and
 * the only clock a CPU without a machine has) rather than following
 * the virtual clock. */
static bool tsc_exact(const struct x86_cpu *cpu)
{
	return !cpu->m || cpu->lockstep || (cpu->jit && cpu->jit->check);
}

void x86_tsc_set(struct x86_cpu *cpu, uint64_t v)
{
	cpu->tsc_base = cpu->insns - v;
	cpu->tsc_adjust = (int64_t)(v - (uint64_t)clock_ns(cpu));
	cpu->tsc_last = v - 1;
}

/* Counting instructions alone, the TSC would stand still in HLT and start
 * again from 0 after a restore: a Linux guest that took it for its clock
 * source (when the watchdog did not catch it at boot) then saw its time
 * crawl while idle (sleep 1 lasting about 30 s) and stop after a restore. */
void x86_tsc_sync(struct x86_cpu *cpu)
{
	uint64_t clock;

	if (!tsc_exact(cpu))
		return; /* x86_tsc_read reads the clock itself */
	clock = (uint64_t)clock_ns(cpu) + (uint64_t)cpu->tsc_adjust;
	if ((int64_t)(clock - (cpu->insns - cpu->tsc_base)) > 0)
		cpu->tsc_base = cpu->insns - clock;
}

/* The TSC as RDTSC and RDMSR read it: the virtual clock's nanoseconds
 * plus tsc_adjust, a steady 1 GHz that goes on through HLT and restores
 * and stops while the domain is paused, one more than the last reading
 * when the clock has not moved since (it never repeats or goes back).
 * Counting instructions within a run and catching up with the clock
 * between runs, as it did, made its rate follow the guest's work: Linux
 * calibrated it anywhere from 1.1 to 4.8 GHz, mostly rejected it, and
 * when it kept it its time ran 2.65 times the host's. tsc_exact() CPUs
 * count instructions (x86_tsc_sync keeps them up with the clock). */
uint64_t x86_tsc_read(struct x86_cpu *cpu)
{
	uint64_t t;

	if (tsc_exact(cpu))
		return cpu->insns - cpu->tsc_base;
	t = (uint64_t)clock_ns(cpu) + (uint64_t)cpu->tsc_adjust;
	if ((int64_t)(t - cpu->tsc_last) <= 0)
		t = cpu->tsc_last + 1;
	cpu->tsc_last = t;
	return t;
}

static bool msr_get(struct x86_cpu *cpu, uint32_t msr, uint64_t *v)
{
	switch (msr) {
	case MSR_TSC: *v = x86_tsc_read(cpu); return true;
	case MSR_APIC_BASE: *v = cpu->apic_base; return true;
	case MSR_BIOS_SIGN_ID: *v = 0; return true;
	case MSR_SYSENTER_CS: *v = cpu->sysenter_cs; return true;
	case MSR_SYSENTER_ESP: *v = cpu->sysenter_esp; return true;
	case MSR_SYSENTER_EIP: *v = cpu->sysenter_eip; return true;
	default: return false;
	}
}

static bool msr_set(struct x86_cpu *cpu, uint32_t msr, uint64_t v)
{
	switch (msr) {
	case MSR_TSC: x86_tsc_set(cpu, v); return true;
	case MSR_APIC_BASE:
		/* Kept for the guest to read back; no local APIC is modelled. */
		cpu->apic_base = v & 0xfffff900u;
		return true;
	case MSR_BIOS_SIGN_ID: return true; /* no microcode to load */
	case MSR_SYSENTER_CS: cpu->sysenter_cs = (uint32_t)v & 0xffff; return true;
	case MSR_SYSENTER_ESP: cpu->sysenter_esp = (uint32_t)v; return true;
	case MSR_SYSENTER_EIP: cpu->sysenter_eip = (uint32_t)v; return true;
	default: return false;
	}
}

/* RDMSR (0F 32h) */
void x86_op_rdmsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint64_t v;

	(void)in;
	x86_require_cpl0(cpu);
	if (!msr_get(cpu, cpu->regs[X86_ECX], &v)) {
		log_guest("x86: RDMSR %#x: no such MSR", cpu->regs[X86_ECX]);
		cpu_raise(cpu, X86_VEC_GP, 0);
	}
	cpu->regs[X86_EAX] = (uint32_t)v;
	cpu->regs[X86_EDX] = (uint32_t)(v >> 32);
}

/* WRMSR (0F 30h) */
void x86_op_wrmsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint64_t v = (uint64_t)cpu->regs[X86_EDX] << 32 | cpu->regs[X86_EAX];

	(void)in;
	x86_require_cpl0(cpu);
	if (!msr_set(cpu, cpu->regs[X86_ECX], v)) {
		log_guest("x86: WRMSR %#x: no such MSR", cpu->regs[X86_ECX]);
		cpu_raise(cpu, X86_VEC_GP, 0);
	}
}

static void flat(struct x86_seg *s, uint16_t sel, uint32_t attr)
{
	*s = (struct x86_seg){.sel = sel, .base = 0, .limit = 0xffffffffu, .attr = attr};
	if (attr & X86_SEG_CODE)
		s->deny = X86_DENY_WRITE;
	x86_seg_sync(s);
}

/* SYSENTER (0F 34h): to CPL 0 at SYSENTER_CS:SYSENTER_EIP. */
void x86_op_sysenter(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint16_t cs = cpu->sysenter_cs & 0xfffc;

	(void)in;
	if (!(cpu->cr[0] & X86_CR0_PE) || cs == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	cpu->eflags &= ~(X86_VM | X86_IF | X86_RF);
	flat(&cpu->seg[X86_CS], cs, FLAT_CODE);
	flat(&cpu->seg[X86_SS], cs + 8, FLAT_DATA);
	x86_set_cpl(cpu, 0);
	cpu->regs[X86_ESP] = cpu->sysenter_esp;
	cpu->eip = cpu->sysenter_eip;
}

/* SYSEXIT (0F 35h): to CPL 3 at EDX with ESP = ECX. */
void x86_op_sysexit(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint16_t cs = cpu->sysenter_cs & 0xfffc;

	(void)in;
	if (!x86_protected(cpu) || cpu->cpl != 0 || cs == 0)
		cpu_raise(cpu, X86_VEC_GP, 0);
	flat(&cpu->seg[X86_CS], (cs + 16) | 3, FLAT_CODE | 0x60);
	flat(&cpu->seg[X86_SS], (cs + 24) | 3, FLAT_DATA | 0x60);
	x86_set_cpl(cpu, 3);
	cpu->regs[X86_ESP] = cpu->regs[X86_ECX];
	cpu->eip = cpu->regs[X86_EDX];
}
