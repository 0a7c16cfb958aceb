/* Doorbells: guest writes that only say "look at queue n" (virtio's
 * notifications). An engine that can catch such a write inside the host
 * kernel (KVM's ioeventfd) signals an eventfd instead of exiting to hv;
 * the domain's event loop then rings the device under the domain lock,
 * and the vCPU goes on running meanwhile. A machine without doorbells
 * (the soft engine, unit tests) gets the same writes as ordinary MMIO
 * writes, so a device must handle both ways alike. */
#ifndef HV_DOORBELL_H
#define HV_DOORBELL_H

#include <stdint.h>

/* The 2-byte write the doorbells catch (virtio's notify is iowrite16). */
#define DOORBELL_WRITE_LEN 2

struct doorbells {
	/* Asks that 2-byte writes at gpa call ring(dev, arg) on the event
	 * loop, with the domain lock held. Returns 0, or -1 when it cannot
	 * (no slot left, the engine refused): the write then stays MMIO. With
	 * the domain lock held. */
	int (*add)(struct doorbells *db, uint64_t gpa, void (*ring)(void *dev, unsigned arg),
		   void *dev, unsigned arg);
	/* Stops catching writes at gpa (a ring already signalled is dropped).
	 * With the domain lock held. */
	void (*remove)(struct doorbells *db, uint64_t gpa);
};

#endif
