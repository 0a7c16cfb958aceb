/* The virtio 1.x PCI transport (section 4.1), modern devices only:
 * vendor 1AF4h, device 1040h + type, revision 1. Its registers sit in a
 * 16 KiB memory BAR 0 that the vendor capabilities describe:
 *
 *   0000h common configuration (features, status, queue setup)
 *   1000h ISR status (reading it clears it and lowers INTx)
 *   2000h device-specific configuration (the device type's)
 *   3000h notifications: queue n at 3000h + 4n
 *
 * plus the PCI configuration access capability (a window into the BAR
 * through configuration space). Interrupts are one level-triggered INTx
 * (pin INTA) that the wiring routes, or, where the machine can deliver
 * MSIs (hv/core/msi.h), MSI-X (virtio_pci_msix.c): one vector per queue
 * and one for configuration changes, its table and PBA in the ISR's page
 * of BAR 0:
 *
 *   1800h MSI-X table (16 bytes a vector), 1C00h pending bits
 *
 * A device type (block, network, ...) supplies struct virtio_dev_ops and
 * embeds struct virtio_pci; the transport calls it with the domain lock
 * held. The driver is untrusted: a malformed queue marks the device
 * DEVICE_NEEDS_RESET (and interrupts for a configuration change) rather
 * than stopping anything but that device. */
#ifndef HV_VIRTIO_PCI_H
#define HV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/irq.h"
#include "hv/core/memory.h"
#include "hv/core/msi.h"
#include "hv/virtio/virtq.h"
#include "hv/core/pci.h"

#define VIRTIO_PCI_VENDOR      0x1AF4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + device type */
#define VIRTIO_PCI_BAR_SIZE    0x4000
#define VIRTIO_PCI_COMMON      0x0000
#define VIRTIO_PCI_ISR	       0x1000
#define VIRTIO_PCI_DEVICE_CFG  0x2000
#define VIRTIO_PCI_NOTIFY      0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4
#define VIRTIO_QUEUES_MAX      8
#define VIRTIO_PCI_MSIX_TABLE  0x1800
#define VIRTIO_PCI_MSIX_PBA    0x1C00
#define VIRTIO_MSIX_VECTORS    (VIRTIO_QUEUES_MAX + 1) /* a queue's each, and configuration's */
#define VIRTIO_MSI_NO_VECTOR   0xFFFF

/* Device types. */
#define VIRTIO_ID_NET	  1
#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG	  4
#define VIRTIO_ID_GPU	  16
#define VIRTIO_ID_INPUT	  18

/* Feature bits every device may offer (the transport's). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER	  0x02
#define VIRTIO_STATUS_DRIVER_OK	  0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED	  0x80

/* ISR bits. */
#define VIRTIO_ISR_QUEUE  0x1
#define VIRTIO_ISR_CONFIG 0x2

/* Common configuration layout (offsets in the BAR). */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF       0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF       0x0C
#define VIRTIO_COMMON_MSIX     0x10
#define VIRTIO_COMMON_NUMQ     0x12
#define VIRTIO_COMMON_STATUS   0x14
#define VIRTIO_COMMON_CFGGEN   0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE   0x18
#define VIRTIO_COMMON_Q_MSIX   0x1A
#define VIRTIO_COMMON_Q_ENABLE 0x1C
#define VIRTIO_COMMON_Q_NOFF   0x1E
#define VIRTIO_COMMON_Q_DESC   0x20
#define VIRTIO_COMMON_Q_DRIVER 0x28
#define VIRTIO_COMMON_Q_DEVICE 0x30
#define VIRTIO_COMMON_SIZE     0x38

/* What a device type tells the transport. Every hook runs with the
 * domain lock held. */
struct virtio_dev_ops {
	uint16_t type;	    /* VIRTIO_ID_* */
	uint8_t class_base; /* PCI class code */
	uint8_t class_sub;
	uint64_t features;    /* device-specific feature bits offered */
	unsigned num_queues;  /* at most VIRTIO_QUEUES_MAX */
	uint16_t queue_max;   /* largest queue size (a power of two) */
	uint32_t config_size; /* bytes of device configuration */
	/* Copies len bytes at offset of the device configuration into buf;
	 * the transport has checked the range. */
	void (*config_read)(void *dev, unsigned offset, void *buf, unsigned len);
	/* A driver write of len bytes at offset; NULL: read-only. */
	void (*config_write)(void *dev, unsigned offset, const void *buf, unsigned len);
	/* The driver made buffers available in queue n (after DRIVER_OK). */
	void (*notify)(void *dev, unsigned queue);
	/* Device reset: forget requests and state; the queues are the
	 * transport's and already reset. In-flight requests must be dropped
	 * or finished before it returns. */
	void (*reset)(void *dev);
};

