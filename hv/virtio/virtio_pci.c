#include "hv/virtio/virtio_pci.h"

#include <stdio.h>
#include <string.h>

#include "hv/core/doorbell.h"
#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/virtio/virtio_pci_msix.h"

#define PCI_STATUS_CAP_LIST  0x10
#define PCI_CAP_PTR	     0x34
#define PCI_CAP_VNDR	     0x09
#define PCI_COMMAND_MEMORY   0x2
#define PCI_COMMAND_INTX_OFF 0x400
#define CAP_COMMON	     1
#define CAP_NOTIFY	     2
#define CAP_ISR		     3
#define CAP_DEVICE	     4
#define CAP_PCI_CFG	     5
#define CAP_AT_COMMON	     0x40
#define CAP_AT_NOTIFY	     0x50
#define CAP_AT_ISR	     0x64
#define CAP_AT_DEVICE	     0x74
#define TRANSPORT_FEATURES                                                                         \
	(1ull << VIRTIO_F_INDIRECT_DESC | 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_VERSION_1)

static void notify(struct virtio_pci *vp, uint64_t off);
static void sync_doorbells(struct virtio_pci *vp);

uint64_t virtio_pci_offered(const struct virtio_pci *vp)
{
	return (vp->ops->features & ~vp->withheld) | TRANSPORT_FEATURES;
}

static uint64_t offered(const struct virtio_pci *vp)
{
	return virtio_pci_offered(vp);
}

bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned f)
{
	return f < 64 && (vp->driver_features >> f & 1);
}

/* INTx follows the ISR unless the command register or MSI-X turns it off. */
static void update_irq(struct virtio_pci *vp)
{
	bool off = pci_get(&vp->pci, PCI_COMMAND, 2) & PCI_COMMAND_INTX_OFF;

	irq_set(&vp->irq, vp->isr && !off && !virtio_msix_enabled(vp));
}

static void raise_isr(struct virtio_pci *vp, uint8_t bits)
{
	vp->isr |= bits;
	vp->interrupts++;
	update_irq(vp);
}

/* The ISR's configuration bit is set with MSI-X too (the spec's rule);
 * its queue bit only without. */
void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->config_generation++;
	if (!(vp->status & VIRTIO_STATUS_DRIVER_OK))
		return;
	raise_isr(vp, VIRTIO_ISR_CONFIG);
	virtio_msix_signal(vp, vp->msix.config_vector);
}

static void signal_queue(struct virtio_pci *vp, unsigned n)
{
	if (!virtio_msix_enabled(vp)) {
		vp->q[n].interrupts++;
		raise_isr(vp, VIRTIO_ISR_QUEUE);
		return;
	}
	vp->interrupts++;
	vp->q[n].interrupts++;
	virtio_msix_signal(vp, vp->q[n].msix_vector);
}

