/* Three small debugging devices firmware and test programs rely on:
 *  - the debug console (Bochs/QEMU "debugcon", usually port E9h): bytes
 *    written go to a host backend; reads return E9h so a guest can probe
 *    for it;
 *  - the POST code port (80h): the last code and a count are kept for the
 *    domain log and `hv list -l`;
 *  - the test exit device (QEMU's isa-debug-exit, usually 501h): writing v
 *    powers the machine off with exit status (v << 1) | 1. */
#ifndef HV_LEGACY_ISA_DEBUG_H
#define HV_LEGACY_ISA_DEBUG_H

#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "legacy/uart16550.h"

struct debugcon {
	struct byte_sink out;
};

struct post_port {
	uint8_t last;				     /* last code written */
	uint64_t count;				     /* codes written */
	void (*changed)(void *opaque, uint8_t code); /* a new, different code */
	void *opaque;
};

struct debug_exit {
	void (*poweroff)(void *opaque, int status);
	void *opaque;
};

extern const struct io_ops debugcon_io_ops;   /* len 1 */
extern const struct io_ops post_port_io_ops;  /* len 1 */
extern const struct io_ops debug_exit_io_ops; /* len 2: 16-bit writes land whole */

/* The registry's view (hv/core/device.h) of each. */
extern const struct device_ops debugcon_device_ops;
extern const struct device_ops post_port_device_ops;
extern const struct device_ops debug_exit_device_ops;

#endif
