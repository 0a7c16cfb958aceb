/* The JIT's life cycle and tiering: a CPU gets a code buffer unless the
 * JIT is disabled or the host refuses executable memory; the run loop
 * (cpu.c) counts the runs of each decoded block and has it translated
 * here at the threshold. Translated code belongs to its decoded block
 * (x86_block.code): a block decoded again, or found invalid by the
 * code-page tracking, is never entered, so its code dies with it. A
 * translation keeps its own copy of the block's instructions, so the
 * block outlives the reuse of the decoder's arena (block.c); when the
 * buffer is full every translation, and its block, is forgotten and it
 * starts again. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/core/bigmem.h"
#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"
#include "hv/x86/jit_dump.h"
#include "hv/x86/jit_perfmap.h"

/* Runs of a block before it is translated (HV_JIT_THRESHOLD overrides). */
#define DEFAULT_THRESHOLD 32

static bool env_off(void)
{
	const char *v = getenv("HV_JIT");

	return v && strcmp(v, "0") == 0;
}

static uint32_t env_threshold(void)
{
	const char *v = getenv("HV_JIT_THRESHOLD");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return DEFAULT_THRESHOLD;
	n = strtoul(v, &end, 10);
	return *end || n > 1000000 ? DEFAULT_THRESHOLD : (uint32_t)n;
}

void x86_jit_create(struct x86_cpu *cpu, bool off)
{
	static bool said;
	char why[128];
	struct x86_jit *j;

	cpu->jit = NULL;
	if (off || env_off())
		return;
	j = calloc(1, sizeof *j);
	if (!j)
		return;
	j->insns = bigmem_alloc(X86_JIT_INSNS * sizeof *j->insns);
	if (!j->insns) {
		free(j);
		return;
	}
	if (x86_jit_buf_init(&j->buf, X86_JIT_BUF_SIZE, why, sizeof why) != 0) {
		if (!said)
			log_warn("x86: no JIT (%s): the soft CPU interprets", why);
		said = true;
		bigmem_free(j->insns, X86_JIT_INSNS * sizeof *j->insns);
		free(j);
		return;
	}
	x86_jit_buf_split(&j->buf, X86_JIT_HOT_SIZE);
	j->threshold = env_threshold();
	j->check = getenv("HV_JIT_LOCKSTEP") && strcmp(getenv("HV_JIT_LOCKSTEP"), "0") != 0;
	j->perfmap = x86_jit_perfmap_from_env();
	j->dump = x86_jit_dump_from_env();
	memset(cpu->jc, 0, sizeof cpu->jc);
	cpu->jit = j;
}

void x86_jit_destroy(struct x86_cpu *cpu)
{
	struct x86_jit *j = cpu->jit;

	if (!j)
		return;
	if (j->blocks)
		log_info("x86 jit: %llu blocks translated in %.1f ms (%llu instructions native, "
			 "%llu of them with memory, %llu in the last one's page, %llu calls), %zu "
			 "+ %zu KiB of hot and cold "
			 "code in use, %llu flushes, %llu invalidated, %llu chained, %llu entries, "
			 "%llu blocks "
			 "checked, %llu block "
			 "generations "
			 "evicted, %llu blocks decoded",
			 (unsigned long long)j->blocks, (double)j->ns / 1e6,
			 (unsigned long long)j->native, (unsigned long long)j->mem,
			 (unsigned long long)j->near, (unsigned long long)j->calls,
			 j->buf.used / 1024, j->buf.cold_used / 1024,
			 (unsigned long long)j->buf.flushes, (unsigned long long)j->invalidated,
			 (unsigned long long)j->chained, (unsigned long long)j->entries,
			 (unsigned long long)j->checked, (unsigned long long)cpu->arena_evictions,
			 (unsigned long long)cpu->block_ids);
	x86_jit_perfmap_close(j->perfmap);
	free(j->dump);
	x86_jit_buf_free(&j->buf);
	bigmem_free(j->insns, X86_JIT_INSNS * sizeof *j->insns);
	free(j);
	cpu->jit = NULL;
}

/* Every translation is forgotten, and the blocks translated with it
 * (their instructions were in the buffer): they are decoded again when
 * they run next, and run interpreted until they reach the threshold. */
