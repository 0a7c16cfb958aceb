/* The software CPU's fused pairs (hv/x86/fuse.c): a CMP, TEST, INC or DEC
 * of registers and the Jcc after it, run by one handler at the end of a
 * decoded block. The pair must leave what the two instructions leave: the
 * branch taken or not, every arithmetic flag, the instruction count; a
 * Jcc that faults reports its own IP with the first instruction done; a
 * write to the pair's bytes is seen; the lockstep checker runs the pair
 * against the two general handlers. Real-mode code at 0000:7C00 with
 * SS:SP = 0000:7000, ending in HLT; bytes assembled with nasm (bits 16,
 * org 7C00h); keep each comment in step with its bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

static void setup(void)
{
	x86f_setup(8u << 20);
}

static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	x86f_load(code, len, 0x7c00);
	return x86f_run_real(0x7c00, 100000);
}

/* A counted loop: DEC CX + JNZ fuse, and every instruction is counted. */
static const uint8_t loop[] = {
    0xb9, 0x05, 0x00, /* mov cx, 5 */
    0x40,	      /* a: inc ax */
    0x49,	      /* dec cx */
    0x75, 0xfc,	      /* jnz a */
    0xf4,	      /* hlt */
};

START_TEST(test_dec_jnz_loop_is_fused_and_counted_exactly)
{
	struct x86_block *b;

	ck_assert_int_eq(run(loop, sizeof loop), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 5);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1 + 5 * 3 + 1);
	b = block_of(0x7c03);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->n, 2);
	ck_assert_uint_eq(b->count, 3);
	ck_assert_uint_eq(b->insns[1].fuse, 2);
}
END_TEST

/* FLAGS after a fused CMP + JB, taken (1 - 2) and not taken (1 - 0),
 * as PUSHF shows them: every arithmetic flag of the CMP. */
START_TEST(test_flags_of_the_fused_cmp_are_visible_after_the_branch)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00, /* mov ax, 1 */
	    0x83, 0xf8, 0x02, /* cmp ax, 2 */
	    0x72, 0x01,	      /* jb x */
	    0xf4,	      /* hlt */
	    0x9c,	      /* x: pushf */
	    0x5b,	      /* pop bx */
	    0x83, 0xf8, 0x00, /* cmp ax, 0 */
	    0x72, 0x02,	      /* jb y */
	    0x9c,	      /* pushf */
	    0x5a,	      /* pop dx */
	    0xf4,	      /* y: hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	/* 1 - 2 = FFFFh: CF, PF, AF, SF; not ZF or OF. */
	ck_assert_uint_eq(reg16(X86_EBX) & X86_ARITH, X86_CF | X86_PF | X86_AF | X86_SF);
	/* 1 - 0 = 1: none of them. */
	ck_assert_uint_eq(reg16(X86_EDX) & X86_ARITH, 0);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 10);
}
END_TEST

/* TEST r8 and CMP AL, imm fused with signed and unsigned conditions. */
START_TEST(test_byte_forms_take_the_branches_the_flags_say)
{
	static const uint8_t code[] = {
	    0xb0, 0x80, /* mov al, 0x80 */
	    0x84, 0xc0, /* test al, al */
	    0x78, 0x01, /* js a */
	    0xf4,	/* hlt */
	    0x43,	/* a: inc bx */
	    0x3c, 0x7f, /* cmp al, 0x7f */
	    0x7f, 0x01, /* jg b (0x80 is -128: not taken) */
	    0x43,	/* inc bx */
	    0x3c, 0x7f, /* b: cmp al, 0x7f */
	    0x77, 0x01, /* ja c (unsigned: taken) */
	    0xf4,	/* hlt */
	    0x43,	/* c: inc bx */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 3);
}
END_TEST

/* A fused Jcc whose 32-bit target is beyond the CS limit: #GP with the
 * Jcc's IP pushed, the CMP counted and its flags (ZF) in the FLAGS the
 * handler at 0500h sees. */
