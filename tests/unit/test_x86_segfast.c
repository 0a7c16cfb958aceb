/* The segments' fast check (x86_seg_sync, used by the inline memory path
 * of every decode-time handler): it must never let through an access the
 * full check would stop. Accesses right at a limit, a read-only and an
 * expand-down segment, a null selector, a reload that narrows DS between
 * two accesses of the same decoded code, a 16-bit stack that wraps, and
 * the real-mode 64 KiB limit, each checked against the fault the SDM
 * gives. Each faulting access hits the soft TLB (its page was touched
 * the same way through a flat segment first, and it does not straddle a
 * page), so only the segment's fast check stands between it and memory. Protected-mode tests run
 * flat 32-bit code at 8000h in ring 0 with an exception stub per vector (mov edi, vector; hlt at
 * 9000h + 16 * vector); the bytes were assembled with nasm (bits 32, org 8000h; the real-mode test
 * bits 16, org 7C00h); keep each comment in step with its bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

#define GDT   0x1000u
#define IDT   0x2000u
#define CODE  0x8000u
#define STUBS 0x9000u

/* Selectors of the GDT built by enter_pm. */
#define SEL_CODE    0x08 /* flat 32-bit code */
#define SEL_DATA    0x10 /* flat read/write */
#define SEL_SMALL   0x18 /* read/write, limit 17FFh (not at a page end) */
#define SEL_RDONLY  0x20 /* flat read-only */
#define SEL_EXPDOWN 0x28 /* expand-down, B = 1: valid above 0FFFh */
#define SEL_STACK16 0x30 /* read/write at 100h, limit 0FFFFh, B = 0 */
#define NO_FAULT    0xffffffffu

static void setup(void)
{
	x86f_setup(1u << 20);
}

static void put_desc(unsigned sel, uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
	put32(GDT + sel, (limit & 0xffff) | (base & 0xffff) << 16);
	put32(GDT + sel + 4, ((base >> 16) & 0xff) | access << 8 | (limit & 0xf0000) | flags << 20 |
				 (base & 0xff000000));
}

/* Runs code at 8000h in ring 0 with flat segments until HLT; returns
 * the vector of the exception taken, or NO_FAULT. */
static uint32_t run_pm(const uint8_t *code, size_t len)
{
	put_desc(SEL_CODE, 0, 0xfffff, 0x9b, 0xc);
	put_desc(SEL_DATA, 0, 0xfffff, 0x93, 0xc);
	put_desc(SEL_SMALL, 0, 0x17ff, 0x93, 0x4);
	put_desc(SEL_RDONLY, 0, 0xfffff, 0x91, 0xc);
	put_desc(SEL_EXPDOWN, 0, 0xfff, 0x97, 0x4);
	put_desc(SEL_STACK16, 0x100, 0xffff, 0x93, 0);
	for (unsigned v = 0; v < 32; v++) {
		static const uint8_t stub[] = {0xbf, 0, 0, 0, 0, 0xf4}; /* mov edi, v; hlt */
		uint32_t at = STUBS + 16 * v;

		x86f_load(stub, sizeof stub, at);
		m.mem.ram[at + 1] = (uint8_t)v;
		put32(IDT + 8 * v, (at & 0xffff) | SEL_CODE << 16);
		put32(IDT + 8 * v + 4, (at & 0xffff0000) | 0x8e00);
	}
	x86f_load(code, len, CODE);
	cpu->cr[0] |= X86_CR0_PE;
	cpu->gdtr = (struct x86_dtr){GDT, 0x37};
	cpu->idtr = (struct x86_dtr){IDT, 32 * 8 - 1};
	x86_seg_from_desc(&cpu->seg[X86_CS], SEL_CODE,
			  mem32(GDT + SEL_CODE) | (uint64_t)mem32(GDT + SEL_CODE + 4) << 32);
	for (int s = X86_ES; s < X86_NSEG; s++)
		if (s != X86_CS)
			x86_seg_from_desc(&cpu->seg[s], SEL_DATA,
					  mem32(GDT + SEL_DATA) |
					      (uint64_t)mem32(GDT + SEL_DATA + 4) << 32);
	x86_set_cpl(cpu, 0);
	cpu->eip = CODE;
	cpu->regs[X86_ESP] = 0x7000;
	cpu->regs[X86_EDI] = NO_FAULT;
	cpu->eflags = 0x2;
	cpu->lockstep = true; /* also checks every segment's fast check */
	x86_tlb_flush(cpu);
	ck_assert_int_eq(x86_cpu_run(cpu, 10000), VCPU_EXIT_HALT);
	return reg(X86_EDI);
}

