/* The x87 decode-time handlers' host session (struct fpu_session in
 * hv/x86/fpu.h): the guest's control word stays loaded on the host x87 and
 * the host's exception flags accumulate between operations. Each test runs
 * a chain of fast-path operations (fpu_fast.c) with a general instruction
 * in the middle that changes what the session relies on (FNCLEX, FLDCW,
 * FNSAVE/FRSTOR, FXSAVE, a fault, an unmasking FLDCW) and checks the status
 * words the guest stores, the results, and that the host's own control
 * word and clear flags are back after the run. The assembly is in the
 * comments (nasm, bits 16, org 7C00h). */
#include <check.h>
#include <string.h>

#include "hv/core/bus.h"
#include "hv/x86/fpu.h"

#include "unit.h"
#include "x86_fixture.h"

/* Status words: TOP 7 (one value on the stack), PE, C1 (rounded up). */
#define TOP7 0x3800u
#define TOP6 0x3000u

static uint16_t host_cw_before;

static uint16_t host_cw(void)
{
	uint16_t cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static uint16_t host_sw(void)
{
	uint16_t sw;

	__asm__ volatile("fnstsw %0" : "=m"(sw));
	return sw;
}

static void put_f32(uint32_t a, float v)
{
	memcpy(m.mem.ram + a, &v, 4);
}

static void setup(void)
{
	x86f_setup(1 << 20);
	put_f32(0x600, 1.0f);
	put_f32(0x604, 3.0f);
	put_f32(0x608, 2.0f);
	put16(0x60c, 0x077f); /* RC down */
	put16(0x60e, 0x0b7f); /* RC up */
	put16(0x612, 0x035f); /* PE unmasked */
	host_cw_before = host_cw();
}

static void setup_lockstep(void)
{
	setup();
	cpu->lockstep = true;
}

/* Runs code at 0000:7C00 until HLT; the host's x87 is its own again. */
static void run(const uint8_t *code, size_t len)
{
	x86f_load(code, len, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(host_cw(), host_cw_before);
	ck_assert_uint_eq(host_sw() & FPU_EXC, 0);
}

static unsigned top(void)
{
	return (cpu->fpu.sw >> 11) & 7;
}

/* 1/3 in extended precision: rounded to nearest (up) and down. */
#define THIRD_UP   UINT64_C(0xaaaaaaaaaaaaaaab)
#define THIRD_DOWN UINT64_C(0xaaaaaaaaaaaaaaaa)

/* 1/3 sets PE and C1; after FNCLEX an exact chain shows no flag at all:
 * the host's flags from before the FNCLEX do not come back. */
START_TEST(test_fnclex_in_a_chain_drops_the_earlier_flags)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd9, 0x1e, 0x10, 0x06, /* fstp dword [0x610] */
	    0xdb, 0xe2,		    /* fnclex */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x0e, 0x08, 0x06, /* fmul dword [0x608] */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0xc1,		    /* fadd st0, st1 */
	    0xdd, 0x3e, 0x04, 0x07, /* fnstsw [0x704] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xd9, 0x1e, 0x14, 0x06, /* fstp dword [0x614] */
	    0xf4,		    /* hlt */
	};
	run(code, sizeof code);
	ck_assert_uint_eq(mem16(0x700), TOP7 | FPU_C1 | FPU_PE);
	ck_assert_uint_eq(mem32(0x610), 0x3eaaaaab);
	ck_assert_uint_eq(mem16(0x702), TOP7);
	ck_assert_uint_eq(mem16(0x704), TOP6);
	ck_assert_uint_eq(mem32(0x614), 0x3f800000); /* sqrt(3 / 3) */
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_EXC | FPU_C1), 0);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* FLDCW between divisions: 1/3 to nearest, then down (C1 clear), then up
 * (its single rounding up too, C1 set). */
