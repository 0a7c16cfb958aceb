/* Loops of 16-bit code through the JIT's link slots (hv/x86/jit_jcc.c,
 * jit_emit.c): a block that ends in a native Jcc or JMP with a 16-bit
 * operand size jumps straight to the slot of the way it went, as 32-bit
 * code does, unless the 16-bit EIP wraps around 64 KiB: then it returns
 * to the run loop. Real mode (bytes from nasm, bits 16; keep each comment
 * in step with its bytes). */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hv/x86/jit.h"
#include "unit.h"
#include "x86_fixture.h"

/* What a run leaves that software or the run loop can see. */
struct state {
	uint32_t regs[8], eip, eflags;
	uint64_t insns;
	enum vcpu_exit exit;
};

/* Pieces of code and where they go in RAM. */
struct piece {
	uint32_t at;
	const uint8_t *code;
	size_t len;
};

/* Runs the pieces from cs:ip until HLT (each block translated at its
 * first run, or with no JIT), into *s; the CPU is left for the test to
 * look at (x86f_teardown after). */
static void run_at(const struct piece *p, unsigned n, uint16_t cs, uint16_t ip, bool jit,
		   struct state *s)
{
	unsetenv("HV_JIT"); /* (ctest runs the x86 suites with HV_JIT=0 too) */
	x86f_setup(1u << 20);
	if (!jit)
		x86_jit_destroy(cpu);
	else
		cpu->jit->threshold = 1;
	for (unsigned k = 0; k < n; k++)
		x86f_load(p[k].code, p[k].len, p[k].at);
	x86_cpu_set_ip(cpu, cs, ip);
	cpu->regs[X86_ESP] = 0x7000;
	s->exit = x86_cpu_run(cpu, 1000000);
	memcpy(s->regs, cpu->regs, sizeof s->regs);
	s->eip = cpu->eip;
	s->eflags = x86_get_eflags(cpu);
	s->insns = cpu->insns;
}

/* Runs them both ways: the same state after; the JIT's run in *j, its
 * CPU left. */
static void same_as_interpreter(const struct piece *p, unsigned n, uint16_t cs, uint16_t ip,
				struct state *j)
{
	struct state i;

	run_at(p, n, cs, ip, false, &i);
	x86f_teardown();
	run_at(p, n, cs, ip, true, j);
	ck_assert_int_eq(j->exit, VCPU_EXIT_HALT);
	ck_assert_int_eq(j->exit, i.exit);
	for (unsigned r = 0; r < 8; r++)
		ck_assert_msg(j->regs[r] == i.regs[r], "reg %u: jit %#x, interpreter %#x", r,
			      j->regs[r], i.regs[r]);
	ck_assert_uint_eq(j->eip, i.eip);
	ck_assert_uint_eq(j->eflags, i.eflags);
	ck_assert_uint_eq(j->insns, i.insns);
}

/* tests/guests/bench.asm's ALU loop: one block that links to itself
 * through a fixed slot (no compare of EIP), and counts right. */
START_TEST(test_a_16bit_loop_links_by_a_fixed_slot)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0xe8, 0x03, 0x00, 0x00, /* mov ecx, 1000 */
	    0x66, 0xbb, 0x39, 0x30, 0x00, 0x00, /* mov ebx, 12345 */
	    0x66, 0x01, 0xd8,			/* a: add eax, ebx */
	    0x66, 0x31, 0xc2,			/* xor edx, eax */
	    0x66, 0x83, 0xeb, 0x03,		/* sub ebx, 3 */
	    0x66, 0x46,				/* inc esi */
	    0x66, 0x49,				/* dec ecx */
	    0x75, 0xf0,				/* jnz a */
	    0xf4,				/* hlt */
	};
	const struct piece p = {0x7c00, code, sizeof code};
	struct state s;
	struct x86_block *b;

	same_as_interpreter(&p, 1, 0, 0x7c00, &s);
	ck_assert_uint_eq(s.insns, 2 + 6 * 1000 + 1);
	ck_assert_uint_eq(s.regs[X86_ESI], 1000);
	b = block_of(0x7c0c);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(b->code);
	ck_assert(b->slot_fixed);
	ck_assert_ptr_nonnull(b->chain_self);
	ck_assert_uint_gt(cpu->jit->chained, 0);
	/* the self loop ran in the code: the run loop entered it about once
	 * per poll, not once a turn */
	ck_assert_uint_lt(cpu->jit->entries, 100);
}
END_TEST

