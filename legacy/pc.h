/* The PC: one place that knows which chip sits at which port and IRQ, and
 * wires the legacy devices to the machine and to the domain's host ends. */
#ifndef HV_LEGACY_PC_H
#define HV_LEGACY_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/machine.h"
#include "legacy/isa_debug.h"
#include "legacy/uart16550.h"

#define PC_COM1_BASE	   0x3F8
#define PC_COM1_IRQ	   4
#define PC_DEBUGCON_PORT   0xE9
#define PC_POST_PORT	   0x80
#define PC_DEBUG_EXIT_PORT 0x501

/* Host-side hooks the domain supplies. */
struct pc_hooks {
	struct uart_backend com1;     /* tx == NULL: no COM1 */
	struct uart_backend debugcon; /* tx == NULL: no debug console */
	void (*post)(void *opaque, uint8_t code);
	void (*poweroff)(void *opaque, int status);
	void *opaque;
};

struct pc {
	struct machine *m;
	struct uart16550 *com1;
	struct debugcon debugcon;
	struct post_port post;
	struct debug_exit exit;
};

/* Creates the devices and registers them on m's buses. Returns NULL with
 * err set. */
struct pc *pc_create(struct machine *m, const struct pc_hooks *hooks, char *err, size_t errlen);
void pc_free(struct pc *pc);

/* Device reset (the machine's RAM and the CPU are the domain's). */
void pc_reset(struct pc *pc);

/* Moves queued host input into COM1's receive FIFO; with the domain lock
 * held. Returns bytes moved. */
size_t pc_com1_receive(struct pc *pc, const uint8_t *data, size_t len);
size_t pc_com1_room(struct pc *pc);

#endif
