/* The x87 FPU of the software CPU: loads and stores in every format,
 * arithmetic with precision and rounding control, comparisons, the
 * transcendental instructions, tags, stack faults, exceptions (#MF with
 * CR0.NE, FERR# without it, #NM), and the FSTENV/FSAVE/FXSAVE images.
 * Each test runs a few instructions at 0000:7C00 in real mode (the
 * assembly is in the comments; nasm, bits 16, org 7C00h) ending in HLT,
 * with operands placed in memory by the test, then checks the 80-bit
 * registers, the status word and memory. Expected values are either
 * exact (small integers, halves, powers of two), the manuals' rounded
 * constants, or the host's long double for transcendental results. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hv/x86/fpu.h"

#include "unit.h"
#include "x86_fixture.h"

/* A stand-in for the PC's IRQ13 latch on the CPU's FERR# output. */
static int ferr_level;
static unsigned ferr_rises;

static void ferr_set(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	if (level && !ferr_level)
		ferr_rises++;
	ferr_level = level;
}

static void setup(void)
{
	x86f_setup(1 << 20);
	ferr_level = 0;
	ferr_rises = 0;
}

static void setup_lockstep(void)
{
	setup();
	cpu->lockstep = true;
}

/* Loads code at 0000:7C00 and runs it until it stops (HLT, normally). */
static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	x86f_load(code, len, 0x7c00);
	return x86f_run_real(0x7c00, 1000000);
}

static void put_f32(uint32_t a, float v)
{
	memcpy(m.mem.ram + a, &v, 4);
}

static void put_f64(uint32_t a, double v)
{
	memcpy(m.mem.ram + a, &v, 8);
}

/* The host's long double is the same 80-bit format (x86 only). */
static void put_ld(uint32_t a, long double v)
{
	memcpy(m.mem.ram + a, &v, 10);
}

static float get_f32(uint32_t a)
{
	float v;

	memcpy(&v, m.mem.ram + a, 4);
	return v;
}

static double get_f64(uint32_t a)
{
	double v;

	memcpy(&v, m.mem.ram + a, 8);
	return v;
}

static long double get_ld(uint32_t a)
{
	long double v = 0;

	memcpy(&v, m.mem.ram + a, 10);
	return v;
}

static unsigned top(void)
{
	return (cpu->fpu.sw >> 11) & 7;
}

/* ST(i) as stored, and as a host long double. */
static struct x86_f80 st(unsigned i)
{
	return cpu->fpu.st[(top() + i) & 7];
}

static long double st_ld(unsigned i)
{
	struct x86_f80 v = st(i);
	long double d = 0;

	memcpy(&d, &v.mant, 8);
	memcpy((uint8_t *)&d + 8, &v.se, 2);
	return d;
}

/* The power-on state: control word 037Fh, status 0, every register empty. */
START_TEST(test_power_on_state_is_the_fninit_state)
{
	static const uint8_t code[] = {
	    0xf4, /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	cpu->fpu.cw = 0;
	cpu->fpu.sw = 0xffff;
	cpu->fpu.valid = 0xff;
	x86_cpu_reset(cpu);
	ck_assert_uint_eq(cpu->fpu.cw, 0x037f);
	ck_assert_uint_eq(cpu->fpu.sw, 0);
	ck_assert_uint_eq(fpu_tag_word(cpu), 0xffff);
}
END_TEST

/* FNINIT; FNSTCW, FNSTSW and the 16-bit environment's tag word. */
START_TEST(test_fninit_then_fnstcw_fnstsw_and_fnstenv_store_the_init_words)
{
	static const uint8_t code[] = {
	    0xd9, 0xe8,		    /* fld1 */
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x3e, 0x00, 0x05, /* fnstcw [0x500] */
	    0xdd, 0x3e, 0x02, 0x05, /* fnstsw [0x502] */
	    0xd9, 0x36, 0x10, 0x05, /* fnstenv [0x510] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x500), 0x037f);
	ck_assert_uint_eq(mem16(0x502), 0);
	ck_assert_uint_eq(mem16(0x510), 0x037f);
	ck_assert_uint_eq(mem16(0x514), 0xffff);
}
END_TEST

/* 1 + 1 = 2; FADDP pops, leaving TOP at 7 and one valid tag. */
START_TEST(test_fld1_fld1_faddp_gives_two_and_one_valid_register)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xde, 0xc1, /* faddp st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 7);
	ck_assert(st_ld(0) == 2.0L);
	ck_assert_uint_eq(fpu_tag_word(cpu), 0x3fff);
}
END_TEST

/* 1.5 as single, stored as double and single; FSTP empties the stack. */
START_TEST(test_fld_m32_then_fst_m64_and_fstp_m32_convert_exactly)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xdd, 0x16, 0x10, 0x06, /* fst qword [0x610] */
	    0xd9, 0x1e, 0x20, 0x06, /* fstp dword [0x620] */
	    0xf4,		    /* hlt */
	};

	put_f32(0x600, 1.5f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_f64(0x610) == 1.5);
	ck_assert(get_f32(0x620) == 1.5f);
	ck_assert_uint_eq(cpu->fpu.valid, 0);
}
END_TEST

/* 1 + 2^-30 to single: nearest gives 1, round-up the next single; PE set. */
START_TEST(test_fst_m32_rounds_by_the_rounding_control)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdd, 0x06, 0x00, 0x06, /* fld qword [0x600] */
	    0xd9, 0x16, 0x10, 0x06, /* fst dword [0x610] */
	    0xd9, 0x2e, 0x08, 0x06, /* fldcw [0x608] */
	    0xd9, 0x1e, 0x14, 0x06, /* fstp dword [0x614] */
	    0xf4,		    /* hlt */
	};

	put_f64(0x600, 1.0 + 0x1p-30);
	put16(0x608, 0x0b7f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_f32(0x610) == 1.0f);
	ck_assert(get_f32(0x614) == nextafterf(1.0f, 2.0f));
	ck_assert_uint_ne(cpu->fpu.sw & FPU_PE, 0);
}
END_TEST

/* FILD of -5 (m16), 100000 (m32) and 2^62 + 1 (m64, exact in 64 bits). */
START_TEST(test_fild_loads_16_32_and_64_bit_integers_exactly)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdb, 0x06, 0x02, 0x06, /* fild dword [0x602] */
	    0xdf, 0x2e, 0x10, 0x06, /* fild qword [0x610] */
	    0xf4,		    /* hlt */
	};

	put16(0x600, (uint16_t)-5);
	put32(0x602, 100000);
	put64(0x610, (UINT64_C(1) << 62) + 1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 0x1p62L + 1);
	ck_assert(st_ld(1) == 100000.0L);
	ck_assert(st_ld(2) == -5.0L);
}
END_TEST