/* A loop across the end of a 64 KiB segment: a fused DEC/JNZ whose last
 * byte is at FFFFh jumps forward past it to 0010h, or falls through to
 * 0000h (HLT) when done; a JMP there jumps back, below 0000h, to FFF9h.
 * Each wraps: none may take the slot of its delta unwrapped. */
START_TEST(test_16bit_jumps_that_wrap_match_the_interpreter)
{
	static const uint8_t loop[] = {
	    /* at FFF9h */
	    0x40,	/* a: inc ax */
	    0x43,	/* inc bx */
	    0x40,	/* inc ax */
	    0x43,	/* inc bx */
	    0x49,	/* dec cx */
	    0x75, 0x10, /* jnz 0010h (FFFEh + 2 + 10h, cut to 16 bits) */
	};
	static const uint8_t hlt[] = {0xf4};		   /* at 0000h: hlt */
	static const uint8_t back[] = {0xeb, 0xe7};	   /* at 0010h: jmp a */
	static const uint8_t start[] = {0xb9, 0x1e, 0x00,  /* at 0020h: mov cx, 30 */
					0xe9, 0xd3, 0xff}; /* jmp a */
	const uint32_t base = 0x20000;			   /* CS = 2000h */
	const struct piece p[] = {
	    {base + 0xfff9, loop, sizeof loop},
	    {base, hlt, sizeof hlt},
	    {base + 0x10, back, sizeof back},
	    {base + 0x20, start, sizeof start},
	};
	struct state s;

	same_as_interpreter(p, 4, 0x2000, 0x20, &s);
	ck_assert_uint_eq(s.regs[X86_EAX] & 0xffff, 60);
	ck_assert_uint_eq(s.regs[X86_EBX] & 0xffff, 60);
	ck_assert_uint_eq(s.eip, 1);
	ck_assert_uint_eq(s.insns, 2 + 30 * 6 + 29 + 1);
	ck_assert_uint_gt(cpu->jit->blocks, 2);
}
END_TEST

/* The same bytes run first where EIP does not wrap, which links the
 * taken slot of their block to the block at its delta, in their page;
 * then with a CS that makes that jump wrap (EIP 0009h + 7 - 27h): it must
 * not go to that block but to FFE9h (a HLT). */
START_TEST(test_a_jump_that_wraps_leaves_a_linked_slot_alone)
{
	static const uint8_t loop[] = {
	    /* at 1FFF9h */
	    0x40,	/* a: inc ax */
	    0x43,	/* inc bx */
	    0x40,	/* inc ax */
	    0x43,	/* inc bx */
	    0x49,	/* dec cx */
	    0x75, 0xd9, /* jnz a - 20h (0FD9h for a at 0FF9h) */
	};
	static const uint8_t back[] = {0xeb, 0x1e}; /* at 1FFD9h: jmp a */
	static const uint8_t hlt[] = {0xf4};
	static const uint8_t start[] = {0xb9, 0x03, 0x00, /* at 1FFF0h: mov cx, 3 */
					0xeb, 0x04};	  /* jmp a */
	const struct piece p[] = {
	    {0x1fff0, start, sizeof start}, {0x1fff9, loop, sizeof loop},
	    {0x1ffd9, back, sizeof back},   {0x20000, hlt, sizeof hlt},
	    {0x2ffd9, hlt, sizeof hlt},
	};
	struct state s;

	/* CS = 1F00h: a at 0FF9h, the jump to 0FD9h (and out to 1000h) */
	run_at(p, 5, 0x1f00, 0xff0, true, &s);
	ck_assert_int_eq(s.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(s.eip, 0x1001);
	ck_assert_ptr_nonnull(block_of(0x1fff9));
	ck_assert_ptr_nonnull(block_of(0x1fff9)->slot_to[0]);
	/* CS = 1FFFh: a at 0009h, the jump to FFE9h */
	x86_cpu_set_ip(cpu, 0x1fff, 0x9);
	cpu->regs[X86_ECX] = 5;
	cpu->regs[X86_EAX] = 0;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->eip, 0xffea);
	ck_assert_uint_eq(reg16(X86_ECX), 4);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
	ck_assert_uint_eq(cpu->insns, s.insns + 7);
}
END_TEST

