/* Decoded blocks: straight runs of guest code decoded once, found again by
 * the host address of their first byte and CS.D, and validated once at
 * entry (the CS limit, the code-page tracking word of their page) instead
 * of instruction by instruction. See struct x86_block. */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/bigmem.h"
#include "hv/x86/cpu_state.h"

#define PAGE_MASK 0xfffu

/* The lines of struct x86_block (cpu_state.h) stay as laid out. */
static_assert(offsetof(struct x86_block, link) == 64, "x86_block's hot part is one cache line");
static_assert(offsetof(struct x86_block, insns) == 128, "x86_block's links are one cache line");

/* Allocates the block slots and the instruction arena (in huge pages
 * where the host allows: an idle guest's timer tick runs a few hundred
 * blocks spread over both); starts code-page tracking on the machine's
 * RAM (without it, only ROM code is kept). */
bool x86_blocks_create(struct x86_cpu *cpu)
{
	cpu->blocks = bigmem_alloc(X86_BLOCKS * sizeof *cpu->blocks);
	cpu->arena = bigmem_alloc(X86_BLOCK_ARENA * sizeof *cpu->arena);
	cpu->arena_owner = bigmem_alloc(X86_BLOCK_ARENA * sizeof *cpu->arena_owner);
	if (!cpu->blocks || !cpu->arena || !cpu->arena_owner) {
		x86_blocks_destroy(cpu);
		return false;
	}
	cpu->arena_used = 0;
	cpu->arena_free = X86_BLOCK_ARENA;
	cpu->tracking = cpu->m && mem_code_enable(&cpu->m->mem) == 0;
	return true;
}

void x86_blocks_destroy(struct x86_cpu *cpu)
{
	bigmem_free(cpu->blocks, X86_BLOCKS * sizeof *cpu->blocks);
	bigmem_free(cpu->arena, X86_BLOCK_ARENA * sizeof *cpu->arena);
	bigmem_free(cpu->arena_owner, X86_BLOCK_ARENA * sizeof *cpu->arena_owner);
	cpu->blocks = NULL;
	cpu->arena = NULL;
	cpu->arena_owner = NULL;
}

/* Forgets every block and reuses the whole arena. */
void x86_blocks_flush(struct x86_cpu *cpu)
{
	for (unsigned i = 0; i < X86_BLOCKS; i++) {
		cpu->blocks[i].host = NULL;
		cpu->blocks[i].id = 0;
	}
	cpu->arena_used = 0;
	cpu->arena_free = X86_BLOCK_ARENA;
}

/* Makes room for a block at arena_used: the arena is a ring of
 * X86_BLOCK_GENS generations, and the blocks of the oldest are dropped
 * to reuse it, the others kept. A block lies within one generation: it
 * starts at arena_used and ends by arena_free, a generation's start.
 * Translated blocks hold a copy of their instructions in the JIT's
 * buffer and stay. [arena_used, arena_free) holds no block. */
static void arena_room(struct x86_cpu *cpu)
{
	const unsigned gen = X86_BLOCK_ARENA / X86_BLOCK_GENS;

	if (cpu->arena_used + X86_BLOCK_MAX <= cpu->arena_free)
		return;
	if (cpu->arena_free + X86_BLOCK_MAX > X86_BLOCK_ARENA)
		cpu->arena_used = cpu->arena_free = 0;
	for (unsigned i = cpu->arena_free; i < cpu->arena_free + gen; i++) {
		struct x86_block *b = cpu->arena_owner[i];

		/* Still the block decoded here: a translated block points at its
		 * own copy (jit.c), one decoded again at its new place. */
		if (b && b->host && b->insns == cpu->arena + i) {
			b->host = NULL;
			b->id = 0;
		}
		cpu->arena_owner[i] = NULL;
	}
	cpu->arena_free += gen;
	cpu->arena_evictions++;
}

#ifndef NDEBUG
/* FNV-1a of the code bytes: the debug builds' check that no write to a
 * code page went unnoticed. */
static uint64_t checksum(const uint8_t *p, unsigned len)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (unsigned i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}
#endif

/* Whether the decoder's block must end after this instruction: a branch,
 * or a change of mode, segments, paging, interrupt or debug state, I/O.
 * CLI, ENTER and LEAVE do not: nothing waits at a block boundary for an
 * interrupt flag cleared, and the frame instructions only move eSP and
 * eBP (blocks ending at them, the LEAVE before a RET and the CLI of
 * local_irq_save, had been a third of a Linux guest's returns to the run
 * loop once links crossed pages). */
static bool ends_block(const struct x86_insn *in)
{
	unsigned op = in->op;

	if ((op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f) ||
	    (op >= 0xe0 && op <= 0xef) || (op >= 0x120 && op <= 0x123) ||
	    (op >= 0x130 && op <= 0x135) || (op >= 0x6c && op <= 0x6f) ||
	    (op >= 0xc2 && op <= 0xcf && (op < 0xc6 || op > 0xc9)))
		return true;
	switch (op) {
	case 0x07:
	case 0x17:
	case 0x1f:
	case 0x1a1:
	case 0x1a9:
	case 0x8e:
	case 0x1b2:
	case 0x1b4:
	case 0x1b5:
	case 0x9a:
	case 0x9d:
	case 0xf1:
	case 0xf4:
	case 0xfb:
	case 0x100:
	case 0x101:
	case 0x106:
	case 0x108:
	case 0x109: return true;
	case 0xff: return in->reg >= 2 && in->reg <= 5;
	default: return in->fn == x86_op_ud;
	}
}

