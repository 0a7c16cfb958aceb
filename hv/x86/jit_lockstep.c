/* The JIT's lockstep check (see x86_jit_lockstep in jit.h): a block of
 * native instructions only runs the interpreter's way and then translated
 * from the same state, and both results must be equal. Its memory
 * operands are looked up before each instruction runs interpreted: when
 * every one is a soft-TLB hit (RAM, no code page, no fault), their old
 * bytes are kept, put back before the translated run, and the bytes both
 * runs leave are compared too. A block with an operand that misses (a
 * device, a fault, a page straddle, a code page) runs interpreted only,
 * as running it twice could touch a device twice. */
#include <string.h>

#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"
#include "hv/x86/jit_asm.h"

/* The memory operands of a block: where, their bytes before, and after
 * the interpreted run. */
struct touched {
	unsigned n;
	bool miss;
	uint8_t *at[X86_BLOCK_MAX];
	uint8_t size[X86_BLOCK_MAX];
	uint8_t old[X86_BLOCK_MAX][4];
	uint8_t interp[X86_BLOCK_MAX][4];
};

/* Records the memory operand of in, about to run, or a miss. */
static void touch(struct x86_cpu *cpu, const struct x86_insn *in, struct touched *t)
{
	struct j_form f;
	bool moffs = in->op >= 0xa0 && in->op <= 0xa3;
	int seg = moffs ? (in->seg >= 0 ? in->seg : X86_DS) : in->ea_seg;
	uint32_t off = moffs ? in->imm : x86_ea(cpu, in);
	uint8_t *p;

	if (!x86_jit_form(in, &f) || !f.mem)
		return;
	if (f.op >= J_PUSH) { /* jit_stack.c: at ESP (EBP for LEAVE), or below it for a push */
		seg = X86_SS;
		off = cpu->regs[f.op == J_LEAVE ? X86_EBP : X86_ESP] - (f.write ? 4u : 0u);
		if (!(cpu->seg[X86_SS].attr & X86_SEG_BIG)) {
			t->miss = true;
			return;
		}
	}
	p = x86_fast_ptr(cpu, seg, off, f.size, X86_DENY_READ | (f.write ? X86_DENY_WRITE : 0),
			 x86_acc(cpu, f.write));
	if (!p) {
		t->miss = true;
		return;
	}
	t->at[t->n] = p;
	t->size[t->n] = (uint8_t)f.size;
	memcpy(t->old[t->n++], p, f.size);
}

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

/* EFLAGS' bits under the lazy record's mask are stale (cpu_state.h): a
 * translation may leave them so where the interpreter folds into them
 * (a CF whose fold is sunk into slow paths, jit_sink.c), and only the
 * others are compared, the records being equal. */
static bool same(const struct snap *a, const struct snap *b)
{
	return !memcmp(a->regs, b->regs, sizeof a->regs) && a->eip == b->eip &&
	       ((a->eflags ^ b->eflags) & ~a->lazy.mask) == 0 && a->ip_start == b->ip_start &&
	       a->insns == b->insns && a->budget == b->budget && a->lazy.res == b->lazy.res &&
	       a->lazy.cv == b->lazy.cv && a->lazy.mask == b->lazy.mask &&
	       a->lazy.bits == b->lazy.bits;
}

/* run_insns (cpu.c) without its checks, recording the memory operands. */
static void interpret(struct x86_cpu *cpu, const struct x86_block *b, struct touched *t)
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
		touch(cpu, in, t);
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
	struct touched t;
	bool mem_same = true;

	t.n = 0;
	t.miss = false;
	save(cpu, &start);
	interpret(cpu, b, &t);
	if (t.miss)
		return;
	save(cpu, &interp);
	memset(t.interp, 0, sizeof t.interp);
	for (unsigned i = 0; i < t.n; i++)
		memcpy(t.interp[i], t.at[i], t.size[i]);
	for (unsigned i = t.n; i-- > 0;)
		memcpy(t.at[i], t.old[i], t.size[i]);
	restore(cpu, &start);
	/* the block alone: a chained entry it reaches (through the jump
	 * cache) returns at once */
	atomic_store_explicit(&cpu->chain_left, 0, memory_order_relaxed);
	cpu->chain_given = 0;
	cpu->budget -= b->count;
	cpu->block = b;
	cpu->block_eip = cpu->eip;
	cpu->insns += code(cpu);
	save(cpu, &jit);
	cpu->jit->checked++;
	for (unsigned i = 0; i < t.n; i++)
		mem_same = mem_same && !memcmp(t.interp[i], t.at[i], t.size[i]);
	if (same(&interp, &jit) && mem_same)
		return;
	log_error("x86 jit lockstep: the block at %04x:%08x (%u instructions) diverges",
		  cpu->seg[X86_CS].sel, start.eip, b->count);
	show("before", &start);
	show("interpreter", &interp);
	show("jit", &jit);
	for (unsigned i = 0; i < t.n; i++) {
		uint8_t now[4] = {0};

		memcpy(now, t.at[i], t.size[i]);
		if (memcmp(t.interp[i], now, t.size[i]))
			log_error("  memory operand %u (%u bytes, in memory order): interpreter "
				  "%02x %02x %02x %02x, jit %02x %02x %02x %02x",
				  i, t.size[i], t.interp[i][0], t.interp[i][1], t.interp[i][2],
				  t.interp[i][3], now[0], now[1], now[2], now[3]);
	}
	x86_stop(cpu, VCPU_EXIT_ERROR);
}
