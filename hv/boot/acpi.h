/* ACPI tables of hv's own, for guests booted without firmware (kernel=):
 * an RSDP, an RSDT, a FADT describing the PIIX4 power-management block the
 * PC places at a fixed I/O base, a FACS, and a DSDT (hv/boot/acpi_dsdt.c)
 * with
 *   - \_S5, so that an ACPI guest can power the machine off (SLP_TYP from
 *     \_S5 written with SLP_EN to PM1a_CNT);
 *   - the PCI root bridge \_SB.PCI0 (PNP0A03): its bus, I/O and memory
 *     windows, and a _PRT routing each slot's INTA-D to the PIRQ link
 *     devices \_SB.LNKA-LNKD (PNP0C0F), whose _CRS/_SRS/_DIS read and write
 *     the PIIX3 route registers 60h-63h (legacy/piix3.h) through a
 *     PCI_Config region of the ISA bridge \_SB.PCI0.ISA.
 * No SMI command port: the machine is in ACPI mode from the start, which is
 * what ACPICA assumes when the FADT's SMI_CMD is zero. Without an APIC
 * (acpi_hw.apic false) there is no MADT and the guest runs in PIC mode;
 * with one, a MADT (acpi_build_madt) describes the local APIC and the I/O
 * APIC. The PIRQ links serve both modes: a link routed to ISA IRQ n
 * raises GSI n too (KVM's routing), so the DSDT needs no _PIC. With
 * acpi_hw.hpet_base, an HPET table places the HPET (a clock source Linux
 * registers before any other that follows the host's time). */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_TABLES_SIZE 4096 /* bytes acpi_build writes */
#define ACPI_RSDP_OFFSET 0x000
#define ACPI_FACS_OFFSET 0x040 /* the FACS must be 64-byte aligned */
#define ACPI_RSDT_OFFSET 0x080
#define ACPI_FADT_OFFSET 0x100
#define ACPI_DSDT_OFFSET 0x180
#define ACPI_HPET_OFFSET 0xec0 /* with an HPET; the DSDT ends before it */
#define ACPI_HPET_LENGTH 56
#define ACPI_MADT_OFFSET 0xf00 /* with an APIC; the DSDT ends before it */
#define ACPI_FADT_LENGTH 116   /* ACPI 1.0 FADT (revision 1) */
#define ACPI_LAPIC_BASE	 0xfee00000u
#define ACPI_IOAPIC_BASE 0xfec00000u

/* The hardware the tables describe. */
struct acpi_hw {
	uint16_t pm_base;	/* PIIX4 PMBASE: PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8 */
	uint8_t sci_irq;	/* ISA IRQ of the SCI */
	uint8_t s5_slp_typ;	/* SLP_TYP value that powers off */
	uint32_t pci_mmio_base; /* the PCI memory window: from here to FEBFFFFFh */
	uint16_t pci_irq_mask;	/* ISA IRQs the PIRQ links may be routed to */
	uint8_t isa_slot;	/* the PIIX3's slot on bus 0 */
	uint8_t pirq_reg;	/* its PIRQA route register; B-D follow */
	/* The CPU has a local APIC (ID 0) at ACPI_LAPIC_BASE and the board an
	 * I/O APIC (ID 1, GSIs 0-23) at ACPI_IOAPIC_BASE, ISA IRQ n wired to
	 * GSI n (KVM's default routing: IRQ0 on pin 0, not 2 as QEMU's). */
	bool apic;
	/* The HPET's registers (legacy/hpet.h), described by an HPET table
	 * when non-zero; hpet_id is its capabilities register's low half. */
	uint32_t hpet_base;
	uint32_t hpet_id;
};

/* Builds the tables into buf (ACPI_TABLES_SIZE bytes) as they are to sit
 * at guest physical address base (16-byte aligned, below 4 GiB); the RSDP
 * is at base + ACPI_RSDP_OFFSET. */
void acpi_build(uint8_t *buf, uint32_t base, const struct acpi_hw *hw);

/* The byte that makes the 8-bit sum of p[0..len) zero once stored in the
 * checksum field (which must hold 0 when this is called). */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

/* Writes the DSDT's AML (without the table header) to p; returns its
 * length, or 0 when it does not fit in cap bytes. */
size_t acpi_dsdt_aml(uint8_t *p, size_t cap, const struct acpi_hw *hw);

/* Writes the MADT (APIC table) to t: the local APIC, the I/O APIC, and
 * interrupt source overrides making the SCI and the IRQs the PIRQ links
 * may take level-triggered and active-low (as the links' _PRS say; ISA
 * IRQs are edge and active-high by default). Returns its length, at most
 * ACPI_MADT_MAX. */
#define ACPI_MADT_MAX 256
uint32_t acpi_build_madt(uint8_t *t, const struct acpi_hw *hw);

#endif