/* Whether a block ending with this instruction may be linked to the
 * block that runs after it: the instruction leaves CS, the mapping and
 * the interrupt state alone (a near branch, RDTSC, which has a block of
 * its own, or one that does not end a block: the block stopped at its
 * size limit or before RDTSC). */
static bool chains(const struct x86_insn *in)
{
	unsigned op = in->op;

	if ((op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f) ||
	    (op >= 0xe0 && op <= 0xe3))
		return true;
	switch (op) {
	case 0xc2:
	case 0xc3:
	case 0xe8:
	case 0xe9:
	case 0xeb:
	case 0x131: return true;
	case 0xff: return in->reg == 2 || in->reg == 4;
	default: return !ends_block(in);
	}
}

/* Whether an instruction reads or writes the instruction count (RDTSC,
 * RDMSR and WRMSR of the TSC): it starts a block of its own, where the
 * count, which a block adds up at its end, is exact. */
static bool starts_block(const struct x86_insn *in)
{
	return in->op >= 0x130 && in->op <= 0x132;
}

/* The tracking word of the code at host, through *word: NULL for ROM.
 * False when code there cannot be kept (RAM outside the tracked range,
 * or device memory the guest writes directly). */
static bool code_source(struct x86_cpu *cpu, const uint8_t *host, atomic_uint **word)
{
	struct guest_mem *mem = &cpu->m->mem;
	uintptr_t off = (uintptr_t)host - (uintptr_t)mem->ram;

	*word = NULL;
	if (cpu->tracking && host >= mem->ram && off < mem->code.pages * MEM_PAGE_SIZE) {
		*word = mem_code_word(mem, off);
		return true;
	}
	return mem_host_is_rom(mem, host);
}

/* Bytes a block starting at CS:ip (linear lin) may span: to the page end,
 * the CS limit and, for 16-bit code, the 64 KiB wrap of IP. */
static unsigned room(const struct x86_seg *cs, uint32_t ip, uint32_t lin, bool big)
{
	uint64_t n = MEM_PAGE_SIZE - (lin & PAGE_MASK);

	if ((uint64_t)cs->limit - ip + 1 < n)
		n = (uint64_t)cs->limit - ip + 1;
	if (!big && 0x10000u - ip < n)
		n = 0x10000u - ip;
	return (unsigned)n;
}

/* Decodes up to X86_BLOCK_MAX instructions from host into the arena. */
static unsigned decode_run(struct x86_insn *out, const uint8_t *host, unsigned avail, bool big,
			   unsigned *bytes)
{
	unsigned n = 0, off = 0;

	while (n < X86_BLOCK_MAX && off < avail &&
	       x86_decode_bytes(host + off, avail - off, big, &out[n]) &&
	       !(n > 0 && starts_block(&out[n]))) {
		off += out[n].len;
		if (ends_block(&out[n++]))
			break;
	}
	*bytes = off;
	return n;
}

/* Marks the page as holding code before decoding it, so that a write
 * racing with the decoder invalidates the block; a page marked afresh
 * loses the soft TLB's write pointers, whose stores would go unseen. */
static uint32_t mark_page(struct x86_cpu *cpu, atomic_uint *word, const uint8_t *page)
{
	bool fresh;
	uint32_t seen = mem_code_mark(word, &fresh);

	if (fresh)
		x86_tlb_drop_writes(cpu, page);
	return seen;
}

/* Decodes the block at CS:EIP (host, linear lin) into slot b. When not
 * even its first instruction decodes (it crosses the page end, or faults)
 * the slot holds an empty block: the instruction goes through the
 * fetching decoder, which an idle Linux guest had otherwise tried to
 * decode into a block again at every pass (x86_block_at). */
static bool build(struct x86_cpu *cpu, struct x86_block *b, const uint8_t *host, uint32_t lin,
		  bool big)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	atomic_uint *word;
	uint32_t seen = 0;
	unsigned n, bytes, count;
	struct x86_insn *insns;

	if (!code_source(cpu, host, &word))
		return false;
	arena_room(cpu);
	if (word)
		seen = mark_page(cpu, word, host - (lin & PAGE_MASK));
	if (b->code)
		x86_jit_unlink(cpu, b); /* the slots that jump to its code */
	insns = cpu->arena + cpu->arena_used;
	n = decode_run(insns, host, room(cs, cpu->eip, lin, big), big, &bytes);
	if (n == 0)
		insns = NULL;
	count = n;
	if (n >= 2 && x86_fuse(&insns[n - 2], &insns[n - 1]))
		n--;
	*b = (struct x86_block){.host = host,
				.id = ++cpu->block_ids,
				.word = word,
				.seen = seen,
				.bytes = (uint16_t)bytes,
				.n = (uint8_t)n,
				.count = (uint8_t)count,
				.big = big,
				.chain = n && chains(&insns[count - 1]),
				.page_off = (uint16_t)(lin & PAGE_MASK),
				.ip_mask = big ? 0xffffffffu : 0xffffu,
				.insns = insns,
				.used = cpu->insns};
	b->link[0] = b->link[1] = (struct x86_link){b, 0, 0, false};