struct virtio_pci_queue {
	uint16_t size;	      /* queue_size as the driver set it */
	bool enabled;	      /* queue_enable written with 1 */
	uint64_t desc;	      /* queue_desc */
	uint64_t driver;      /* queue_driver: the available ring */
	uint64_t device;      /* queue_device: the used ring */
	struct virtq vq;      /* set up when enabled */
	uint16_t msix_vector; /* queue_msix_vector: VIRTIO_MSI_NO_VECTOR or a table entry */
	uint64_t notifies;    /* the driver's notifications and the queue's interrupts, */
	uint64_t interrupts;  /* for `hv list -l` (not saved) */
	char name[24];	      /* "virtio-blk0.0" for log lines */
};

/* One MSI-X table entry, as the driver wrote it. */
struct virtio_pci_msix_entry {
	uint32_t addr_lo, addr_hi, data;
	uint32_t ctrl; /* bit 0: the vector is masked (the rest reserved, 0) */
};

/* MSI-X (virtio_pci_msix.c). Its enable and function-mask bits live in
 * configuration space (the capability's message control). */
struct virtio_pci_msix {
	const struct msi_sink *sink; /* the machine's (NULL: none wired) */
	bool offered;		     /* the capability is in configuration space */
	uint16_t config_vector;	     /* msix_config */
	uint32_t pending;	     /* the PBA: a bit per vector masked when signalled */
	struct virtio_pci_msix_entry table[VIRTIO_MSIX_VECTORS];
	uint64_t sent, refused; /* messages the sink took and refused */
};

struct virtio_pci {
	struct pci_device pci;
	struct guest_mem *mem;
	const struct virtio_dev_ops *ops;
	void *dev;	     /* the device type's state, passed to ops */
	struct irq_line irq; /* INTx: high while isr is non-zero */
	uint64_t bar_base;   /* where BAR 0 is mapped; 0 when it is not */
	uint32_t dfselect;   /* device_feature_select */
	uint32_t gfselect;   /* driver_feature_select */
	uint64_t driver_features;
	uint64_t withheld; /* of ops->features, the bits this device does not offer */
	uint8_t status;
	uint8_t config_generation; /* bumped when device configuration changes */
	uint8_t isr;
	uint16_t queue_select;
	struct virtio_pci_queue q[VIRTIO_QUEUES_MAX];
	/* What firmware would have programmed, applied at every machine
	 * reset (a kernel booted without firmware finds the device ready):
	 * BAR 0's address (0: leave it unassigned) and the interrupt line. */
	uint32_t boot_bar;
	uint8_t boot_irq_line;
	/* Doorbells (hv/core/doorbell.h): where the machine keeps them (NULL:
	 * none, notifications are MMIO writes), and the ones this device holds:
	 * at bell_base, one per bit of bell_mask, of the queues in bell_want. */
	struct doorbells **doorbells;
	struct doorbells *bell_db;
	uint64_t bell_base;
	uint32_t bell_mask, bell_want;
	uint64_t notifies; /* counters for `hv list -l` */
	uint64_t interrupts;
	struct virtio_pci_msix msix;
	char name[16];
};

/* Sets vp up as an unconfigured device of ops's type with dev as its
 * state, on guest memory mem, interrupting through irq. name is used in
 * log lines ("vda"). The BAR is unmapped until the driver (or the
 * firmware) places it and enables memory decoding. */
void virtio_pci_init(struct virtio_pci *vp, struct guest_mem *mem, const struct virtio_dev_ops *ops,
		     void *dev, struct irq_line irq, const char *name);

/* Has the device take its queue notifications through the doorbells the
 * machine keeps at *doorbells (hv/core/doorbell.h) while that is set. */
struct doorbells;
void virtio_pci_set_doorbells(struct virtio_pci *vp, struct doorbells **doorbells);

/* Has every machine reset, starting now, leave BAR 0 at bar with memory
 * decoding and bus mastering on and the interrupt line register at line,
 * as firmware would (firmware that runs may move them). */
void virtio_pci_set_boot_config(struct virtio_pci *vp, uint32_t bar, uint8_t line);

/* Has the device offer MSI-X, from its next machine reset, while the
 * machine's sink (*msi, hv/core/msi.h) can deliver, signalling through it. */
void virtio_pci_set_msi(struct virtio_pci *vp, const struct msi_sink *msi);

/* Unmaps the BAR (the device is going away). */
void virtio_pci_destroy(struct virtio_pci *vp);

/* Power-on state: a device reset plus fresh PCI configuration (the BAR
 * unmapped, decoding off). */
void virtio_pci_machine_reset(struct virtio_pci *vp);

/* What a driver writing status 0 does: device reset (ops->reset), queues
 * forgotten, features and ISR cleared, INTx lowered. */
void virtio_pci_device_reset(struct virtio_pci *vp);

/* Queue n's virtqueue when the driver has enabled it and DRIVER_OK is
 * set, else NULL. */
struct virtq *virtio_pci_queue(struct virtio_pci *vp, unsigned n);

/* Pops from queue n. Returns 1 with a chain, 0 when nothing is waiting
 * (or the queue is not live), -1 when the queue is broken: the device is
 * then marked DEVICE_NEEDS_RESET. */
