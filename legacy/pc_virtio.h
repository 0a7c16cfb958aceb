/* The PC's virtio wiring (legacy/pc_virtio.c): virtio-blk disks as PCI
 * functions in slots 4 and up (xvda in slot 4, xvdb in 5, ...), their
 * INTA through the PIIX3 PIRQ routing onto level-triggered ISA IRQs.
 *
 * A kernel booted without firmware finds them as firmware would leave
 * them: BARs placed, PIRQA-D routed to IRQs 10, 10, 11, 11 (SeaBIOS's
 * choice), those IRQs level-triggered in the ELCR and each function's
 * interrupt line register set. Firmware that runs may redo all of it. */
#ifndef HV_LEGACY_PC_VIRTIO_H
#define HV_LEGACY_PC_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

struct pc;
struct disk;

#define PC_VIRTIO_SLOT	   4 /* xvda's slot; xvdz's is 29 */
#define PC_VIRTIO_RNG_SLOT 30
#define PC_VIRTIO_CON_SLOT 31
#define PC_VIRTIO_MMIO	   0xFE000000u /* xvda's BAR; the next one 16 KiB up */
#define PC_VIRTIO_IRQ_LOW  10	       /* PIRQA and PIRQB */
#define PC_VIRTIO_IRQ_HIGH 11	       /* PIRQC and PIRQD */

/* Adds a virtio-blk disk as xvd(a + index) on disk (the caller's, which
 * must outlive the PC), registered as "vd(a + index)" in the machine's
 * device registry. Returns 0 or -1 with err set. */
int pc_add_virtio_blk(struct pc *pc, unsigned index, struct disk *disk, char *err, size_t errlen);

/* Adds a virtio-rng function (slot 30, "rng0" in the registry). Returns
 * 0 or -1 with err set. */
int pc_add_virtio_rng(struct pc *pc, char *err, size_t errlen);

/* Adds a virtio-console function (slot 31, "hvc0" in the registry)
 * whose output goes to out (a struct virtio_console_backend, copied).
 * Returns 0 or -1 with err set. */
struct virtio_console_backend;
int pc_add_virtio_console(struct pc *pc, const struct virtio_console_backend *out, char *err,
			  size_t errlen);

/* Host input for hvc0, with the domain lock held: returns the bytes the
 * guest's posted buffers took (0 without a console). */
size_t pc_virtio_console_receive(struct pc *pc, const uint8_t *data, size_t len);

/* Machine reset of every virtio function, and the routing above. */
void pc_reset_virtio(struct pc *pc);

/* Stops and frees them. */
void pc_free_virtio(struct pc *pc);

#endif