START_TEST(test_fldcw_in_a_chain_changes_the_rounding_of_the_next_operation)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xdb, 0x3e, 0x20, 0x06, /* fstp tword [0x620] */
	    0xd9, 0x2e, 0x0c, 0x06, /* fldcw [0x60c] */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xdb, 0x3e, 0x30, 0x06, /* fstp tword [0x630] */
	    0xd9, 0x2e, 0x0e, 0x06, /* fldcw [0x60e] */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xd9, 0x16, 0x40, 0x06, /* fst dword [0x640] */
	    0xdd, 0x3e, 0x04, 0x07, /* fnstsw [0x704] */
	    0xf4,		    /* hlt */
	};
	run(code, sizeof code);
	ck_assert_uint_eq(mem64(0x620), THIRD_UP);
	ck_assert_uint_eq(mem16(0x628), 0x3ffd);
	ck_assert_uint_eq(mem64(0x630), THIRD_DOWN);
	ck_assert_uint_eq(mem16(0x702), TOP7 | FPU_PE);
	ck_assert_uint_eq(mem32(0x640), 0x3eaaaaab);
	ck_assert_uint_eq(mem16(0x704), TOP7 | FPU_C1 | FPU_PE);
}
END_TEST

/* FNSAVE in a chain clears the flags the chain set; FRSTOR brings them
 * back exactly, FXSAVE stores them, and an exact operation after keeps PE
 * and clears C1. */
START_TEST(test_fnsave_frstor_and_fxsave_in_a_chain_see_the_exact_status)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,			  /* fninit */
	    0xd9, 0x06, 0x00, 0x06,	  /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06,	  /* fdiv dword [0x604] */
	    0xdd, 0x36, 0x00, 0x08,	  /* fnsave [0x800] */
	    0xd9, 0x06, 0x00, 0x06,	  /* fld dword [0x600] */
	    0xd8, 0x0e, 0x08, 0x06,	  /* fmul dword [0x608] */
	    0xdd, 0x3e, 0x00, 0x07,	  /* fnstsw [0x700] */
	    0xdd, 0x26, 0x00, 0x08,	  /* frstor [0x800] */
	    0xdd, 0x3e, 0x02, 0x07,	  /* fnstsw [0x702] */
	    0x0f, 0xae, 0x06, 0x00, 0x09, /* fxsave [0x900] */
	    0xd8, 0x0e, 0x08, 0x06,	  /* fmul dword [0x608] */
	    0xdd, 0x3e, 0x04, 0x07,	  /* fnstsw [0x704] */
	    0xf4,			  /* hlt */
	};
	run(code, sizeof code);
	ck_assert_uint_eq(mem16(0x802), TOP7 | FPU_C1 | FPU_PE); /* FNSAVE's status word */
	ck_assert_uint_eq(mem16(0x700), TOP7);
	ck_assert_uint_eq(mem16(0x702), TOP7 | FPU_C1 | FPU_PE);
	ck_assert_uint_eq(mem16(0x902), TOP7 | FPU_C1 | FPU_PE); /* FXSAVE's FSW */
	ck_assert_uint_eq(mem16(0x704), TOP7 | FPU_PE);
	ck_assert_uint_eq(cpu->fpu.st[7].mant, THIRD_UP);
	ck_assert_uint_eq(cpu->fpu.st[7].se, 0x3ffe); /* 2/3 */
}
END_TEST

/* FST m32 across the end of the 64 KiB segment faults (#GP, vector 13 in
 * real mode) after a chain: the status word and the stack are the
 * chain's, memory is untouched. */
START_TEST(test_a_fault_in_a_chain_leaves_the_chains_status)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x1e, 0x7c, /* mov word [13*4], handler */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x06, 0x00, 0x06,		/* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06,		/* fdiv dword [0x604] */
	    0xd9, 0x16, 0xfe, 0xff,		/* fst dword [0xfffe] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xdd, 0x3e, 0x00, 0x07,		/* handler: fnstsw [0x700] */
	    0xbb, 0x0d, 0x00,			/* mov bx, 13 */
	    0xf4,				/* hlt */
	};
	run(code, sizeof code);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
	ck_assert_uint_eq(mem16(0x700), TOP7 | FPU_C1 | FPU_PE);
	ck_assert_uint_eq(mem16(0xfffe), 0);
	ck_assert_uint_eq(top(), 7);
	ck_assert_uint_eq(cpu->fpu.st[7].mant, THIRD_UP);
}
END_TEST