void virtio_pci_needs_reset(struct virtio_pci *vp)
{
	if (vp->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	log_guest("virtio %s: device needs reset", vp->name);
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	sync_doorbells(vp);
	virtio_pci_config_changed(vp);
}

static bool live(const struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_STATUS_DRIVER_OK) && !(vp->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* ---- Doorbells (hv/core/doorbell.h) ------------------------------------ */

static void doorbell_ring(void *opaque, unsigned n)
{
	notify(opaque, (uint64_t)n * VIRTIO_PCI_NOTIFY_MULT);
}

static uint64_t bell_at(uint64_t base, unsigned n)
{
	return base + VIRTIO_PCI_NOTIFY + (uint64_t)n * VIRTIO_PCI_NOTIFY_MULT;
}

/* Keeps the machine's doorbells on what the guest can ring now: each
 * enabled queue of a live device, at its notify address in the mapped
 * BAR. Called after every change to those. */
static void sync_doorbells(struct virtio_pci *vp)
{
	struct doorbells *db = vp->doorbells ? *vp->doorbells : NULL;
	uint64_t base = db && vp->bar_base && live(vp) ? vp->bar_base : 0;
	uint32_t want = 0;

	for (unsigned i = 0; base && i < vp->ops->num_queues; i++)
		if (vp->q[i].enabled)
			want |= 1u << i;
	if (base == vp->bell_base && want == vp->bell_want && db == vp->bell_db)
		return;
	/* Doorbells of a machine's that has dropped them (the domain's
	 * teardown frees them before the devices) went with it. */
	for (unsigned i = 0; vp->bell_db == db && i < VIRTIO_QUEUES_MAX; i++)
		if (vp->bell_mask & 1u << i)
			vp->bell_db->remove(vp->bell_db, bell_at(vp->bell_base, i));
	vp->bell_mask = 0;
	vp->bell_base = base;
	vp->bell_want = want;
	vp->bell_db = db;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		if ((want & 1u << i) && db->add(db, bell_at(base, i), doorbell_ring, vp, i) == 0)
			vp->bell_mask |= 1u << i;
}

void virtio_pci_set_doorbells(struct virtio_pci *vp, struct doorbells **doorbells)
{
	vp->doorbells = doorbells;
	sync_doorbells(vp);
}

struct virtq *virtio_pci_queue(struct virtio_pci *vp, unsigned n)
{
	if (n >= vp->ops->num_queues || !vp->q[n].enabled || !live(vp))
		return NULL;
	return &vp->q[n].vq;
}

int virtio_pci_pop(struct virtio_pci *vp, unsigned n, struct virtq_chain *c)
{
	struct virtq *q = virtio_pci_queue(vp, n);
	int r;

	if (!q)
		return 0;
	r = virtq_pop(q, c);
	if (r < 0)
		virtio_pci_needs_reset(vp);
	return r;
}

/* After a push that returned rc: a failed queue asks for a reset, and the
 * interrupt goes up when the driver wants one. Returns whether it did. */
static bool pushed(struct virtio_pci *vp, unsigned n, struct virtq *q, int rc)
{
	if (rc < 0) {
		virtio_pci_needs_reset(vp);
		return true;
	}
	if (!virtq_should_notify(q))
		return false;
	signal_queue(vp, n);
	return true;
}

bool virtio_pci_push(struct virtio_pci *vp, unsigned n, const struct virtq_chain *c,
		     uint32_t written)
{
	struct virtq *q = virtio_pci_queue(vp, n);

	if (!q)
		return false; /* reset or failed while the request ran: nobody waits */
	return pushed(vp, n, q, virtq_push(q, c, written));
}

bool virtio_pci_push_many(struct virtio_pci *vp, unsigned n, const struct virtq_used_elem *e,
			  unsigned count)
{
	struct virtq *q = virtio_pci_queue(vp, n);

	if (!q || !count)
		return false;
	return pushed(vp, n, q, virtq_push_many(q, e, count));
}

void virtio_pci_hold(struct virtio_pci *vp, unsigned n)
{
	if (n < vp->ops->num_queues)
		virtq_hold(&vp->q[n].vq);
}

bool virtio_pci_publish(struct virtio_pci *vp, unsigned n)
{
	struct virtq *q;

	if (n >= vp->ops->num_queues)
		return false;
	virtq_publish(&vp->q[n].vq);
	q = virtio_pci_queue(vp, n);
	if (!q || !virtq_should_notify(q))
		return false;
	signal_queue(vp, n);
	return true;
}

void virtio_pci_notify_off(struct virtio_pci *vp, unsigned n)
{
	struct virtq *q = virtio_pci_queue(vp, n);

	if (q)
		virtq_notify_off(q);
}

bool virtio_pci_notify_on(struct virtio_pci *vp, unsigned n)
{
	struct virtq *q = virtio_pci_queue(vp, n);

	return q && virtq_notify_on(q);
}

void virtio_pci_unpop(struct virtio_pci *vp, unsigned n, unsigned count)
{
	struct virtq *q = virtio_pci_queue(vp, n);

	if (q)
		virtq_unpop(q, count);
}

static void reset_queues(struct virtio_pci *vp)
{
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		struct virtio_pci_queue *q = &vp->q[i];

		q->enabled = false;
		q->size = i < vp->ops->num_queues ? vp->ops->queue_max : 0;
		q->desc = q->driver = q->device = 0;
		q->vq.mem = vp->mem;
		q->vq.name = q->name;
		virtq_reset(&q->vq);
	}
}

void virtio_pci_device_reset(struct virtio_pci *vp)
{
	if (vp->ops->reset)
		vp->ops->reset(vp->dev);
	reset_queues(vp);
	vp->status = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->queue_select = 0;
	vp->isr = 0;
	virtio_msix_device_reset(vp);
	update_irq(vp);
	sync_doorbells(vp);
}

/* ---- BAR 0 ------------------------------------------------------------ */

/* Whether [base, base+size) would cover anything but this BAR. */
static bool collides(const struct virtio_pci *vp, uint64_t base)
{
	for (unsigned i = 0; i < vp->mem->count; i++) {
		const struct mem_region *r = &vp->mem->regions[i];

		if (r->kind == MEM_MMIO && r->opaque == vp)
			continue;
		if (r->base < base + VIRTIO_PCI_BAR_SIZE && base < r->base + r->size)
			return true;
	}
	return false;
}

static void update_bar(struct virtio_pci *vp)
{
	uint64_t want = 0;

	if (pci_get(&vp->pci, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY)
		want = pci_bar_address(&vp->pci, 0);
	if (want == vp->bar_base)
		return;
	if (vp->bar_base)
		mem_unmap(vp->mem, vp->bar_base);
	vp->bar_base = 0;
	if (!want)
		return;
	if (want + VIRTIO_PCI_BAR_SIZE > 0x100000000ull || collides(vp, want)) {
		log_guest("virtio %s: BAR at %#llx overlaps memory, not mapped", vp->name,
			  (unsigned long long)want);
		return;
	}
	if (mem_map_mmio(vp->mem, want, VIRTIO_PCI_BAR_SIZE, &virtio_pci_bar_ops, vp, vp->name) <
	    0) {
		log_guest("virtio %s: cannot map the BAR at %#llx", vp->name,
			  (unsigned long long)want);
		return;
	}
	vp->bar_base = want;
}

static struct virtio_pci_queue *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->ops->num_queues ? &vp->q[vp->queue_select] : NULL;
}

/* The common configuration as bytes, for reads of any width. */
static void common_image(struct virtio_pci *vp, uint8_t img[VIRTIO_COMMON_SIZE])
{
	struct virtio_pci_queue *q = selected(vp);
	uint64_t df = vp->dfselect < 2 ? offered(vp) >> (32 * vp->dfselect) : 0;
	uint64_t gf = vp->gfselect < 2 ? vp->driver_features >> (32 * vp->gfselect) : 0;

	memset(img, 0, VIRTIO_COMMON_SIZE);
	le_put32(img + VIRTIO_COMMON_DFSELECT, vp->dfselect);
	le_put32(img + VIRTIO_COMMON_DF, (uint32_t)df);
	le_put32(img + VIRTIO_COMMON_GFSELECT, vp->gfselect);
	le_put32(img + VIRTIO_COMMON_GF, (uint32_t)gf);
	le_put16(img + VIRTIO_COMMON_MSIX, vp->msix.config_vector);
	le_put16(img + VIRTIO_COMMON_NUMQ, (uint16_t)vp->ops->num_queues);
	img[VIRTIO_COMMON_STATUS] = vp->status;
	img[VIRTIO_COMMON_CFGGEN] = vp->config_generation;
	le_put16(img + VIRTIO_COMMON_Q_SELECT, vp->queue_select);
	le_put16(img + VIRTIO_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	if (!q)
		return; /* queue_size 0: no such queue */
	le_put16(img + VIRTIO_COMMON_Q_MSIX, q->msix_vector);
	le_put16(img + VIRTIO_COMMON_Q_SIZE, q->size);
	le_put16(img + VIRTIO_COMMON_Q_ENABLE, q->enabled);
	le_put16(img + VIRTIO_COMMON_Q_NOFF, vp->queue_select);
	le_put64(img + VIRTIO_COMMON_Q_DESC, q->desc);
	le_put64(img + VIRTIO_COMMON_Q_DRIVER, q->driver);
	le_put64(img + VIRTIO_COMMON_Q_DEVICE, q->device);
}

static uint64_t image_read(const uint8_t *img, size_t len, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(offset + i < len ? img[offset + i] : 0) << (8 * i);
	return v;
}

/* FEATURES_OK is kept only when the driver took nothing we did not offer
 * and speaks virtio 1.0. */
static uint8_t check_features(struct virtio_pci *vp, uint8_t status)
{
	bool ok =
	    !(vp->driver_features & ~offered(vp)) && virtio_pci_has_feature(vp, VIRTIO_F_VERSION_1);

	if (!ok) {
		log_guest("virtio %s: driver features %#llx refused", vp->name,
			  (unsigned long long)vp->driver_features);
		return status & ~VIRTIO_STATUS_FEATURES_OK;
	}
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		vp->q[i].vq.indirect = virtio_pci_has_feature(vp, VIRTIO_F_INDIRECT_DESC);
		vp->q[i].vq.event_idx = virtio_pci_has_feature(vp, VIRTIO_F_EVENT_IDX);
	}
	return status;
}

static void write_status(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->status;

	if (v == 0) {
		virtio_pci_device_reset(vp);
		return;
	}
	v |= old & VIRTIO_STATUS_NEEDS_RESET; /* the device's bit; only a reset clears it */
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK))
		v = check_features(vp, v);
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK)) {
		log_guest("virtio %s: DRIVER_OK without FEATURES_OK", vp->name);
		v &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	}
	vp->status = v;
	/* Buffers made available before DRIVER_OK are looked at now. */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) && live(vp))
		for (unsigned i = 0; i < vp->ops->num_queues; i++)
			if (vp->q[i].enabled && vp->ops->notify)
				vp->ops->notify(vp->dev, i);
	sync_doorbells(vp);
}

