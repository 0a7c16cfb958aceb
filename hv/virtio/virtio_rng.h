/* virtio-rng (virtio 1.x section 5.4): one queue of device-writable
 * buffers that the device fills from the host's getrandom(2). A token
 * bucket on the domain's virtual clock limits the rate, so a guest cannot
 * drain the host's entropy pool or spin a host thread: buffers beyond
 * the budget wait for a timer. Runs under the domain lock, on the vCPU
 * thread (notify) or the timer's. */
#ifndef HV_VIRTIO_RNG_H
#define HV_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/virtio/virtio_pci.h"

#define VIRTIO_RNG_RATE	 (64u << 10) /* bytes per second of virtual time */
#define VIRTIO_RNG_BURST (16u << 10) /* bytes the bucket holds */

struct virtio_rng {
	struct virtio_pci vp;
	struct vclock *clock;
	struct vtimer refill; /* armed while buffers wait for tokens */
	uint64_t rate;	      /* bytes per second */
	uint64_t burst;	      /* bucket size */
	uint64_t tokens;      /* bytes that may be given now */
	int64_t last_ns;      /* virtual time tokens were last added */
	uint64_t bytes;	      /* counters for `hv list -l` */
	uint64_t buffers;
	uint64_t delayed;
};

/* Sets up rng on mem and clock, interrupting through irq, at rate bytes
 * per second with a bucket of burst bytes (full at first). */
void virtio_rng_init(struct virtio_rng *rng, struct guest_mem *mem, struct vclock *clock,
		     struct irq_line irq, uint64_t rate, uint64_t burst, const char *name);

/* Cancels its timer and unmaps its BAR. */
void virtio_rng_destroy(struct virtio_rng *rng);

/* Registry ops (opaque = the virtio_rng). */
extern const struct device_ops virtio_rng_device_ops;

#endif
