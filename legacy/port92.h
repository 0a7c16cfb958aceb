/* System Control Port A (92h), the PS/2 "fast A20 and reset" port that
 * PIIX and every later chipset keeps: bit 1 gates A20 (ORed by the board
 * with the keyboard controller's gate), a 0->1 transition of bit 0 resets
 * the CPU. */
#ifndef HV_LEGACY_PORT92_H
#define HV_LEGACY_PORT92_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"

#define PORT92_RESET 0x01
#define PORT92_A20   0x02

struct port92 {
	uint8_t value;			    /* as last written */
	void (*a20)(void *opaque, bool on); /* bit 1 changed */
	void (*reset)(void *opaque);	    /* bit 0 rose */
	void *opaque;
};

/* Power-on value 0: this port's gate is off (the i8042's is on). */
void port92_reset(struct port92 *p);

extern const struct io_ops port92_io_ops; /* len 1 */

/* The registry's view (hv/core/device.h) of a struct port92. */
extern const struct device_ops port92_device_ops;

#endif