static void enable_queue(struct virtio_pci *vp, struct virtio_pci_queue *q, uint16_t v)
{
	if (v != 1 || q->enabled) {
		if (v != 1)
			log_guest("virtio %s: queue_enable %u ignored", vp->name, v);
		return;
	}
	if (!(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
		log_guest("virtio %s: queue enabled before FEATURES_OK", vp->name);
		virtio_pci_needs_reset(vp);
		return;
	}
	if (virtq_setup(&q->vq, vp->mem, q->size, q->desc, q->driver, q->device,
			virtio_pci_has_feature(vp, VIRTIO_F_INDIRECT_DESC),
			virtio_pci_has_feature(vp, VIRTIO_F_EVENT_IDX), q->name) < 0) {
		virtio_pci_needs_reset(vp);
		return;
	}
	q->enabled = true;
	sync_doorbells(vp);
}

static void write_queue_size(struct virtio_pci *vp, struct virtio_pci_queue *q, uint16_t v)
{
	if (q->enabled || v == 0 || v > vp->ops->queue_max || (v & (v - 1))) {
		log_guest("virtio %s: queue_size %u refused", vp->name, v);
		return;
	}
	q->size = v;
}

/* Stores bytes of a 64-bit queue address; a write to an enabled queue's
 * is ignored (the spec forbids it). */
static void write_addr(struct virtio_pci_queue *q, uint64_t *field, unsigned at, unsigned size,
		       uint64_t v)
{
	uint64_t mask = (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1) << (8 * at);

	if (!q->enabled)
		*field = (*field & ~mask) | ((v << (8 * at)) & mask);
}

static void common_write_queue(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t v)
{
	struct virtio_pci_queue *q = selected(vp);

	if (!q) {
		log_guest("virtio %s: write to queue %u, which does not exist", vp->name,
			  vp->queue_select);
		return;
	}
	if (off == VIRTIO_COMMON_Q_SIZE && size == 2)
		write_queue_size(vp, q, (uint16_t)v);
	else if (off == VIRTIO_COMMON_Q_ENABLE && size == 2)
		enable_queue(vp, q, (uint16_t)v);
	else if (off >= VIRTIO_COMMON_Q_DESC && off + size <= VIRTIO_COMMON_Q_DESC + 8)
		write_addr(q, &q->desc, (unsigned)(off - VIRTIO_COMMON_Q_DESC), size, v);
	else if (off >= VIRTIO_COMMON_Q_DRIVER && off + size <= VIRTIO_COMMON_Q_DRIVER + 8)
		write_addr(q, &q->driver, (unsigned)(off - VIRTIO_COMMON_Q_DRIVER), size, v);
	else if (off >= VIRTIO_COMMON_Q_DEVICE && off + size <= VIRTIO_COMMON_Q_DEVICE + 8)
		write_addr(q, &q->device, (unsigned)(off - VIRTIO_COMMON_Q_DEVICE), size, v);
	else if (off == VIRTIO_COMMON_Q_MSIX && size == 2)
		q->msix_vector = virtio_msix_vector(vp, (uint16_t)v);
	else
		log_guest("virtio %s: %u-byte write at common+%#x ignored", vp->name, size,
			  (unsigned)off);
}

static void common_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t v)
{
	if (off == VIRTIO_COMMON_DFSELECT && size == 4)
		vp->dfselect = (uint32_t)v;
	else if (off == VIRTIO_COMMON_GFSELECT && size == 4)
		vp->gfselect = (uint32_t)v;
	else if (off == VIRTIO_COMMON_GF && size == 4) {
		if (vp->status & VIRTIO_STATUS_FEATURES_OK)
			log_guest("virtio %s: features written after FEATURES_OK", vp->name);
		else if (vp->gfselect < 2)
			vp->driver_features =
			    (vp->driver_features & ~(0xFFFFFFFFull << (32 * vp->gfselect))) |
			    (v & 0xFFFFFFFFull) << (32 * vp->gfselect);
	} else if (off == VIRTIO_COMMON_STATUS && size == 1)
		write_status(vp, (uint8_t)v);
	else if (off == VIRTIO_COMMON_Q_SELECT && size == 2)
		vp->queue_select = (uint16_t)v;
	else if (off == VIRTIO_COMMON_MSIX && size == 2)
		vp->msix.config_vector = virtio_msix_vector(vp, (uint16_t)v);
	else if (off >= VIRTIO_COMMON_Q_SIZE && off < VIRTIO_COMMON_SIZE)
		common_write_queue(vp, off, size, v);
	else
		log_guest("virtio %s: %u-byte write at common+%#x ignored", vp->name, size,
			  (unsigned)off);
}