/* 2.5 and -2.5 stored as m16 with RC nearest, down, up and chop. */
START_TEST(test_fist_rounds_halves_by_each_rounding_mode)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdf, 0x16, 0x00, 0x07, /* fist word [0x700] */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xdf, 0x16, 0x02, 0x07, /* fist word [0x702] */
	    0xd9, 0x2e, 0x12, 0x06, /* fldcw [0x612] */
	    0xdf, 0x16, 0x04, 0x07, /* fist word [0x704] */
	    0xd9, 0x2e, 0x14, 0x06, /* fldcw [0x614] */
	    0xdf, 0x16, 0x06, 0x07, /* fist word [0x706] */
	    0xd9, 0xe0,		    /* fchs */
	    0xd9, 0x2e, 0x16, 0x06, /* fldcw [0x616] */
	    0xdf, 0x16, 0x08, 0x07, /* fist word [0x708] */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xdf, 0x16, 0x0a, 0x07, /* fist word [0x70a] */
	    0xd9, 0x2e, 0x12, 0x06, /* fldcw [0x612] */
	    0xdf, 0x16, 0x0c, 0x07, /* fist word [0x70c] */
	    0xd9, 0x2e, 0x14, 0x06, /* fldcw [0x614] */
	    0xdf, 0x16, 0x0e, 0x07, /* fist word [0x70e] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 2.5L);
	put16(0x610, 0x077f);
	put16(0x612, 0x0b7f);
	put16(0x614, 0x0f7f);
	put16(0x616, 0x037f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const int16_t want[8] = {2, 2, 3, 2, -2, -3, -2, -2};

	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq((int16_t)mem16(0x700 + 2 * i), want[i]);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_PE, 0);
}
END_TEST

/* 40000 does not fit 16 bits: 8000h, IE, and (masked) the pop happens. */
START_TEST(test_fistp_m16_out_of_range_stores_integer_indefinite)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdf, 0x1e, 0x00, 0x07, /* fistp word [0x700] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 40000.0L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700), 0x8000);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_IE, 0);
	ck_assert_uint_eq(cpu->fpu.valid, 0);
}
END_TEST

/* 1e10 to m32 and a NaN to m64 give the integer indefinite. */
START_TEST(test_fistp_m32_and_m64_of_huge_and_nan_store_integer_indefinite)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdb, 0x1e, 0x00, 0x07, /* fistp dword [0x700] */
	    0xd9, 0xee,		    /* fldz */
	    0xdc, 0xf8,		    /* fdiv st0, st0 */
	    0xdf, 0x3e, 0x08, 0x07, /* fistp qword [0x708] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 1e10L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem32(0x700), 0x80000000u);
	ck_assert_uint_eq(mem64(0x708), UINT64_C(0x8000000000000000));
	ck_assert_uint_ne(cpu->fpu.sw & FPU_IE, 0);
}
END_TEST

/* -(2^62 + 3) round-trips through FILD m64 and FISTP m64. */
START_TEST(test_fistp_m64_stores_large_integers)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x2e, 0x00, 0x06, /* fild qword [0x600] */
	    0xdf, 0x3e, 0x00, 0x07, /* fistp qword [0x700] */
	    0xf4,		    /* hlt */
	};

	put64(0x600, (uint64_t) - ((INT64_C(1) << 62) + 3));
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem64(0x700), (uint64_t) - ((INT64_C(1) << 62) + 3));
	ck_assert_uint_eq(cpu->fpu.sw & FPU_EXC, 0);
}
END_TEST

/* FBLD -123456789012345678, then FBSTP of a copy gives the same ten bytes. */
START_TEST(test_fbld_and_fbstp_round_trip_18_packed_digits)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x26, 0x00, 0x06, /* fbld [0x600] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xdf, 0x36, 0x00, 0x07, /* fbstp [0x700] */
	    0xf4,		    /* hlt */
	};

	static const uint8_t bcd[10] = {0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80};

	memcpy(m.mem.ram + 0x600, bcd, sizeof bcd);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == -123456789012345678.0L);
	ck_assert_mem_eq(m.mem.ram + 0x700, m.mem.ram + 0x600, 10);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* 2.5 rounds to even (2); 1e18 has 19 digits: BCD indefinite and IE. */
START_TEST(test_fbstp_rounds_and_out_of_range_gives_bcd_indefinite)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdf, 0x36, 0x00, 0x07, /* fbstp [0x700] */
	    0xdb, 0x2e, 0x10, 0x06, /* fld tword [0x610] */
	    0xdf, 0x36, 0x10, 0x07, /* fbstp [0x710] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 2.5L);
	put_ld(0x610, 1e18L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const uint8_t two[10] = {2};
	static const uint8_t indefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};

	ck_assert_mem_eq(m.mem.ram + 0x700, two, 10);
	ck_assert_mem_eq(m.mem.ram + 0x710, indefinite, 10);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_IE, 0);
}
END_TEST

/* 10 op 4 with m32, m64, m16int and m32int operands, both directions. */
START_TEST(test_memory_arithmetic_in_every_format)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xd8, 0x06, 0x04, 0x06, /* fadd dword [0x604] */
	    0xdd, 0x1e, 0x00, 0x07, /* fstp qword [0x700] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xd8, 0x26, 0x04, 0x06, /* fsub dword [0x604] */
	    0xdd, 0x1e, 0x08, 0x07, /* fstp qword [0x708] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xd8, 0x2e, 0x04, 0x06, /* fsubr dword [0x604] */
	    0xdd, 0x1e, 0x10, 0x07, /* fstp qword [0x710] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xdc, 0x0e, 0x08, 0x06, /* fmul qword [0x608] */
	    0xdd, 0x1e, 0x18, 0x07, /* fstp qword [0x718] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xdc, 0x36, 0x08, 0x06, /* fdiv qword [0x608] */
	    0xdd, 0x1e, 0x20, 0x07, /* fstp qword [0x720] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xdc, 0x3e, 0x08, 0x06, /* fdivr qword [0x608] */
	    0xdd, 0x1e, 0x28, 0x07, /* fstp qword [0x728] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xde, 0x06, 0x10, 0x06, /* fiadd word [0x610] */
	    0xdd, 0x1e, 0x30, 0x07, /* fstp qword [0x730] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xda, 0x0e, 0x12, 0x06, /* fimul dword [0x612] */
	    0xdd, 0x1e, 0x38, 0x07, /* fstp qword [0x738] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xde, 0x2e, 0x10, 0x06, /* fisubr word [0x610] */
	    0xdd, 0x1e, 0x40, 0x07, /* fstp qword [0x740] */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xda, 0x36, 0x12, 0x06, /* fidiv dword [0x612] */
	    0xdd, 0x1e, 0x48, 0x07, /* fstp qword [0x748] */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 10);
	put_f32(0x604, 4.0f);
	put_f64(0x608, 4.0);
	put16(0x610, 4);
	put32(0x612, 4);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const double want[10] = {14, 6, -6, 40, 2.5, 0.4, 14, 40, -6, 2.5};

	for (unsigned i = 0; i < 10; i++)
		ck_assert(get_f64(0x700 + 8 * i) == want[i]);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* D8 forms write ST(0), DC forms write ST(i); FSUB vs FSUBR, FDIVR. */
START_TEST(test_register_forms_subtract_and_divide_in_the_right_direction)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd8, 0xe1,		    /* fsub st0, st1 */
	    0xdc, 0xe9,		    /* fsub st1, st0 */
	    0xdc, 0xf1,		    /* fdivr st1, st0 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 10);
	put16(0x602, 4);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == -6.0L);
	ck_assert(st_ld(1) == -0.375L);
}
END_TEST

/* 10 - 4 = 6; 4 - 6 = -2; -2 / 4 = -0.5; 4 / -0.5 = -8, each popping. */
START_TEST(test_popping_forms_fsubp_fsubrp_fdivp_fdivrp)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xde, 0xe9,		    /* fsubp st1 */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xde, 0xe1,		    /* fsubrp st1 */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xde, 0xf9,		    /* fdivp st1 */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xde, 0xf1,		    /* fdivrp st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 10);
	put16(0x602, 4);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == -8.0L);
	ck_assert_uint_eq(top(), 7);
	ck_assert_uint_eq(cpu->fpu.valid, 0x80);
}
END_TEST

/* 3 * 5 = 15 into ST(0); FADD ST(1), ST(0) = 5 + 15 = 20; FMULP. */
START_TEST(test_fmul_and_fadd_register_forms)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd8, 0xc9,		    /* fmul st0, st1 */
	    0xdc, 0xc1,		    /* fadd st1, st0 */
	    0xde, 0xc9,		    /* fmulp st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 5);
	put16(0x602, 3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 300.0L);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* 1 / 0 with ZE masked: +infinity, ZE set, no ES. */
START_TEST(test_divide_by_zero_masked_gives_infinity_and_ze)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xee, /* fldz */
	    0xde, 0xf9, /* fdivp st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).se, 0x7fff);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0x8000000000000000));
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_ZE | FPU_ES), FPU_ZE);
}
END_TEST

/* 0 / 0: the QNaN indefinite and IE. */
START_TEST(test_zero_over_zero_gives_the_indefinite_and_ie)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xee, /* fldz */
	    0xd9, 0xee, /* fldz */
	    0xde, 0xf9, /* fdivp st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).se, 0xffff);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc000000000000000));
	ck_assert_uint_ne(cpu->fpu.sw & FPU_IE, 0);
}
END_TEST

/* 1/3 with PC = single equals the single-precision 1/3. */
START_TEST(test_precision_control_single_rounds_to_24_bits)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x00, 0x06, /* fldcw [0x600] */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xde, 0xf9,		    /* fdivp st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 0x007f);
	put16(0x602, 3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == (long double)(1.0f / 3.0f));
	ck_assert(st_ld(0) != 1.0L / 3.0L);
}
END_TEST

/* 1 + 2^-64 is a tie: nearest-even gives 1, round-up gives 1 + 2^-63. */
START_TEST(test_rounding_control_applies_to_fadd)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xde, 0xc1,		    /* faddp st1 */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xde, 0xc1,		    /* faddp st1 */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0x1p-64L);
	put16(0x610, 0x0b7f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(1) == 1.0L);
	ck_assert(st_ld(0) == 1.0L + 0x1p-63L);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_PE, 0);
}
END_TEST

