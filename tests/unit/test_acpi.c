/* hv's ACPI tables: every checksum, the pointers from the RSDP down to the
 * DSDT, the FADT's power-management blocks, the AML of \_S5 decoded byte
 * by byte, the PCI root bridge's windows and its _PRT decoded entry by
 * entry, and the whole DSDT through ACPICA's own disassembler and
 * compiler (iasl, Debian's acpica-tools, installed by assets/setup.sh). */
#include "hv/boot/acpi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define BASE	  0x9F000u
#define MMIO_BASE 0x08000000u

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

static void build_hw(uint8_t typ, bool apic)
{
	const struct acpi_hw hw = {.pm_base = 0x600,
				   .sci_irq = 9,
				   .s5_slp_typ = typ,
				   .pci_mmio_base = MMIO_BASE,
				   .pci_irq_mask = 1u << 10 | 1u << 11,
				   .isa_slot = 1,
				   .pirq_reg = 0x60,
				   .apic = apic};

	memset(t, 0xee, sizeof t);
	acpi_build(t, BASE, &hw);
}

static void build(uint8_t typ)
{
	build_hw(typ, false);
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

START_TEST(test_dsdt_starts_with_s5_with_the_power_off_type)
{
	static const uint8_t want[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	const uint8_t *dsdt = t + ACPI_DSDT_OFFSET;
	unsigned a, b;

	build(0);
	ck_assert_uint_gt(get32(dsdt + 4), 36 + sizeof want);
	ck_assert_uint_le(get32(dsdt + 4), ACPI_TABLES_SIZE - ACPI_DSDT_OFFSET);
	ck_assert_mem_eq(dsdt + 36, want, sizeof want);
	decode_s5(dsdt + 36, sizeof want, &a, &b);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 0);
	build(5);
	ck_assert_uint_eq(sum(dsdt, get32(dsdt + 4)), 0);
	decode_s5(dsdt + 36, 14, &a, &b);
	ck_assert_uint_eq(a, 5);
	ck_assert_uint_eq(b, 5);
}
END_TEST

static const uint8_t *dsdt_aml(size_t *len)
{
	const uint8_t *dsdt = t + ACPI_DSDT_OFFSET;

	*len = get32(dsdt + 4) - 36;
	return dsdt + 36;
}

/* Name (name, ...) in the AML: the byte after the NameSeg, the n-th
 * occurrence (from 0). */
static const uint8_t *find_name(const char *seg, unsigned n)
{
	size_t len;
	const uint8_t *aml = dsdt_aml(&len);

	for (size_t i = 0; i + 5 <= len; i++)
		if (aml[i] == 0x08 && !memcmp(aml + i + 1, seg, 4) && n-- == 0)
			return aml + i + 5;
	ck_abort_msg("no Name (%s) in the DSDT", seg);
	return NULL;
}

/* A PkgLength at *p: returns where the package ends, moves *p past it. */
static const uint8_t *pkg(const uint8_t **p)
{
	const uint8_t *start = *p;
	unsigned extra = start[0] >> 6;
	size_t v = extra ? start[0] & 0x0F : start[0] & 0x3F;

	for (unsigned i = 0; i < extra; i++)
		v |= (size_t)start[1 + i] << (4 + 8 * i);
	*p += 1 + extra;
	return start + v;
}

/* An integer constant at *p. */
static uint64_t integer(const uint8_t **p)
{
	const uint8_t *q = *p;
	unsigned n;
	uint64_t v = 0;

	switch (q[0]) {
	case 0x00: *p += 1; return 0;
	case 0x01: *p += 1; return 1;
	case 0x0A: n = 1; break;
	case 0x0B: n = 2; break;
	case 0x0C: n = 4; break;
	default: ck_abort_msg("not an integer: opcode %#x", q[0]); return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)q[1 + i] << (8 * i);
	*p += 1 + n;
	return v;
}

/* _PRT: slot s, pin p goes to LNK[(s + p) mod 4], the PIIX3's wiring
 * (legacy/piix3.h), for every slot and pin. */
START_TEST(test_prt_routes_every_slot_pin_through_the_links)
{
	const uint8_t *p, *end;

	build(0);
	p = find_name("_PRT", 0);
	ck_assert_uint_eq(*p++, 0x12);
	end = pkg(&p);
	ck_assert_uint_eq(*p++, 128);
	for (unsigned slot = 0; slot < 32; slot++) {
		for (unsigned pin = 0; pin < 4; pin++) {
			const uint8_t *e_end;
			char want[5];

			ck_assert_uint_eq(*p++, 0x12);
			e_end = pkg(&p);
			ck_assert_uint_eq(*p++, 4);
			ck_assert_uint_eq(integer(&p), slot << 16 | 0xFFFF);
			ck_assert_uint_eq(integer(&p), pin);
			snprintf(want, sizeof want, "LNK%c", 'A' + (slot + pin) % 4);
			ck_assert_mem_eq(p, want, 4);
			p += 4;
			ck_assert_uint_eq(integer(&p), 0);
			ck_assert_ptr_eq(p, e_end);
		}
	}
	ck_assert_ptr_eq(p, end);
}
END_TEST

/* A descriptor's little-endian field. */
static uint32_t le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* The root bridge's _CRS: buses 0-FFh, the config ports, I/O around them,
 * the VGA window and memory from the top of RAM to FEBFFFFFh, which holds
 * every BAR hv's PC places (legacy/pc_virtio.h: from FE000000h). */
START_TEST(test_root_bridge_windows)
{
	const uint8_t *p, *end;
	unsigned seen = 0;

	build(0);
	p = find_name("_HID", 0);			/* PCI0's, the first device */
	ck_assert_mem_eq(p, "\x0C\x41\xD0\x0A\x03", 5); /* PNP0A03 */
	p = find_name("_CRS", 0);
	ck_assert_uint_eq(*p++, 0x11);
	end = pkg(&p);
	ck_assert_uint_eq(integer(&p), (uint64_t)(end - p));
	while (p < end && *p != 0x79) {
		if (p[0] == 0x88 && p[3] == 2) { /* bus numbers */
			ck_assert_uint_eq(le(p + 8, 2), 0);
			ck_assert_uint_eq(le(p + 10, 2), 0xFF);
			seen |= 1;
		} else if (p[0] == 0x47) {
			ck_assert_uint_eq(le(p + 2, 2), 0xCF8);
			ck_assert_uint_eq(p[7], 8);
			seen |= 2;
		} else if (p[0] == 0x88 && p[3] == 1) { /* I/O */
			uint32_t min = le(p + 8, 2), max = le(p + 10, 2);

			ck_assert(max < 0xCF8 || min > 0xCFF);
			ck_assert_uint_eq(le(p + 14, 2), max - min + 1);
			seen |= min == 0 ? 4 : 8;
		} else if (p[0] == 0x87 && p[3] == 0) { /* memory */
			uint32_t min = le(p + 10, 4), max = le(p + 14, 4);

			ck_assert_uint_eq(le(p + 22, 4), max - min + 1);
			if (min == 0xA0000) {
				ck_assert_uint_eq(max, 0xBFFFF);
				seen |= 16;
			} else {
				ck_assert_uint_eq(min, MMIO_BASE);
				ck_assert_uint_ge(max, 0xFE000000u + 64 * 0x4000);
				ck_assert_uint_eq(max, 0xFEBFFFFF);
				seen |= 32;
			}
		} else {
			ck_abort_msg("unexpected descriptor %#x", p[0]);
		}
		p += p[0] & 0x80 ? 3 + le(p + 1, 2) : 1u + (p[0] & 7u);
	}
	ck_assert_uint_eq(seen, 63);
	ck_assert_uint_eq(p[0], 0x79);
	ck_assert_ptr_eq(p + 2, end);
}
END_TEST

/* Each link offers the IRQs it was given, level, active low, shared. */
START_TEST(test_links_offer_the_pci_irqs)
{
	build(0);
	for (unsigned n = 0; n < 4; n++) {
		const uint8_t *p = find_name("_PRS", n);

		ck_assert_mem_eq(p, "\x11\x09\x0A\x06\x23\x00\x0C\x18\x79\x00", 10);
	}
}
END_TEST

/* ACPICA's disassembler reads the whole DSDT back into ASL, and its
 * compiler accepts that ASL without an error or a warning. */
START_TEST(test_iasl_disassembles_and_recompiles_the_dsdt)
{
	char dir[] = "/tmp/hv-acpi-XXXXXX", cmd[512], path[300], *dsl;
	const uint8_t *dsdt = t + ACPI_DSDT_OFFSET;
	FILE *f;
	long n;
	int rc;

	build(0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/dsdt.dat", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(dsdt, 1, get32(dsdt + 4), f), get32(dsdt + 4));
	fclose(f);
	snprintf(cmd, sizeof cmd, "cd %s && iasl -d dsdt.dat >dis.log 2>&1", dir);
	rc = system(cmd);
	ck_assert_msg(rc == 0,
		      "iasl -d failed (%d): is acpica-tools installed "
		      "(assets/setup.sh)? See %s/dis.log",
		      rc, dir);
	snprintf(path, sizeof path, "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	dsl = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(dsl, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(dsl, "EisaId (\"PNP0A03\")"));
	ck_assert_ptr_nonnull(strstr(dsl, "Name (_PRT, Package (0x80)"));
	ck_assert_ptr_nonnull(strstr(dsl, "OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)"));
	ck_assert_ptr_nonnull(strstr(dsl, "Device (LNKD)"));
	ck_assert_ptr_nonnull(strstr(dsl, "\\_SB.PCI0.ISA.PRQD = (Local0 - One)"));
	ck_assert_ptr_nonnull(strstr(dsl, "IRQ (Level, ActiveLow, Shared, )"));
	ck_assert_ptr_nonnull(strstr(dsl, "Name (_S5, Package (0x04)"));
	/* the ISA chips Linux's PNP looks for (the i8042 is probed only then) */
	ck_assert_ptr_nonnull(strstr(dsl, "EisaId (\"PNP0303\")"));
	ck_assert_ptr_nonnull(strstr(dsl, "IRQNoFlags ()\n                            {1}"));
	ck_assert_ptr_nonnull(strstr(dsl, "EisaId (\"PNP0F13\")"));
	ck_assert_ptr_nonnull(strstr(dsl, "EisaId (\"PNP0B00\")"));
	free(dsl);
	snprintf(cmd, sizeof cmd,
		 "cd %s && iasl -p re dsdt.dsl >asl.log 2>&1 && "
		 "grep -q 'Compilation successful. 0 Errors, 0 Warnings' asl.log",
		 dir);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "iasl does not compile the disassembly cleanly: see %s/asl.log",
		      dir);
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* In PIC mode the RSDT lists the FADT alone and nothing follows the
 * DSDT; with an APIC the FADT, the DSDT and the FACS are the same bytes
 * and the RSDT lists the MADT second. */
START_TEST(test_only_the_apic_machine_has_a_madt)
{
	static uint8_t pic[ACPI_TABLES_SIZE];
	const uint8_t *rsdt = t + ACPI_RSDT_OFFSET, *dsdt = t + ACPI_DSDT_OFFSET;
	uint32_t dsdt_len;

	build(0);
	memcpy(pic, t, sizeof pic);
	ck_assert_uint_eq(get32(rsdt + 4), 40);
	dsdt_len = get32(dsdt + 4);
	for (size_t i = ACPI_DSDT_OFFSET + dsdt_len; i < ACPI_TABLES_SIZE; i++)
		ck_assert_uint_eq(t[i], 0);
	ck_assert_uint_le(ACPI_DSDT_OFFSET + dsdt_len, ACPI_MADT_OFFSET);

	build_hw(0, true);
	ck_assert_uint_eq(get32(rsdt + 4), 44);
	ck_assert_uint_eq(sum(rsdt, 44), 0);
	ck_assert_uint_eq(get32(rsdt + 36), BASE + ACPI_FADT_OFFSET);
	ck_assert_uint_eq(get32(rsdt + 40), BASE + ACPI_MADT_OFFSET);
	ck_assert_mem_eq(t + ACPI_FACS_OFFSET, pic + ACPI_FACS_OFFSET, 64);
	ck_assert_mem_eq(t + ACPI_FADT_OFFSET, pic + ACPI_FADT_OFFSET, ACPI_FADT_LENGTH);
	ck_assert_mem_eq(dsdt, pic + ACPI_DSDT_OFFSET, dsdt_len);
}
END_TEST

/* With an HPET the RSDT lists its table last (after the MADT when there
 * is an APIC), and the table gives the block's ID and its registers'
 * address in system memory; the DSDT ends before it. */
START_TEST(test_hpet_table_places_the_hpet)
{
	const uint8_t *rsdt = t + ACPI_RSDT_OFFSET, *hp = t + ACPI_HPET_OFFSET;
	struct acpi_hw hw = {.pm_base = 0x600,
			     .sci_irq = 9,
			     .pci_mmio_base = MMIO_BASE,
			     .pci_irq_mask = 1u << 10 | 1u << 11,
			     .isa_slot = 1,
			     .pirq_reg = 0x60,
			     .hpet_base = 0xfed00000u,
			     .hpet_id = 0x80862201u};

	for (int apic = 0; apic < 2; apic++) {
		uint32_t n = apic ? 3 : 2;

		hw.apic = apic;
		memset(t, 0xee, sizeof t);
		acpi_build(t, BASE, &hw);
		ck_assert_uint_eq(get32(rsdt + 4), 36 + 4 * n);
		ck_assert_uint_eq(sum(rsdt, 36 + 4 * n), 0);
		ck_assert_uint_eq(get32(rsdt + 36), BASE + ACPI_FADT_OFFSET);
		ck_assert_uint_eq(get32(rsdt + 36 + 4 * (n - 1)), BASE + ACPI_HPET_OFFSET);
		ck_assert_mem_eq(hp, "HPET", 4);
		ck_assert_uint_eq(get32(hp + 4), ACPI_HPET_LENGTH);
		ck_assert_uint_eq(sum(hp, ACPI_HPET_LENGTH), 0);
		ck_assert_uint_eq(get32(hp + 36), 0x80862201u);
		ck_assert_uint_eq(hp[40], 0); /* system memory */
		ck_assert_uint_eq(get32(hp + 44), 0xfed00000u);
		ck_assert_uint_eq(get32(hp + 48), 0);
		ck_assert_uint_le(ACPI_DSDT_OFFSET + get32(t + ACPI_DSDT_OFFSET + 4),
				  ACPI_HPET_OFFSET);
	}
	ck_assert_uint_le(ACPI_HPET_OFFSET + ACPI_HPET_LENGTH, ACPI_MADT_OFFSET);
	build(0); /* none without one */
	ck_assert_uint_eq(get32(rsdt + 4), 40);
	ck_assert_uint_eq(hp[0], 0);
}
END_TEST

/* The MADT entry by entry: the local APIC (ID 0, enabled), the I/O APIC
 * (ID 1 at FEC00000h from GSI 0), then one override per level-triggered
 * ISA IRQ (the SCI, 9, and the links' 10 and 11), each to the same GSI,
 * active-low and level; none for IRQ0, which is on pin 0 as KVM routes
 * it. */
START_TEST(test_madt_lists_the_apics_and_the_level_irqs)
{
	const uint8_t *m, *e;
	unsigned irqs[3] = {9, 10, 11}, n = 0;
	uint32_t len;

	build_hw(0, true);
	m = at(get32(t + ACPI_RSDT_OFFSET + 40));
	ck_assert_mem_eq(m, "APIC", 4);
	len = get32(m + 4);
	ck_assert_uint_eq(len, 44 + 8 + 12 + 3 * 10);
	ck_assert_uint_le(len, ACPI_MADT_MAX);
	ck_assert_uint_eq(m[8], 1);
	ck_assert_uint_eq(sum(m, len), 0);
	ck_assert_uint_eq(get32(m + 36), ACPI_LAPIC_BASE);
	ck_assert_uint_eq(get32(m + 40), 1); /* PCAT_COMPAT */
	e = m + 44;
	ck_assert_uint_eq(e[0], 0);
	ck_assert_uint_eq(e[1], 8);
	ck_assert_uint_eq(e[3], 0);
	ck_assert_uint_eq(get32(e + 4), 1);
	e += 8;
	ck_assert_uint_eq(e[0], 1);
	ck_assert_uint_eq(e[1], 12);
	ck_assert_uint_eq(e[2], 1);
	ck_assert_uint_eq(get32(e + 4), ACPI_IOAPIC_BASE);
	ck_assert_uint_eq(get32(e + 8), 0);
	for (e += 12; e < m + len; e += e[1], n++) {
		ck_assert_uint_lt(n, 3);
		ck_assert_uint_eq(e[0], 2);
		ck_assert_uint_eq(e[1], 10);
		ck_assert_uint_eq(e[2], 0);
		ck_assert_uint_eq(e[3], irqs[n]);
		ck_assert_uint_eq(get32(e + 4), irqs[n]);
		ck_assert_uint_eq(e[8] | e[9] << 8, 0xf);
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(e, m + len);
}
END_TEST

/* ACPICA's disassembler reads the MADT as the APIC table it is: its
 * checksum, the two APICs and the three overrides. */
START_TEST(test_iasl_reads_the_madt)
{
	char dir[] = "/tmp/hv-madt-XXXXXX", cmd[512], path[300];
	const uint8_t *m = t + ACPI_MADT_OFFSET;
	FILE *f;
	int rc;

	build_hw(0, true);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/apic.dat", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(m, 1, get32(m + 4), f), get32(m + 4));
	fclose(f);
	snprintf(
	    cmd, sizeof cmd,
	    "cd %s && iasl -d apic.dat >dis.log 2>&1 && "
	    "! grep -qi 'invalid\\|error\\|warning' apic.dsl && "
	    "grep -q 'Multiple APIC Description Table' apic.dsl && "
	    "[ $(grep -c 'Subtable Type : 02 \\[Interrupt Source Override\\]' apic.dsl) = 3 ] && "
	    "grep -q 'Address : FEC00000' apic.dsl && "
	    "grep -q 'Local Apic Address : FEE00000' apic.dsl",
	    dir);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "iasl -d does not read the MADT as expected: see %s", dir);
	snprintf(cmd, sizeof cmd, "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
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
	tcase_add_test(tc, test_dsdt_starts_with_s5_with_the_power_off_type);
	tcase_add_test(tc, test_prt_routes_every_slot_pin_through_the_links);
	tcase_add_test(tc, test_root_bridge_windows);
	tcase_add_test(tc, test_links_offer_the_pci_irqs);
	tcase_add_test(tc, test_iasl_disassembles_and_recompiles_the_dsdt);
	tcase_add_test(tc, test_checksum_makes_the_sum_zero);
	tcase_add_test(tc, test_only_the_apic_machine_has_a_madt);
	tcase_add_test(tc, test_madt_lists_the_apics_and_the_level_irqs);
	tcase_add_test(tc, test_iasl_reads_the_madt);
	tcase_add_test(tc, test_hpet_table_places_the_hpet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(acpi_suite());
}