static void notify(struct virtio_pci *vp, uint64_t off)
{
	unsigned n = (unsigned)(off / VIRTIO_PCI_NOTIFY_MULT);

	vp->notifies++;
	if (n >= vp->ops->num_queues || !vp->q[n].enabled) {
		log_guest("virtio %s: notify for queue %u, which is not enabled", vp->name, n);
		return;
	}
	vp->q[n].notifies++;
	if (!live(vp)) {
		log_guest("virtio %s: notify before DRIVER_OK (or while it needs reset)", vp->name);
		return;
	}
	if (vp->ops->notify)
		vp->ops->notify(vp->dev, n);
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct virtio_pci *vp = opaque;
	uint64_t v;

	if (virtio_msix_read(vp, off, size, &v))
		return v;
	if (off < VIRTIO_PCI_COMMON + VIRTIO_COMMON_SIZE) {
		uint8_t img[VIRTIO_COMMON_SIZE];

		common_image(vp, img);
		return image_read(img, sizeof img, off, size);
	}
	if (off == VIRTIO_PCI_ISR) {
		uint8_t v = vp->isr;

		vp->isr = 0; /* read-to-clear, which lowers INTx */
		update_irq(vp);
		return v;
	}
	if (off >= VIRTIO_PCI_DEVICE_CFG &&
	    off + size <= VIRTIO_PCI_DEVICE_CFG + vp->ops->config_size) {
		uint8_t buf[8] = {0};

		vp->ops->config_read(vp->dev, (unsigned)(off - VIRTIO_PCI_DEVICE_CFG), buf, size);
		return image_read(buf, sizeof buf, 0, size);
	}
	return 0; /* reserved space and notification registers read as zero */
}