/* sqrt(2) rounded to nearest: B504F333F9DE6484h, exponent 3FFFh, inexact. */
START_TEST(test_fsqrt_of_two_is_bit_exact)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 2);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xb504f333f9de6484));
	ck_assert_uint_eq(st(0).se, 0x3fff);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_PE, 0);
}
END_TEST

/* sqrt(-1): the indefinite and IE. */
START_TEST(test_fsqrt_of_a_negative_number_is_invalid)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xf4,		    /* hlt */
	};

	put16(0x600, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).se, 0xffff);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc000000000000000));
	ck_assert_uint_ne(cpu->fpu.sw & FPU_IE, 0);
}
END_TEST

/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (rounded to nearest). */
START_TEST(test_constants_are_the_rounded_manual_values)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xee, /* fldz */
	    0xd9, 0xed, /* fldln2 */
	    0xd9, 0xec, /* fldlg2 */
	    0xd9, 0xeb, /* fldpi */
	    0xd9, 0xea, /* fldl2e */
	    0xd9, 0xe9, /* fldl2t */
	    0xd9, 0xe8, /* fld1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const struct x86_f80 want[7] = {
	    {UINT64_C(0x8000000000000000), 0x3fff},
	    {UINT64_C(0xd49a784bcd1b8afe), 0x4000},
	    {UINT64_C(0xb8aa3b295c17f0bc), 0x3fff},
	    {UINT64_C(0xc90fdaa22168c235), 0x4000},
	    {UINT64_C(0x9a209a84fbcff799), 0x3ffd},
	    {UINT64_C(0xb17217f7d1cf79ac), 0x3ffe},
	    {0, 0},
	};

	for (unsigned i = 0; i < 7; i++) {
		ck_assert_uint_eq(st(i).mant, want[i].mant);
		ck_assert_uint_eq(st(i).se, want[i].se);
	}
}
END_TEST

/* FLDPI with RC = down keeps the truncated significand ...C234h. */
START_TEST(test_fldpi_rounds_down_with_rc_down)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x00, 0x06, /* fldcw [0x600] */
	    0xd9, 0xeb,		    /* fldpi */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 0x077f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc90fdaa22168c234));
}
END_TEST

/* sin and cos of 0.5, alone and from FSINCOS (cos on top). */
START_TEST(test_fsin_fcos_and_fsincos_agree)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xfe,		    /* fsin */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xff,		    /* fcos */
	    0xdb, 0x3e, 0x10, 0x07, /* fstp tword [0x710] */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xfb,		    /* fsincos */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0.5L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(fabsl(get_ld(0x700) - 0.479425538604203000273L) < 1e-18L);
	ck_assert(fabsl(get_ld(0x710) - 0.877582561890372716116L) < 1e-18L);
	ck_assert(st_ld(0) == get_ld(0x710));
	ck_assert(st_ld(1) == get_ld(0x700));
	ck_assert_uint_eq(cpu->fpu.sw & FPU_C2, 0);
}
END_TEST

/* tan(0.5) in ST(1), 1.0 in ST(0). */
START_TEST(test_fptan_pushes_one_after_the_tangent)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xf2,		    /* fptan */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0.5L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 1.0L);
	ck_assert(fabsl(st_ld(1) - 0.546302489843790513255L) < 1e-18L);
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* |x| >= 2^63: C2 set, ST(0) unchanged, nothing pushed. */
START_TEST(test_fptan_out_of_range_sets_c2_and_leaves_the_stack)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xf2,		    /* fptan */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0x1p64L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 0x1p64L);
	ck_assert_uint_eq(top(), 7);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_C2, 0);
}
END_TEST

/* atan(1/1) = pi/4 exactly rounded; FPATAN pops. */
START_TEST(test_fpatan_of_one_over_one_is_pi_over_four)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xf3, /* fpatan */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc90fdaa22168c235));
	ck_assert_uint_eq(st(0).se, 0x3ffe);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* 3 * log2(8) = 9; 1 * log2(1 + 0.25). */
START_TEST(test_fyl2x_and_fyl2xp1)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd9, 0xf1,		    /* fyl2x */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdb, 0x2e, 0x10, 0x06, /* fld tword [0x610] */
	    0xd9, 0xf9,		    /* fyl2xp1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 3);
	put16(0x602, 8);
	put_ld(0x610, 0.25L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(1) == 9.0L);
	ck_assert(fabsl(st_ld(0) - 0.321928094887362347870L) < 1e-18L);
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* 2^0.5 - 1. */
START_TEST(test_f2xm1_of_one_half)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xf0,		    /* f2xm1 */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0.5L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(fabsl(st_ld(0) - 0.414213562373095048802L) < 1e-18L);
}
END_TEST

/* 1.5 * 2^3 = 12 (ST(1) kept); FXTRACT(12) = 1.5 and exponent 3. */
START_TEST(test_fscale_and_fxtract)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdb, 0x2e, 0x10, 0x06, /* fld tword [0x610] */
	    0xd9, 0xfd,		    /* fscale */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xdd, 0xd8,		    /* fstp st0 */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd9, 0xf4,		    /* fxtract */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 3);
	put16(0x602, 12);
	put_ld(0x610, 1.5L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700) == 12.0L);
	ck_assert(st_ld(0) == 1.5L);
	ck_assert(st_ld(1) == 3.0L);
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* 100 mod 7 = 2, quotient 14 = 1110b: C0 = Q2 = 1, C3 = Q1 = 1, C1 = Q0 = 0. */
START_TEST(test_fprem_gives_the_remainder_and_quotient_bits)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd9, 0xf8,		    /* fprem */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 7);
	put16(0x602, 100);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 2.0L);
	ck_assert(st_ld(1) == 7.0L);
	ck_assert_uint_eq(cpu->fpu.sw & FPU_CC, FPU_C0 | FPU_C3);
}
END_TEST

/* FPREM until C2 clears (FNSTSW AX; SAHF; JP): 1e30 mod 7. */
START_TEST(test_fprem_loop_reduces_a_huge_dividend)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdb, 0x2e, 0x10, 0x06, /* fld tword [0x610] */
	    0xd9, 0xf8,		    /* again: fprem */
	    0xdf, 0xe0,		    /* fnstsw ax */
	    0x9e,		    /* sahf */
	    0x7a, 0xf9,		    /* jp again */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 7);
	put_ld(0x610, 1e30L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == fmodl(1e30L, 7.0L));
	ck_assert(st_ld(0) >= 0 && st_ld(0) < 7);
}
END_TEST

/* IEEE remainder: 11 rem 4 = -1 (quotient 3 rounds to 3), 10 rem 4 = 2. */
START_TEST(test_fprem1_rounds_the_quotient_to_nearest)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd9, 0xf5,		    /* fprem1 */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xdf, 0x06, 0x04, 0x06, /* fild word [0x604] */
	    0xd9, 0xf5,		    /* fprem1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 4);
	put16(0x602, 11);
	put16(0x604, 10);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700) == -1.0L);
	ck_assert(st_ld(0) == 2.0L);
}
END_TEST

/* 2.5: nearest-even 2; with RC up 3. */
START_TEST(test_frndint_follows_the_rounding_control)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xfc,		    /* frndint */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xd9, 0xfc,		    /* frndint */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 2.5L);
	put16(0x610, 0x0b7f);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(1) == 2.0L);
	ck_assert(st_ld(0) == 3.0L);
}
END_TEST

/* 2 vs 1: all clear; equal: C3; 1 vs 2: C0. */
START_TEST(test_fcom_sets_c3_c2_c0_for_greater_equal_and_less)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd8, 0xd1,		    /* fcom st1 */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd8, 0xd0,		    /* fcom st0 */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xd9, 0xc9,		    /* fxch st1 */
	    0xd8, 0xd1,		    /* fcom st1 */
	    0xdd, 0x3e, 0x04, 0x07, /* fnstsw [0x704] */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 2);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0), 0);
	ck_assert_uint_eq(mem16(0x702) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C3);
	ck_assert_uint_eq(mem16(0x704) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C0);
}
END_TEST

