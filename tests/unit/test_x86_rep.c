/* The bulk path of REP MOVS and REP STOS (hv/x86/string.c): a page's
 * worth of elements moves as one memmove or memset where the element
 * order cannot show, element by element where it can. Every case runs a
 * real-mode REP and compares memory and SI/DI/CX with a reference that
 * moves one element at a time in C, as the SDM describes: overlaps in
 * both directions at every distance smaller than the copy, each element
 * size, fills whose bytes differ, and a limit fault part-way through,
 * after which CX, SI and DI say exactly how far the copy got. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

#define AREA	 0x2000u /* what the reference compares: 2000h-5FFFh */
#define AREA_LEN 0x4000u

static uint8_t ref[AREA_LEN];

static void setup(void)
{
	x86f_setup(1u << 20);
}

/* Builds and runs: DF, SI, DI, CX, AX, then REP op (A4h/A5h/AAh/ABh)
 * with an operand-size prefix for dwords, CLD, HLT. */
static enum vcpu_exit run_rep(bool back, uint16_t si, uint16_t di, uint16_t cx, uint16_t ax,
			      uint8_t op, bool dword)
{
	uint8_t code[32];
	size_t n = 0;

	code[n++] = back ? 0xfd : 0xfc; /* std / cld */
	code[n++] = 0xbe;		/* mov si, imm16 */
	code[n++] = (uint8_t)si;
	code[n++] = (uint8_t)(si >> 8);
	code[n++] = 0xbf; /* mov di, imm16 */
	code[n++] = (uint8_t)di;
	code[n++] = (uint8_t)(di >> 8);
	code[n++] = 0xb9; /* mov cx, imm16 */
	code[n++] = (uint8_t)cx;
	code[n++] = (uint8_t)(cx >> 8);
	code[n++] = 0xb8; /* mov ax, imm16 */
	code[n++] = (uint8_t)ax;
	code[n++] = (uint8_t)(ax >> 8);
	code[n++] = 0xf3; /* rep */
	if (dword)
		code[n++] = 0x66;
	code[n++] = op;
	code[n++] = 0xfc; /* cld */
	code[n++] = 0xf4; /* hlt */
	x86f_load(code, n, 0x7c00);
	return x86f_run_real(0x7c00, 100000);
}

/* The reference: element by element on ref (a copy of the area), each
 * read whole before it is written; *si and *di end where the CPU's must. */
static void ref_rep(bool back, uint16_t *si, uint16_t *di, uint16_t cx, uint32_t eax, bool movs,
		    unsigned size)
{
	for (; cx; cx--) {
		uint8_t v[4]; /* the element is read whole, then written */

		for (unsigned b = 0; b < size; b++)
			v[b] = movs ? ref[*si + b - AREA] : (uint8_t)(eax >> (8 * b));
		memcpy(ref + *di - AREA, v, size);
		*di = (uint16_t)(*di + (back ? -size : size));
		if (movs)
			*si = (uint16_t)(*si + (back ? -size : size));
	}
}

/* Fills the area with a pattern and keeps a copy as the reference. */
static void fill_area(unsigned seed)
{
	for (unsigned i = 0; i < AREA_LEN; i++)
		m.mem.ram[AREA + i] = (uint8_t)(i * 7 + seed);
	memcpy(ref, m.mem.ram + AREA, AREA_LEN);
}

static void check(bool back, uint16_t si, uint16_t di, uint16_t cx, uint32_t eax, uint8_t op,
		  bool dword)
{
	unsigned size = (op & 1) ? (dword ? 4 : 2) : 1;
	bool movs = op < 0xaa;

	fill_area(si + di + cx);
	ck_assert_int_eq(run_rep(back, si, di, cx, (uint16_t)eax, op, dword), VCPU_EXIT_HALT);
	ref_rep(back, &si, &di, cx, dword ? eax : (eax & 0xffff), movs, size);
	ck_assert_mem_eq(m.mem.ram + AREA, ref, AREA_LEN);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
	ck_assert_uint_eq(reg16(X86_EDI), di);
	if (movs)
		ck_assert_uint_eq(reg16(X86_ESI), si);
}

