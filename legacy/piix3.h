/* The PIIX3 PCI-to-ISA bridge at 00:01.0: its identity (firmware looks for
 * it to set up interrupt routing) and the PIRQ route control registers
 * 60h-63h that steer the PCI interrupt lines PIRQA-D onto ISA IRQ inputs.
 * The edge/level control registers (4D0h/4D1h) belong to the PIC model.
 *
 * A PCI function's INTx pin reaches PIRQ ((slot + pin) mod 4), the wiring
 * QEMU's PC uses and the one firmware's tables for it describe. */
#ifndef HV_LEGACY_PIIX3_H
#define HV_LEGACY_PIIX3_H

#include <stdint.h>

#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "hv/core/pci.h"

#define PIIX3_VENDOR	   0x8086
#define PIIX3_DEVICE	   0x7000
#define PIIX3_PIRQRC	   0x60 /* PIRQA..D route control, 4 bytes */
#define PIIX3_PIRQ_DISABLE 0x80 /* route register bit 7: not routed */

struct piix3 {
	struct pci_device dev; /* configuration space; dev.opaque is this */
	struct irq_line isa[16];
	uint32_t asserted[4]; /* per PIRQ: bit n = slot n drives it */
	uint16_t driven;      /* ISA IRQs we currently hold high */
};

/* Creates the bridge; isa[n] is the line for ISA IRQ n. Returns NULL when
 * out of memory. */
struct piix3 *piix3_create(const struct irq_line isa[16]);
void piix3_destroy(struct piix3 *p);

/* Power-on state: every PIRQ unrouted. */
void piix3_reset(struct piix3 *p);

/* Drives INTx pin (0 = INTA .. 3 = INTD) of the function in slot to level. */
void piix3_pci_irq(struct piix3 *p, unsigned slot, unsigned pin, int level);

/* The registry's view (hv/core/device.h) of a struct piix3. */
extern const struct device_ops piix3_device_ops;

#endif