/* A QNaN: FUCOM gives C3 C2 C0 and no IE; FCOM sets IE. */
START_TEST(test_fucom_of_a_qnan_is_unordered_without_ie_but_fcom_raises_ie)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xdc, 0xf8,		    /* fdiv st0, st0 */
	    0xdb, 0xe2,		    /* fnclex */
	    0xdd, 0xe1,		    /* fucom st1 */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd8, 0xd1,		    /* fcom st1 */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0 | FPU_IE),
			  FPU_C3 | FPU_C2 | FPU_C0);
	ck_assert_uint_eq(mem16(0x702) & (FPU_C3 | FPU_C2 | FPU_C0 | FPU_IE),
			  FPU_C3 | FPU_C2 | FPU_C0 | FPU_IE);
}
END_TEST

/* FCOMP leaves one of three; FCOMPP empties the rest; FUCOMPP too. */
START_TEST(test_fcomp_pops_once_and_fcompp_twice)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd8, 0xd9,		    /* fcomp st1 */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xde, 0xd9,		    /* fcompp */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xe8,		    /* fld1 */
	    0xda, 0xe9,		    /* fucompp */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq((mem16(0x700) >> 11) & 7, 6);
	ck_assert_uint_eq(cpu->fpu.valid, 0);
	ck_assert_uint_eq(top(), 0);
}
END_TEST

/* DE D1h compares like FCOMP ST(1) and pops once. */
START_TEST(test_the_fcomp5_alias_pops)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xde, 0xd1,		    /* db 0xde, 0xd1 */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C0);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* 1 < 1.5 (m32): C0; 1 = 1.0 (m64, FCOMP pops): C3. */
START_TEST(test_fcom_memory_forms_compare_with_m32_and_m64)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd8, 0x16, 0x00, 0x06, /* fcom dword [0x600] */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xdc, 0x1e, 0x08, 0x06, /* fcomp qword [0x608] */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xf4,		    /* hlt */
	};

	put_f32(0x600, 1.5f);
	put_f64(0x608, 1.0);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C0);
	ck_assert_uint_eq(mem16(0x702) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C3);
	ck_assert_uint_eq(cpu->fpu.valid, 0);
}
END_TEST

/* FCOMI 2 vs 1: NBE; FCOMIP 1 vs 1 pops: ZF; FUCOMI with a NaN: ZF PF CF. */
START_TEST(test_fcomi_and_fucomi_set_zf_pf_cf)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,			  /* fninit */
	    0xd9, 0xe8,			  /* fld1 */
	    0xdf, 0x06, 0x00, 0x06,	  /* fild word [0x600] */
	    0xdb, 0xf1,			  /* fcomi st0, st1 */
	    0x0f, 0x97, 0x06, 0x00, 0x07, /* seta [0x700] */
	    0xdd, 0xd8,			  /* fstp st0 */
	    0xd9, 0xe8,			  /* fld1 */
	    0xdf, 0xf1,			  /* fcomip st0, st1 */
	    0x0f, 0x94, 0x06, 0x01, 0x07, /* sete [0x701] */
	    0xd9, 0xee,			  /* fldz */
	    0xdc, 0xf8,			  /* fdiv st0, st0 */
	    0xdb, 0xe9,			  /* fucomi st0, st1 */
	    0x0f, 0x9a, 0x06, 0x02, 0x07, /* setp [0x702] */
	    0x0f, 0x92, 0x06, 0x03, 0x07, /* setc [0x703] */
	    0x0f, 0x94, 0x06, 0x04, 0x07, /* sete [0x704] */
	    0xf4,			  /* hlt */
	};

	put16(0x600, 2);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(mem8(0x700 + i), 1);
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* FCOMI writes OF, SF and AF as zero. */
START_TEST(test_fcomi_clears_of_sf_and_af)
{
	static const uint8_t code[] = {
	    0xb0, 0x7f, /* mov al, 0x7f */
	    0x04, 0x01, /* add al, 1 */
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xdb, 0xf1, /* fcomi st0, st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(x86_get_eflags(cpu) & (X86_OF | X86_SF | X86_AF | X86_ZF), X86_ZF);
}
END_TEST

/* FCOM sets C0 (0 < 1); FADD and FSQRT define only C1 and keep C0. */
START_TEST(test_arithmetic_leaves_c0_c2_c3_as_they_were)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xd8, 0xd1,		    /* fcom st1 */
	    0xd8, 0xc1,		    /* fadd st0, st1 */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C0);
	ck_assert(st_ld(0) == 1.0L);
}
END_TEST

/* -3: C0; 0: C3. */
START_TEST(test_ftst_compares_with_zero)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xe4,		    /* ftst */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd9, 0xee,		    /* fldz */
	    0xd9, 0xe4,		    /* ftst */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xf4,		    /* hlt */
	};

	put16(0x600, (uint16_t)-3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C0);
	ck_assert_uint_eq(mem16(0x702) & (FPU_C3 | FPU_C2 | FPU_C0), FPU_C3);
}
END_TEST

/* Empty, zero, normal, negative, infinity, NaN, denormal. */
START_TEST(test_fxam_classifies_each_kind_of_value)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd9, 0xee,		    /* fldz */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x02, 0x07, /* fnstsw [0x702] */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x04, 0x07, /* fnstsw [0x704] */
	    0xd9, 0xe0,		    /* fchs */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x06, 0x07, /* fnstsw [0x706] */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xde, 0xf9,		    /* fdivp st1 */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x08, 0x07, /* fnstsw [0x708] */
	    0xd9, 0xee,		    /* fldz */
	    0xdc, 0xf8,		    /* fdiv st0, st0 */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x0a, 0x07, /* fnstsw [0x70a] */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xd9, 0xe5,		    /* fxam */
	    0xdd, 0x3e, 0x0c, 0x07, /* fnstsw [0x70c] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0x1p-16400L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const uint16_t want[7] = {
	    FPU_C3 | FPU_C0, FPU_C3,	      FPU_C2,	       FPU_C2 | FPU_C1,
	    FPU_C2 | FPU_C0, FPU_C1 | FPU_C0, FPU_C3 | FPU_C2,
	};

	for (unsigned i = 0; i < 7; i++)
		ck_assert_uint_eq(mem16(0x700 + 2 * i) & FPU_CC, want[i]);
}
END_TEST

/* |-3| = 3; -(3) = -3. */
START_TEST(test_fchs_and_fabs_change_only_the_sign)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xe1,		    /* fabs */
	    0xd9, 0xc0,		    /* fld st0 */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xd9, 0xe0,		    /* fchs */
	    0xf4,		    /* hlt */
	};

	put16(0x600, (uint16_t)-3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700) == 3.0L);
	ck_assert(st_ld(0) == -3.0L);
}
END_TEST

/* 1, 2 become 2, 1. */
START_TEST(test_fxch_swaps_st0_and_sti)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xc9,		    /* fxch st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 2);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 1.0L);
	ck_assert(st_ld(1) == 2.0L);
}
END_TEST

/* FCMOVB with CF set and clear, FCMOVE/FCMOVNE with ZF set. */
START_TEST(test_fcmov_moves_only_when_the_condition_holds)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xf9,		    /* stc */
	    0xda, 0xc1,		    /* fcmovb st0, st1 */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xf8,		    /* clc */
	    0xda, 0xc1,		    /* fcmovb st0, st1 */
	    0xdb, 0x3e, 0x10, 0x07, /* fstp tword [0x710] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0x39, 0xc0,		    /* cmp ax, ax */
	    0xdb, 0xc9,		    /* fcmovne st0, st1 */
	    0xdb, 0x3e, 0x20, 0x07, /* fstp tword [0x720] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xda, 0xc9,		    /* fcmove st0, st1 */
	    0xdb, 0x3e, 0x30, 0x07, /* fstp tword [0x730] */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 5);
	put16(0x602, 9);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700) == 5.0L);
	ck_assert(get_ld(0x710) == 9.0L);
	ck_assert(get_ld(0x720) == 9.0L);
	ck_assert(get_ld(0x730) == 5.0L);
}
END_TEST

