/* The DSDT's AML (see acpi.h for what it describes), written with the
 * encoder of aml.h. In ASL terms:
 *
 *   Name (_S5, Package (4) { typ, typ, 0, 0 })
 *   Scope (\_SB) {
 *     Device (PCI0) {                        the i440FX root bridge
 *       Name (_HID, EisaId ("PNP0A03")), _UID 0, _BBN 0
 *       Name (_CRS, ResourceTemplate () { buses 0-FFh, the CF8h-CFFh
 *         config ports, I/O 0-CF7h and D00h-FFFFh, the VGA window
 *         A0000h-BFFFFh, the PCI memory window above RAM })
 *       Name (_PRT, Package () { slot s pin p -> LNK[(s + p) mod 4] })
 *       Device (ISA_) {                      PIIX3, 00:01.0
 *         OperationRegion (PIRQ, PCI_Config, 0x60, 4)
 *         Field (PIRQ, ByteAcc, NoLock, Preserve) { PRQA,8 .. PRQD,8 }
 *         Device (KBD_) { PNP0303: I/O 60h and 64h, IRQ 1 }
 *         Device (MOU_) { PNP0F13: IRQ 12 }
 *         Device (RTC_) { PNP0B00: I/O 70h-71h, IRQ 8 }
 *       }
 *     }
 *     Device (LNKA) .. Device (LNKD) {       the PIRQ links
 *       _HID PNP0C0F, _UID n, _PRS (the IRQs offered, level, low, shared),
 *       _STA/_CRS read the route register, _SRS writes it, _DIS sets
 *       its disable bit 7
 *     }
 *   }
 */
#include "hv/boot/acpi.h"

#include <stdio.h>

#include "hv/boot/aml.h"

#define PCI_MMIO_END  0xFEBFFFFFu /* below the I/O APIC's conventional page */
#define PIRQ_DISABLED 0x80
#define PCI_SLOTS     32

static void s5(struct aml *a, uint8_t typ)
{
	size_t pkg;

	aml_name(a, "_S5");
	pkg = aml_package(a, 4);
	aml_int(a, typ);
	aml_int(a, typ);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_end(a, pkg);
}

static void root_crs(struct aml *a, const struct acpi_hw *hw)
{
	uint8_t buf[128];
	struct aml r;

	aml_init(&r, buf, sizeof buf);
	aml_res_word_bus(&r, 0x00, 0xFF);
	aml_res_io(&r, 0xCF8, 0xCF8, 1, 8);
	aml_res_word_io(&r, 0x0000, 0x0CF7);
	aml_res_word_io(&r, 0x0D00, 0xFFFF);
	aml_res_dword_mem(&r, 0xA0000, 0xBFFFF);
	aml_res_dword_mem(&r, hw->pci_mmio_base, PCI_MMIO_END);
	aml_res_end(&r);
	if (r.overflow)
		a->overflow = true;
	aml_name(a, "_CRS");
	aml_buffer(a, buf, r.len);
}

/* Every slot's four pins; the wiring of legacy/piix3.h. */
static void prt(struct aml *a)
{
	size_t outer;

	aml_name(a, "_PRT");
	/* 128 entries: a count above 255 would need VarPackage; 128 fits. */
	outer = aml_package(a, PCI_SLOTS * 4);
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++) {
		for (unsigned pin = 0; pin < 4; pin++) {
			char link[5];
			size_t e = aml_package(a, 4);

			snprintf(link, sizeof link, "LNK%c", 'A' + (slot + pin) % 4);
			aml_int(a, (uint64_t)slot << 16 | 0xFFFF); /* any function */
			aml_int(a, pin);
			aml_name_string(a, link);
			aml_int(a, 0);
			aml_end(a, e);
		}
	}
	aml_end(a, outer);
}

/* Device (name) { Name (_HID, EisaId (hid)) Name (_CRS, ...) } for a chip
 * at fixed ISA ports (io_len 0: none) and one IRQ. Without them Linux's
 * PNP finds no PS/2 controller and leaves the i8042 alone. */