/* Forward copies with the destination 1 to 40 bytes above or below an
 * overlapping source (and far away), for each element size. */
START_TEST(test_forward_copies_at_every_overlap_match_the_element_order)
{
	static const uint8_t ops[][2] = {{0xa4, 0}, {0xa5, 0}, {0xa5, 1}};

	for (unsigned o = 0; o < 3; o++)
		for (int dist = -40; dist <= 40; dist++) {
			uint16_t si = 0x3000, di = (uint16_t)(0x3000 + dist);

			check(false, si, di, 300, 0, ops[o][0], ops[o][1]);
		}
	check(false, 0x3000, 0x4800, 1000, 0, 0xa5, false);
}
END_TEST

/* The same with DF set: the copy walks down from the top elements. */
START_TEST(test_backward_copies_at_every_overlap_match_the_element_order)
{
	static const uint8_t ops[][2] = {{0xa4, 0}, {0xa5, 0}, {0xa5, 1}};

	for (unsigned o = 0; o < 3; o++)
		for (int dist = -40; dist <= 40; dist++) {
			uint16_t si = 0x4f00, di = (uint16_t)(0x4f00 + dist);

			check(true, si, di, 300, 0, ops[o][0], ops[o][1]);
		}
}
END_TEST

/* Fills whose bytes are alike (one memset) and differ, in both
 * directions, including one that spans three pages. */
START_TEST(test_fills_store_every_element_in_both_directions)
{
	check(false, 0, 0x2003, 5000, 0x4141, 0xab, false);
	check(false, 0, 0x2001, 700, 0xabcd, 0xab, false);
	check(true, 0, 0x5ff0, 700, 0xabcd, 0xab, false);
	check(false, 0, 0x3001, 500, 0x1234, 0xab, true); /* EAX's top half: 0 */
	check(true, 0, 0x4ffe, 900, 0x77, 0xaa, false);
}
END_TEST

/* A REP MOVSW whose 8th word would end past ES's 64 KiB limit: the 7
 * words before it are copied, then #GP (vector 13, here a HLT) with CX,
 * SI and DI at the faulting element and the rest of memory untouched. */
START_TEST(test_limit_fault_part_way_leaves_the_registers_at_the_element)
{
	static const uint8_t code[] = {
	    0xbe, 0x00, 0x30, /* mov si, 0x3000 */
	    0xbf, 0xf1, 0xff, /* mov di, 0xfff1 */
	    0xb9, 0x10, 0x00, /* mov cx, 16 */
	    0xfc,	      /* cld */
	    0xf3, 0xa5,	      /* rep movsw (7C0Ah) */
	    0xf4,	      /* hlt */
	};
	static const uint8_t handler[] = {0xf4}; /* hlt */

	fill_area(3);
	memset(m.mem.ram + 0xfff0, 0, 16);
	put16(13 * 4, 0x9000);
	put16(13 * 4 + 2, 0);
	x86f_load(handler, sizeof handler, 0x9000);
	x86f_load(code, sizeof code, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->eip, 0x9001);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c0a); /* the IP pushed: the REP */
	ck_assert_uint_eq(reg16(X86_ECX), 16 - 7);
	ck_assert_uint_eq(reg16(X86_EDI), 0xffff);
	ck_assert_uint_eq(reg16(X86_ESI), 0x300e);
	ck_assert_mem_eq(m.mem.ram + 0xfff1, m.mem.ram + 0x3000, 14);
	ck_assert_uint_eq(m.mem.ram[0xffff], 0);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_rep");
	TCase *tc = tcase_create("bulk");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_forward_copies_at_every_overlap_match_the_element_order);
	tcase_add_test(tc, test_backward_copies_at_every_overlap_match_the_element_order);
	tcase_add_test(tc, test_fills_store_every_element_in_both_directions);
	tcase_add_test(tc, test_limit_fault_part_way_leaves_the_registers_at_the_element);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
