/* The PC's virtio wiring (legacy/pc_virtio.c): virtio-blk disks as PCI
 * functions in slots 4 and up (xvda in slot 4, xvdb in 5, ...), their
 * INTA through the PIIX3 PIRQ routing onto level-triggered ISA IRQs;
 * virtio-rng in slot 30, virtio-console in 31, virtio-gpu in 3.
 *
 * A kernel booted without firmware finds them as firmware would leave
 * them: BARs placed, PIRQA-D routed to IRQs 10, 11, 10, 11 (not SeaBIOS's
 * 10, 10, 11, 11: xvda and xvdb would share IRQ 10), those IRQs
 * level-triggered in the ELCR and each function's interrupt line register
 * set. Firmware that runs may redo all of it. */
#ifndef HV_LEGACY_PC_VIRTIO_H
#define HV_LEGACY_PC_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

struct pc;

#define PC_VIRTIO_SLOT	   4 /* xvda's slot; xvdz's is 29 */
#define PC_VIRTIO_GPU_SLOT 3 /* 00:03.0; virtio-input at 00:03.1 and .2 */
#define PC_VIRTIO_INPUTS   3 /* keyboard, mouse, tablet */
#define PC_VIRTIO_RNG_SLOT 30
#define PC_VIRTIO_CON_SLOT 31
#define PC_VIRTIO_MMIO	   0xFE000000u /* xvda's BAR; the next one 16 KiB up */
#define PC_VIRTIO_IRQ_LOW  10	       /* PIRQA and PIRQC */
#define PC_VIRTIO_IRQ_HIGH 11	       /* PIRQB and PIRQD */

/* Machine reset of every virtio function, and the routing above. */
void pc_reset_virtio(struct pc *pc);

/* Stops and frees them. */
void pc_free_virtio(struct pc *pc);

#endif