static void isa_device(struct aml *a, const char *name, const char *hid, const uint16_t *io,
		       unsigned nio, uint8_t io_len, unsigned irq)
{
	uint8_t buf[32];
	struct aml r;
	size_t dev = aml_device(a, name);

	aml_init(&r, buf, sizeof buf);
	for (unsigned i = 0; i < nio; i++)
		aml_res_io(&r, io[i], io[i], 1, io_len);
	aml_res_irq(&r, (uint16_t)(1u << irq));
	aml_res_end(&r);
	if (r.overflow)
		a->overflow = true;
	aml_name(a, "_HID");
	aml_eisaid(a, hid);
	aml_name(a, "_CRS");
	aml_buffer(a, buf, r.len);
	aml_end(a, dev);
}

static void isa_devices(struct aml *a)
{
	static const uint16_t kbd[] = {0x60, 0x64}, rtc[] = {0x70};

	isa_device(a, "KBD", "PNP0303", kbd, 2, 1, 1);
	isa_device(a, "MOU", "PNP0F13", NULL, 0, 0, 12);
	isa_device(a, "RTC", "PNP0B00", rtc, 1, 2, 8);
}

static void isa_bridge(struct aml *a, const struct acpi_hw *hw)
{
	size_t dev, field;

	dev = aml_device(a, "ISA");
	aml_name(a, "_ADR");
	aml_int(a, (uint32_t)hw->isa_slot << 16);
	aml_op_region(a, "PIRQ", AML_SPACE_PCI_CONFIG, hw->pirq_reg, 4);
	field = aml_field(a, "PIRQ", AML_FIELD_BYTE_ACC | AML_FIELD_PRESERVE);
	aml_field_unit(a, "PRQA", 8);
	aml_field_unit(a, "PRQB", 8);
	aml_field_unit(a, "PRQC", 8);
	aml_field_unit(a, "PRQD", 8);
	aml_end(a, field);
	isa_devices(a);
	aml_end(a, dev);
}

static void pci_root(struct aml *a, const struct acpi_hw *hw)
{
	size_t dev = aml_device(a, "PCI0");

	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	/* No _ADR: a device has a _HID or an _ADR, not both (ACPI 6.1.1);
	 * the bridge is found by its _HID, bus 0 by _BBN. */
	aml_name(a, "_UID");
	aml_int(a, 0);
	aml_name(a, "_BBN");
	aml_int(a, 0);
	root_crs(a, hw);
	prt(a);
	isa_bridge(a, hw);
	aml_end(a, dev);
}

/* Method (_STA) { If (LLess (reg, 0x80)) { Return (0x0B) } Return (0x09) }:
 * present and functioning, enabled only while routed. */
static void link_sta(struct aml *a, const char *reg)
{
	size_t m = aml_method(a, "_STA", 0, false), c;

	c = aml_if(a);
	aml_byte(a, AML_LLESS);
	aml_name_string(a, reg);
	aml_int(a, PIRQ_DISABLED);
	aml_byte(a, AML_RETURN);
	aml_int(a, 0x0B);
	aml_end(a, c);
	aml_byte(a, AML_RETURN);
	aml_int(a, 0x09);
	aml_end(a, m);
}

/* Method (_CRS, 0, Serialized) {
 *   Name (RES, ResourceTemplate () { IRQ (Level, ActiveLow, Shared) {} })
 *   CreateWordField (RES, 1, IRQW)
 *   If (LLess (reg, 0x80)) { ShiftLeft (One, And (reg, 0x0F), IRQW) }
 *   Return (RES)
 * } */