/* FCMOVNBE with CF and ZF clear moves; FCMOVU with PF clear does not. */
START_TEST(test_fcmovnbe_and_fcmovu)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xb0, 0x01,		    /* mov al, 1 */
	    0x3c, 0x00,		    /* cmp al, 0 */
	    0xdb, 0xd1,		    /* fcmovnbe st0, st1 */
	    0xdb, 0x3e, 0x00, 0x07, /* fstp tword [0x700] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xda, 0xd9,		    /* fcmovu st0, st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 5);
	put16(0x602, 9);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700) == 5.0L);
	ck_assert(st_ld(0) == 9.0L);
}
END_TEST

/* FFREE ST(1): its tag becomes 11b, TOP stays. */
START_TEST(test_ffree_empties_a_register_without_moving_top)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xee, /* fldz */
	    0xdd, 0xc1, /* ffree st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 6);
	ck_assert_uint_eq(fpu_tag_word(cpu), 0xdfff);
}
END_TEST

/* TOP moves, the tags stay. */
START_TEST(test_fincstp_and_fdecstp_rotate_top_only)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xf7,		    /* fincstp */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xd9, 0xf6,		    /* fdecstp */
	    0xd9, 0xf6,		    /* fdecstp */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq((mem16(0x700) >> 11) & 7, 0);
	ck_assert_uint_eq(top(), 6);
	ck_assert_uint_eq(cpu->fpu.valid, 0x80);
}
END_TEST

/* A ninth push: IE, SF, C1 = 1; ST(0) becomes the indefinite. */
START_TEST(test_stack_overflow_sets_ie_sf_c1_and_loads_the_indefinite)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xee, /* fldz */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_IE | FPU_SF | FPU_C1), FPU_IE | FPU_SF | FPU_C1);
	ck_assert_uint_eq(st(0).se, 0xffff);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc000000000000000));
}
END_TEST

/* FADD with an empty ST(1): IE, SF, C1 = 0; the result is the indefinite. */
START_TEST(test_stack_underflow_sets_ie_sf_with_c1_clear)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd8, 0xc1, /* fadd st0, st1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_IE | FPU_SF | FPU_C1), FPU_IE | FPU_SF);
	ck_assert_uint_eq(st(0).se, 0xffff);
}
END_TEST

/* FLD ST(1) duplicates; FST ST(2) copies; FSTP ST(1) copies and pops. */
START_TEST(test_fld_and_fst_register_forms)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xee,		    /* fldz */
	    0xd9, 0xc1,		    /* fld st1 */
	    0xdd, 0xd2,		    /* fst st2 */
	    0xdd, 0xd9,		    /* fstp st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 7);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 7.0L);
	ck_assert(st_ld(1) == 7.0L);
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* An SNaN single loads as a QNaN with IE; a denormal single sets DE. */
START_TEST(test_fld_m32_signalling_nan_is_invalid_and_quieted)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x06, 0x00, 0x06, /* fld dword [0x600] */
	    0xd9, 0x06, 0x04, 0x06, /* fld dword [0x604] */
	    0xf4,		    /* hlt */
	};

	put32(0x600, 0x7f800001);
	put32(0x604, 0x00000001);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(1).se, 0x7fff);
	ck_assert_uint_eq(st(1).mant >> 62, 3);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_IE | FPU_DE), FPU_IE | FPU_DE);
}
END_TEST

/* 2^16000 squared overflows: +infinity with OE and PE. */
START_TEST(test_overflow_masked_gives_infinity)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdc, 0xc8,		    /* fmul st0, st0 */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0x1p16000L);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(st(0).se, 0x7fff);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_OE | FPU_PE), FPU_OE | FPU_PE);
}
END_TEST

/* With OE unmasked the result is scaled by 2^-24576: 2^7424. */
START_TEST(test_unmasked_overflow_stores_the_biased_result)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdc, 0xc8,		    /* fmul st0, st0 */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 0x1p16000L);
	put16(0x610, 0x0377);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(st_ld(0) == 0x1p7424L);
	ck_assert_uint_ne(cpu->fpu.sw & FPU_ES, 0);
}
END_TEST

/* ZE unmasked: FDIVP writes nothing and does not pop; ES and B set. */
START_TEST(test_unmasked_zero_divide_leaves_the_operands)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x00, 0x06, /* fldcw [0x600] */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xde, 0xf9,		    /* fdivp st1 */
	    0xf4,		    /* hlt */
	};

	put16(0x600, 0x037b);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 6);
	ck_assert(st_ld(0) == 0.0L);
	ck_assert(st_ld(1) == 1.0L);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_ZE | FPU_ES | FPU_B), FPU_ZE | FPU_ES | FPU_B);
}
END_TEST

/* FISTP of 40000 with IE unmasked: memory and stack unchanged. */
START_TEST(test_unmasked_invalid_store_writes_no_memory)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x10, 0x06, /* fldcw [0x610] */
	    0xdb, 0x2e, 0x00, 0x06, /* fld tword [0x600] */
	    0xdf, 0x1e, 0x00, 0x07, /* fistp word [0x700] */
	    0xf4,		    /* hlt */
	};

	put_ld(0x600, 40000.0L);
	put16(0x610, 0x037e);
	put16(0x700, 0x1234);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700), 0x1234);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* CR0.NE: FSQRT(-1) with IE unmasked; FNSTSW does not fault, FWAIT raises #MF; FIP and FOP name
 * FSQRT. */
START_TEST(test_pending_exception_raises_mf_at_fwait_with_ne_set)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x2f, 0x7c, /* mov word [16*4], h16 */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x20,				/* or al, 0x20 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x2e, 0x00, 0x06,		/* fldcw [0x600] */
	    0xdf, 0x06, 0x02, 0x06,		/* fild word [0x602] */
	    0xc7, 0x06, 0xf0, 0x06, 0x24, 0x7c, /* mov word [0x6f0], here */
	    0xd9, 0xfa,				/* here: fsqrt */
	    0xdd, 0x3e, 0x00, 0x07,		/* fnstsw [0x700] */
	    0x9b,				/* fwait */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x10, 0x00,			/* h16: mov bx, 16 */
	    0xf4,				/* hlt */
	};

	put16(0x600, 0x037e);
	put16(0x602, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 16);
	ck_assert_uint_eq(mem16(0x700) & (FPU_IE | FPU_ES | FPU_B), FPU_IE | FPU_ES | FPU_B);
	ck_assert(st_ld(0) == -1.0L);
	ck_assert_uint_eq(cpu->fpu.fip, mem16(0x6f0));
	ck_assert_uint_eq(cpu->fpu.fop, 0x1fa);
}
END_TEST

/* The #MF return address is the waiting instruction after the error. */
START_TEST(test_mf_is_raised_by_the_next_fpu_instruction_at_its_address)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x2c, 0x7c, /* mov word [16*4], h16 */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x20,				/* or al, 0x20 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x2e, 0x00, 0x06,		/* fldcw [0x600] */
	    0xd9, 0xe8,				/* fld1 */
	    0xd9, 0xee,				/* fldz */
	    0xc7, 0x06, 0xf0, 0x06, 0x26, 0x7c, /* mov word [0x6f0], next */
	    0xde, 0xf9,				/* fdivp st1 */
	    0xd9, 0xe8,				/* next: fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0x8f, 0x06, 0xf2, 0x06,		/* h16: pop word [0x6f2] */
	    0xbb, 0x10, 0x00,			/* mov bx, 16 */
	    0xf4,				/* hlt */
	};

	put16(0x600, 0x037b);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 16);
	ck_assert_uint_eq(mem16(0x6f2), mem16(0x6f0));
	ck_assert_uint_eq(top(), 6);
}
END_TEST

/* After FNCLEX the next instruction runs without #MF. */
START_TEST(test_fnclex_drops_the_pending_exception)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x28, 0x7c, /* mov word [16*4], h16 */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x20,				/* or al, 0x20 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x2e, 0x00, 0x06,		/* fldcw [0x600] */
	    0xdf, 0x06, 0x02, 0x06,		/* fild word [0x602] */
	    0xd9, 0xfa,				/* fsqrt */
	    0xdb, 0xe2,				/* fnclex */
	    0xd9, 0xe8,				/* fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x10, 0x00,			/* h16: mov bx, 16 */
	    0xf4,				/* hlt */
	};

	put16(0x600, 0x037e);
	put16(0x602, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(cpu->fpu.sw & (FPU_EXC | FPU_ES | FPU_B), 0);
}
END_TEST

