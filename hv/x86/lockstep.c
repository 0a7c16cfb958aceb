/* The lockstep checker, a developer tool (HV_X86_LOCKSTEP=1 in the
 * environment of a domain, or cpu->lockstep in a test): every instruction
 * run from a decoded block is checked against the old per-instruction
 * path beside it.
 *  - Its decoding: the fetching decoder decodes CS:EIP again from guest
 *    memory as it is now, through the soft TLB, and must give the same
 *    instruction (a stale block, a missed write to a code page, a wrong
 *    block boundary show here).
 *  - Its handler, when the decoder chose one of fast.c's for an
 *    instruction that only reads and writes registers and flags: the
 *    general handler of table.c runs first on the same state, its
 *    registers, EIP, EFLAGS and x87 state are kept, the state is put back
 *    and the chosen handler runs; both results must be equal. Memory forms are
 *    not run twice (their stores and MMIO reads have effects).
 *  - The segments' fast checks (x86_seg_sync) and the CPL's access kind
 *    (x86_set_cpl), before each instruction.
 * The first divergence is logged with the instruction and the count, and
 * the run loop stops with VCPU_EXIT_ERROR, EIP at the instruction, which
 * is not counted. */
#include <string.h>

#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"

/* The state a register-form handler can change (the x87 ones too). */
struct arch {
	uint32_t regs[8];
	uint32_t eip;
	uint32_t eflags;
	struct x86_lazy lazy;
	struct x86_fpu fpu;
};

static void save(const struct x86_cpu *cpu, struct arch *a)
{
	memcpy(a->regs, cpu->regs, sizeof a->regs);
	a->eip = cpu->eip;
	a->eflags = cpu->eflags;
	a->lazy = cpu->lazy;
	a->fpu = cpu->fpu;
}

static void restore(struct x86_cpu *cpu, const struct arch *a)
{
	memcpy(cpu->regs, a->regs, sizeof a->regs);
	cpu->eip = a->eip;
	cpu->eflags = a->eflags;
	cpu->lazy = a->lazy;
	cpu->fpu = a->fpu;
}

/* The x87 state field by field (the registers' padding aside). */
static bool same_fpu(const struct x86_fpu *a, const struct x86_fpu *b)
{
	for (unsigned i = 0; i < 8; i++)
		if (a->st[i].mant != b->st[i].mant || a->st[i].se != b->st[i].se)
			return false;
	return a->cw == b->cw && a->sw == b->sw && a->valid == b->valid && a->fop == b->fop &&
	       a->fip == b->fip && a->fdp == b->fdp && a->fcs == b->fcs && a->fds == b->fds &&
	       a->ferr == b->ferr;
}

/* The result with the lazy flags folded: what software can observe. */
static void observe(struct x86_cpu *cpu, struct arch *a)
{
	x86_lazy_fold(cpu, X86_ARITH);
	save(cpu, a);
}

static bool same_insn(const struct x86_insn *a, const struct x86_insn *b)
{
	return a->fn == b->fn && a->op == b->op && a->len == b->len && a->osz == b->osz &&
	       a->asz == b->asz && a->seg == b->seg && a->rep == b->rep && a->lock == b->lock &&
	       a->mod == b->mod && a->reg == b->reg && a->rm == b->rm && a->base == b->base &&
	       a->index == b->index && a->scale == b->scale && a->ea_seg == b->ea_seg &&
	       a->disp == b->disp && a->imm == b->imm && a->imm2 == b->imm2 && a->fuse == b->fuse &&
	       a->fuse_osz == b->fuse_osz && a->fuse_cc == b->fuse_cc;
}

/* Whether the handler of `in` is a fast one that touches registers and
 * flags only, so that running the general one first is harmless. */
static bool register_only(const struct x86_insn *in, x86_handler general)
{
	unsigned op = in->op;

	if (in->fn == general)
		return false;
	if ((op >= 0x40 && op < 0x50) || (op >= 0xb0 && op < 0xc0) || (op >= 0x70 && op < 0x80) ||
	    (op >= 0x180 && op < 0x190) || op == 0x8d || (op < 0x40 && (op & 7) >= 4))
		return true;
	return in->mod == 3 && in->op != 0x8d;
}

