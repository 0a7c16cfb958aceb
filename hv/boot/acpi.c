/* hv's own ACPI tables; see acpi.h. Layouts from the ACPI specification
 * 1.0b/6.x (the RSDP of revision 0, the FADT of revision 1). */
#include "hv/boot/acpi.h"

#include <string.h>

#include "hv/core/le.h"

#define HEADER_LENGTH 36
#define FACS_LENGTH   64

/* FADT fields (offsets in the table). */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT	   40
#define FADT_SCI_INT	   46
#define FADT_SMI_CMD	   48
#define FADT_PM1A_EVT_BLK  56
#define FADT_PM1A_CNT_BLK  64
#define FADT_PM_TMR_BLK	   76
#define FADT_PM1_EVT_LEN   88
#define FADT_PM1_CNT_LEN   89
#define FADT_PM_TMR_LEN	   91
#define FADT_FLAGS	   112
/* WBINVD works; C1 is supported; the power button is the fixed-feature
 * one (PWRBTN_STS in PM1 status, `hv shutdown`), and there is no sleep
 * button (bit 5: none as a fixed feature, and the DSDT has no device). */
#define FADT_FLAGS_VALUE ((1u << 0) | (1u << 2) | (1u << 5))

_Static_assert(ACPI_MADT_OFFSET + ACPI_MADT_MAX <= ACPI_TABLES_SIZE, "the MADT fits");

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)(0x100 - sum);
}

/* The common table header; the checksum is filled in by seal(). */
static void header(uint8_t *t, const char *sig, uint32_t length, uint8_t revision)
{
	memcpy(t, sig, 4);
	le_put32(t + 4, length);
	t[8] = revision;
	memcpy(t + 10, "HV    ", 6);   /* OEM ID */
	memcpy(t + 16, "HVTABLES", 8); /* OEM table ID */
	le_put32(t + 24, 1);	       /* OEM revision */
	memcpy(t + 28, "HV  ", 4);     /* creator ID */
	le_put32(t + 32, 1);	       /* creator revision */
}

static void seal(uint8_t *t)
{
	uint32_t len =
	    (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = acpi_checksum(t, len);
}

static void build_fadt(uint8_t *t, uint32_t base, const struct acpi_hw *hw)
{
	header(t, "FACP", ACPI_FADT_LENGTH, 1);
	le_put32(t + FADT_FIRMWARE_CTRL, base + ACPI_FACS_OFFSET);
	le_put32(t + FADT_DSDT, base + ACPI_DSDT_OFFSET);
	le_put16(t + FADT_SCI_INT, hw->sci_irq);
	le_put32(t + FADT_SMI_CMD, 0); /* already in ACPI mode */
	le_put32(t + FADT_PM1A_EVT_BLK, hw->pm_base);
	le_put32(t + FADT_PM1A_CNT_BLK, hw->pm_base + 4u);
	le_put32(t + FADT_PM_TMR_BLK, hw->pm_base + 8u);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	t[FADT_PM_TMR_LEN] = 4;
	le_put32(t + FADT_FLAGS, FADT_FLAGS_VALUE);
	seal(t);
}

/* Revision 1 (ACPI 1.0b): the local APIC, the I/O APIC and overrides. */
static void build_madt(uint8_t *t, const struct acpi_hw *hw)
{
	uint32_t len = acpi_build_madt(t, hw);

	header(t, "APIC", len, 1);
	seal(t);
}

/* Revision 1: the event timer block's ID and where its registers are. */
static void build_hpet(uint8_t *t, const struct acpi_hw *hw)
{
	header(t, "HPET", ACPI_HPET_LENGTH, 1);
	le_put32(t + 36, hw->hpet_id);
	t[40] = 0;  /* system memory */
	t[41] = 64; /* register width */
	le_put64(t + 44, hw->hpet_base);
	t[52] = 0; /* HPET number */
	seal(t);
}

/* Where the DSDT must end: before the first table after it. */
static uint32_t dsdt_end(const struct acpi_hw *hw)
{
	if (hw->hpet_base)
		return ACPI_HPET_OFFSET;
	return hw->apic ? ACPI_MADT_OFFSET : ACPI_TABLES_SIZE;
}

void acpi_build(uint8_t *buf, uint32_t base, const struct acpi_hw *hw)
{
	uint8_t *rsdp = buf + ACPI_RSDP_OFFSET, *facs = buf + ACPI_FACS_OFFSET;
	uint8_t *rsdt = buf + ACPI_RSDT_OFFSET, *dsdt = buf + ACPI_DSDT_OFFSET;
	size_t aml;
	uint32_t n = 0; /* RSDT entries */

	memset(buf, 0, ACPI_TABLES_SIZE);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "HV    ", 6);
	rsdp[15] = 0; /* revision 0: ACPI 1.0, RSDT only */
	le_put32(rsdp + 16, base + ACPI_RSDT_OFFSET);
	rsdp[8] = acpi_checksum(rsdp, 20);

	memcpy(facs, "FACS", 4);
	le_put32(facs + 4, FACS_LENGTH);

	le_put32(rsdt + HEADER_LENGTH + 4 * n++, base + ACPI_FADT_OFFSET);
	if (hw->apic)
		le_put32(rsdt + HEADER_LENGTH + 4 * n++, base + ACPI_MADT_OFFSET);
	if (hw->hpet_base)
		le_put32(rsdt + HEADER_LENGTH + 4 * n++, base + ACPI_HPET_OFFSET);
	header(rsdt, "RSDT", HEADER_LENGTH + 4 * n, 1);
	seal(rsdt);

	build_fadt(buf + ACPI_FADT_OFFSET, base, hw);

	/* Revision 2: integers are 64 bits wide. */
	aml = acpi_dsdt_aml(dsdt + HEADER_LENGTH, dsdt_end(hw) - ACPI_DSDT_OFFSET - HEADER_LENGTH,
			    hw);
	header(dsdt, "DSDT", HEADER_LENGTH + (uint32_t)aml, 2);
	seal(dsdt);
	if (hw->apic)
		build_madt(buf + ACPI_MADT_OFFSET, hw);
	if (hw->hpet_base)
		build_hpet(buf + ACPI_HPET_OFFSET, hw);
}
