/* hv's ACPI tables: every checksum, the pointers from the RSDP down to the
 * DSDT, the FADT's power-management blocks, and the AML of \_S5 decoded
 * byte by byte. */
#include "hv/boot/acpi.h"

#include <check.h>
#include <string.h>

#include "unit.h"

#define BASE 0x9F000u

static uint8_t t[ACPI_TABLES_SIZE];

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The table at guest address gpa, which must lie in the tables. */
static const uint8_t *at(uint32_t gpa)
{
	ck_assert_uint_ge(gpa, BASE);
	ck_assert_uint_lt(gpa, BASE + ACPI_TABLES_SIZE);
	return t + (gpa - BASE);
}

static void build(uint8_t typ)
{
	const struct acpi_hw hw = {.pm_base = 0x600, .sci_irq = 9, .s5_slp_typ = typ};

	memset(t, 0xee, sizeof t);
	acpi_build(t, BASE, &hw);
}

START_TEST(test_rsdp_points_through_rsdt_and_fadt_to_dsdt)
{
	const uint8_t *rsdp = t + ACPI_RSDP_OFFSET, *rsdt, *fadt, *dsdt, *facs;

	build(0);
	ck_assert_mem_eq(rsdp, "RSD PTR ", 8);
	ck_assert_uint_eq(sum(rsdp, 20), 0);
	ck_assert_uint_eq(rsdp[15], 0);
	rsdt = at(get32(rsdp + 16));
	ck_assert_mem_eq(rsdt, "RSDT", 4);
	ck_assert_uint_eq(get32(rsdt + 4), 40);
	ck_assert_uint_eq(sum(rsdt, 40), 0);
	fadt = at(get32(rsdt + 36));
	ck_assert_mem_eq(fadt, "FACP", 4);
	ck_assert_uint_eq(get32(fadt + 4), ACPI_FADT_LENGTH);
	ck_assert_uint_eq(sum(fadt, ACPI_FADT_LENGTH), 0);
	facs = at(get32(fadt + 36));
	ck_assert_mem_eq(facs, "FACS", 4);
	ck_assert_uint_eq(get32(facs + 4), 64);
	ck_assert_uint_eq((BASE + (uint32_t)(facs - t)) % 64, 0);
	dsdt = at(get32(fadt + 40));
	ck_assert_mem_eq(dsdt, "DSDT", 4);
	ck_assert_uint_eq(sum(dsdt, get32(dsdt + 4)), 0);
}
END_TEST

START_TEST(test_fadt_describes_the_piix4_pm_block)
{
	const uint8_t *fadt = t + ACPI_FADT_OFFSET;

	build(0);
	ck_assert_uint_eq(fadt[46] | fadt[47] << 8, 9); /* SCI_INT */
	ck_assert_uint_eq(get32(fadt + 48), 0);		/* SMI_CMD: ACPI mode already */
	ck_assert_uint_eq(get32(fadt + 56), 0x600);	/* PM1a_EVT_BLK */
	ck_assert_uint_eq(get32(fadt + 60), 0);		/* PM1b_EVT_BLK */
	ck_assert_uint_eq(get32(fadt + 64), 0x604);	/* PM1a_CNT_BLK */
	ck_assert_uint_eq(get32(fadt + 76), 0x608);	/* PM_TMR_BLK */
	ck_assert_uint_eq(get32(fadt + 80), 0);		/* GPE0_BLK: none */
	ck_assert_uint_eq(fadt[88], 4);			/* PM1_EVT_LEN */
	ck_assert_uint_eq(fadt[89], 2);			/* PM1_CNT_LEN */
	ck_assert_uint_eq(fadt[91], 4);			/* PM_TMR_LEN */
	ck_assert_uint_eq(fadt[92], 0);			/* GPE0_BLK_LEN */
}
END_TEST

/* Decodes Name (_S5, Package (n) {...}) and returns the first two package
 * elements (SLP_TYPa, SLP_TYPb), checking every length on the way. */
static void decode_s5(const uint8_t *aml, size_t len, unsigned *a, unsigned *b)
{
	size_t i = 0, pkg_end;
	unsigned vals[4], n = 0;

	ck_assert_uint_eq(aml[i++], 0x08); /* NameOp */
	ck_assert_mem_eq(aml + i, "_S5_", 4);
	i += 4;
	ck_assert_uint_eq(aml[i++], 0x12); /* PackageOp */
	ck_assert_uint_lt(aml[i], 0x40);   /* a one-byte PkgLength */
	pkg_end = i + aml[i];
	ck_assert_uint_eq(pkg_end, len);
	i++;
	ck_assert_uint_eq(aml[i++], 4); /* NumElements */
	while (i < pkg_end) {
		ck_assert_uint_lt(n, 4);
		if (aml[i] == 0x00 || aml[i] == 0x01) { /* ZeroOp, OneOp */
			vals[n++] = aml[i++];
		} else {
			ck_assert_uint_eq(aml[i], 0x0a); /* BytePrefix */
			vals[n++] = aml[i + 1];
			i += 2;
		}
	}
	ck_assert_uint_eq(n, 4);
	*a = vals[0];
	*b = vals[1];
}

START_TEST(test_dsdt_holds_only_s5_with_the_power_off_type)
{
	static const uint8_t want[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	const uint8_t *dsdt = t + ACPI_DSDT_OFFSET;
	unsigned a, b;

	build(0);
	ck_assert_uint_eq(get32(dsdt + 4), 36 + sizeof want);
	ck_assert_mem_eq(dsdt + 36, want, sizeof want);
	decode_s5(dsdt + 36, get32(dsdt + 4) - 36, &a, &b);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 0);
	build(5);
	ck_assert_uint_eq(sum(dsdt, get32(dsdt + 4)), 0);
	decode_s5(dsdt + 36, get32(dsdt + 4) - 36, &a, &b);
	ck_assert_uint_eq(a, 5);
	ck_assert_uint_eq(b, 5);
}
END_TEST

START_TEST(test_checksum_makes_the_sum_zero)
{
	uint8_t bytes[5] = {1, 2, 3, 0, 250};

	bytes[3] = acpi_checksum(bytes, sizeof bytes);
	ck_assert_uint_eq(sum(bytes, sizeof bytes), 0);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, test_rsdp_points_through_rsdt_and_fadt_to_dsdt);
	tcase_add_test(tc, test_fadt_describes_the_piix4_pm_block);
	tcase_add_test(tc, test_dsdt_holds_only_s5_with_the_power_off_type);
	tcase_add_test(tc, test_checksum_makes_the_sum_zero);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(acpi_suite());
}