START_TEST(test_fused_jcc_beyond_the_cs_limit_faults_at_the_jcc)
{
	static const uint8_t code[] = {
	    0x39, 0xc0,				      /* cmp ax, ax */
	    0x66, 0x0f, 0x84, 0x00, 0x00, 0x01, 0x00, /* 7C02h: jz dword $+9+0x10000 */
	    0xf4,				      /* hlt */
	};
	static const uint8_t handler[] = {0xf4}; /* hlt */
	struct x86_block *b;

	x86f_load(handler, sizeof handler, 0x500);
	put32(13 * 4, 0x00000500);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c02);
	ck_assert(mem16(0x7000 - 2) & X86_ZF);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1 + 1); /* the CMP, the handler's HLT */
	b = block_of(0x7c00);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->n, 1);
	ck_assert_uint_eq(b->count, 2);
}
END_TEST

/* The code patches the immediate of its own fused CMP: the loop runs on
 * to the new bound (10), not the decoded one (5). */
START_TEST(test_write_to_a_fused_pair_is_seen)
{
	static const uint8_t code[] = {
	    0x31, 0xdb,			  /* xor bx, bx */
	    0x31, 0xd2,			  /* xor dx, dx */
	    0x43,			  /* top: inc bx */
	    0x83, 0xfb, 0x05,		  /* cmp bx, 5 */
	    0x72, 0xfa,			  /* jb top */
	    0xc6, 0x06, 0x07, 0x7c, 0x0a, /* mov byte [top + 3], 10 */
	    0x42,			  /* inc dx */
	    0x83, 0xfa, 0x01,		  /* cmp dx, 1 */
	    0x74, 0xef,			  /* je top */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 10);
	ck_assert_uint_eq(reg16(X86_EDX), 2);
}
END_TEST

/* The lockstep checker runs fused pairs against the general handlers. */
START_TEST(test_lockstep_passes_correct_fused_pairs)
{
	static const uint8_t code[] = {
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0x01, 0xc8,	      /* a: add ax, cx */
	    0x39, 0xc8,	      /* cmp ax, cx */
	    0x76, 0x01,	      /* jbe b */
	    0x43,	      /* inc bx */
	    0x85, 0xc9,	      /* b: test cx, cx */
	    0x74, 0x03,	      /* jz c */
	    0x49,	      /* dec cx */
	    0xeb, 0xf2,	      /* jmp a */
	    0xf4,	      /* c: hlt */
	};

	cpu->lockstep = true;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 15);
	ck_assert_uint_eq(reg16(X86_EBX), 5);
}
END_TEST

/* A fused pair whose decoded branch no longer matches its bytes stops
 * the lockstep run at the pair, which is not counted. */
START_TEST(test_lockstep_stops_at_a_wrong_fused_pair)
{
	struct x86_block *b;

	ck_assert_int_eq(run(loop, sizeof loop), VCPU_EXIT_HALT);
	b = block_of(0x7c03);
	ck_assert_ptr_nonnull(b);
	b->insns[1].imm2 = 0;
	cpu->lockstep = true;
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_ERROR);
	ck_assert_uint_eq(cpu->eip, 0x7c04);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_fuse");
	TCase *tc = tcase_create("fuse");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_dec_jnz_loop_is_fused_and_counted_exactly);
	tcase_add_test(tc, test_flags_of_the_fused_cmp_are_visible_after_the_branch);
	tcase_add_test(tc, test_byte_forms_take_the_branches_the_flags_say);
	tcase_add_test(tc, test_fused_jcc_beyond_the_cs_limit_faults_at_the_jcc);
	tcase_add_test(tc, test_write_to_a_fused_pair_is_seen);
	tcase_add_test(tc, test_lockstep_passes_correct_fused_pairs);
	tcase_add_test(tc, test_lockstep_stops_at_a_wrong_fused_pair);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
