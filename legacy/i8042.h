/* The Intel 8042 keyboard controller of the PC/AT (as in a PS/2 system):
 * a data port (60h) and a status/command port (64h), a one-byte output
 * buffer fed by the keyboard (IRQ1) and the mouse on the auxiliary port
 * (IRQ12), the command byte (interrupts, interfaces disabled, set-1
 * translation), self-tests, and the output port whose bit 1 gates A20 and
 * whose bit 0 resets the CPU. The controller owns its keyboard and mouse;
 * what A20 and reset do is the board's business (hooks). */
#ifndef HV_LEGACY_I8042_H
#define HV_LEGACY_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "legacy/ps2kbd.h"
#include "legacy/ps2mouse.h"

/* Status register. */
#define I8042_STAT_OBF	   0x01 /* output buffer full */
#define I8042_STAT_IBF	   0x02 /* input buffer full (never: we are instant) */
#define I8042_STAT_SYS	   0x04 /* system flag: self-test passed */
#define I8042_STAT_CMD	   0x08 /* the last write was to the command port */
#define I8042_STAT_UNLOCK  0x10 /* keyboard not inhibited by the key lock */
#define I8042_STAT_AUXB	   0x20 /* the output buffer holds a mouse byte */
#define I8042_STAT_TIMEOUT 0x40

/* Command byte. */
#define I8042_CB_KBD_INT 0x01
#define I8042_CB_AUX_INT 0x02
#define I8042_CB_SYS	 0x04
#define I8042_CB_KBD_OFF 0x10
#define I8042_CB_AUX_OFF 0x20
#define I8042_CB_XLAT	 0x40

/* Output port. */
#define I8042_OUT_RESET	  0x01 /* 0 holds the CPU in reset */
#define I8042_OUT_A20	  0x02
#define I8042_OUT_KBD_OBF 0x10
#define I8042_OUT_AUX_OBF 0x20

struct i8042_hooks {
	void (*a20)(void *opaque, bool on); /* output port bit 1 changed */
	void (*reset)(void *opaque);	    /* the CPU reset line was pulsed */
	void *opaque;
};

struct i8042 {
	uint8_t status;	 /* I8042_STAT_* */
	uint8_t ram[32]; /* ram[0] is the command byte */
	uint8_t out;	 /* output buffer, valid while OBF */
	uint8_t outport; /* output port (D0h/D1h) */
	uint8_t pending; /* a command waiting for its data byte (60h, D1h-D4h...) */
	bool xlat_break; /* translation swallowed an F0h: set bit 7 of the next */
	struct ps2kbd *kbd;
	struct ps2mouse *mouse;
	struct irq_line irq_kbd, irq_aux;
	struct i8042_hooks hooks;
};

/* A controller with its keyboard and mouse in their power-on state (the
 * A20 hook is called with the initial state). NULL when out of memory. */
struct i8042 *i8042_create(struct irq_line irq_kbd, struct irq_line irq_aux,
			   const struct i8042_hooks *hooks);
void i8042_destroy(struct i8042 *c);
void i8042_reset(struct i8042 *c);

/* Looks for a byte from the keyboard or the mouse when the output buffer
 * is empty, and sets the IRQs. The devices call it when they have data. */
void i8042_update(struct i8042 *c);

/* The two ports, one byte each (60h and 64h on the PC; port B sits
 * between them, so they are two ranges). */
extern const struct io_ops i8042_data_io_ops;	/* 60h */
extern const struct io_ops i8042_status_io_ops; /* 64h */

/* The registry's view (hv/core/device.h) of a struct i8042 with its
 * keyboard and mouse. */
extern const struct device_ops i8042_device_ops;

#endif