/* FLDCW unmasking PE after a chain that set it makes it pending: the next
 * arithmetic raises #MF (CR0.NE) with its own address to return to, and
 * does not run. */
START_TEST(test_unmasking_a_flag_the_chain_set_raises_mf_at_the_next_operation)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x2a, 0x7c, /* mov word [16*4], handler */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x20,				/* or al, 0x20 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x06, 0x00, 0x06,		/* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06,		/* fdiv dword [0x604] */
	    0xd9, 0x2e, 0x12, 0x06,		/* fldcw [0x612] */
	    0xd8, 0x0e, 0x08, 0x06,		/* here: fmul dword [0x608] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xdd, 0x3e, 0x00, 0x07,		/* handler: fnstsw [0x700] */
	    0xbb, 0x10, 0x00,			/* mov bx, 16 */
	    0xb8, 0x22, 0x7c,			/* mov ax, here */
	    0xf4,				/* hlt */
	};
	run(code, sizeof code);
	ck_assert_uint_eq(reg16(X86_EBX), 16);
	ck_assert_uint_eq(mem16(0x700), TOP7 | FPU_B | FPU_ES | FPU_C1 | FPU_PE);
	ck_assert_uint_eq(cpu->fpu.st[7].mant, THIRD_UP);
	ck_assert_uint_eq(mem16(0x7000 - 6), reg16(X86_EAX)); /* the return IP */
}
END_TEST

/* What a device sees of the host x87 when the guest writes its port. */
static uint16_t device_cw, device_sw;
static unsigned device_writes;

static uint64_t port_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

static void port_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
	device_cw = host_cw();
	device_sw = host_sw();
	device_writes++;
}

static const struct io_ops port_ops = {port_read, port_write};

/* An OUT amid fast operations under RC down: the device runs with the
 * host's own control word and no flags of the guest's; the operation
 * after it rounds down again. */
START_TEST(test_a_device_access_amid_a_chain_sees_the_hosts_control_word)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x0c, 0x06, /* fldcw [0x60c] */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd8, 0x36, 0x04, 0x06, /* fdiv dword [0x604] */
	    0xe6, 0x80,		    /* out 0x80, al */
	    0xd8, 0x0e, 0x08, 0x06, /* fmul dword [0x608] */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xf4,		    /* hlt */
	};

	device_writes = 0;
	ck_assert_int_eq(bus_register(&m.pio, 0x80, 1, &port_ops, NULL, "probe"), 0);
	run(code, sizeof code);
	ck_assert_uint_eq(device_writes, 1);
	ck_assert_uint_eq(device_cw, host_cw_before);
	ck_assert_uint_eq(device_sw & FPU_EXC, 0);
	ck_assert_uint_eq(cpu->fpu.st[7].mant, THIRD_DOWN); /* 2/3, rounded down */
	ck_assert_uint_eq(cpu->fpu.st[7].se, 0x3ffe);
	ck_assert_uint_eq(mem16(0x700), TOP7 | FPU_PE);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_fnclex_in_a_chain_drops_the_earlier_flags);
	tcase_add_test(tc, test_fldcw_in_a_chain_changes_the_rounding_of_the_next_operation);
	tcase_add_test(tc, test_fnsave_frstor_and_fxsave_in_a_chain_see_the_exact_status);
	tcase_add_test(tc, test_a_fault_in_a_chain_leaves_the_chains_status);
	tcase_add_test(tc, test_unmasking_a_flag_the_chain_set_raises_mf_at_the_next_operation);
	tcase_add_test(tc, test_a_device_access_amid_a_chain_sees_the_hosts_control_word);
}

static Suite *x86_fpu_session_suite(void)
{
	Suite *s = suite_create("x86_fpu_session");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	tc = tcase_create("lockstep");
	tcase_add_checked_fixture(tc, setup_lockstep, x86f_teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_fpu_session_suite());
}