/* DS narrowed by a reload between two reads of the same address: the
 * second faults, whatever the first left cached. */
START_TEST(test_reload_narrowing_ds_makes_the_next_read_fault)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x18, 0x00,		/* mov ax, SEL_SMALL */
	    0x8b, 0x1d, 0x00, 0x50, 0x00, 0x00, /* mov ebx, [0x5000] */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0x8b, 0x0d, 0x00, 0x50, 0x00, 0x00, /* mov ecx, [0x5000] */
	    0xf4,				/* hlt */
	};

	put32(0x5000, 0x11223344);
	cpu->regs[X86_ECX] = 0x99;
	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_GP);
	ck_assert_uint_eq(reg(X86_EBX), 0x11223344);
	ck_assert_uint_eq(reg(X86_ECX), 0x99);
}
END_TEST

/* Limit 17FFh: a dword at 17FCh and a word at 17FEh are in; a dword at
 * 17FDh is not. */
START_TEST(test_accesses_at_the_limit_pass_and_one_byte_past_faults)
{
	static const uint8_t code[] = {
	    0x01, 0x35, 0x00, 0x10, 0x00, 0x00,	      /* add [0x1000], esi */
	    0x66, 0xb8, 0x18, 0x00,		      /* mov ax, SEL_SMALL */
	    0x8e, 0xd8,				      /* mov ds, ax */
	    0x8b, 0x1d, 0xfc, 0x17, 0x00, 0x00,	      /* mov ebx, [0x17fc] */
	    0x66, 0x8b, 0x15, 0xfe, 0x17, 0x00, 0x00, /* mov dx, [0x17fe] */
	    0x01, 0x1d, 0xfc, 0x17, 0x00, 0x00,	      /* add [0x17fc], ebx */
	    0x8b, 0x0d, 0xfd, 0x17, 0x00, 0x00,	      /* mov ecx, [0x17fd] */
	    0xf4,				      /* hlt */
	};

	put32(0x17fc, 0x01020304);
	put32(0x1800, 0x05060708);
	cpu->regs[X86_ECX] = 0x99;
	cpu->regs[X86_ESI] = 0;
	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_GP);
	ck_assert_uint_eq(reg(X86_EBX), 0x01020304);
	ck_assert_uint_eq(reg(X86_EDX) & 0xffff, 0x0102);
	ck_assert_uint_eq(mem32(0x17fc), 0x02040608);
	ck_assert_uint_eq(reg(X86_ECX), 0x99);
}
END_TEST

/* A read-only segment reads, and a write or a read-modify-write faults. */
START_TEST(test_read_only_segment_reads_and_faults_on_write)
{
	static const uint8_t code[] = {
	    0x01, 0x35, 0x00, 0x50, 0x00, 0x00, /* add [0x5000], esi */
	    0x66, 0xb8, 0x20, 0x00,		/* mov ax, SEL_RDONLY */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0x8b, 0x1d, 0x00, 0x50, 0x00, 0x00, /* mov ebx, [0x5000] */
	    0x01, 0x1d, 0x00, 0x50, 0x00, 0x00, /* add [0x5000], ebx */
	    0xf4,				/* hlt */
	};

	put32(0x5000, 7);
	cpu->regs[X86_ESI] = 0;
	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_GP);
	ck_assert_uint_eq(reg(X86_EBX), 7);
	ck_assert_uint_eq(mem32(0x5000), 7);
}
END_TEST

/* Expand-down with limit 0FFFh: 5000h is in, 0800h is below the floor. */
START_TEST(test_expand_down_segment_faults_below_its_floor)
{
	static const uint8_t code[] = {
	    0x8b, 0x35, 0x00, 0x08, 0x00, 0x00, /* mov esi, [0x800] */
	    0x66, 0xb8, 0x28, 0x00,		/* mov ax, SEL_EXPDOWN */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0x8b, 0x1d, 0x00, 0x50, 0x00, 0x00, /* mov ebx, [0x5000] */
	    0x8b, 0x0d, 0x00, 0x08, 0x00, 0x00, /* mov ecx, [0x800] */
	    0xf4,				/* hlt */
	};

	put32(0x5000, 5);
	cpu->regs[X86_ECX] = 0x99;
	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_GP);
	ck_assert_uint_eq(reg(X86_EBX), 5);
	ck_assert_uint_eq(reg(X86_ECX), 0x99);
}
END_TEST

