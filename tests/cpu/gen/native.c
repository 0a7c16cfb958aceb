/* Native execution and JSON output of the vector generator (see native.h).
 * The instruction is copied to CODE_ADDR between a prologue that loads
 * every general register (ESP included) and EFLAGS from g_in, and an
 * epilogue that stores them to g_out; a fault arrives as a signal whose
 * context carries the hardware's vector and error code. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "native.h"

#if !defined(__i386__)
#error "the generator runs instructions in 32-bit mode: build it with -m32"
#endif

struct regs {
	uint32_t r[8];
	uint32_t flags;
};

static struct regs g_in, g_out;
static uint32_t g_host_esp;
static sigjmp_buf g_jmp;
static volatile int g_trapno;
static volatile uint32_t g_err;
static uint8_t g_taken;
static uint8_t *code_page, *data, snapshot[DATA_SIZE], *low, low_snapshot[LOW_SIZE];

const char *gen_dir = "tests/cpu";
static FILE *out;
static unsigned count, total;
static char cur_name[64];

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	g_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	g_err = uc->uc_mcontext.gregs[REG_ERR];
	siglongjmp(g_jmp, 1);
}

static void setup(void)
{
	static uint8_t altstack[65536];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	struct sigaction sa;
	int sigs[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP};

	if (code_page)
		return;
	code_page = mmap((void *)(CODE_ADDR - 0x1000), 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	data = mmap((void *)DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	low = mmap((void *)LOW_ADDR, LOW_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (code_page != (void *)(CODE_ADDR - 0x1000) || data != (void *)DATA_ADDR ||
	    low != (void *)LOW_ADDR) {
		perror("gen: mmap at fixed low addresses");
		exit(1);
	}
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

/* mov [abs], reg or mov reg, [abs] (op 89 or 8b) for each register. */
static uint8_t *regs_move(uint8_t *p, uint8_t op, struct regs *r, bool with_esp)
{
	for (int i = 0; i < 8; i++) {
		if (i == ESP && !with_esp)
			continue;
		*p++ = op;
		*p++ = (uint8_t)(0x05 | i << 3);
		p = put32(p, (uint32_t)&r->r[i]);
	}
	return p;
}

static const uint8_t *mem_of(const struct vec *v)
{
	return v->mem_len > (int)sizeof v->mem ? v->mem_big : v->mem;
}

/* Runs the instruction; returns the trap number of a fault, or -1. */
static int run(const struct vec *v)
{
	uint8_t pro[128], *p = pro, *e;

	*p++ = 0x55, *p++ = 0x53, *p++ = 0x56, *p++ = 0x57; /* push ebp ebx esi edi */
	*p++ = 0x89, *p++ = 0x25, p = put32(p, (uint32_t)&g_host_esp);
	*p++ = 0xbc, p = put32(p, (uint32_t)&g_in.flags); /* mov esp, &flags */
	*p++ = 0x9d;					  /* popfd */
	p = regs_move(p, 0x8b, &g_in, false);
	*p++ = 0x8b, *p++ = 0x25, p = put32(p, (uint32_t)&g_in.r[ESP]); /* ESP last */
	memcpy(code_page + 0x1000 - (p - pro), pro, (size_t)(p - pro));
	memcpy(code_page + 0x1000, v->code, (size_t)v->len);
	e = code_page + 0x1000 + v->len;
	if (v->branch) { /* mov byte [g_taken], 0: the fall-through path */
		*e++ = 0xc6, *e++ = 0x05, e = put32(e, (uint32_t)&g_taken), *e++ = 0;
	}
	e = regs_move(e, 0x89, &g_out, true);
	*e++ = 0xbc, e = put32(e, (uint32_t)&g_out.flags + 4);
	*e++ = 0x9c; /* pushfd */
	*e++ = 0x8b, *e++ = 0x25, e = put32(e, (uint32_t)&g_host_esp);
	*e++ = 0x5f, *e++ = 0x5e, *e++ = 0x5b, *e++ = 0x5d, *e++ = 0xfc, *e++ = 0xc3;

	memcpy(g_in.r, v->regs, sizeof g_in.r);
	g_in.flags = 0x202 | v->flags;
	memset(data, 0, DATA_SIZE);
	memset(low, 0, LOW_SIZE);
	if (v->mem_abs)
		memcpy(low + (v->mem_abs - LOW_ADDR), mem_of(v), (size_t)v->mem_len);
	else
		memcpy(data + v->mem_off, mem_of(v), (size_t)v->mem_len);
	memcpy(low_snapshot, low, LOW_SIZE);
	g_taken = 1;
	memcpy(snapshot, data, DATA_SIZE);
	if (sigsetjmp(g_jmp, 1)) {
		__asm__ volatile("cld");
		return g_trapno;
	}
	((void (*)(void))(code_page + 0x1000 - (p - pro)))();
	return -1;
}

static void hexbytes(const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%02x", i ? " " : "", b[i]);
}

/* The "mem" entries of the bytes of one area that differ from its snapshot. */
static void area_diffs(const uint8_t *now, const uint8_t *was, uint32_t base, uint32_t size,
		       bool *first)
{
	for (uint32_t a = 0; a < size; a++) {
		uint32_t n = 0;
		if (now[a] == was[a])
			continue;
		while (a + n < size && now[a + n] != was[a + n] && n < 32)
			n++;
		fprintf(out, "%s\"0x%x\": \"", *first ? ", \"mem\": {" : ", ", base + a);
		hexbytes(now + a, (int)n);
		fprintf(out, "\"");
		*first = false;
		a += n - 1;
	}
}