static void bar_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
	struct virtio_pci *vp = opaque;

	if (virtio_msix_write(vp, off, size, v))
		return;
	if (off < VIRTIO_PCI_COMMON + VIRTIO_COMMON_SIZE)
		common_write(vp, off, size, v);
	else if (off >= VIRTIO_PCI_NOTIFY &&
		 off < VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * vp->ops->num_queues)
		notify(vp, off - VIRTIO_PCI_NOTIFY);
	else if (off >= VIRTIO_PCI_DEVICE_CFG &&
		 off + size <= VIRTIO_PCI_DEVICE_CFG + vp->ops->config_size &&
		 vp->ops->config_write) {
		uint8_t buf[8];

		le_put64(buf, v);
		vp->ops->config_write(vp->dev, (unsigned)(off - VIRTIO_PCI_DEVICE_CFG), buf, size);
	} else
		log_guest("virtio %s: %u-byte write at BAR+%#x ignored", vp->name, size,
			  (unsigned)off);
}

const struct io_ops virtio_pci_bar_ops = {bar_read, bar_write};

/* ---- PCI configuration space ------------------------------------------- */

/* The configuration access capability's window: a BAR access of `length`
 * bytes at `offset`, through its data dword. */
#define PCFG_BAR     (VIRTIO_PCI_CAP_PCI_CFG + 4)
#define PCFG_OFFSET  (VIRTIO_PCI_CAP_PCI_CFG + 8)
#define PCFG_LENGTH  (VIRTIO_PCI_CAP_PCI_CFG + 12)
#define PCFG_DATA    (VIRTIO_PCI_CAP_PCI_CFG + 16)
#define MSIX_CONTROL (VIRTIO_PCI_CAP_MSIX + 2)