static void flush(struct x86_cpu *cpu)
{
	for (unsigned i = 0; i < X86_BLOCKS; i++) {
		struct x86_block *b = &cpu->blocks[i];

		if (b->code) {
			b->host = NULL;
			b->id = 0;
			b->code = NULL;
			b->chain_in = b->slots = b->chain_self = b->far = NULL;
		}
		b->hits = 0;
	}
	memset(cpu->jc, 0, sizeof cpu->jc);
	x86_jit_buf_reset(&cpu->jit->buf);
	cpu->jit->insns_used = 0;
	x86_jit_perfmap_flushed(cpu->jit->perfmap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Copies the instructions of b into the JIT's own arena and emits its
 * code (which points at the copies) into the buffer: the code of b, or
 * NULL when either is full (*full) or b's code does not fit
 * X86_JIT_MAX_BLOCK_CODE in an area; *insns is the copy, *l where its
 * parts are (writable view). */
static x86_jit_code put(struct x86_cpu *cpu, const struct x86_block *b, struct x86_insn **insns,
			unsigned *native, unsigned *mem, bool *full, struct x86_jit_links *l)
{
	struct x86_jit *j = cpu->jit;
	struct x86_block t = *b;
	struct x86_jit_area area;
	x86_jit_code code;
	bool room;
	size_t n;

	*full = j->insns_used + b->n > X86_JIT_INSNS;
	if (*full)
		return NULL;
	t.insns = j->insns + j->insns_used;
	t.flat = (uint8_t)x86_flat_segs(cpu);
	memcpy(t.insns, b->insns, b->n * sizeof *b->insns);
	/* straight into the buffer's free room, which nothing runs */
	room = x86_jit_buf_room(&j->buf, &area);
	n = x86_jit_emit_linked(&t, b->host ? b : NULL, &area, native, mem, l);
	if (!n) {
		*full = !room; /* it may fit the room of an empty buffer */
		return NULL;
	}
	x86_jit_buf_take(&j->buf, l->hot_end, l->cold_end);
	code = (x86_jit_code)(uintptr_t)x86_jit_buf_rx(&j->buf, l->code);
	j->insns_used += b->n;
	*insns = t.insns;
	return code;
}

/* The code of b in the buffer, or NULL; *insns is the copy of its
 * instructions. The translation keeps its own copy so that it
 * outlives the decoded block's place in the arena (block.c reuses the
 * arena a generation at a time, and leaves translated blocks alone). */
static x86_jit_code place(struct x86_cpu *cpu, const struct x86_block *b, unsigned *all_native,
			  struct x86_insn **insns, struct x86_jit_links *l)
{
	struct x86_jit *j = cpu->jit;
	unsigned native = 0, mem = 0;
	bool full;
	x86_jit_code code = put(cpu, b, insns, &native, &mem, &full, l);

	if (!code && full) {
		flush(cpu);
		code = put(cpu, b, insns, &native, &mem, &full, l);
	}
	if (!code)
		return NULL;
	j->native += native;
	j->mem += mem;
	j->near += l->near;
	j->calls += b->n - native;
	*all_native = native == b->n;
	return code;
}

/* Where the jmp of the link slot at `slot` goes (rel32 at its end). */
static const uint8_t *slot_target(const uint8_t *slot)
{
	const uint8_t *rel = slot + X86_JIT_SLOT_BYTES - 4;
	int32_t d;

	memcpy(&d, rel, 4);
	return rel + 4 + d;
}

/* The perf map's lines for the hot and the cold bytes of b's code. */
static void perf_name(struct x86_cpu *cpu, const struct x86_block *b, const struct x86_jit_links *l)
{
	const struct x86_jit_buf *buf = &cpu->jit->buf;
	uint64_t gpa = x86_jit_guest_phys(cpu, b->host);

	x86_jit_perfmap_add(cpu->jit->perfmap, x86_jit_buf_rx(buf, l->hot),
			    (size_t)(l->hot_end - l->hot), gpa);
	x86_jit_perfmap_add_cold(cpu->jit->perfmap, x86_jit_buf_rx(buf, l->code),
				 (size_t)(l->cold_end - l->code), gpa);
}

x86_jit_code x86_jit_translate(struct x86_cpu *cpu, struct x86_block *b)
{
	uint64_t t0 = now_ns();
	unsigned pure = 0;
	struct x86_insn *insns;
	struct x86_jit_links l;
	x86_jit_code code = place(cpu, b, &pure, &insns, &l);

	b->hits = 0;
	b->code = code;
	b->pure = code && pure;
	b->flat = code ? l.flat : 0;
	if (code) {
		const struct x86_jit_buf *buf = &cpu->jit->buf;

		b->insns = insns;
		b->chain_in = x86_jit_buf_rx(buf, l.entry);
		b->slots = x86_jit_buf_rx(buf, l.slots);
		b->slot_to[0] = b->slot_to[1] = NULL;
		b->slot_fixed = l.fixed;
		b->chain_self = x86_jit_buf_rx(buf, l.self);
		b->unlinked = b->slots ? slot_target(b->slots) : NULL;
		b->far = x86_jit_buf_rx(buf, l.far);
		cpu->jit->blocks++;
		if (cpu->jit->perfmap)
			perf_name(cpu, b, &l);
		if (cpu->jit->dump)
			x86_jit_dump(cpu->jit->dump, x86_jit_guest_phys(cpu, b->host), l.hot,
				     (size_t)(l.hot_end - l.hot), l.code,
				     (size_t)(l.cold_end - l.code));
	}
	cpu->jit->ns += now_ns() - t0;
	return code;
}

/* The instruction at CS:EIP as a translated block of its own. */
__attribute__((noinline)) void x86_jit_step(struct x86_cpu *cpu)
{
	struct x86_insn in;
	struct x86_block b;
	bool trap = cpu->eflags & X86_TF;
	x86_jit_code code;
	unsigned pure;
	struct x86_jit_links l;

	cpu->ip_start = cpu->eip;
	x86_decode(cpu, &in);
	b = (struct x86_block){.n = 1, .count = 1, .insns = &in};
	b.big = (cpu->seg[X86_CS].attr & X86_SEG_BIG) != 0;
	b.ip_mask = b.big ? 0xffffffffu : 0xffffu;
	code = place(cpu, &b, &pure, &b.insns, &l);
	if (!code) {
		log_error("x86 jit: cannot translate one instruction");
		abort();
	}
	cpu->block = NULL;
	cpu->insns += code(cpu);
	if (trap && !cpu->halted) {
		cpu->ip_start = cpu->eip;
		x86_deliver(cpu, X86_VEC_DB, cpu->eip);
	}
}