/* IE recorded while masked; FLDCW unmasks it; the next FLD1 raises #MF. */
START_TEST(test_fldcw_unmasking_a_set_flag_makes_it_pending)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x26, 0x7c, /* mov word [16*4], h16 */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x20,				/* or al, 0x20 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xdf, 0x06, 0x02, 0x06,		/* fild word [0x602] */
	    0xd9, 0xfa,				/* fsqrt */
	    0xd9, 0x2e, 0x00, 0x06,		/* fldcw [0x600] */
	    0xd9, 0xe8,				/* fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x10, 0x00,			/* h16: mov bx, 16 */
	    0xf4,				/* hlt */
	};

	put16(0x600, 0x037e);
	put16(0x602, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 16);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* CR0.NE clear (DOS wiring): FERR# rises once, no #MF, execution goes on. */
START_TEST(test_with_ne_clear_an_error_asserts_ferr_instead_of_mf)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x40, 0x00, 0x21, 0x7c, /* mov word [16*4], h16 */
	    0xc7, 0x06, 0x42, 0x00, 0x00, 0x00, /* mov word [16*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x2e, 0x00, 0x06,		/* fldcw [0x600] */
	    0xdf, 0x06, 0x02, 0x06,		/* fild word [0x602] */
	    0xd9, 0xfa,				/* fsqrt */
	    0x9b,				/* fwait */
	    0xd9, 0xfa,				/* fsqrt */
	    0xd9, 0xe8,				/* fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x10, 0x00,			/* h16: mov bx, 16 */
	    0xf4,				/* hlt */
	};

	m.ferr = (struct irq_line){ferr_set, NULL, 13};
	put16(0x600, 0x037e);
	put16(0x602, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_int_eq(ferr_level, 1);
	ck_assert_uint_eq(ferr_rises, 1);
	ck_assert(st_ld(0) == 1.0L);
}
END_TEST

/* CR0.NE clear: the failing FSQRT and a no-wait FNSTSW leave FERR# alone. */
START_TEST(test_ferr_waits_for_the_next_waiting_instruction)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x2e, 0x00, 0x06, /* fldcw [0x600] */
	    0xdf, 0x06, 0x02, 0x06, /* fild word [0x602] */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xdd, 0x3e, 0x00, 0x07, /* fnstsw [0x700] */
	    0xf4,		    /* hlt */
	};

	m.ferr = (struct irq_line){ferr_set, NULL, 13};
	put16(0x600, 0x037e);
	put16(0x602, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(ferr_rises, 0);
	ck_assert_uint_ne(mem16(0x700) & FPU_ES, 0);
}
END_TEST

/* CR0.EM: FLD1 raises #NM (7) and the stack stays empty. */
START_TEST(test_em_makes_every_escape_raise_nm)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x1c, 0x00, 0x1c, 0x7c, /* mov word [7*4], h7 */
	    0xc7, 0x06, 0x1e, 0x00, 0x00, 0x00, /* mov word [7*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x04,				/* or al, 4 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xd9, 0xe8,				/* fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x07, 0x00,			/* h7: mov bx, 7 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 7);
	ck_assert_uint_eq(cpu->fpu.valid, 0);
}
END_TEST

/* CR0.TS: FWAIT runs while MP is clear; FLD1 raises #NM. */
START_TEST(test_ts_raises_nm_for_escapes_and_for_wait_only_with_mp)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x1c, 0x00, 0x1e, 0x7c, /* mov word [7*4], h7 */
	    0xc7, 0x06, 0x1e, 0x00, 0x00, 0x00, /* mov word [7*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x08,				/* or al, 8 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0x9b,				/* fwait */
	    0xb9, 0x01, 0x00,			/* mov cx, 1 */
	    0xd9, 0xe8,				/* fld1 */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x07, 0x00,			/* h7: mov bx, 7 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 7);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
}
END_TEST

/* CR0.MP and TS: FWAIT raises #NM. */
START_TEST(test_wait_raises_nm_with_mp_and_ts)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x1c, 0x00, 0x19, 0x7c, /* mov word [7*4], h7 */
	    0xc7, 0x06, 0x1e, 0x00, 0x00, 0x00, /* mov word [7*4+2], 0 */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x0a,				/* or al, 0x0a */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0x9b,				/* fwait */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x07, 0x00,			/* h7: mov bx, 7 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 7);
}
END_TEST

/* FNSTSW AX after an invalid FSQRT: IE and TOP 7. */
START_TEST(test_fnstsw_ax_copies_the_status_word)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xdf, 0x06, 0x00, 0x06, /* fild word [0x600] */
	    0xd9, 0xfa,		    /* fsqrt */
	    0xdf, 0xe0,		    /* fnstsw ax */
	    0xf4,		    /* hlt */
	};

	put16(0x600, (uint16_t)-1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX) & (FPU_IE | 0x3800), FPU_IE | 0x3800);
}
END_TEST

/* 14 bytes: CW, SW, TW, FIP[15:0], FIP[19:16]:FOP, FDP[15:0], FDP[19:16]. */
START_TEST(test_fnstenv_16_bit_real_mode_layout)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,				/* fninit */
	    0xc7, 0x06, 0xf0, 0x06, 0x08, 0x7c, /* mov word [0x6f0], here */
	    0xdf, 0x06, 0x00, 0x06,		/* here: fild word [0x600] */
	    0xd9, 0x36, 0x00, 0x07,		/* fnstenv [0x700] */
	    0xf4,				/* hlt */
	};

	put16(0x600, 3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700), 0x037f);
	ck_assert_uint_eq(mem16(0x702), 0x3800);
	ck_assert_uint_eq(mem16(0x704), 0x3fff);
	ck_assert_uint_eq(mem16(0x706), mem16(0x6f0));
	ck_assert_uint_eq(mem16(0x708), 0x706);
	ck_assert_uint_eq(mem16(0x70a), 0x600);
	ck_assert_uint_eq(mem16(0x70c), 0);
}
END_TEST

/* 28 bytes with an operand-size prefix; FNSTENV then masks every exception. */
START_TEST(test_fnstenv_32_bit_layout_and_masking)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0x2e, 0x10, 0x06,		/* fldcw [0x610] */
	    0xc7, 0x06, 0xf0, 0x06, 0x0c, 0x7c, /* mov word [0x6f0], here */
	    0xd9, 0x06, 0x00, 0x06,		/* here: fld dword [0x600] */
	    0x66, 0xd9, 0x36, 0x00, 0x07,	/* o32 fnstenv [0x700] */
	    0xd9, 0x3e, 0xf2, 0x06,		/* fnstcw [0x6f2] */
	    0xf4,				/* hlt */
	};

	put_f32(0x600, 2.0f);
	put16(0x610, 0x0360);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x700), 0x0360);
	ck_assert_uint_eq(mem16(0x704), 0x3800);
	ck_assert_uint_eq(mem16(0x708), 0x3fff);
	ck_assert_uint_eq(mem32(0x70c) & 0xffff, mem16(0x6f0));
	ck_assert_uint_eq(mem32(0x710), 0x106);
	ck_assert_uint_eq(mem32(0x714) & 0xffff, 0x600);
	ck_assert_uint_eq(mem16(0x6f2), 0x037f);
}
END_TEST