static bool pcfg_window(const struct virtio_pci *vp, uint64_t *off, unsigned *len)
{
	uint8_t bar = vp->pci.config[PCFG_BAR];

	*off = pci_get(&vp->pci, PCFG_OFFSET, 4);
	*len = pci_get(&vp->pci, PCFG_LENGTH, 4);
	if (bar != 0 || (*len != 1 && *len != 2 && *len != 4) || *off % *len ||
	    *off + *len > VIRTIO_PCI_BAR_SIZE) {
		log_guest("virtio %s: configuration access window unusable", vp->name);
		return false;
	}
	return true;
}

static void pci_written(struct pci_device *d, unsigned offset, unsigned size)
{
	struct virtio_pci *vp = d->opaque;
	uint64_t off;
	unsigned len;

	if (offset < PCI_BAR0 + 4 && offset + size > PCI_COMMAND) {
		update_bar(vp);
		sync_doorbells(vp);
	}
	if (offset < PCI_COMMAND + 2 && offset + size > PCI_COMMAND)
		update_irq(vp);
	if (offset < MSIX_CONTROL + 2 && offset + size > MSIX_CONTROL) {
		update_irq(vp); /* MSI-X enabled: INTx off */
		virtio_msix_control_written(vp);
	}
	if (offset == PCFG_DATA && pcfg_window(vp, &off, &len))
		bar_write(vp, off, len, pci_get(d, PCFG_DATA, len));
}

static uint32_t pci_read(struct pci_device *d, unsigned offset, unsigned size, uint32_t value)
{
	struct virtio_pci *vp = d->opaque;
	uint64_t off;
	unsigned len;

	if (offset == PCFG_DATA && pcfg_window(vp, &off, &len))
		return (uint32_t)bar_read(vp, off, len);
	(void)size;
	return value;
}

static const struct pci_ops virtio_pci_cfg_ops = {.written = pci_written, .read = pci_read};

/* One vendor capability at `at`: cfg_type, BAR 0, its offset and length. */
static void put_cap(struct pci_device *d, unsigned at, unsigned next, unsigned len, uint8_t type,
		    uint32_t offset, uint32_t length)
{
	pci_set_byte(d, at, PCI_CAP_VNDR);
	pci_set_byte(d, at + 1, (uint8_t)next);
	pci_set_byte(d, at + 2, (uint8_t)len);
	pci_set_byte(d, at + 3, type);
	pci_set_byte(d, at + 4, 0);
	pci_set_long(d, at + 8, offset);
	pci_set_long(d, at + 12, length);
}

static void init_config(struct virtio_pci *vp)
{
	struct pci_device *d = &vp->pci;
	const struct virtio_dev_ops *o = vp->ops;
	unsigned after_isr = o->config_size ? CAP_AT_DEVICE : VIRTIO_PCI_CAP_PCI_CFG;

	pci_device_init(d, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + o->type),
			o->class_base, o->class_sub, 1, vp->name);
	d->ops = &virtio_pci_cfg_ops;
	d->opaque = vp;
	pci_set_word(d, PCI_SUBSYS_VENDOR, VIRTIO_PCI_VENDOR);
	pci_set_word(d, PCI_SUBSYS_ID, 0x40 + o->type); /* modern: 40h and up */
	pci_set_word(d, PCI_STATUS, PCI_STATUS_CAP_LIST);
	pci_set_byte(d, PCI_INTERRUPT_PIN, 1); /* INTA */
	pci_set_bar(d, 0, VIRTIO_PCI_BAR_SIZE, 0);
	pci_set_byte(d, PCI_CAP_PTR, CAP_AT_COMMON);
	put_cap(d, CAP_AT_COMMON, CAP_AT_NOTIFY, 16, CAP_COMMON, VIRTIO_PCI_COMMON,
		VIRTIO_COMMON_SIZE);
	put_cap(d, CAP_AT_NOTIFY, CAP_AT_ISR, 20, CAP_NOTIFY, VIRTIO_PCI_NOTIFY,
		VIRTIO_PCI_NOTIFY_MULT * o->num_queues);
	pci_set_long(d, CAP_AT_NOTIFY + 16, VIRTIO_PCI_NOTIFY_MULT);
	put_cap(d, CAP_AT_ISR, after_isr, 16, CAP_ISR, VIRTIO_PCI_ISR, 1);
	if (o->config_size)
		put_cap(d, CAP_AT_DEVICE, VIRTIO_PCI_CAP_PCI_CFG, 16, CAP_DEVICE,
			VIRTIO_PCI_DEVICE_CFG, o->config_size);
	put_cap(d, VIRTIO_PCI_CAP_PCI_CFG, 0, 20, CAP_PCI_CFG, 0, 0);
	memset(&d->wmask[PCFG_BAR], 0xff, 1);
	memset(&d->wmask[PCFG_OFFSET], 0xff, 12); /* offset, length, data */
}

