/* virtio-blk (virtio 1.x section 5.2) over a raw image (hv/block/disk.h):
 * read, write, flush (fsync of the image), get ID (the image's serial),
 * discard and write-zeroes (holes punched in the image). A read-only
 * image is offered with VIRTIO_BLK_F_RO and refuses writes with IOERR.
 *
 * Requests run on a worker thread of the device's own, off the vCPU
 * thread, straight between the image and guest RAM; the completion goes
 * back to the used ring under the domain lock with the interrupt raised
 * and the vCPU kicked. */
#ifndef HV_VIRTIO_BLK_H
#define HV_VIRTIO_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/device.h"
#include "hv/core/machine.h"
#include "hv/virtio/virtio_pci.h"

struct disk;

/* Request types and status values. */
#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK		  0
#define VIRTIO_BLK_S_IOERR	  1
#define VIRTIO_BLK_S_UNSUPP	  2

/* Feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX	  1
#define VIRTIO_BLK_F_SEG_MAX	  2
#define VIRTIO_BLK_F_RO		  5
#define VIRTIO_BLK_F_FLUSH	  9
#define VIRTIO_BLK_F_DISCARD	  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_SECTOR      512
#define VIRTIO_BLK_ID_BYTES    20
#define VIRTIO_BLK_QUEUE_SIZE  256
#define VIRTIO_BLK_SEG_MAX     (VIRTQ_SEGS_MAX - 2) /* data segments: header and status aside */
#define VIRTIO_BLK_SIZE_MAX    (1u << 20)	    /* bytes in one segment */
#define VIRTIO_BLK_CONFIG_SIZE 0x3C

struct virtio_blk;

/* Creates the device on m's memory for disk (which stays the caller's and
 * must outlive it), interrupting through irq, and starts its worker.
 * serial is the ID the guest reads (cut to 20 bytes); name is for log
 * lines ("vda"). Returns NULL with err set. */
struct virtio_blk *virtio_blk_create(struct machine *m, struct disk *disk, const char *serial,
				     struct irq_line irq, const char *name, char *err,
				     size_t errlen);

/* Stops the worker (finishing what it runs) and frees the device. NULL
 * is ignored. */
void virtio_blk_destroy(struct virtio_blk *b);

/* Its PCI function, for the wiring to place on a bus. */
struct pci_device *virtio_blk_pci(struct virtio_blk *b);

/* Its transport, for the wiring's virtio_pci_set_boot_config. */
struct virtio_pci *virtio_blk_transport(struct virtio_blk *b);

/* Waits until every request handed to the worker is complete (tests,
 * and anything that needs the image quiet). Without the domain lock. */
void virtio_blk_wait_idle(struct virtio_blk *b);

/* Registry ops (opaque = the virtio_blk): reset is the machine's, with
 * the domain lock held; describe gives the transport and counters; save
 * (version 1) first completes every request in flight, so it waits for
 * the image. */
extern const struct device_ops virtio_blk_device_ops;

#endif