/* FNSTENV; FNINIT; FLDENV: TOP 6 and the two tags come back. */
START_TEST(test_fldenv_restores_top_and_tags)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0xe8,		    /* fld1 */
	    0xd9, 0xee,		    /* fldz */
	    0xd9, 0x36, 0x00, 0x07, /* fnstenv [0x700] */
	    0xdb, 0xe3,		    /* fninit */
	    0xd9, 0x26, 0x00, 0x07, /* fldenv [0x700] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 6);
	ck_assert_uint_eq(fpu_tag_word(cpu), 0x1fff);
	ck_assert(st_ld(0) == 0.0L);
	ck_assert(st_ld(1) == 1.0L);
}
END_TEST

/* FSAVE: environment then ST(0)..ST(7); the FPU is reset; FRSTOR undoes it. */
START_TEST(test_fsave_writes_94_bytes_and_reinitialises_and_frstor_restores)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,			  /* fninit */
	    0xdf, 0x06, 0x00, 0x06,	  /* fild word [0x600] */
	    0xd9, 0xeb,			  /* fldpi */
	    0x9b, 0xdd, 0x36, 0x00, 0x07, /* fsave [0x700] */
	    0xd9, 0x3e, 0xf0, 0x06,	  /* fnstcw [0x6f0] */
	    0xdd, 0x3e, 0xf2, 0x06,	  /* fnstsw [0x6f2] */
	    0xd9, 0xe8,			  /* fld1 */
	    0xdd, 0x26, 0x00, 0x07,	  /* frstor [0x700] */
	    0xf4,			  /* hlt */
	};

	put16(0x600, 7);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	struct x86_f80 pi;

	memcpy(&pi.mant, m.mem.ram + 0x70e, 8);
	memcpy(&pi.se, m.mem.ram + 0x716, 2);
	ck_assert_uint_eq(pi.mant, UINT64_C(0xc90fdaa22168c235));
	ck_assert(get_ld(0x718) == 7.0L);
	ck_assert_uint_eq(mem16(0x6f0), 0x037f);
	ck_assert_uint_eq(mem16(0x6f2), 0);
	ck_assert_uint_eq(top(), 6);
	ck_assert(st_ld(1) == 7.0L);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc90fdaa22168c235));
}
END_TEST

/* FNINIT keeps the data registers (FNSAVE stores them, empty or not);
 * power-up and RESET make them +0.0 (SDM vol. 3, table 9-1), so a reset
 * machine's first FNSAVE stores zeros whatever ran before it. */
START_TEST(test_fninit_keeps_the_registers_and_reset_zeroes_them)
{
	static const uint8_t before[] = {
	    0xd9, 0xe8,		    /* fld1 */
	    0xdb, 0xe3,		    /* fninit */
	    0xdd, 0x36, 0x00, 0x07, /* fnsave [0x700] */
	    0xf4,		    /* hlt */
	};
	static const uint8_t after[] = {
	    0xdd, 0x36, 0x00, 0x08, /* fnsave [0x800] */
	    0xf4,		    /* hlt */
	};
	static const uint8_t zero[80];

	ck_assert_int_eq(run(before, sizeof before), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x700 + 14 + 7 * 10) == 1.0L); /* R7: ST(7) after FNINIT */
	x86_cpu_reset(cpu);
	memset(m.mem.ram + 0x800, 0xff, 94);
	ck_assert_int_eq(run(after, sizeof after), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x800 + 14, zero, sizeof zero);
}
END_TEST

/* The 108-byte image: registers after a 28-byte environment. */
START_TEST(test_fsave_with_32_bit_operands_puts_registers_at_28)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,				/* fninit */
	    0xdf, 0x06, 0x00, 0x06,		/* fild word [0x600] */
	    0x9b, 0x66, 0xdd, 0x36, 0x00, 0x07, /* o32 fsave [0x700] */
	    0x66, 0xdd, 0x26, 0x00, 0x07,	/* o32 frstor [0x700] */
	    0xf4,				/* hlt */
	};

	put16(0x600, 7);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(get_ld(0x71c) == 7.0L);
	ck_assert_uint_eq(mem16(0x708), 0x3fff);
	ck_assert(st_ld(0) == 7.0L);
	ck_assert_uint_eq(top(), 7);
}
END_TEST

/* FXSAVE: FCW, FSW, abridged tags, FOP, FIP, FDP, MXCSR, ST(i) every 16 bytes. */
START_TEST(test_fxsave_layout)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,			  /* fninit */
	    0xdf, 0x06, 0x00, 0x06,	  /* fild word [0x600] */
	    0xd9, 0xeb,			  /* fldpi */
	    0x0f, 0xae, 0x06, 0x00, 0x08, /* fxsave [0x800] */
	    0xf4,			  /* hlt */
	};

	put16(0x600, 7);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x800), 0x037f);
	ck_assert_uint_eq(mem16(0x802), 0x3000);
	ck_assert_uint_eq(mem8(0x804), 0xc0);
	ck_assert_uint_eq(mem16(0x806), 0x1eb);
	ck_assert_uint_eq(mem32(0x818), 0x1f80);
	ck_assert_uint_eq(mem32(0x820), 0x2168c235);
	ck_assert(get_ld(0x830) == 7.0L);
	ck_assert_uint_eq(mem32(0x810), 0x600);
}
END_TEST

/* FXSAVE; FNINIT; FXRSTOR gives back TOP, tags and values. */
START_TEST(test_fxrstor_round_trips_the_state)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3,			  /* fninit */
	    0xdf, 0x06, 0x00, 0x06,	  /* fild word [0x600] */
	    0xd9, 0xeb,			  /* fldpi */
	    0x0f, 0xae, 0x06, 0x00, 0x08, /* fxsave [0x800] */
	    0xdb, 0xe3,			  /* fninit */
	    0x0f, 0xae, 0x0e, 0x00, 0x08, /* fxrstor [0x800] */
	    0xf4,			  /* hlt */
	};

	put16(0x600, 7);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 6);
	ck_assert_uint_eq(cpu->fpu.valid, 0xc0);
	ck_assert(st_ld(1) == 7.0L);
	ck_assert_uint_eq(st(0).mant, UINT64_C(0xc90fdaa22168c235));
}
END_TEST

/* FXSAVE at 808h: #GP(0). */
START_TEST(test_fxsave_to_an_unaligned_address_is_gp)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x15, 0x7c, /* mov word [13*4], h13 */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0x0f, 0xae, 0x06, 0x08, 0x08,	/* fxsave [0x808] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x0d, 0x00,			/* h13: mov bx, 13 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
}
END_TEST

/* FLD m64 crossing the segment limit: #GP, TOP and tags as before. */
START_TEST(test_a_faulting_fld_leaves_the_stack_unchanged)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x18, 0x7c, /* mov word [13*4], h13 */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0xe8,				/* fld1 */
	    0xdd, 0x06, 0xfc, 0xff,		/* fld qword [0xfffc] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x0d, 0x00,			/* h13: mov bx, 13 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
	ck_assert_uint_eq(top(), 7);
	ck_assert_uint_eq(cpu->fpu.valid, 0x80);
}
END_TEST

/* FSTP m64 crossing the segment limit: #GP, ST(0) still there. */
START_TEST(test_a_faulting_fstp_does_not_pop)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x18, 0x7c, /* mov word [13*4], h13 */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0xe8,				/* fld1 */
	    0xdd, 0x1e, 0xfc, 0xff,		/* fstp qword [0xfffc] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x0d, 0x00,			/* h13: mov bx, 13 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
	ck_assert_uint_eq(top(), 7);
	ck_assert(st_ld(0) == 1.0L);
}
END_TEST

/* DF /1 (FISTTP) raises #UD. */
START_TEST(test_fisttp_is_invalid_without_sse3)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x18, 0x00, 0x18, 0x7c, /* mov word [6*4], h6 */
	    0xc7, 0x06, 0x1a, 0x00, 0x00, 0x00, /* mov word [6*4+2], 0 */
	    0xdb, 0xe3,				/* fninit */
	    0xd9, 0xe8,				/* fld1 */
	    0xdf, 0x0e, 0x00, 0x07,		/* fisttp word [0x700] */
	    0xbb, 0x01, 0x00,			/* mov bx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x06, 0x00,			/* h6: mov bx, 6 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 6);
}
END_TEST

/* CPUID 1 EDX bits 0 and 24; CR4.OSFXSR can be set. */
START_TEST(test_cpuid_advertises_fpu_and_fxsr_and_cr4_osfxsr_is_writable)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0x0f, 0xa2,				/* cpuid */
	    0x0f, 0x20, 0xe0,			/* mov eax, cr4 */
	    0x0d, 0x00, 0x02,			/* or ax, 0x200 */
	    0x0f, 0x22, 0xe0,			/* mov cr4, eax */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EDX) & (1u << 0 | 1u << 24), 1u << 0 | 1u << 24);
	ck_assert_uint_eq(cpu->cr[4] & X86_CR4_OSFXSR, X86_CR4_OSFXSR);
}
END_TEST

