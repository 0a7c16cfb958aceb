/* Save/restore of the transport's MSI-X (virtio_pci_msix.h). What a file
 * holds is untrusted: every vector must name an entry, reserved bits
 * must be clear, and MSI-X in use is refused on a machine that cannot
 * deliver it (a guest saved on KVM's APIC, restored where there is none),
 * since its interrupts would be lost. Whether the capability is offered
 * is the loading machine's (configuration space keeps the instance's
 * read-only bytes); a state saved without MSI-X, or in format 1, loads
 * with it off. */
#include <string.h>

#include "hv/core/state.h"
#include "hv/virtio/virtio_pci_msix.h"

#define MSGCTL		(VIRTIO_PCI_CAP_MSIX + 2)
#define MSGCTL_ENABLE	0x8000
#define MSGCTL_MASK	0x4000
#define ENTRY_CTRL_MASK 1u

static uint16_t msgctl(const uint8_t *config)
{
	return (uint16_t)(config[MSGCTL] | config[MSGCTL + 1] << 8);
}

void virtio_msix_save(const struct virtio_pci *vp, struct state_out *o)
{
	state_put_bool(o, vp->msix.offered);
	if (!vp->msix.offered)
		return;
	state_put_u16(o, msgctl(vp->pci.config) & (MSGCTL_ENABLE | MSGCTL_MASK));
	state_put_u16(o, vp->msix.config_vector);
	state_put_u32(o, vp->msix.pending);
	for (unsigned i = 0; i < virtio_msix_vectors(vp); i++) {
		const struct virtio_pci_msix_entry *e = &vp->msix.table[i];

		state_put_u32(o, e->addr_lo);
		state_put_u32(o, e->addr_hi);
		state_put_u32(o, e->data);
		state_put_u32(o, e->ctrl);
	}
	for (unsigned i = 0; i < vp->ops->num_queues; i++)
		state_put_u16(o, vp->q[i].msix_vector);
}

static bool vector_ok(const struct virtio_pci *vp, uint16_t v)
{
	return v == VIRTIO_MSI_NO_VECTOR || v < virtio_msix_vectors(vp);
}

static const char *load_table(const struct virtio_pci *vp, struct state_in *in,
			      struct virtio_pci_saved *s)
{
	unsigned n = virtio_msix_vectors(vp);
	uint16_t ctl = state_get_u16(in);

	s->msix_config = state_get_u16(in);
	s->msix_pending = state_get_u32(in);
	for (unsigned i = 0; i < n; i++) {
		struct virtio_pci_msix_entry *e = &s->msix_table[i];

		e->addr_lo = state_get_u32(in);
		e->addr_hi = state_get_u32(in);
		e->data = state_get_u32(in);
		e->ctrl = state_get_u32(in);
		if (e->ctrl & ~ENTRY_CTRL_MASK)
			return "reserved MSI-X vector control bits";
	}
	for (unsigned i = 0; i < vp->ops->num_queues; i++)
		if (!vector_ok(vp, s->q[i].msix_vector = state_get_u16(in)))
			return "a queue's MSI-X vector beyond the table";
	if (!vector_ok(vp, s->msix_config))
		return "the configuration's MSI-X vector beyond the table";
	if (s->msix_pending >> n)
		return "pending bits beyond the table";
	if (ctl & ~(MSGCTL_ENABLE | MSGCTL_MASK))
		return "MSI-X message control bits that are not the driver's";
	if ((ctl & MSGCTL_ENABLE) && !vp->msix.offered)
		return "MSI-X in use, which this machine cannot deliver (no APIC to take it)";
	if (vp->msix.offered && msgctl(s->config) != (ctl | (virtio_msix_vectors(vp) - 1)))
		return "MSI-X message control unlike configuration space's";
	return NULL;
}

const char *virtio_msix_load(const struct virtio_pci *vp, struct state_in *in, uint32_t from,
			     struct virtio_pci_saved *s)
{
	const char *why;

	bool saved = from >= 2 && state_get_bool(in);

	s->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		s->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_MSIX_VECTORS; i++)
		s->msix_table[i] = (struct virtio_pci_msix_entry){.ctrl = ENTRY_CTRL_MASK};
	why = saved ? load_table(vp, in, s) : NULL;
	if (in->failed)
		return "truncated";
	if (why || saved || !vp->msix.offered)
		return why;
	/* Saved without MSI-X: off here, whatever configuration space held */
	if (msgctl(s->config) & MSGCTL_ENABLE)
		return "MSI-X enabled in a state saved without it";
	return NULL;
}

void virtio_msix_commit(struct virtio_pci *vp, const struct virtio_pci_saved *s)
{
	if (!vp->msix.offered) { /* the file's table, if any, has no use here */
		virtio_msix_device_reset(vp);
		return;
	}
	vp->msix.config_vector = s->msix_config;
	vp->msix.pending = s->msix_pending;
	memcpy(vp->msix.table, s->msix_table, sizeof vp->msix.table);
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		vp->q[i].msix_vector = s->q[i].msix_vector;
}