/* A null DS faults on the first access. */
START_TEST(test_null_ds_faults)
{
	static const uint8_t code[] = {
	    0x8b, 0x35, 0x00, 0x50, 0x00, 0x00, /* mov esi, [0x5000] */
	    0x31, 0xc0,				/* xor eax, eax */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0x8b, 0x1d, 0x00, 0x50, 0x00, 0x00, /* mov ebx, [0x5000] */
	    0xf4,				/* hlt */
	};

	cpu->regs[X86_EBX] = 0x99;
	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_GP);
	ck_assert_uint_eq(reg(X86_EBX), 0x99);
}
END_TEST

/* SS.B = 0 (base 100h): a push at SP 0 wraps to FFFCh and keeps ESP's top half, the
 * pop wraps back; a dword store through SS at FFFEh crosses the limit:
 * #SS, whose frame wraps below SP 0 as well. */
START_TEST(test_16_bit_stack_wraps_and_keeps_the_top_of_esp)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x30, 0x00,	  /* mov ax, SEL_STACK16 */
	    0x8e, 0xd0,			  /* mov ss, ax */
	    0xbc, 0x00, 0x00, 0x34, 0x12, /* mov esp, 0x12340000 */
	    0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
	    0x50,			  /* push eax */
	    0x5b,			  /* pop ebx */
	    0xbd, 0xfe, 0xff, 0x00, 0x00, /* mov ebp, 0xfffe */
	    0x89, 0x45, 0x00,		  /* mov [ebp], eax */
	    0xf4,			  /* hlt */
	};

	ck_assert_uint_eq(run_pm(code, sizeof code), X86_VEC_SS);
	ck_assert_uint_eq(reg(X86_EBX), 0x12345678);
	/* The #SS frame went below SP 0 too: EFLAGS, CS, EIP, error 0. */
	ck_assert_uint_eq(reg(X86_ESP), 0x1234fff0);
	ck_assert_uint_eq(mem32(0x100f0), 0);
	ck_assert_uint_eq(mem32(0x100f4), CODE + 23);
	ck_assert_uint_eq(mem16(0x100f8), SEL_CODE);
	ck_assert_uint_eq(mem16(0x100fe), 0);
}
END_TEST

/* Real mode, DS = 10h (the access stays in one page), limit FFFFh: a
 * word at FFFEh is in, one at FFFFh is #GP
 * (vector 13 through the IVT, here a HLT at 9000h). */
START_TEST(test_real_mode_word_at_ffff_faults)
{
	static const uint8_t code[] = {
	    0xb8, 0x10, 0x00, /* mov ax, 0x10 */
	    0x8e, 0xd8,	      /* mov ds, ax */
	    0xbb, 0xfe, 0xff, /* mov bx, 0xfffe */
	    0x8b, 0x07,	      /* mov ax, [bx] */
	    0x8b, 0x57, 0x01, /* mov dx, [bx+1] */
	    0xf4,	      /* hlt */
	};
	static const uint8_t handler[] = {0xf4}; /* hlt */

	put16(0x100fe, 0xbeef);
	put16(13 * 4, 0x9000);
	put16(13 * 4 + 2, 0);
	x86f_load(handler, sizeof handler, 0x9000);
	x86f_load(code, sizeof code, 0x7c00);
	cpu->regs[X86_EDX] = 0x99;
	ck_assert_int_eq(x86f_run_real(0x7c00, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->eip, 0x9001);
	ck_assert_uint_eq(reg16(X86_EAX), 0xbeef);
	ck_assert_uint_eq(reg(X86_EDX), 0x99);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c0a); /* the faulting MOV */
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_segfast");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_reload_narrowing_ds_makes_the_next_read_fault);
	tcase_add_test(tc, test_accesses_at_the_limit_pass_and_one_byte_past_faults);
	tcase_add_test(tc, test_read_only_segment_reads_and_faults_on_write);
	tcase_add_test(tc, test_expand_down_segment_faults_below_its_floor);
	tcase_add_test(tc, test_null_ds_faults);
	tcase_add_test(tc, test_16_bit_stack_wraps_and_keeps_the_top_of_esp);
	tcase_add_test(tc, test_real_mode_word_at_ffff_faults);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
