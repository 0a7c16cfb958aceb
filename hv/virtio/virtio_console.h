/* virtio-console (virtio 1.x section 5.3) with one port and no optional
 * features: the guest's hvc0. Queue 0 (receiveq) takes host input into
 * buffers the driver posted; queue 1 (transmitq) carries the guest's
 * output to a backend the wiring supplies (the domain's console). Under
 * the domain lock. */
#ifndef HV_VIRTIO_CONSOLE_H
#define HV_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/device.h"
#include "hv/virtio/virtio_pci.h"

/* Where the guest's output goes. */
struct virtio_console_backend {
	void (*tx)(void *opaque, const uint8_t *buf, size_t len);
	void *opaque;
};

struct virtio_console {
	struct virtio_pci vp;
	struct virtio_console_backend out;
	uint64_t tx_bytes; /* counters for `hv list -l` */
	uint64_t rx_bytes;
};

/* Sets c up on mem, interrupting through irq, writing the guest's output
 * to out. */
void virtio_console_init(struct virtio_console *c, struct guest_mem *mem, struct irq_line irq,
			 const struct virtio_console_backend *out, const char *name);

/* Unmaps its BAR. */
void virtio_console_destroy(struct virtio_console *c);

/* Host input for the guest: fills the receive buffers the driver has
 * posted. Returns the bytes taken (0 while the driver is not ready or has
 * no buffer; the caller keeps the rest for later). */
size_t virtio_console_receive(struct virtio_console *c, const uint8_t *data, size_t len);

/* Registry ops (opaque = the virtio_console). */
extern const struct device_ops virtio_console_device_ops;

#endif
