/* Save/restore of the virtio-pci transport (virtio_pci.h), every virtio
 * device's leading part; format 2 (VIRTIO_PCI_SAVE_VERSION), which loads
 * format 1 too:
 *
 *   u8 number of queues, 256 bytes of configuration space,
 *   u32 dfselect, u32 gfselect, u64 driver features, u8 status,
 *   u8 config generation, u8 ISR, u16 queue select, u64 notifies,
 *   u64 interrupts, then per queue: u16 size, bool enabled, u64 desc,
 *   u64 driver, u64 device, and for an enabled queue u16 last_avail,
 *   u16 used_idx, u16 signalled_used, bool broken;
 *   format 2 only: MSI-X (virtio_pci_msix_save.c).
 *
 * Loaded state is untrusted: it is held to what a driver's own register
 * writes could have produced, and enabled queues' rings to virtq_setup's
 * checks against this machine's guest RAM. */
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_pci.h"
#include "hv/virtio/virtio_pci_msix.h"

#define STATUS_KNOWN                                                                               \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |              \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)
#define ISR_KNOWN (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG)

void virtio_pci_save(const struct virtio_pci *vp, struct state_out *o)
{
	state_put_u8(o, (uint8_t)vp->ops->num_queues);
	pci_config_save(&vp->pci, o);
	state_put_u32(o, vp->dfselect);
	state_put_u32(o, vp->gfselect);
	state_put_u64(o, vp->driver_features);
	state_put_u8(o, vp->status);
	state_put_u8(o, vp->config_generation);
	state_put_u8(o, vp->isr);
	state_put_u16(o, vp->queue_select);
	state_put_u64(o, vp->notifies);
	state_put_u64(o, vp->interrupts);
	for (unsigned i = 0; i < vp->ops->num_queues; i++) {
		const struct virtio_pci_queue *q = &vp->q[i];

		state_put_u16(o, q->size);
		state_put_bool(o, q->enabled);
		state_put_u64(o, q->desc);
		state_put_u64(o, q->driver);
		state_put_u64(o, q->device);
		if (!q->enabled)
			continue;
		state_put_u16(o, q->vq.last_avail);
		state_put_u16(o, q->vq.used_idx);
		state_put_u16(o, q->vq.signalled_used);
		state_put_bool(o, q->vq.broken);
	}
	virtio_msix_save(vp, o);
}

static int refuse(const struct virtio_pci *vp, const char *what)
{
	log_error("virtio %s: saved state refused: %s", vp->name, what);
	return -1;
}

/* The status and features a driver's writes could have left. */
static const char *check_status(const struct virtio_pci *vp, const struct virtio_pci_saved *s)
{
	uint64_t f = s->driver_features;

	if (s->status & ~STATUS_KNOWN)
		return "unknown status bits";
	if ((s->status & VIRTIO_STATUS_DRIVER_OK) && !(s->status & VIRTIO_STATUS_FEATURES_OK))
		return "DRIVER_OK without FEATURES_OK";
	if ((s->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((f & ~virtio_pci_offered(vp)) || !(f >> VIRTIO_F_VERSION_1 & 1)))
		return "features the device does not offer (or no VERSION_1)";
	if (s->isr & ~ISR_KNOWN)
		return "unknown ISR bits";
	return NULL;
}

static const char *load_queue(const struct virtio_pci *vp, const struct virtio_pci_saved *s,
			      struct state_in *in, struct virtio_pci_saved_queue *q)
{
	q->size = state_get_u16(in);
	q->enabled = state_get_bool(in);
	q->desc = state_get_u64(in);
	q->driver = state_get_u64(in);
	q->device = state_get_u64(in);
	if (q->enabled) {
		q->last_avail = state_get_u16(in);
		q->used_idx = state_get_u16(in);
		q->signalled_used = state_get_u16(in);
		q->broken = state_get_bool(in);
	}
	if (in->failed)
		return "truncated";
	if (q->size == 0 || q->size > vp->ops->queue_max || (q->size & (q->size - 1)))
		return "a queue size the device does not take";
	if (!q->enabled)
		return NULL;
	if (!(s->status & VIRTIO_STATUS_FEATURES_OK))
		return "a queue enabled before FEATURES_OK";
	return virtq_layout_check(vp->mem, q->size, q->desc, q->driver, q->device);
}

int virtio_pci_load(const struct virtio_pci *vp, struct state_in *in, uint32_t from,
		    struct virtio_pci_saved *s)
{
	unsigned nq = state_get_u8(in);
	const char *why;

	memset(s, 0, sizeof *s);
	if (from == 0 || from > VIRTIO_PCI_SAVE_VERSION)
		return refuse(vp, "a format this hv does not know");
	if (nq != vp->ops->num_queues)
		return refuse(vp, in->failed ? "truncated" : "a different number of queues");
	pci_config_load(&vp->pci, in, s->config);
	s->dfselect = state_get_u32(in);
	s->gfselect = state_get_u32(in);
	s->driver_features = state_get_u64(in);
	s->status = state_get_u8(in);
	s->config_generation = state_get_u8(in);
	s->isr = state_get_u8(in);
	s->queue_select = state_get_u16(in);
	s->notifies = state_get_u64(in);
	s->interrupts = state_get_u64(in);
	if (in->failed)
		return refuse(vp, "truncated, or configuration space of another device");
	why = check_status(vp, s);
	for (unsigned i = 0; !why && i < nq; i++) {
		why = load_queue(vp, s, in, &s->q[i]);
		if (why) {
			log_error("virtio %s: saved queue %u refused: %s", vp->name, i, why);
			in->failed = true;
			return -1;
		}
	}
	if (!why)
		why = virtio_msix_load(vp, in, from, s);
	if (why) {
		in->failed = true;
		return refuse(vp, why);
	}
	return 0;
}

void virtio_pci_commit(struct virtio_pci *vp, const struct virtio_pci_saved *s)
{
	bool indirect = s->driver_features >> VIRTIO_F_INDIRECT_DESC & 1;
	bool event_idx = s->driver_features >> VIRTIO_F_EVENT_IDX & 1;

	if (vp->ops->reset)
		vp->ops->reset(vp->dev);
	memcpy(vp->pci.config, s->config, sizeof vp->pci.config);
	vp->dfselect = s->dfselect;
	vp->gfselect = s->gfselect;
	vp->driver_features = s->driver_features;
	vp->status = s->status;
	vp->config_generation = s->config_generation;
	vp->isr = s->isr;
	vp->queue_select = s->queue_select;
	vp->notifies = s->notifies;
	vp->interrupts = s->interrupts;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		struct virtio_pci_queue *q = &vp->q[i];
		const struct virtio_pci_saved_queue *sq = &s->q[i];

		q->vq.mem = vp->mem;
		q->vq.name = q->name;
		virtq_reset(&q->vq);
		q->size = sq->size;
		q->enabled = sq->enabled;
		q->desc = sq->desc;
		q->driver = sq->driver;
		q->device = sq->device;
		if (!q->enabled)
			continue;
		/* Checked by virtio_pci_load against the same memory map. */
		virtq_setup(&q->vq, vp->mem, q->size, q->desc, q->driver, q->device, indirect,
			    event_idx, q->name);
		q->vq.last_avail = sq->last_avail;
		q->vq.used_idx = sq->used_idx;
		q->vq.signalled_used = sq->signalled_used;
		q->vq.broken = sq->broken;
	}
	virtio_msix_commit(vp, s);
	virtio_pci_refresh(vp);
}