/* FNOP, FENI, FDISI and FSETPM change no state. */
START_TEST(test_fnop_and_feni_do_nothing)
{
	static const uint8_t code[] = {
	    0xdb, 0xe3, /* fninit */
	    0xd9, 0xe8, /* fld1 */
	    0xd9, 0xd0, /* fnop */
	    0xdb, 0xe0, /* db 0xdb, 0xe0 */
	    0xdb, 0xe1, /* db 0xdb, 0xe1 */
	    0xdb, 0xe4, /* db 0xdb, 0xe4 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(top(), 7);
	ck_assert_uint_eq(cpu->fpu.sw & ~0x3800u, 0);
}
END_TEST

/* Every test, in a case of its own fixture. */
static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_power_on_state_is_the_fninit_state);
	tcase_add_test(tc, test_fninit_then_fnstcw_fnstsw_and_fnstenv_store_the_init_words);
	tcase_add_test(tc, test_fld1_fld1_faddp_gives_two_and_one_valid_register);
	tcase_add_test(tc, test_fld_m32_then_fst_m64_and_fstp_m32_convert_exactly);
	tcase_add_test(tc, test_fst_m32_rounds_by_the_rounding_control);
	tcase_add_test(tc, test_fild_loads_16_32_and_64_bit_integers_exactly);
	tcase_add_test(tc, test_fist_rounds_halves_by_each_rounding_mode);
	tcase_add_test(tc, test_fistp_m16_out_of_range_stores_integer_indefinite);
	tcase_add_test(tc, test_fistp_m32_and_m64_of_huge_and_nan_store_integer_indefinite);
	tcase_add_test(tc, test_fistp_m64_stores_large_integers);
	tcase_add_test(tc, test_fbld_and_fbstp_round_trip_18_packed_digits);
	tcase_add_test(tc, test_fbstp_rounds_and_out_of_range_gives_bcd_indefinite);
	tcase_add_test(tc, test_memory_arithmetic_in_every_format);
	tcase_add_test(tc, test_register_forms_subtract_and_divide_in_the_right_direction);
	tcase_add_test(tc, test_popping_forms_fsubp_fsubrp_fdivp_fdivrp);
	tcase_add_test(tc, test_fmul_and_fadd_register_forms);
	tcase_add_test(tc, test_divide_by_zero_masked_gives_infinity_and_ze);
	tcase_add_test(tc, test_zero_over_zero_gives_the_indefinite_and_ie);
	tcase_add_test(tc, test_precision_control_single_rounds_to_24_bits);
	tcase_add_test(tc, test_rounding_control_applies_to_fadd);
	tcase_add_test(tc, test_fsqrt_of_two_is_bit_exact);
	tcase_add_test(tc, test_fsqrt_of_a_negative_number_is_invalid);
	tcase_add_test(tc, test_constants_are_the_rounded_manual_values);
	tcase_add_test(tc, test_fldpi_rounds_down_with_rc_down);
	tcase_add_test(tc, test_fsin_fcos_and_fsincos_agree);
	tcase_add_test(tc, test_fptan_pushes_one_after_the_tangent);
	tcase_add_test(tc, test_fptan_out_of_range_sets_c2_and_leaves_the_stack);
	tcase_add_test(tc, test_fpatan_of_one_over_one_is_pi_over_four);
	tcase_add_test(tc, test_fyl2x_and_fyl2xp1);
	tcase_add_test(tc, test_f2xm1_of_one_half);
	tcase_add_test(tc, test_fscale_and_fxtract);
	tcase_add_test(tc, test_fprem_gives_the_remainder_and_quotient_bits);
	tcase_add_test(tc, test_fprem_loop_reduces_a_huge_dividend);
	tcase_add_test(tc, test_fprem1_rounds_the_quotient_to_nearest);
	tcase_add_test(tc, test_frndint_follows_the_rounding_control);
	tcase_add_test(tc, test_fcom_sets_c3_c2_c0_for_greater_equal_and_less);
	tcase_add_test(tc, test_fucom_of_a_qnan_is_unordered_without_ie_but_fcom_raises_ie);
	tcase_add_test(tc, test_fcomp_pops_once_and_fcompp_twice);
	tcase_add_test(tc, test_the_fcomp5_alias_pops);
	tcase_add_test(tc, test_fcom_memory_forms_compare_with_m32_and_m64);
	tcase_add_test(tc, test_fcomi_and_fucomi_set_zf_pf_cf);
	tcase_add_test(tc, test_fcomi_clears_of_sf_and_af);
	tcase_add_test(tc, test_arithmetic_leaves_c0_c2_c3_as_they_were);
	tcase_add_test(tc, test_ftst_compares_with_zero);
	tcase_add_test(tc, test_fxam_classifies_each_kind_of_value);
	tcase_add_test(tc, test_fchs_and_fabs_change_only_the_sign);
	tcase_add_test(tc, test_fxch_swaps_st0_and_sti);
	tcase_add_test(tc, test_fcmov_moves_only_when_the_condition_holds);
	tcase_add_test(tc, test_fcmovnbe_and_fcmovu);
	tcase_add_test(tc, test_ffree_empties_a_register_without_moving_top);
	tcase_add_test(tc, test_fincstp_and_fdecstp_rotate_top_only);
	tcase_add_test(tc, test_stack_overflow_sets_ie_sf_c1_and_loads_the_indefinite);
	tcase_add_test(tc, test_stack_underflow_sets_ie_sf_with_c1_clear);
	tcase_add_test(tc, test_fld_and_fst_register_forms);
	tcase_add_test(tc, test_fld_m32_signalling_nan_is_invalid_and_quieted);
	tcase_add_test(tc, test_overflow_masked_gives_infinity);
	tcase_add_test(tc, test_unmasked_overflow_stores_the_biased_result);
	tcase_add_test(tc, test_unmasked_zero_divide_leaves_the_operands);
	tcase_add_test(tc, test_unmasked_invalid_store_writes_no_memory);
	tcase_add_test(tc, test_pending_exception_raises_mf_at_fwait_with_ne_set);
	tcase_add_test(tc, test_mf_is_raised_by_the_next_fpu_instruction_at_its_address);
	tcase_add_test(tc, test_fnclex_drops_the_pending_exception);
	tcase_add_test(tc, test_fldcw_unmasking_a_set_flag_makes_it_pending);
	tcase_add_test(tc, test_with_ne_clear_an_error_asserts_ferr_instead_of_mf);
	tcase_add_test(tc, test_ferr_waits_for_the_next_waiting_instruction);
	tcase_add_test(tc, test_em_makes_every_escape_raise_nm);
	tcase_add_test(tc, test_ts_raises_nm_for_escapes_and_for_wait_only_with_mp);
	tcase_add_test(tc, test_wait_raises_nm_with_mp_and_ts);
	tcase_add_test(tc, test_fnstsw_ax_copies_the_status_word);
	tcase_add_test(tc, test_fnstenv_16_bit_real_mode_layout);
	tcase_add_test(tc, test_fnstenv_32_bit_layout_and_masking);
	tcase_add_test(tc, test_fldenv_restores_top_and_tags);
	tcase_add_test(tc, test_fsave_writes_94_bytes_and_reinitialises_and_frstor_restores);
	tcase_add_test(tc, test_fsave_with_32_bit_operands_puts_registers_at_28);
	tcase_add_test(tc, test_fninit_keeps_the_registers_and_reset_zeroes_them);
	tcase_add_test(tc, test_fxsave_layout);
	tcase_add_test(tc, test_fxrstor_round_trips_the_state);
	tcase_add_test(tc, test_fxsave_to_an_unaligned_address_is_gp);
	tcase_add_test(tc, test_a_faulting_fld_leaves_the_stack_unchanged);
	tcase_add_test(tc, test_a_faulting_fstp_does_not_pop);
	tcase_add_test(tc, test_fisttp_is_invalid_without_sse3);
	tcase_add_test(tc, test_cpuid_advertises_fpu_and_fxsr_and_cr4_osfxsr_is_writable);
	tcase_add_test(tc, test_fnop_and_feni_do_nothing);
}

static Suite *x86_fpu_suite(void)
{
	Suite *s = suite_create("x86_fpu");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	/* The same under the lockstep checker: each register-form x87
	 * instruction with a decode-time handler (fpu_fast.c) also runs
	 * through the general one, and the two x87 states must agree. */
	tc = tcase_create("lockstep");
	tcase_add_checked_fixture(tc, setup_lockstep, x86f_teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_fpu_suite());
}
