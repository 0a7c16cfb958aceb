/* The JIT's life cycle and tiering: a CPU gets a code buffer unless the
 * JIT is disabled or the host refuses executable memory; the run loop
 * (cpu.c) counts the runs of each decoded block and has it translated
 * here at the threshold. Translated code belongs to its decoded block
 * (x86_block.code): a block decoded again, or found invalid by the
 * code-page tracking, is never entered, so its code dies with it; when
 * the buffer is full every translation is forgotten and it starts again. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"
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
	if (x86_jit_buf_init(&j->buf, X86_JIT_BUF_SIZE, why, sizeof why) != 0) {
		if (!said)
			log_warn("x86: no JIT (%s): the soft CPU interprets", why);
		said = true;
		free(j);
		return;
	}
	j->threshold = env_threshold();
	j->check = getenv("HV_JIT_LOCKSTEP") && strcmp(getenv("HV_JIT_LOCKSTEP"), "0") != 0;
	j->perfmap = x86_jit_perfmap_from_env();
	cpu->jit = j;
}

void x86_jit_destroy(struct x86_cpu *cpu)
{
	struct x86_jit *j = cpu->jit;

	if (!j)
		return;
	if (j->blocks)
		log_info("x86 jit: %llu blocks translated in %.1f ms (%llu instructions native, "
			 "%llu of them with memory, %llu calls), %zu KiB of code in use, %llu "
			 "flushes, %llu invalidated, %llu blocks checked",
			 (unsigned long long)j->blocks, (double)j->ns / 1e6,
			 (unsigned long long)j->native, (unsigned long long)j->mem,
			 (unsigned long long)j->calls, j->buf.used / 1024,
			 (unsigned long long)j->buf.flushes, (unsigned long long)j->invalidated,
			 (unsigned long long)j->checked);
	x86_jit_perfmap_close(j->perfmap);
	x86_jit_buf_free(&j->buf);
	free(j);
	cpu->jit = NULL;
}

/* Every translation is forgotten: the blocks run interpreted until they
 * reach the threshold again. */
static void flush(struct x86_cpu *cpu)
{
	for (unsigned i = 0; i < X86_BLOCKS; i++) {
		cpu->blocks[i].code = NULL;
		cpu->blocks[i].hits = 0;
	}
	x86_jit_buf_reset(&cpu->jit->buf);
	x86_jit_perfmap_flushed(cpu->jit->perfmap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The code of b in the buffer, or NULL. */
static x86_jit_code place(struct x86_cpu *cpu, const struct x86_block *b, unsigned *all_native)
{
	struct x86_jit *j = cpu->jit;
	unsigned native, mem;
	size_t n = x86_jit_emit(b, j->scratch, &native, &mem);
	void *code;

	if (n == 0)
		return NULL;
	code = x86_jit_buf_put(&j->buf, j->scratch, n);
	if (!code) {
		flush(cpu);
		code = x86_jit_buf_put(&j->buf, j->scratch, n);
	}
	if (!code)
		return NULL;
	j->native += native;
	j->mem += mem;
	j->calls += b->n - native;
	*all_native = native == b->n;
	return (x86_jit_code)code;
}

x86_jit_code x86_jit_translate(struct x86_cpu *cpu, struct x86_block *b)
{
	uint64_t t0 = now_ns();
	unsigned pure = 0;
	x86_jit_code code = place(cpu, b, &pure);

	b->hits = 0;
	b->code = code;
	b->pure = code && pure;
	if (code) {
		cpu->jit->blocks++;
		if (cpu->jit->perfmap)
			x86_jit_perfmap_add(cpu->jit->perfmap, code,
					    cpu->jit->buf.rx + cpu->jit->buf.used - (uint8_t *)code,
					    x86_jit_guest_phys(cpu, b->host));
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

	cpu->ip_start = cpu->eip;
	x86_decode(cpu, &in);
	b = (struct x86_block){.n = 1, .count = 1, .insns = &in};
	b.big = (cpu->seg[X86_CS].attr & X86_SEG_BIG) != 0;
	b.ip_mask = b.big ? 0xffffffffu : 0xffffu;
	code = place(cpu, &b, &pure);
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
