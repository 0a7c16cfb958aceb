/* MSI-X for the virtio-pci transport (PCI 3.0 section 6.8.2, virtio 1.x
 * section 4.1.4.5 and 4.1.5.1.2): a capability whose message control
 * holds the enable and function-mask bits, a table of one entry per queue
 * plus one for configuration changes, and its pending-bit array, both in
 * BAR 0's ISR page (every page of the BAR exits to hv alike, and the BAR
 * keeps its 16 KiB, so a saved configuration space still places it).
 *
 * The driver is untrusted: table accesses of any size and alignment
 * touch only the bytes they cover, reserved bits stay 0, a vector number
 * beyond the table reads back as NO_VECTOR, and a message the machine's
 * sink refuses (an address that is no APIC's) is dropped with a
 * rate-limited log line. Masking follows the specification: a vector
 * signalled while it or the function is masked sets its pending bit, and
 * unmasking sends it. */
#include <string.h>

#include "hv/core/log.h"
#include "hv/virtio/virtio_pci_msix.h"

#define PCI_CAP_ID_MSIX	 0x11
#define MSGCTL		 (VIRTIO_PCI_CAP_MSIX + 2)
#define MSGCTL_HI	 (VIRTIO_PCI_CAP_MSIX + 3)
#define MSGCTL_MASK	 0x40 /* of MSGCTL_HI: bit 14, the function mask */
#define MSGCTL_ENABLE	 0x80 /* bit 15 */
#define ENTRY_BYTES	 16
#define ENTRY_CTRL_MASK	 1u
#define PBA_BYTES	 8
#define CAP_NEXT_OF_PCFG (VIRTIO_PCI_CAP_PCI_CFG + 1)

_Static_assert(VIRTIO_MSIX_VECTORS *ENTRY_BYTES <= VIRTIO_PCI_MSIX_PBA - VIRTIO_PCI_MSIX_TABLE,
	       "the table ends before the PBA");
_Static_assert(VIRTIO_MSIX_VECTORS <= 8 * PBA_BYTES, "a pending bit per vector");

unsigned virtio_msix_vectors(const struct virtio_pci *vp)
{
	return vp->ops->num_queues + 1;
}

static void set_offered(struct virtio_pci *vp, bool offered)
{
	vp->msix.offered = offered;
	vp->pci.wmask[MSGCTL_HI] = offered ? MSGCTL_MASK | MSGCTL_ENABLE : 0;
}

static void put_cap(struct virtio_pci *vp)
{
	struct pci_device *d = &vp->pci;
	unsigned n = virtio_msix_vectors(vp);

	pci_set_byte(d, CAP_NEXT_OF_PCFG, VIRTIO_PCI_CAP_MSIX);
	pci_set_byte(d, VIRTIO_PCI_CAP_MSIX, PCI_CAP_ID_MSIX);
	pci_set_byte(d, VIRTIO_PCI_CAP_MSIX + 1, 0); /* the last capability */
	pci_set_word(d, MSGCTL, (uint16_t)(n - 1));  /* table size - 1; off, unmasked */
	pci_set_long(d, VIRTIO_PCI_CAP_MSIX + 4, VIRTIO_PCI_MSIX_TABLE); /* BIR 0 */
	pci_set_long(d, VIRTIO_PCI_CAP_MSIX + 8, VIRTIO_PCI_MSIX_PBA);
}

void virtio_msix_device_reset(struct virtio_pci *vp)
{
	vp->msix.config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		vp->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	vp->msix.pending = 0;
}

void virtio_msix_machine_reset(struct virtio_pci *vp)
{
	virtio_msix_device_reset(vp);
	memset(vp->msix.table, 0, sizeof vp->msix.table);
	for (unsigned i = 0; i < VIRTIO_MSIX_VECTORS; i++)
		vp->msix.table[i].ctrl = ENTRY_CTRL_MASK;
	set_offered(vp, msi_available(vp->msix.sink));
	if (vp->msix.offered)
		put_cap(vp);
}

bool virtio_msix_enabled(const struct virtio_pci *vp)
{
	return vp->msix.offered && (vp->pci.config[MSGCTL_HI] & MSGCTL_ENABLE);
}

static bool function_masked(const struct virtio_pci *vp)
{
	return vp->pci.config[MSGCTL_HI] & MSGCTL_MASK;
}

uint16_t virtio_msix_vector(const struct virtio_pci *vp, uint16_t v)
{
	return vp->msix.offered && v < virtio_msix_vectors(vp) ? v : VIRTIO_MSI_NO_VECTOR;
}

