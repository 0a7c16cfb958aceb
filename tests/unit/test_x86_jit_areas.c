/* The JIT's two areas of code (hv/x86/jit_emit.c, jit_buf.c): each
 * translation has hot bytes, what runs each time (the chained entry, the
 * body, the link slots), and cold ones, what seldom runs (the prologue of
 * the C entry, a memory form's slow path, the ways out, the far stubs),
 * in two areas of the code buffer, filled side by side and emptied
 * together; jumps between them work both ways. Real mode at 0000:7C00
 * (bytes from nasm, bits 16; keep each comment in step with its bytes). */
#include <check.h>
#include <string.h>

#include "hv/x86/jit.h"
#include "unit.h"
#include "x86_fixture.h"

/* Whether [p, end) holds the 8 bytes of v. */
static bool holds(const uint8_t *p, const uint8_t *end, uint64_t v)
{
	for (; p + 8 <= end; p++)
		if (memcmp(p, &v, 8) == 0)
			return true;
	return false;
}

/* The room of each area starts where its code ends; a reset empties
 * both. */
START_TEST(test_areas_fill_apart_and_reset_together)
{
	struct x86_jit_buf b;
	struct x86_jit_area area;
	char why[128];

	ck_assert_int_eq(x86_jit_buf_init(&b, 65536, why, sizeof why), 0);
	x86_jit_buf_split(&b, 16384);
	ck_assert(x86_jit_buf_room(&b, &area));
	ck_assert_ptr_eq(area.hot, b.rw);
	ck_assert_ptr_eq(area.cold, b.rw + 16384);
	ck_assert_uint_eq(area.hot_end - area.hot, X86_JIT_MAX_BLOCK_CODE);
	ck_assert_uint_eq(area.cold_end - area.cold, X86_JIT_MAX_BLOCK_CODE);
	x86_jit_buf_take(&b, area.hot + 100, area.cold + 300);
	ck_assert_uint_eq(x86_jit_buf_in_use(&b), 400);
	/* less than a block's most left in the hot area: full */
	ck_assert(!x86_jit_buf_room(&b, &area));
	ck_assert_ptr_eq(area.hot, b.rw + 112); /* 16-byte aligned */
	ck_assert_ptr_eq(area.hot_end, b.rw + 16384);
	ck_assert_ptr_eq(area.cold, b.rw + 16384 + 300);
	ck_assert_ptr_eq(x86_jit_buf_rx(&b, area.cold), b.rx + 16384 + 300);
	x86_jit_buf_reset(&b);
	ck_assert_uint_eq(b.flushes, 1);
	ck_assert_uint_eq(x86_jit_buf_in_use(&b), 0);
	ck_assert(x86_jit_buf_room(&b, &area));
	ck_assert_ptr_eq(area.hot, b.rw);
	ck_assert_ptr_eq(area.cold, b.rw + 16384);
	/* less than a block's most left in the cold area: full too */
	x86_jit_buf_take(&b, area.hot, b.rw + 65536 - 100);
	ck_assert(!x86_jit_buf_room(&b, &area));
	ck_assert_ptr_eq(area.cold_end, b.rw + 65536);
	x86_jit_buf_free(&b);
}
END_TEST

/* A memory form's slow path (the handler called with the instruction:
 * both addresses imm64s) is in the cold area, where the code starts (the
 * C entry's prologue), none of it among the hot bytes; the code runs the
 * handler on a soft-TLB miss, then the inline path on a hit. */
START_TEST(test_slow_path_is_cold_and_runs_on_a_miss)
{
	static const uint8_t code[] = {0xc6, 0x06, 0x00, 0x05, 0x07}; /* mov byte [500h], 7 */
	struct x86_insn in;
	struct x86_block b = {.insns = &in, .n = 1, .count = 1, .ip_mask = 0xffff};
	struct x86_jit_links l;
	unsigned native, mem;
	x86_jit_code jit;

	x86f_load(code, sizeof code, 0x7c00);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_tlb_sync(cpu);
	x86_decode(cpu, &in);
	jit = x86f_translate(&b, &native, &mem, &l);
	ck_assert_uint_eq(mem, 1);
	ck_assert(l.code >= cpu->jit->buf.rw + cpu->jit->buf.cold);
	ck_assert(l.hot < cpu->jit->buf.rw + cpu->jit->buf.cold);
	ck_assert(l.hot_end > l.hot && l.cold_end > l.code);
	ck_assert(holds(l.code, l.cold_end, (uintptr_t)&in));
	ck_assert(holds(l.code, l.cold_end, (uintptr_t)in.fn));
	ck_assert(!holds(l.hot, l.hot_end, (uintptr_t)&in));
	ck_assert(!holds(l.hot, l.hot_end, (uintptr_t)in.fn));
	x86_tlb_flush(cpu); /* a miss first */
	for (unsigned k = 0; k < 2; k++) {
		m.mem.ram[0x500] = 0;
		x86_cpu_set_ip(cpu, 0, 0x7c00);
		cpu->block = NULL;
		ck_assert_uint_eq(jit(cpu), 1);
		ck_assert_uint_eq(mem8(0x500), 7);
		ck_assert_uint_eq(cpu->eip, 0x7c05);
	}
}
END_TEST

/* Whether p is in the hot (cold false) or the cold area's code. */
static bool in_area(const uint8_t *p, bool cold)
{
	const struct x86_jit_buf *buf = &cpu->jit->buf;
	const uint8_t *lo = cold ? buf->rx + buf->cold : buf->rx;

	return p >= lo && p < lo + (cold ? buf->cold_used : buf->used);
}

/* A chained loop of 32-bit code over a memory operand, in one block that
 * links to itself: the C entry and the self entry are cold, the chained
 * entry and the slots hot, and the loop counts right through them. */
START_TEST(test_a_chained_loop_runs_across_the_areas)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0xe8, 0x03, 0x00, 0x00,		    /* mov ecx, 1000 */
	    0x66, 0x31, 0xc0,				    /* xor eax, eax */
	    0x67, 0x66, 0x03, 0x05, 0x00, 0x05, 0x00, 0x00, /* a: add eax, [dword 500h] */
	    0x66, 0x49,					    /* dec ecx */
	    0x75, 0xf4,					    /* jnz a */
	    0xf4,					    /* hlt */
	};
	struct x86_block *b;

	cpu->jit->threshold = 1;
	put32(0x500, 3);
	x86f_load(code, sizeof code, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 3000);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 2 + 3 * 1000 + 1);
	b = block_of(0x7c09);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(b->code);
	ck_assert(in_area((const uint8_t *)(uintptr_t)b->code, true));
	ck_assert(in_area(b->chain_in, false));
	ck_assert(in_area(b->slots, false));
	ck_assert(in_area(b->chain_self, true));
	ck_assert(in_area(b->unlinked, true));
	ck_assert_uint_gt(cpu->jit->chained, 0);
}
END_TEST

static void setup(void)
{
	x86f_setup(1u << 20);
	ck_assert_ptr_nonnull(cpu->jit);
}

int main(void)
{
	const TTest *const tests[] = {
	    test_areas_fill_apart_and_reset_together,
	    test_slow_path_is_cold_and_runs_on_a_miss,
	    test_a_chained_loop_runs_across_the_areas,
	};

	return unit_run(unit_suite("x86_jit_areas", "areas", setup, x86f_teardown, tests,
				   UNIT_COUNT(tests), NULL, 0));
}