/* Whether [p, end) holds `cmp eax, [rbx + CS.limit]`. */
static bool checks_cs_limit(const uint8_t *p, const uint8_t *end)
{
	uint32_t off = (uint32_t)offsetof(struct x86_cpu, seg[X86_CS].limit);
	uint8_t cmp[6] = {0x3b,
			  0x83,
			  (uint8_t)off,
			  (uint8_t)(off >> 8),
			  (uint8_t)(off >> 16),
			  (uint8_t)(off >> 24)};

	for (; p + sizeof cmp <= end; p++)
		if (memcmp(p, cmp, sizeof cmp) == 0)
			return true;
	return false;
}

/* Whether the hot code of the block of code's instructions (decoded one
 * by one at 0000:7C00, none fused) checks a target against the CS limit. */
static bool block_checks_cs_limit(const uint8_t *code, size_t len)
{
	struct x86_insn in[4];
	struct x86_block b = {.insns = in, .ip_mask = 0xffff};
	struct x86_jit_links l;
	unsigned native, mem;

	x86f_setup(1u << 20);
	x86f_load(code, len, 0x7c00);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_tlb_sync(cpu);
	while (b.bytes < len && b.n < 4) {
		cpu->eip = 0x7c00 + b.bytes;
		x86_decode(cpu, &in[b.n]);
		b.bytes = (uint16_t)(b.bytes + in[b.n++].len);
	}
	b.count = b.n;
	x86f_translate(&b, &native, &mem, &l);
	ck_assert_uint_eq(native, b.n);
	return checks_cs_limit(l.hot, l.hot_end);
}

/* A jump back within its own block (a loop) is not checked against the
 * CS limit: its entries checked the block's bytes; one beyond them is. */
START_TEST(test_a_jump_within_its_block_skips_the_limit_check)
{
	static const uint8_t loop[] = {
	    0x66, 0x01, 0xd8, /* a: add eax, ebx */
	    0x66, 0x46,	      /* inc esi */
	    0x75, 0xf9,	      /* jnz a */
	};
	static const uint8_t out[] = {
	    0x66, 0x01, 0xd8, /* add eax, ebx */
	    0x66, 0x46,	      /* inc esi */
	    0x75, 0x10,	      /* jnz $+18 */
	};

	unsetenv("HV_JIT");
	ck_assert(!block_checks_cs_limit(loop, sizeof loop));
	x86f_teardown();
	ck_assert(block_checks_cs_limit(out, sizeof out));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_a_16bit_loop_links_by_a_fixed_slot,
	    test_16bit_jumps_that_wrap_match_the_interpreter,
	    test_a_jump_that_wraps_leaves_a_linked_slot_alone,
	    test_a_jump_within_its_block_skips_the_limit_check,
	};

	return unit_run(unit_suite("x86_jit_loop16", "loop16", NULL, x86f_teardown, tests,
				   UNIT_COUNT(tests), NULL, 0));
}
