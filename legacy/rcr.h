/* The PIIX Reset Control Register at CF9h: bit 1 chooses a hard (1) or
 * soft (0) reset, a 0->1 transition of bit 2 performs it. CF9h is a byte
 * of the PCI configuration-address dword CF8h-CFBh: only a byte access
 * there reaches this register, anything else at CF8h-CFBh is passed to the
 * address latch, so the board registers this device over the whole dword
 * with the latch's ops behind it. */
#ifndef HV_LEGACY_RCR_H
#define HV_LEGACY_RCR_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"

#define RCR_OFFSET 1 /* CF9h within CF8h */
#define RCR_HARD   0x02
#define RCR_RESET  0x04

struct rcr {
	uint8_t value; /* bits 1 and 3 read back; bit 2 is a strobe */
	/* Reset: hard (the whole platform) or soft (the CPU; we do the
	 * same). */
	void (*reset)(void *opaque, bool hard);
	void *opaque;
	const struct io_ops *latch_ops; /* the PCI address latch at CF8h */
	void *latch;
};

void rcr_reset(struct rcr *r);

extern const struct io_ops rcr_io_ops; /* len 4, at CF8h */

/* The registry's view (hv/core/device.h) of a struct rcr. */
extern const struct device_ops rcr_device_ops;

#endif
