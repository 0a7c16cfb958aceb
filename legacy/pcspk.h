/* System control port B (61h on a PC/AT): the PC speaker's two control
 * bits, GATE of PIT counter 2, and the status bits programs poll for
 * timing (counter 2's OUT and the refresh toggle). The sound itself is not
 * produced yet; the register is what BIOSes and delay loops need. */
#ifndef HV_LEGACY_PCSPK_H
#define HV_LEGACY_PCSPK_H

#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "legacy/pit8254.h"

/* Bits of the port. */
#define PCSPK_GATE2	 0x01 /* GATE of PIT counter 2 (read/write) */
#define PCSPK_DATA	 0x02 /* speaker data: counter 2's OUT reaches the speaker */
#define PCSPK_PARITY_OFF 0x04 /* parity check disable (kept, no effect) */
#define PCSPK_IOCHK_OFF	 0x08 /* channel check disable (kept, no effect) */
#define PCSPK_REFRESH	 0x10 /* refresh request toggle (read-only) */
#define PCSPK_OUT2	 0x20 /* PIT counter 2's OUT (read-only) */
#define PCSPK_WRITABLE	 0x0f

/* The refresh toggle's half period: 15.085 us, the AT's DRAM refresh. */
#define PCSPK_REFRESH_NS 15085

struct pcspk {
	struct pit8254 *pit;  /* counter 2: GATE from bit 0, OUT to bit 5 */
	struct vclock *clock; /* time base of the refresh toggle */
	uint8_t ctrl;	      /* bits 0-3 as last written */
};

/* Allocates the port in its reset state (all control bits clear), bound
 * to pit's counter 2. Returns NULL if out of memory. */
struct pcspk *pcspk_create(struct pit8254 *pit, struct vclock *clock);
void pcspk_destroy(struct pcspk *s);

/* Reset: control bits clear, counter 2's GATE low. */
void pcspk_reset(struct pcspk *s);

/* The port, len 1. */
extern const struct io_ops pcspk_io_ops;

/* The registry's view (hv/core/device.h) of a struct pcspk. */
extern const struct device_ops pcspk_device_ops;

#endif