static void link_crs(struct aml *a, const char *reg)
{
	uint8_t buf[8];
	struct aml r;
	size_t m = aml_method(a, "_CRS", 0, true), c;

	aml_init(&r, buf, sizeof buf);
	aml_res_irq_level_low_shared(&r, 0);
	aml_res_end(&r);
	aml_name(a, "RES");
	aml_buffer(a, buf, r.len);
	aml_byte(a, AML_CREATE_WORD);
	aml_name_string(a, "RES");
	aml_int(a, 1);
	aml_name_string(a, "IRQW");
	c = aml_if(a);
	aml_byte(a, AML_LLESS);
	aml_name_string(a, reg);
	aml_int(a, PIRQ_DISABLED);
	aml_byte(a, AML_SHIFT_LEFT);
	aml_int(a, 1);
	aml_byte(a, AML_AND);
	aml_name_string(a, reg);
	aml_int(a, 0x0F);
	aml_int(a, 0); /* no target for the And */
	aml_name_string(a, "IRQW");
	aml_end(a, c);
	aml_byte(a, AML_RETURN);
	aml_name_string(a, "RES");
	aml_end(a, m);
}

/* Method (_SRS, 1, Serialized) {
 *   CreateWordField (Arg0, 1, IRQW)
 *   FindSetRightBit (IRQW, Local0)
 *   If (Local0) { Subtract (Local0, One, reg) } Else { Store (0x80, reg) }
 * } */
static void link_srs(struct aml *a, const char *reg)
{
	size_t m = aml_method(a, "_SRS", 1, true), c;

	aml_byte(a, AML_CREATE_WORD);
	aml_byte(a, AML_ARG0);
	aml_int(a, 1);
	aml_name_string(a, "IRQW");
	aml_byte(a, AML_FIND_SET_RIGHT);
	aml_name_string(a, "IRQW");
	aml_byte(a, AML_LOCAL0);
	c = aml_if(a);
	aml_byte(a, AML_LOCAL0);
	aml_byte(a, AML_SUBTRACT);
	aml_byte(a, AML_LOCAL0);
	aml_int(a, 1);
	aml_name_string(a, reg);
	aml_end(a, c);
	c = aml_else(a);
	aml_byte(a, AML_STORE);
	aml_int(a, PIRQ_DISABLED);
	aml_name_string(a, reg);
	aml_end(a, c);
	aml_end(a, m);
}

/* Method (_DIS) { Store (0x80, reg) } */
static void link_dis(struct aml *a, const char *reg)
{
	size_t m = aml_method(a, "_DIS", 0, false);

	aml_byte(a, AML_STORE);
	aml_int(a, PIRQ_DISABLED);
	aml_name_string(a, reg);
	aml_end(a, m);
}

static void link(struct aml *a, unsigned n, uint16_t irq_mask)
{
	char name[5], reg[24];
	uint8_t buf[8];
	struct aml r;
	size_t dev;

	snprintf(name, sizeof name, "LNK%c", 'A' + n);
	snprintf(reg, sizeof reg, "\\_SB.PCI0.ISA.PRQ%c", 'A' + n);
	dev = aml_device(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C0F");
	aml_name(a, "_UID");
	aml_int(a, n + 1);
	aml_init(&r, buf, sizeof buf);
	aml_res_irq_level_low_shared(&r, irq_mask);
	aml_res_end(&r);
	aml_name(a, "_PRS");
	aml_buffer(a, buf, r.len);
	link_sta(a, reg);
	link_crs(a, reg);
	link_srs(a, reg);
	link_dis(a, reg);
	aml_end(a, dev);
}

size_t acpi_dsdt_aml(uint8_t *p, size_t cap, const struct acpi_hw *hw)
{
	struct aml a;
	size_t sb;

	aml_init(&a, p, cap);
	s5(&a, hw->s5_slp_typ);
	sb = aml_scope(&a, "\\_SB");
	pci_root(&a, hw);
	for (unsigned n = 0; n < 4; n++)
		link(&a, n, hw->pci_irq_mask);
	aml_end(&a, sb);
	return a.overflow ? 0 : a.len;
}
