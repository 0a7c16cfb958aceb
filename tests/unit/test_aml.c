/* The AML encoder (hv/boot/aml.h): PkgLength at every width boundary
 * with the body moved intact, integers in their shortest form, name
 * strings (root, parent, dual and multi segments, padding) and the
 * malformed ones it refuses, EISA IDs, resource descriptors byte by byte,
 * and a full buffer reported as overflow rather than written past. */
#include "hv/boot/aml.h"

#include <check.h>
#include <string.h>

#include "unit.h"

static uint8_t buf[8192];
static struct aml a;

static void fresh(void)
{
	memset(buf, 0xee, sizeof buf);
	aml_init(&a, buf, sizeof buf);
}

/* Decodes the PkgLength at p: returns the length, sets *width. */
static size_t pkg_len(const uint8_t *p, unsigned *width)
{
	unsigned extra = p[0] >> 6;
	size_t v;

	*width = extra + 1;
	if (!extra)
		return p[0] & 0x3F;
	v = p[0] & 0x0F;
	for (unsigned i = 0; i < extra; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	return v;
}

/* A package of body bytes 0, 1, 2, ... after one opcode byte. */
static void body_of(size_t body, unsigned want_width)
{
	size_t mark;
	unsigned width;

	fresh();
	aml_byte(&a, 0x12);
	mark = aml_pkg_begin(&a);
	for (size_t i = 0; i < body; i++)
		aml_byte(&a, (uint8_t)i);
	aml_end(&a, mark);
	ck_assert(!a.overflow);
	ck_assert_uint_eq(pkg_len(buf + 1, &width), body + want_width);
	ck_assert_uint_eq(width, want_width);
	ck_assert_uint_eq(a.len, 1 + want_width + body);
	for (size_t i = 0; i < body; i++)
		ck_assert_uint_eq(buf[1 + width + i], (uint8_t)i);
	if (want_width > 1)
		ck_assert_uint_eq(buf[1] & 0x30, 0); /* reserved bits */
}

START_TEST(test_pkg_length_widths)
{
	body_of(0, 1);
	body_of(62, 1);	  /* 63 in all: the last one-byte length */
	body_of(63, 2);	  /* 64 would not fit in 6 bits */
	body_of(4093, 2); /* 4095 */
	body_of(4094, 3); /* 4097 */
}
END_TEST

START_TEST(test_nested_packages_keep_their_lengths)
{
	size_t outer, inner;
	unsigned w, wi;

	fresh();
	aml_byte(&a, 0x10);
	outer = aml_pkg_begin(&a);
	aml_byte(&a, 0xAA);
	aml_byte(&a, 0x12);
	inner = aml_pkg_begin(&a);
	for (int i = 0; i < 100; i++)
		aml_byte(&a, 0x55);
	aml_end(&a, inner);
	aml_byte(&a, 0xBB);
	aml_end(&a, outer);
	ck_assert(!a.overflow);
	/* outer: 2-byte length, AA, 12, inner 2-byte length, 100 x 55, BB */
	ck_assert_uint_eq(pkg_len(buf + 1, &w), 2 + 1 + 1 + 2 + 100 + 1);
	ck_assert_uint_eq(w, 2);
	ck_assert_uint_eq(buf[3], 0xAA);
	ck_assert_uint_eq(buf[4], 0x12);
	ck_assert_uint_eq(pkg_len(buf + 5, &wi), 102);
	ck_assert_uint_eq(buf[5 + 102], 0xBB);
	ck_assert_uint_eq(a.len, 5 + 102 + 1);
}
END_TEST

static void int_is(uint64_t v, const uint8_t *want, size_t n)
{
	fresh();
	aml_int(&a, v);
	ck_assert_uint_eq(a.len, n);
	ck_assert_mem_eq(buf, want, n);
}

START_TEST(test_integers_shortest_form)
{
	int_is(0, (const uint8_t[]){0x00}, 1);
	int_is(1, (const uint8_t[]){0x01}, 1);
	int_is(2, (const uint8_t[]){0x0A, 0x02}, 2);
	int_is(0xFF, (const uint8_t[]){0x0A, 0xFF}, 2);
	int_is(0x100, (const uint8_t[]){0x0B, 0x00, 0x01}, 3);
	int_is(0x1FFFF, (const uint8_t[]){0x0C, 0xFF, 0xFF, 0x01, 0x00}, 5);
	int_is(0x100000000ull, (const uint8_t[]){0x0E, 0, 0, 0, 0, 1, 0, 0, 0}, 9);
	int_is(UINT64_MAX, (const uint8_t[]){0xFF}, 1);
}
END_TEST

static void name_is(const char *path, const char *want, size_t n)
{
	fresh();
	aml_name_string(&a, path);
	ck_assert(!a.overflow);
	ck_assert_uint_eq(a.len, n);
	ck_assert_mem_eq(buf, want, n);
}

static void name_refused(const char *path)
{
	fresh();
	aml_name_string(&a, path);
	ck_assert_msg(a.overflow, "%s accepted", path);
}

START_TEST(test_name_strings)
{
	name_is("LNKA", "LNKA", 4);
	name_is("ISA", "ISA_", 4);
	name_is("\\_SB", "\\_SB_", 5);
	name_is("^PRQ", "^PRQ_", 5);
	name_is("\\_SB.PCI0", "\\\x2E_SB_PCI0", 10);
	name_is("\\_SB.PCI0.ISA.PRQA", "\\\x2F\x04_SB_PCI0ISA_PRQA", 19);
	name_refused("");
	name_refused("TOOLONG");
	name_refused("A..B");
	name_refused("0ABC"); /* a lead digit */
	name_refused("ab");   /* lower case */
	name_refused("\\_SB.");
}
END_TEST

START_TEST(test_eisaid)
{
	ck_assert_uint_eq(aml_eisaid_value("PNP0A03"), 0x030AD041);
	ck_assert_uint_eq(aml_eisaid_value("PNP0C0F"), 0x0F0CD041);
	ck_assert_uint_eq(aml_eisaid_value("pnp0a03"), 0);
	ck_assert_uint_eq(aml_eisaid_value("PNP0A0"), 0);
	ck_assert_uint_eq(aml_eisaid_value("PNP0A0G"), 0);
	fresh();
	aml_eisaid(&a, "PNP0A03");
	ck_assert_mem_eq(buf, "\x0C\x41\xD0\x0A\x03", 5);
}
END_TEST

START_TEST(test_method_and_field_headers)
{
	size_t m, f;

	fresh();
	m = aml_method(&a, "_SRS", 1, true);
	aml_end(&a, m);
	ck_assert_mem_eq(buf, "\x14\x06_SRS\x09", 7);
	fresh();
	f = aml_field(&a, "PIRQ", AML_FIELD_BYTE_ACC);
	aml_field_unit(&a, "PRQA", 8);
	aml_end(&a, f);
	ck_assert_mem_eq(buf,
			 "\x5B\x81\x0B"
			 "PIRQ\x01"
			 "PRQA\x08",
			 13);
	fresh();
	aml_op_region(&a, "PIRQ", AML_SPACE_PCI_CONFIG, 0x60, 4);
	ck_assert_mem_eq(buf, "\x5B\x80PIRQ\x02\x0A\x60\x0A\x04", 11);
	fresh();
	aml_field_unit(&a, "\\X", 8);
	ck_assert(a.overflow);
	fresh();
	aml_field_unit(&a, "PRQA", 0);
	ck_assert(a.overflow);
}
END_TEST

START_TEST(test_resource_descriptors)
{
	static const uint8_t want[] = {
	    0x47, 0x01, 0xF8, 0x0C, 0xF8, 0x0C, 0x01, 0x08,		/* IO */
	    0x23, 0x00, 0x0C, 0x18,					/* IRQ 10, 11 */
	    0x22, 0x00, 0x10,						/* IRQ 12 */
	    0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, /* bus */
	    0xFF, 0x00, 0x00, 0x00, 0x00, 0x01,				/* 0-FF */
	    0x88, 0x0D, 0x00, 0x01, 0x0C, 0x03, 0x00, 0x00, 0x00, 0x0D, /* I/O */
	    0xFF, 0xFF, 0x00, 0x00, 0x00, 0xF3,				/* D00-FFFF */
	    0x87, 0x17, 0x00, 0x00, 0x0C, 0x03, 0,    0,    0,	  0,	/* memory */
	    0x00, 0x00, 0x00, 0x08, 0xFF, 0xFF, 0xBF, 0xFE, 0,	  0,
	    0,	  0,	0x00, 0x00, 0xC0, 0xF6, /* length F6C00000 */
	    0x79, 0x00};
	fresh();
	aml_res_io(&a, 0xCF8, 0xCF8, 1, 8);
	aml_res_irq_level_low_shared(&a, 1u << 10 | 1u << 11);
	aml_res_irq(&a, 1u << 12);
	aml_res_word_bus(&a, 0, 0xFF);
	aml_res_word_io(&a, 0xD00, 0xFFFF);
	aml_res_dword_mem(&a, 0x08000000, 0xFEBFFFFF);
	aml_res_end(&a);
	ck_assert(!a.overflow);
	ck_assert_uint_eq(a.len, sizeof want);
	ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(test_full_buffer_is_overflow_not_a_write_past)
{
	uint8_t small[8];
	size_t mark;

	memset(small, 0xee, sizeof small);
	aml_init(&a, small, 6);
	aml_byte(&a, 0x12);
	mark = aml_pkg_begin(&a);
	aml_bytes(&a, "ABCD", 4);
	ck_assert(!a.overflow);
	aml_byte(&a, 'E'); /* the seventh byte */
	ck_assert(a.overflow);
	aml_end(&a, mark);
	ck_assert_uint_eq(a.len, 6);
	ck_assert_uint_eq(small[6], 0xee);
	ck_assert_uint_eq(small[7], 0xee);
	/* A body of 63 bytes in a 65-byte buffer: its 2-byte length does not fit. */
	aml_init(&a, buf, 65);
	aml_byte(&a, 0x12);
	mark = aml_pkg_begin(&a);
	for (int i = 0; i < 63; i++)
		aml_byte(&a, 0);
	ck_assert(!a.overflow);
	aml_end(&a, mark);
	ck_assert(a.overflow);
}
END_TEST

static Suite *aml_suite(void)
{
	Suite *s = suite_create("aml");
	TCase *tc = tcase_create("encoder");

	tcase_add_test(tc, test_pkg_length_widths);
	tcase_add_test(tc, test_nested_packages_keep_their_lengths);
	tcase_add_test(tc, test_integers_shortest_form);
	tcase_add_test(tc, test_name_strings);
	tcase_add_test(tc, test_eisaid);
	tcase_add_test(tc, test_method_and_field_headers);
	tcase_add_test(tc, test_resource_descriptors);
	tcase_add_test(tc, test_full_buffer_is_overflow_not_a_write_past);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(aml_suite());
}
