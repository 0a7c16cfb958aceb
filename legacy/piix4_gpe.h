/* The ACPI event registers of QEMU's PIIX4, at the fixed ports SeaBIOS's
 * tables name: the GPE0 block (the FADT's GPE0_BLK, AFE0h: two status
 * bytes, write one to clear, then two enable bytes), the PCI hotplug
 * registers (AE00h: slots up, slots down, eject, removable, bus select)
 * and the CPU present bitmap (AF00h, 32 bytes, one bit per CPU).
 *
 * hv has no hotplug, so nothing sets a status bit and the bitmaps never
 * change; what matters is that the ports read as these registers. As an
 * open bus (all ones) they made the DSDT's _E01 method see every slot
 * "going down", and Linux's acpiphp ejected every PCI function but the
 * host bridge (no IDE, no disk: found by test_linux_disk). An eject the
 * guest asks for is logged and refused: the device stays. */
#ifndef HV_LEGACY_PIIX4_GPE_H
#define HV_LEGACY_PIIX4_GPE_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"

#define PIIX4_GPE0_PORT	 0xafe0
#define PIIX4_GPE0_LEN	 4
#define PIIX4_PCIHP_PORT 0xae00
#define PIIX4_PCIHP_LEN	 0x14
#define PIIX4_CPUHP_PORT 0xaf00
#define PIIX4_CPUHP_LEN	 32

/* Offsets in the PCI hotplug block (dwords). */
#define PCIHP_UP	0x00
#define PCIHP_DOWN	0x04
#define PCIHP_EJECT	0x08
#define PCIHP_REMOVABLE 0x0c
#define PCIHP_BSEL	0x10

struct piix4_gpe {
	struct bus *pio;
	uint8_t sts[2];			 /* GPE0_STS: nothing in hv sets a bit */
	uint8_t en[2];			 /* GPE0_EN as last written */
	unsigned cpus;			 /* bits set in the present bitmap */
	bool gpe_on, pcihp_on, cpuhp_on; /* which blocks are on pio */
};

/* Places the three blocks on pio; a block whose ports are taken is left
 * off and logged (the machine still runs). cpus: 1 to 256. */
void piix4_gpe_init(struct piix4_gpe *g, struct bus *pio, unsigned cpus);
void piix4_gpe_fini(struct piix4_gpe *g);

/* Power-on state: no status, nothing enabled. */
void piix4_gpe_reset(struct piix4_gpe *g);

#endif