static void send(struct virtio_pci *vp, unsigned vector)
{
	const struct virtio_pci_msix_entry *e = &vp->msix.table[vector];
	const struct msi_sink *s = vp->msix.sink;
	uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;

	if (msi_available(s) && s->send(s->opaque, addr, e->data) == 0) {
		vp->msix.sent++;
		return;
	}
	vp->msix.refused++;
	log_guest("virtio %s: MSI-X vector %u: message %#x to %#llx not delivered", vp->name,
		  vector, e->data, (unsigned long long)addr);
}

/* Sends each pending vector that nothing masks any more. */
static void flush_pending(struct virtio_pci *vp)
{
	if (!virtio_msix_enabled(vp) || function_masked(vp))
		return;
	for (unsigned i = 0; vp->msix.pending && i < virtio_msix_vectors(vp); i++)
		if ((vp->msix.pending & 1u << i) && !(vp->msix.table[i].ctrl & ENTRY_CTRL_MASK)) {
			vp->msix.pending &= ~(1u << i);
			send(vp, i);
		}
}

void virtio_msix_signal(struct virtio_pci *vp, uint16_t vector)
{
	if (!virtio_msix_enabled(vp) || vector >= virtio_msix_vectors(vp))
		return; /* NO_VECTOR: the driver asked for no interrupt */
	if (function_masked(vp) || (vp->msix.table[vector].ctrl & ENTRY_CTRL_MASK)) {
		vp->msix.pending |= 1u << vector;
		return;
	}
	send(vp, vector);
}

void virtio_msix_control_written(struct virtio_pci *vp)
{
	flush_pending(vp);
}

/* The table as little-endian bytes: entry byte at. */
static uint32_t *entry_field(struct virtio_pci *vp, unsigned at)
{
	struct virtio_pci_msix_entry *e = &vp->msix.table[at / ENTRY_BYTES];
	uint32_t *fields[4] = {&e->addr_lo, &e->addr_hi, &e->data, &e->ctrl};

	return fields[at % ENTRY_BYTES / 4];
}

static uint8_t table_byte(struct virtio_pci *vp, unsigned at)
{
	return (uint8_t)(*entry_field(vp, at) >> (8 * (at % 4)));
}

static void table_put_byte(struct virtio_pci *vp, unsigned at, uint8_t b)
{
	uint32_t *f = entry_field(vp, at);
	unsigned shift = 8 * (at % 4);

	*f = (*f & ~(0xFFu << shift)) | (uint32_t)b << shift;
	if (f == &vp->msix.table[at / ENTRY_BYTES].ctrl)
		*f &= ENTRY_CTRL_MASK; /* reserved bits read as 0 */
}

bool virtio_msix_read(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t *v)
{
	unsigned table = virtio_msix_vectors(vp) * ENTRY_BYTES;

	if (!vp->msix.offered || off < VIRTIO_PCI_MSIX_TABLE ||
	    off >= VIRTIO_PCI_MSIX_PBA + PBA_BYTES)
		return false;
	*v = 0;
	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t at = off + i;
		uint8_t b = 0;

		if (at >= VIRTIO_PCI_MSIX_PBA && at < VIRTIO_PCI_MSIX_PBA + PBA_BYTES)
			b = (uint8_t)((uint64_t)vp->msix.pending >>
				      (8 * (at - VIRTIO_PCI_MSIX_PBA)));
		else if (at - VIRTIO_PCI_MSIX_TABLE < table)
			b = table_byte(vp, (unsigned)(at - VIRTIO_PCI_MSIX_TABLE));
		*v |= (uint64_t)b << (8 * i);
	}
	return true;
}

bool virtio_msix_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t v)
{
	unsigned table = virtio_msix_vectors(vp) * ENTRY_BYTES;

	if (!vp->msix.offered || off < VIRTIO_PCI_MSIX_TABLE ||
	    off >= VIRTIO_PCI_MSIX_PBA + PBA_BYTES)
		return false;
	if (off >= VIRTIO_PCI_MSIX_PBA || off + size > VIRTIO_PCI_MSIX_TABLE + table) {
		log_guest("virtio %s: %u-byte write at BAR+%#x, outside the MSI-X table, ignored",
			  vp->name, size, (unsigned)off);
		if (off >= VIRTIO_PCI_MSIX_PBA)
			return true; /* the PBA is read-only */
	}
	for (unsigned i = 0; i < size && i < 8; i++)
		if (off + i - VIRTIO_PCI_MSIX_TABLE < table)
			table_put_byte(vp, (unsigned)(off + i - VIRTIO_PCI_MSIX_TABLE),
				       (uint8_t)(v >> (8 * i)));
	flush_pending(vp); /* an entry unmasked sends what waited */
	return true;
}