void virtio_pci_machine_reset(struct virtio_pci *vp)
{
	virtio_pci_device_reset(vp);
	init_config(vp);
	virtio_msix_machine_reset(vp);
	if (vp->boot_bar) {
		pci_set_long(&vp->pci, PCI_BAR0, vp->boot_bar);
		pci_set_word(&vp->pci, PCI_COMMAND, PCI_COMMAND_MEMORY | 0x4); /* bus master */
		pci_set_byte(&vp->pci, PCI_INTERRUPT_LINE, vp->boot_irq_line);
	}
	update_bar(vp);
	sync_doorbells(vp);
	vp->config_generation = 0;
	update_irq(vp);
}

void virtio_pci_init(struct virtio_pci *vp, struct guest_mem *mem, const struct virtio_dev_ops *ops,
		     void *dev, struct irq_line irq, const char *name)
{
	memset(vp, 0, sizeof *vp);
	vp->mem = mem;
	vp->ops = ops;
	vp->dev = dev;
	vp->irq = irq;
	snprintf(vp->name, sizeof vp->name, "%s", name);
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		snprintf(vp->q[i].name, sizeof vp->q[i].name, "%s.%u", vp->name, i);
	virtio_pci_machine_reset(vp);
}

void virtio_pci_set_boot_config(struct virtio_pci *vp, uint32_t bar, uint8_t line)
{
	vp->boot_bar = bar & ~(uint32_t)(VIRTIO_PCI_BAR_SIZE - 1);
	vp->boot_irq_line = line;
	virtio_pci_machine_reset(vp);
}

void virtio_pci_set_msi(struct virtio_pci *vp, const struct msi_sink *msi)
{
	vp->msix.sink = msi;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (vp->bar_base)
		mem_unmap(vp->mem, vp->bar_base);
	vp->bar_base = 0;
	sync_doorbells(vp);
}

void virtio_pci_refresh(struct virtio_pci *vp)
{
	update_bar(vp);
	update_irq(vp);
	sync_doorbells(vp);
}

/* " queue_notifies=a,b queue_interrupts=c,d": each queue's, in order. */
static void describe_queues(const struct virtio_pci *vp, char *buf, size_t len)
{
	static const char *const key[] = {" queue_notifies=", " queue_interrupts="};

	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < vp->ops->num_queues; i++) {
			size_t at = strlen(buf);
			const struct virtio_pci_queue *q = &vp->q[i];

			snprintf(buf + at, len - at, "%s%llu", i ? "," : key[k],
				 (unsigned long long)(k ? q->interrupts : q->notifies));
		}
}

void virtio_pci_describe(const struct virtio_pci *vp, char *buf, size_t len)
{
	unsigned live_queues = 0;

	for (unsigned i = 0; i < vp->ops->num_queues; i++)
		live_queues += vp->q[i].enabled;
	snprintf(buf, len,
		 "type=%u status=%#x features=%#llx queues=%u bar=%#llx notifies=%llu "
		 "interrupts=%llu msix=%s msi_sent=%llu msi_refused=%llu",
		 vp->ops->type, vp->status, (unsigned long long)vp->driver_features, live_queues,
		 (unsigned long long)vp->bar_base, (unsigned long long)vp->notifies,
		 (unsigned long long)vp->interrupts,
		 virtio_msix_enabled(vp) ? "on"
		 : vp->msix.offered	 ? "off"
					 : "none",
		 (unsigned long long)vp->msix.sent, (unsigned long long)vp->msix.refused);
	describe_queues(vp, buf, len);
}
