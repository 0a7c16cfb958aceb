/* Direct Linux boot for a domain; see domain_linux.h. */
#include "hv/domain/domain_linux.h"

#include <stdio.h>
#include <sys/random.h>

#include "hv/boot/acpi.h"
#include "hv/domain/domain.h"
#include "hv/boot/linuxboot.h"
#include "hv/core/log.h"
#include "legacy/pc.h"

/* Decompresses the kernel into d->linux_image.image. Returns 1 when hv
 * did, 0 when this kernel decompresses itself (logged), -1 with err set
 * when its payload is corrupt. */
static int unpack(struct domain *d, char *err, size_t errlen)
{
	char why[160];
	int r = linuxboot_unpack(&d->linux_image, why, sizeof why);

	if (r < 0) {
		snprintf(err, errlen, "kernel %s: %s", d->cfg.kernel, why);
		return -1;
	}
	if (r > 0)
		log_info("kernel decompressed by hv: %zu bytes at %#x, entry %#x",
			 d->linux_image.image_size, d->linux_image.image_base,
			 d->linux_image.image_entry);
	else
		log_info("the kernel decompresses itself: %s", why);
	return r;
}

/* Reads the files and, unless kernel_decompress = 0, decompresses the
 * kernel (a kernel that cannot be is left to decompress itself), so a
 * corrupt one is refused before the domain exists. */
int domain_linux_prepare(struct domain *d, char *err, size_t errlen)
{
	int r;

	if (linuxboot_read(d->cfg.kernel, d->cfg.ramdisk, &d->linux_image, err, errlen) < 0)
		return -1;
	if (!d->cfg.kernel_decompress) {
		log_info("the kernel decompresses itself: kernel_decompress = 0");
		return 0;
	}
	r = unpack(d, err, errlen);
	d->linux_unpacked = r > 0;
	return r < 0 ? -1 : 0;
}

/* The decompressed kernel, 10-20 MB, is needed only while a boot writes
 * it into guest RAM: it is freed then and decompressed again (a fraction
 * of a second on the host) for the next reboot. Returns 0 or -1 with err
 * set. */
static int image_for_boot(struct domain *d, char *err, size_t errlen)
{
	if (!d->linux_unpacked || d->linux_image.image)
		return 0;
	return unpack(d, err, errlen) < 0 ? -1 : 0;
}

static void write_acpi(struct domain *d)
{
	uint64_t ram = d->machine.mem.ram_size;
	const struct acpi_hw hw = {
	    .pm_base = DOMAIN_LINUX_PM_BASE,
	    .sci_irq = DOMAIN_LINUX_SCI_IRQ,
	    .s5_slp_typ = 0, /* what legacy/piix4_pm.c powers off on */
	    .pci_mmio_base = (uint32_t)(ram < MEM_LOW_RAM_LIMIT ? ram : MEM_LOW_RAM_LIMIT),
	    .pci_irq_mask = PC_PCI_IRQ_MASK,
	    .isa_slot = PC_ISA_BRIDGE_SLOT,
	    .pirq_reg = PC_PIRQ_ROUTE_REG,
	    .apic = d->machine.apic,
	    .hpet_base = pc_hpet_base(d->pc),
	    .hpet_id = pc_hpet_id()};
	uint8_t tables[ACPI_TABLES_SIZE];

	acpi_build(tables, LINUXBOOT_ACPI, &hw);
	mem_write(&d->machine.mem, LINUXBOOT_ACPI, tables, sizeof tables);
}

int domain_linux_boot(struct domain *d, char *err, size_t errlen)
{
	struct linux_entry entry;
	struct vcpu_boot32 boot;
	uint8_t seed[LINUXBOOT_SEED_SIZE];
	bool seeded = getrandom(seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed;

	if (!d->engine->vcpu_set_boot32) {
		snprintf(err, errlen, "kernel=: the %s engine cannot start a kernel directly",
			 d->engine->name);
		return -1;
	}
	pc_prepare_linux_boot(d->pc, DOMAIN_LINUX_PM_BASE);
	write_acpi(d);
	if (image_for_boot(d, err, errlen) < 0)
		return -1;
	if (linuxboot_setup(&d->machine.mem, &d->linux_image, d->cfg.extra,
			    LINUXBOOT_ACPI + ACPI_RSDP_OFFSET, seeded ? seed : NULL, &entry, err,
			    errlen) < 0)
		return -1;
	linuxboot_drop_image(&d->linux_image);
	boot = (struct vcpu_boot32){.eip = entry.eip,
				    .esi = entry.esi,
				    .gdt_base = entry.gdt_base,
				    .gdt_limit = entry.gdt_limit,
				    .cs = LINUXBOOT_BOOT_CS,
				    .ds = LINUXBOOT_BOOT_DS};
	d->engine->vcpu_set_boot32(d->vcpu, &boot);
	log_info("Linux boot protocol %u.%02u: entry %#x, command line \"%s\"",
		 d->linux_image.version >> 8, d->linux_image.version & 0xff, entry.eip,
		 d->cfg.extra);
	return 0;
}
