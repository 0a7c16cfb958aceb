/* The JIT's lockstep check (see x86_jit_lockstep in jit.h): a block of
 * native instructions only, which read and write nothing but registers
 * and flags, runs the interpreter's way and then translated from the same
 * state, and both results must be equal. */
#include <string.h>

#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"

struct snap {
	uint32_t regs[8], eip, eflags, ip_start;
	struct x86_lazy lazy;
	uint64_t insns, budget;
};

static void save(const struct x86_cpu *cpu, struct snap *s)
{
	memcpy(s->regs, cpu->regs, sizeof s->regs);
	s->eip = cpu->eip;
	s->eflags = cpu->eflags;
	s->ip_start = cpu->ip_start;
	s->lazy = cpu->lazy;
	s->insns = cpu->insns;
	s->budget = cpu->budget;
}

static void restore(struct x86_cpu *cpu, const struct snap *s)
{
	memcpy(cpu->regs, s->regs, sizeof s->regs);
	cpu->eip = s->eip;
	cpu->eflags = s->eflags;
	cpu->ip_start = s->ip_start;
	cpu->lazy = s->lazy;
	cpu->insns = s->insns;
	cpu->budget = s->budget;
}

static bool same(const struct snap *a, const struct snap *b)
{
	return !memcmp(a->regs, b->regs, sizeof a->regs) && a->eip == b->eip &&
	       a->eflags == b->eflags && a->ip_start == b->ip_start && a->insns == b->insns &&
	       a->budget == b->budget && a->lazy.res == b->lazy.res && a->lazy.cv == b->lazy.cv &&
	       a->lazy.mask == b->lazy.mask && a->lazy.bits == b->lazy.bits;
}

/* run_insns (cpu.c) without its checks. */
static void interpret(struct x86_cpu *cpu, const struct x86_block *b)
{
	const struct x86_insn *in = b->insns, *end = in + b->n;
	uint32_t ip = cpu->eip;

	cpu->budget -= b->count;
	cpu->block = b;
	cpu->block_eip = ip;
	do {
		cpu->ip_start = ip;
		ip = (ip + in->len) & b->ip_mask;
		cpu->eip = ip;
		in->fn(cpu, in);
	} while (++in < end && !cpu->block_break);
	cpu->insns += in == end ? b->count : (uint64_t)(in - b->insns);
}

static void show(const char *what, const struct snap *s)
{
	log_error("  %s: eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x "
		  "edi=%08x eip=%08x ip_start=%08x eflags=%08x lazy=%08x/%08x/%03x/%u insns=%llu",
		  what, s->regs[0], s->regs[1], s->regs[2], s->regs[3], s->regs[4], s->regs[5],
		  s->regs[6], s->regs[7], s->eip, s->ip_start, s->eflags, s->lazy.res, s->lazy.cv,
		  s->lazy.mask, s->lazy.bits, (unsigned long long)s->insns);
}

void x86_jit_lockstep(struct x86_cpu *cpu, struct x86_block *b, x86_jit_code code)
{
	struct snap start, interp, jit;

	save(cpu, &start);
	interpret(cpu, b);
	save(cpu, &interp);
	restore(cpu, &start);
	cpu->budget -= b->count;
	cpu->block = b;
	cpu->block_eip = cpu->eip;
	cpu->insns += code(cpu);
	save(cpu, &jit);
	cpu->jit->checked++;
	if (same(&interp, &jit))
		return;
	log_error("x86 jit lockstep: the block at %04x:%08x (%u instructions) diverges",
		  cpu->seg[X86_CS].sel, start.eip, b->count);
	show("before", &start);
	show("interpreter", &interp);
	show("jit", &jit);
	x86_stop(cpu, VCPU_EXIT_ERROR);
}
