/* The MADT (Multiple APIC Description Table, ACPI 1.0b section 5.2.8) of a
 * machine with an APIC; see acpi.h. */
#include "hv/boot/acpi.h"

#include <string.h>

#include "hv/core/le.h"

#define MADT_HEADER	  44 /* table header, local APIC address, flags */
#define MADT_PCAT_COMPAT  1u /* a dual 8259 is present too */
#define MADT_LAPIC	  0  /* entry types and lengths */
#define MADT_LAPIC_LEN	  8
#define MADT_IOAPIC	  1
#define MADT_IOAPIC_LEN	  12
#define MADT_OVERRIDE	  2
#define MADT_OVERRIDE_LEN 10
#define LAPIC_ENABLED	  1u
#define IOAPIC_ID	  1
/* MPS INTI flags: polarity active low (bits 1:0 = 11b), trigger level
 * (bits 3:2 = 11b). */
#define INTI_LEVEL_LOW 0xfu

static uint8_t *lapic(uint8_t *p)
{
	p[0] = MADT_LAPIC;
	p[1] = MADT_LAPIC_LEN;
	p[2] = 0; /* ACPI processor ID */
	p[3] = 0; /* APIC ID */
	le_put32(p + 4, LAPIC_ENABLED);
	return p + MADT_LAPIC_LEN;
}

static uint8_t *ioapic(uint8_t *p)
{
	p[0] = MADT_IOAPIC;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = IOAPIC_ID;
	p[3] = 0;
	le_put32(p + 4, ACPI_IOAPIC_BASE);
	le_put32(p + 8, 0); /* its first GSI */
	return p + MADT_IOAPIC_LEN;
}

/* ISA IRQ irq on GSI irq, level-triggered and active-low. */
static uint8_t *level_override(uint8_t *p, unsigned irq)
{
	p[0] = MADT_OVERRIDE;
	p[1] = MADT_OVERRIDE_LEN;
	p[2] = 0; /* bus: ISA */
	p[3] = (uint8_t)irq;
	le_put32(p + 4, irq);
	le_put16(p + 8, INTI_LEVEL_LOW);
	return p + MADT_OVERRIDE_LEN;
}

uint32_t acpi_build_madt(uint8_t *t, const struct acpi_hw *hw)
{
	uint16_t level = (uint16_t)(hw->pci_irq_mask | 1u << (hw->sci_irq & 15));
	uint8_t *p = t + MADT_HEADER;

	memset(t, 0, ACPI_MADT_MAX);
	le_put32(t + 36, ACPI_LAPIC_BASE);
	le_put32(t + 40, MADT_PCAT_COMPAT);
	p = lapic(p);
	p = ioapic(p);
	for (unsigned irq = 1; irq < 16; irq++)
		if (level & 1u << irq)
			p = level_override(p, irq);
	return (uint32_t)(p - t);
}