#ifndef NDEBUG
	b->sum = checksum(host, bytes);
#endif
	assert(cpu->arena_used + n <= cpu->arena_free); /* arena_room()'s premise */
	if (n)
		cpu->arena_owner[cpu->arena_used] = b;
	cpu->arena_used += n;
	return true;
}

/* How much longer than an untranslated block a translated one must have
 * gone unrun to be the one reused: translating it again costs its runs
 * to the JIT's threshold and the translation. */
#define TRANSLATED_AGE_SHIFT 4

/* Instructions since b last began to run, shortened for a translated
 * block (TRANSLATED_AGE_SHIFT). */
static uint64_t age(const struct x86_cpu *cpu, const struct x86_block *b)
{
	uint64_t a = cpu->insns - b->used;

	return b->code ? a >> TRANSLATED_AGE_SHIFT : a;
}

/* The slot a block decoded at host goes to: stale, the one of its set
 * that holds a stale decode of it (x86_block_slot's, or NULL), else an
 * empty one, else the one of the greatest age(). Sparing translated
 * blocks outright kept a Linux guest's boot code, translated once and
 * never run again, in three ways of a set while two blocks of its idle
 * loop took turns in the fourth, each decoded anew at every timer tick
 * and never run the JIT's threshold times. */
static struct x86_block *victim(struct x86_cpu *cpu, const uint8_t *host, struct x86_block *stale)
{
	struct x86_block *set = x86_block_set(cpu, host), *v = set;

	if (stale)
		return stale;
	for (unsigned w = 0; w < X86_BLOCK_WAYS; w++) {
		if (!set[w].host)
			return &set[w];
		if (age(cpu, &set[w]) > age(cpu, v))
			v = &set[w];
	}
	return v;
}

/* The block at CS:EIP; see cpu_state.h. */
struct x86_block *x86_block_at(struct x86_cpu *cpu)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	uint32_t ip = cpu->eip, lin = cs->base + ip;
	bool big = (cs->attr & X86_SEG_BIG) != 0;
	const uint8_t *host;
	struct x86_block *b;
	uint64_t last;

	/* Faults like the fetch of the first byte (its CS limit, paging). */
	if (!cpu->fetch_host || cpu->fetch_page != lin >> 12)
		x86_fetch_map(cpu, ip);
	if (!cpu->fetch_host)
		return NULL;
	host = cpu->fetch_host + (lin & PAGE_MASK);
	b = x86_block_slot(cpu, host, big);
	if (!b || !x86_block_valid(b)) {
		/* The same code, translated, but its page was written since. */
		if (b && b->code)
			cpu->jit->invalidated++;
		b = victim(cpu, host, b);
		if (!build(cpu, b, host, lin, big))
			return NULL;
	}
	last = (uint64_t)ip + b->bytes - 1;
	if (b->n == 0 || last > cs->limit || last > b->ip_mask)
		return NULL;
	assert(b->sum == checksum(host, b->bytes));
	return b;
}

/* See cpu_state.h. A target in the page of `from`, at page_off + delta
 * (delta as a signed offset: 16-bit EIP may wrap), has its host address
 * at from->host + delta; one in another page is far. A new link
 * replaces the older of two. */
void x86_block_link(struct x86_block *from, struct x86_block *to, uint32_t delta)
{
	int64_t off = (int64_t)from->page_off + (int32_t)delta;
	bool far = off < 0 || off >= MEM_PAGE_SIZE;

	if (!from->host || !from->chain || to->big != from->big ||
	    (!far && to->host != from->host + (int32_t)delta))
		return;
	if (from->link[0].id && from->link[0].delta != delta)
		from->link[1] = from->link[0];
	from->link[0] = (struct x86_link){to, to->id, delta, far};
}

/* Adds to the instruction count the instructions of the running block
 * that completed before the one that faulted (at ip_start): a block adds
 * up its count only when it ends normally. */
void x86_block_fault(struct x86_cpu *cpu)
{
	const struct x86_block *b = cpu->block;
	uint32_t ip = cpu->block_eip;

	if (!b)
		return;
	for (unsigned i = 0; i < b->n && ip != cpu->ip_start; i++) {
		const struct x86_insn *in = &b->insns[i];

		cpu->insns++;
		/* A fused Jcc that faulted: the instruction before it completed. */
		if (in->fuse && ((ip + in->len - in->fuse) & b->ip_mask) == cpu->ip_start)
			break;
		ip = (ip + in->len) & b->ip_mask;
	}
	cpu->block = NULL;
}
