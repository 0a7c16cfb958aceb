/* The fake guest driver of the virtio suites and fuzzers: it does what
 * Linux's virtio_pci driver does before and around a device's own work.
 * It puts the device on a PCI bus with BAR0 set, negotiates features
 * (virtio 1.x 3.1.1), sets split rings up (descriptors at q, driver area
 * at q + 0x1000, device area at q + 0x2000, or anywhere), offers chains,
 * notifies and reads the used ring. */
#ifndef HV_TEST_VIRTIO_DRIVER_H
#define HV_TEST_VIRTIO_DRIVER_H

#include <stdint.h>

#include "hv/core/memory.h"
#include "hv/core/pci.h"

struct virtio_driver {
	struct guest_mem *mem;
	struct pci_bus bus;
	uint32_t bar;
	unsigned qsize;
	uint16_t avail_idx[2]; /* the next avail index of queues 0 and 1 */
};

/* A driver of the device whose BAR0 is at bar (placed by the caller);
 * the rings will have qsize entries. */
void vdrv_init(struct virtio_driver *d, struct guest_mem *mem, uint32_t bar, unsigned qsize);
/* vdrv_init, then puts pci at slot:0 of a fresh bus, its BAR0 at bar,
 * memory decoding and bus mastering on. */
void vdrv_attach(struct virtio_driver *d, struct guest_mem *mem, struct pci_device *pci,
		 unsigned slot, uint32_t bar, unsigned qsize);
struct virtio_net;
/* The net suites' device: RAM of ram bytes in mem, a virtio-net with a
 * backend that does nothing (MAC 52:54:00:12:34:56) at slot 6, BAR0 at
 * bar; aborts when the RAM cannot be had. vdrv_net_close undoes it. */
void vdrv_net_open(struct virtio_driver *d, struct guest_mem *mem, uint64_t ram,
		   struct virtio_net *n, uint32_t bar, unsigned qsize);
void vdrv_net_close(struct virtio_net *n, struct guest_mem *mem);
/* Writes 0 to the device status: a device reset. */
void vdrv_reset(struct virtio_driver *d);
/* ACKNOWLEDGE|DRIVER, the driver's feature words (word 0 written only if
 * low is not 0), FEATURES_OK. */
void vdrv_negotiate(struct virtio_driver *d, uint32_t low, uint32_t high);
void vdrv_setup_queue(struct virtio_driver *d, unsigned n, uint64_t q);
/* Queue n with size entries and its three areas where given. */
void vdrv_setup_queue_at(struct virtio_driver *d, unsigned n, unsigned size, uint64_t desc,
			 uint64_t driver, uint64_t device);
/* Sets DRIVER_OK on top of FEATURES_OK. */
void vdrv_driver_ok(struct virtio_driver *d);

void vdrv_wr(struct virtio_driver *d, unsigned off, unsigned size, uint64_t v);
uint64_t vdrv_rd(struct virtio_driver *d, unsigned off, unsigned size);

void vdrv_put_desc(struct virtio_driver *d, uint64_t q, unsigned i, uint64_t addr, uint32_t len,
		   uint16_t flags, uint16_t next);
/* Offers the chain at descriptor head on queue n (rings at q); no kick. */
void vdrv_offer(struct virtio_driver *d, unsigned n, uint64_t q, uint16_t head);
/* The kick: queue n's number written to its notify address. */
void vdrv_notify(struct virtio_driver *d, unsigned n);
uint16_t vdrv_used_idx(struct virtio_driver *d, uint64_t q);
/* The length of used element n of the rings at q. */
uint32_t vdrv_used_len(struct virtio_driver *d, uint64_t q, unsigned n);

#endif
