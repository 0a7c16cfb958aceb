/* The PIIX3 IDE function (00:01.1, 8086:7010): an IDE controller in
 * compatibility mode (the legacy ports and IRQs 14/15, fixed by the
 * chipset, not by BARs) whose bus-master registers live behind BAR4, a
 * 16-byte I/O window placed by firmware: the primary channel's eight bytes,
 * then the secondary's. */
#ifndef HV_LEGACY_PIIX_IDE_H
#define HV_LEGACY_PIIX_IDE_H

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "legacy/ide.h"
#include "hv/core/pci.h"

#define PIIX_IDE_VENDOR 0x8086
#define PIIX_IDE_DEVICE 0x7010
#define PIIX_IDE_BM_BAR 4
#define PIIX_IDE_BM_LEN 16

struct piix_ide {
	struct pci_device dev; /* dev.opaque is this */
	struct ide *ide;       /* the two channels */
	struct bus *pio;       /* where BAR4 is decoded */
	uint32_t bm_base;      /* where BAR4 is registered now, 0 if nowhere */
};

/* Creates the function around ide (which stays the caller's); BAR4 is
 * registered on pio when the guest places it and enables I/O decoding.
 * Returns NULL when out of memory. */
struct piix_ide *piix_ide_create(struct ide *ide, struct bus *pio);
void piix_ide_destroy(struct piix_ide *p);

/* Configuration space to its power-on values; BAR4 unmapped. */
void piix_ide_reset(struct piix_ide *p);

/* The registry's view (hv/core/device.h) of a struct piix_ide. */
extern const struct device_ops piix_ide_device_ops;

#endif