static void mem_diffs(void)
{
	bool first = true;

	area_diffs(low, low_snapshot, LOW_ADDR, LOW_SIZE, &first);
	area_diffs(data, snapshot, DATA_ADDR, DATA_SIZE, &first);
	if (!first)
		fprintf(out, "}");
}

static const char *const rn[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

static void write_vec(const struct vec *v, bool real, int exc)
{
	const struct realform *rf = &v->real;
	uint32_t regs[8], fin[8];
	uint32_t ip = real ? 0 : CODE_ADDR;
	const uint8_t *code = real ? rf->code : v->code;
	int len = real ? rf->len : v->len;

	memcpy(regs, v->regs, sizeof regs);
	memcpy(fin, exc < 0 ? g_out.r : v->regs, sizeof fin);
	if (real && rf->set_ebx) {
		fin[EBX] = fin[EBX] - regs[EBX] + rf->ebx;
		regs[EBX] = rf->ebx;
	}
	fprintf(out, "%s\n  {\"name\": \"%s%s\", \"undefined_flags\": \"0x%x\",\n   \"initial\": {",
		count ? "," : "", v->name, real ? " (real mode)" : "", v->undef);
	if (real)
		fprintf(out, "\"cs\": {\"sel\": \"0x%x\"}, \"ds\": {\"sel\": \"0x%x\"}, ",
			CODE_ADDR >> 4, rf->ds_sel);
	else if (v->user_segs)
		fprintf(out,
			"\"cr0\": \"0x11\", \"cs\": {\"sel\": \"0x1b\", \"attr\": \"0xc0fb\"}, "
			"\"ss\": {\"sel\": \"0x23\", \"attr\": \"0xc0f3\"}, "
			"\"ds\": {\"sel\": \"0x23\", \"attr\": \"0xc0f3\"}, "
			"\"es\": {\"sel\": \"0x23\", \"attr\": \"0xc0f3\"}, ");
	else
		fprintf(out, "\"cr0\": \"0x11\", ");
	for (int i = 0; i < 8; i++)
		fprintf(out, "\"%s\": \"0x%x\", ", rn[i], regs[i]);
	fprintf(out, "\"eflags\": \"0x%x\", \"eip\": \"0x%x\",\n    \"mem\": {\"0x%x\": \"",
		0x202 | v->flags, ip, CODE_ADDR);
	hexbytes(code, len);
	fprintf(out, "\"");
	if (v->mem_len) {
		fprintf(out, ", \"0x%x\": \"", v->mem_abs ? v->mem_abs : DATA_ADDR + v->mem_off);
		hexbytes(mem_of(v), v->mem_len);
		fprintf(out, "\"");
	}
	fprintf(out, "}},\n   \"final\": {");
	if (exc >= 0) {
		fprintf(out, "\"exception\": %d", exc);
		if (exc == 13 || exc == 12 || exc == 11 || exc == 10)
			fprintf(out, ", \"error\": \"0x%x\"", g_err);
		fprintf(out, "}}");
		return;
	}
	for (int i = 0; i < 8; i++)
		if (fin[i] != regs[i])
			fprintf(out, "\"%s\": \"0x%x\", ", rn[i], fin[i]);
	fprintf(out, "\"eflags\": \"0x%x\", \"eip\": \"0x%x\"",
		(g_out.flags & (F_ARITH | F_DF)) | 0x202,
		ip + (uint32_t)len + (v->branch && g_taken ? 7 : 0));
	mem_diffs();
	fprintf(out, "}}");
}

int gen_emit(struct vec *v)
{
	int exc;

	setup();
	exc = run(v);
	if (exc == 14) { /* outside the host's data area: not a fact about the CPU */
		fprintf(stderr, "gen: %s: host page fault, vector left out\n", v->name);
		return exc;
	}
	write_vec(v, false, exc);
	count++;
	if (v->real.valid) {
		write_vec(v, true, exc);
		count++;
	}
	return exc;
}

void gen_open(const char *name, const char *description)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s.json", gen_dir, name);
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		exit(1);
	}
	snprintf(cur_name, sizeof cur_name, "%s", name);
	count = 0;
	fprintf(out,
		"{\"description\": \"%s (generated by tests/cpu/gen: host CPU results)\",\n"
		" \"tests\": [",
		description);
}

void gen_close(void)
{
	fprintf(out, "\n]}\n");
	fclose(out);
	total += count;
	fprintf(stderr, "%-14s %5u vectors (%u in all)\n", cur_name, count, total);
}

static uint32_t rng_state = 0x2545f491;

uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

uint32_t gen_value(unsigned i, unsigned size)
{
	static const uint32_t edge[] = {0,	    1,		2,	    0x7fffffff, 0x80000000,
					0xffffffff, 0x7ffffffe, 0x80000001, 0x0000000f, 0x00000010,
					0x55555555, 0xaaaaaaaa, 0xfffffffe};
	unsigned bits = size * 8;
	uint32_t v;

	if (i < sizeof edge / sizeof edge[0]) {
		uint32_t max = bits == 32 ? 0x7fffffffu : (1u << (bits - 1)) - 1;
		v = edge[i];
		/* The signed edges at the operand's own width. */
		if (v == 0x7fffffff || v == 0x7ffffffe)
			v = max - (v & 1 ? 0 : 1);
		else if (v == 0x80000000 || v == 0x80000001)
			v = max + 1 + (v & 1);
		return v & (bits == 32 ? 0xffffffffu : (1u << bits) - 1);
	}
	v = rnd();
	return bits == 32 ? v : v & ((1u << bits) - 1);
}

uint32_t gen_flags(void)
{
	return rnd() & (F_ARITH | F_DF);
}
