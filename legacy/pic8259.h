/* Intel 8259A programmable interrupt controllers, as a PC/AT pair: a
 * master whose IR2 input is the slave's INT output, plus the PIIX
 * edge/level control registers (ELCR). Devices drive the sixteen inputs
 * through irq_lines; the CPU sees the master's INT pin through intc_ops
 * and acknowledges (INTA) to get a vector. The chip does not know its
 * ports: the wiring registers the three io_ops where the board puts them. */
#ifndef HV_LEGACY_PIC8259_H
#define HV_LEGACY_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "hv/core/machine.h"

/* Offsets within each chip's two-port window. */
#define PIC_CMD	 0 /* ICW1, OCW2, OCW3; reads IRR, ISR or the poll byte */
#define PIC_DATA 1 /* ICW2-4, OCW1; reads IMR */

/* Offsets within the two-port ELCR window (4D0h/4D1h on PIIX). */
#define PIC_ELCR_MASTER 0
#define PIC_ELCR_SLAVE	1

#define PIC_CASCADE_IRQ 2 /* the master input the slave drives */
#define PIC_INPUTS	16

/* Where the data port is in the initialisation sequence. */
enum pic_init_step {
	PIC_READY, /* initialised: data-port writes are OCW1 */
	PIC_ICW2,
	PIC_ICW3,
	PIC_ICW4,
};

struct pic8259_chip {
	uint8_t irr;		 /* interrupt request register: inputs waiting */
	uint8_t isr;		 /* in-service register: acknowledged, not yet EOId */
	uint8_t imr;		 /* interrupt mask register (OCW1) */
	uint8_t pins;		 /* input levels as last driven, for edge detection */
	uint8_t elcr;		 /* ELCR: 1 = the input is level-triggered */
	uint8_t elcr_mask;	 /* ELCR bits that exist on this chip (PIIX) */
	uint8_t cascade;	 /* inputs wired to a slave's INT output */
	uint8_t vector_base;	 /* ICW2 with the low three bits cleared */
	uint8_t icw3;		 /* master: bitmap of slave inputs; slave: its id */
	uint8_t top;		 /* the input with the highest priority (rotation) */
	enum pic_init_step init; /* which ICW the data port expects next */
	bool icw4_needed;	 /* ICW1 IC4 */
	bool single;		 /* ICW1 SNGL: no cascade, so no ICW3 */
	bool ltim;		 /* ICW1 LTIM: every input level-triggered */
	bool auto_eoi;		 /* ICW4 AEOI: INTA does not set ISR */
	bool rotate_aeoi;	 /* OCW2: auto-EOI also rotates priorities */
	bool sfnm;		 /* ICW4 special fully nested mode */
	bool special_mask;	 /* OCW3 SMM: masked inputs leave the ISR priority */
	bool read_isr;		 /* OCW3 RIS: command-port reads return ISR */
	bool poll;		 /* OCW3 P: the next command-port read polls */
	bool out;		 /* the INT output pin */
	bool is_master;		 /* wiring: the chip whose INT reaches the CPU */
};

struct pic8259 {
	struct pic8259_chip chip[2]; /* [0] master (IRQ 0-7), [1] slave (8-15) */
	/* Called when the master's INT output rises: a vCPU in HLT must wake. */
	void (*wake)(void *opaque);
	void *wake_opaque;
	uint64_t acks[8]; /* INTAs of each master input (for `hv list -l`) */
	/* Set while the engine runs the pair (intc_ops.offload): inputs go
	 * there, and chip[] is only refreshed from it (save, describe). */
	const struct intc_engine_ops *eng;
	void *eng_opaque;
};

/* Allocates a pair in its power-on state (uninitialised: everything
 * masked off until a guest writes ICW1). wake may be NULL. Returns NULL if
 * out of memory. */
struct pic8259 *pic8259_create(void (*wake)(void *opaque), void *opaque);
void pic8259_destroy(struct pic8259 *pic);

/* Power-on state; input levels are kept (the devices still drive them). */
void pic8259_reset(struct pic8259 *pic);

/* The line a device drives for input n (0-15). */
struct irq_line pic8259_irq_line(struct pic8259 *pic, int n);

/* Drives input n (0-15) to level; what the irq_lines call. */
void pic8259_set_irq(struct pic8259 *pic, int n, int level);

/* Whether input n (0-15) has a request the CPU has not taken yet (its
 * IRR bit): another edge now would merge into it. */
bool pic8259_requested(const struct pic8259 *pic, int n);

/* The CPU side (opaque = the pic8259): INT pin and INTA. An INTA with no
 * request left returns the spurious vector (IRQ7 of the chip involved). */
extern const struct intc_ops pic8259_intc_ops;

/* Register windows, opaque = the pic8259: len 2 each. */
extern const struct io_ops pic8259_master_io_ops;
extern const struct io_ops pic8259_slave_io_ops;
extern const struct io_ops pic8259_elcr_io_ops;

/* The registry's view (hv/core/device.h) of a struct pic8259: both chips. */
extern const struct device_ops pic8259_device_ops;

#endif
