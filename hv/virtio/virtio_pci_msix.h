/* MSI-X of the virtio-pci transport (virtio_pci_msix.c), for virtio_pci.c
 * and its save/restore: the capability, the table and PBA in BAR 0, the
 * vectors the common configuration maps events to, and signalling. Every
 * function runs with the domain lock held. */
#ifndef HV_VIRTIO_PCI_MSIX_H
#define HV_VIRTIO_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/virtio/virtio_pci.h"

/* Table entries of vp: one per queue and one for configuration changes. */
unsigned virtio_msix_vectors(const struct virtio_pci *vp);

/* Power-on state (with configuration space being rebuilt): the capability
 * put in and linked after the configuration access one if the machine's
 * sink can deliver now, every entry masked, nothing pending, no vector
 * mapped. */
void virtio_msix_machine_reset(struct virtio_pci *vp);

/* A device reset: no vector mapped, nothing pending. */
void virtio_msix_device_reset(struct virtio_pci *vp);

/* Whether the driver turned MSI-X on (INTx and the ISR's queue bit are
 * then unused). */
bool virtio_msix_enabled(const struct virtio_pci *vp);

/* What a driver's write of v to msix_config or queue_msix_vector maps:
 * v where it names a table entry, else VIRTIO_MSI_NO_VECTOR (the spec's
 * answer for a vector the device cannot use). */
uint16_t virtio_msix_vector(const struct virtio_pci *vp, uint16_t v);

/* Signals vector (VIRTIO_MSI_NO_VECTOR: nothing): sent through the sink,
 * or left pending while it or the function is masked. */
void virtio_msix_signal(struct virtio_pci *vp, uint16_t vector);

/* After a configuration-space write to the message control: sends what
 * unmasking released. */
void virtio_msix_control_written(struct virtio_pci *vp);

/* BAR 0 accesses in the table or the PBA (any size 1-8, any alignment):
 * return false for an offset outside both (or without MSI-X offered). */
bool virtio_msix_read(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t *v);
bool virtio_msix_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t v);

/* Save/restore (format 2 of virtio_pci_save.c): bool offered, and when
 * offered u16 message control (enable and function mask), u16
 * msix_config, u32 pending bits, per table entry u32 addr_lo, addr_hi,
 * data, vector control, per queue u16 vector. virtio_msix_load reads
 * that into s (whose configuration space is loaded already; from 1:
 * nothing, MSI-X off) and returns NULL, or why the state is refused;
 * virtio_msix_commit makes it vp's (after configuration space). */
struct state_in;
struct state_out;
void virtio_msix_save(const struct virtio_pci *vp, struct state_out *o);
const char *virtio_msix_load(const struct virtio_pci *vp, struct state_in *in, uint32_t from,
			     struct virtio_pci_saved *s);
void virtio_msix_commit(struct virtio_pci *vp, const struct virtio_pci_saved *s);

#endif