int virtio_pci_pop(struct virtio_pci *vp, unsigned n, struct virtq_chain *c);

/* Returns a chain to queue n and interrupts if the driver wants it.
 * Returns true when it raised the interrupt (a running vCPU may need a
 * kick to see it soon). */
bool virtio_pci_push(struct virtio_pci *vp, unsigned n, const struct virtq_chain *c,
		     uint32_t written);

/* Returns n chains to queue n at once (virtq_push_many) and interrupts
 * if the driver wants it; as virtio_pci_push otherwise. */
bool virtio_pci_push_many(struct virtio_pci *vp, unsigned n, const struct virtq_used_elem *e,
			  unsigned count);

/* A burst on queue n (virtq_hold): its pushes publish nothing and
 * interrupt nobody until virtio_pci_publish, which publishes them with
 * one used->idx store and interrupts once if the driver's used_event
 * (or its flags) asks for any of them. Returns true when it interrupted.
 * Begin and end under one hold of the domain lock. */
void virtio_pci_hold(struct virtio_pci *vp, unsigned n);
bool virtio_pci_publish(struct virtio_pci *vp, unsigned n);

/* Notification suppression on queue n (virtq_notify_off, virtq_notify_on:
 * true when chains are waiting that the caller must take). */
void virtio_pci_notify_off(struct virtio_pci *vp, unsigned n);
bool virtio_pci_notify_on(struct virtio_pci *vp, unsigned n);

/* Gives back the last count chains popped from queue n (virtq_unpop). */
void virtio_pci_unpop(struct virtio_pci *vp, unsigned n, unsigned count);

/* The device configuration changed: bump the generation and interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);

/* The device hit an error it cannot go on from: DEVICE_NEEDS_RESET and a
 * configuration interrupt. */
void virtio_pci_needs_reset(struct virtio_pci *vp);

/* The feature bits offered: the device type's and the transport's. */
uint64_t virtio_pci_offered(const struct virtio_pci *vp);

/* Whether feature bit f was negotiated. */
bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned f);

/* Writes status=, features=, queues= and counters as key=value pairs. */
void virtio_pci_describe(const struct virtio_pci *vp, char *buf, size_t len);

/* Save/restore of the transport (hv/virtio/virtio_pci_save.c), the first
 * part of every virtio device's state: configuration space (BAR 0 and
 * the command register with it), status, features and their select
 * registers, the configuration generation, ISR, per queue its size,
 * addresses and ring indices, and (format 2) MSI-X: whether it is
 * offered, the vectors mapped, the table and the pending bits. A device
 * saves only with no chain in flight (every popped chain pushed). */
#define VIRTIO_PCI_SAVE_VERSION 2 /* 1: before MSI-X */
struct state_in;
struct state_out;

struct virtio_pci_saved_queue {
	uint16_t size;
	bool enabled;
	uint64_t desc, driver, device;
	uint16_t last_avail, used_idx, signalled_used;
	bool broken;
	uint16_t msix_vector;
};

struct virtio_pci_saved {
	uint8_t config[256];
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint8_t status, config_generation, isr;
	uint16_t queue_select;
	uint64_t notifies, interrupts;
	struct virtio_pci_saved_queue q[VIRTIO_QUEUES_MAX];
	uint16_t msix_config;
	uint32_t msix_pending;
	struct virtio_pci_msix_entry msix_table[VIRTIO_MSIX_VECTORS];
};

void virtio_pci_save(const struct virtio_pci *vp, struct state_out *o);

/* Reads what virtio_pci_save wrote in format `from` (1 or 2) into s
 * without touching vp, checking it as the registers check a driver's
 * writes: status bits in an order a driver can reach, features offered,
 * queue sizes, enabled queues' rings aligned and wholly in guest RAM,
 * MSI-X vectors in the table, and MSI-X in use only where this machine
 * can deliver it. Returns 0, or -1 (logged) for state vp could not have
 * been in. */
int virtio_pci_load(const struct virtio_pci *vp, struct state_in *in, uint32_t from,
		    struct virtio_pci_saved *s);

/* Makes s (from virtio_pci_load, just now) vp's state: the device type's
 * reset hook runs first (its own state is the caller's to set after),
 * then the BAR is mapped where the configuration says and INTx driven
 * from the ISR. */
void virtio_pci_commit(struct virtio_pci *vp, const struct virtio_pci_saved *s);

/* Maps BAR 0 where configuration space says and drives INTx from the ISR
 * (after configuration space was replaced). */
void virtio_pci_refresh(struct virtio_pci *vp);

/* BAR 0's registers (opaque = the virtio_pci), also for tests. */
extern const struct io_ops virtio_pci_bar_ops;

/* Configuration-space offset of the PCI configuration access
 * capability's window (bar, offset, length, then the data dword). */
#define VIRTIO_PCI_CAP_PCI_CFG 0x84
/* Configuration-space offset of the MSI-X capability, where offered (the
 * configuration access capability links to it). */
#define VIRTIO_PCI_CAP_MSIX 0x98

#endif
