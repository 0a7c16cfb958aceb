/* Message-signalled interrupts (PCI MSI and MSI-X): a device writes a
 * 32-bit message at an address, which on a PC the local APIC takes as an
 * interrupt request (address FEExxxxxh: the destination APIC; data: the
 * vector and delivery mode). An engine that can deliver them to the
 * guest's APIC (KVM with its in-kernel irqchip) gives the machine a sink;
 * devices offer MSI-X only where it has one, since a guest without an APIC
 * (the soft engine's) has nothing to take the message. */
#ifndef HV_MSI_H
#define HV_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct msi_sink {
	/* Delivers data written at addr. Returns 0, or -1 when the engine
	 * refused it (an address no APIC answers at, a failed ioctl): the
	 * device then drops it, with a rate-limited log line. From any
	 * thread, with the domain lock held. NULL: the machine has no sink. */
	int (*send)(void *opaque, uint64_t addr, uint32_t data);
	void *opaque;
};

/* Whether s can deliver (a device offers MSI-X then). */
static inline bool msi_available(const struct msi_sink *s)
{
	return s && s->send;
}

#endif
