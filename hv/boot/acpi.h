/* Minimal ACPI tables of hv's own, for guests booted without firmware
 * (kernel=): an RSDP, an RSDT, a FADT describing the PIIX4 power-management
 * block the PC places at a fixed I/O base, a FACS, and a DSDT whose only
 * AML is the \_S5 package, so that an ACPI guest can power the machine off
 * (SLP_TYP from \_S5 written with SLP_EN to PM1a_CNT). No SMI command port:
 * the machine is in ACPI mode from the start, which is what ACPICA assumes
 * when the FADT's SMI_CMD is zero. No MADT: the CPU has no local APIC. */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_TABLES_SIZE 1024 /* bytes acpi_build writes */
#define ACPI_RSDP_OFFSET 0x000
#define ACPI_FACS_OFFSET 0x040 /* the FACS must be 64-byte aligned */
#define ACPI_RSDT_OFFSET 0x080
#define ACPI_FADT_OFFSET 0x100
#define ACPI_DSDT_OFFSET 0x180
#define ACPI_FADT_LENGTH 116 /* ACPI 1.0 FADT (revision 1) */

/* The hardware the tables describe. */
struct acpi_hw {
	uint16_t pm_base;   /* PIIX4 PMBASE: PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8 */
	uint8_t sci_irq;    /* ISA IRQ of the SCI */
	uint8_t s5_slp_typ; /* SLP_TYP value that powers off */
};

/* Builds the tables into buf (ACPI_TABLES_SIZE bytes) as they are to sit
 * at guest physical address base (16-byte aligned, below 4 GiB); the RSDP
 * is at base + ACPI_RSDP_OFFSET. */
void acpi_build(uint8_t *buf, uint32_t base, const struct acpi_hw *hw);

/* The byte that makes the 8-bit sum of p[0..len) zero once stored in the
 * checksum field (which must hold 0 when this is called). */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
