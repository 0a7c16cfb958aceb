/* The JIT's counters for `hv list -l` and `hv top` (the domain's `info`
 * keys jit_*, hv/domain/lifecycle.c). The control thread reads them while
 * the vCPU thread runs and bumps them: each is one aligned 64-bit word,
 * loaded whole (relaxed), so a reading is at worst a moment old. */
#include "hv/core/engine.h"
#include "hv/x86/cpu.h"
#include "hv/x86/cpu_state.h"

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void x86_cpu_jit_stats(const struct x86_cpu *cpu, struct vcpu_stats *st)
{
	const struct x86_jit *j = cpu->jit;

	st->jit = j != NULL;
	if (!j)
		return;
	st->jit_blocks = load(&j->blocks);
	st->jit_ns = load(&j->ns);
	st->jit_code_used = x86_jit_buf_in_use(&j->buf);
	st->jit_code_size = j->buf.size;
	st->jit_invalidated = load(&j->invalidated);
	st->jit_flushes = load(&j->buf.flushes);
	st->jit_decoded = load(&cpu->block_ids);
}