static void diverged(struct x86_cpu *cpu, const struct x86_insn *in, const char *what)
{
	log_error("x86 lockstep: %s at %04x:%08x (opcode %03x, instruction %llu)", what,
		  cpu->seg[X86_CS].sel, cpu->ip_start, in->op, (unsigned long long)cpu->insns);
	cpu->eip = cpu->ip_start;
	x86_stop(cpu, VCPU_EXIT_ERROR);
}

/* Runs `in` through the general handler and then the chosen one. */
static bool run_both(struct x86_cpu *cpu, const struct x86_insn *in, x86_handler general)
{
	struct arch before, want, got;

	save(cpu, &before);
	general(cpu, in);
	observe(cpu, &want);
	restore(cpu, &before);
	in->fn(cpu, in);
	observe(cpu, &got);
	return memcmp(want.regs, got.regs, sizeof want.regs) == 0 && want.eip == got.eip &&
	       want.eflags == got.eflags && same_fpu(&want.fpu, &got.fpu);
}

static x86_handler general_of(const struct x86_insn *in)
{
	return x86_handlers[in->op] ? x86_handlers[in->op] : x86_op_ud;
}

/* The fused pair (fuse.c) of `in` against the two instructions decoded
 * afresh and run by the general handlers one after the other. */
static bool fused_pair(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t start = cpu->ip_start, next = cpu->eip;
	struct x86_insn first, jcc, want;
	struct arch before, general, fused;
	x86_handler first_fn, jcc_fn;

	cpu->eip = start;
	x86_decode(cpu, &first);
	cpu->eip = (start + first.len) & cpu->block->ip_mask;
	x86_decode(cpu, &jcc);
	want = first;
	if (!x86_fuse(&want, &jcc) || !same_insn(in, &want) || in->fuse != want.fuse) {
		cpu->eip = next;
		diverged(cpu, in, "the block's fused pair differs from a fresh decode");
		return false;
	}
	cpu->eip = next;
	save(cpu, &before);
	cpu->eip = (start + first.len) & cpu->block->ip_mask;
	first_fn = general_of(&first);
	first_fn(cpu, &first);
	cpu->ip_start = cpu->eip;
	cpu->eip = next;
	jcc_fn = general_of(&jcc);
	jcc_fn(cpu, &jcc);
	observe(cpu, &general);
	restore(cpu, &before);
	cpu->ip_start = start;
	in->fn(cpu, in);
	observe(cpu, &fused);
	if (memcmp(general.regs, fused.regs, sizeof general.regs) != 0 ||
	    general.eip != fused.eip || general.eflags != fused.eflags) {
		diverged(cpu, in, "the fused pair's result differs from the two instructions'");
		return false;
	}
	return true;
}

/* Whether every segment's fast check is what its cache says and the
 * access kind what the CPL says (a writer of a segment cache that missed
 * x86_seg_sync, or of the CPL that bypassed x86_set_cpl, shows here). */
static bool segs_synced(const struct x86_cpu *cpu)
{
	if (cpu->acc_user != (cpu->cpl == 3 ? X86_ACC_USER : 0))
		return false;
	for (int i = 0; i < X86_NSEG; i++) {
		const struct x86_seg *s = &cpu->seg[i];

		if (s->fast_end[0] != x86_seg_fast_end(s, false) ||
		    s->fast_end[1] != x86_seg_fast_end(s, true) || s->flat != x86_seg_is_flat(s))
			return false;
	}
	return true;
}

/* One instruction of a block with ip_start and EIP already advanced;
 * false after a divergence (logged, the loop asked to stop). */
bool x86_lockstep_insn(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_handler general = general_of(in);
	uint32_t next = cpu->eip;
	struct x86_insn fresh;

	if (!segs_synced(cpu)) {
		diverged(cpu, in, "a segment's fast check or the CPL's access kind is stale");
		return false;
	}

	if (in->fuse)
		return fused_pair(cpu, in);
	cpu->eip = cpu->ip_start;
	x86_decode(cpu, &fresh);
	cpu->eip = next;
	if (!same_insn(in, &fresh)) {
		diverged(cpu, in, "the block's instruction differs from a fresh decode");
		return false;
	}
	if (!register_only(in, general)) {
		in->fn(cpu, in);
		return true;
	}
	if (!run_both(cpu, in, general)) {
		diverged(cpu, in, "the decode-time handler's result differs from the general one");
		return false;
	}
	return true;
}
