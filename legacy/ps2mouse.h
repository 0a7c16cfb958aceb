/* A PS/2 mouse behind the i8042's auxiliary port: the standard three-byte
 * protocol (stream and remote mode, sample rate, resolution, 1:1 and 2:1
 * scaling, status) and the IntelliMouse extensions a driver unlocks with
 * the sample-rate sequences 200-100-80 (ID 3: a wheel, four-byte packets)
 * and 200-200-80 (ID 4: wheel plus buttons 4 and 5). */
#ifndef HV_LEGACY_PS2MOUSE_H
#define HV_LEGACY_PS2MOUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/input.h"

#define PS2MOUSE_QUEUE_MAX 256 /* bytes; whole packets are dropped past it */

/* Packet byte 0. */
#define PS2MOUSE_LEFT	  0x01
#define PS2MOUSE_RIGHT	  0x02
#define PS2MOUSE_MIDDLE	  0x04
#define PS2MOUSE_ALWAYS1  0x08
#define PS2MOUSE_X_SIGN	  0x10
#define PS2MOUSE_Y_SIGN	  0x20
#define PS2MOUSE_X_OVERFL 0x40
#define PS2MOUSE_Y_OVERFL 0x80

struct ps2mouse {
	uint8_t queue[PS2MOUSE_QUEUE_MAX]; /* replies and packets, a ring */
	unsigned head, len;
	uint8_t pending_cmd; /* E8h or F3h waiting for its argument, or 0 */
	uint8_t last_sent;   /* for Resend (FEh) */
	bool reporting;	     /* F4h/F5h: stream packets are sent */
	bool remote;	     /* F0h remote mode: packets only on EBh */
	bool wrap;	     /* EEh wrap mode: bytes are echoed */
	bool scale21;	     /* E7h 2:1 scaling */
	uint8_t rate;	     /* samples per second (F3h) */
	uint8_t resolution;  /* counts per mm, 0-3 (E8h) */
	uint8_t id;	     /* 0, 3 (IntelliMouse) or 4 (IntelliMouse Explorer) */
	uint8_t rates[3];    /* the last three sample rates, newest last */
	unsigned buttons;    /* INPUT_BUTTON_* held */
	int dx, dy, dz;	     /* motion not yet reported (remote mode) */
	uint64_t dropped;    /* packets lost to a full queue */
	void (*notify)(void *opaque);
	void *opaque;
};

/* A mouse in its power-on state; notify is called when bytes wait. NULL
 * when out of memory. */
struct ps2mouse *ps2mouse_create(void (*notify)(void *opaque), void *opaque);
void ps2mouse_destroy(struct ps2mouse *ms);
void ps2mouse_reset(struct ps2mouse *ms);

/* A byte from the controller (i8042 command D4h). */
void ps2mouse_write(struct ps2mouse *ms, uint8_t byte);

bool ps2mouse_pending(const struct ps2mouse *ms);
uint8_t ps2mouse_read(struct ps2mouse *ms);

/* Host motion: dx right, dy down (screen direction), dz wheel down, the
 * buttons now held. Sends a packet in stream mode with reporting on. */
void ps2mouse_event(struct ps2mouse *ms, const struct input_mouse *ev);

struct state_in;
struct state_out;

/* Save/restore (part of the i8042's state): the queue in order, the modes,
 * the IntelliMouse knock, buttons and unreported motion; not the notify
 * hook nor the dropped count. ps2mouse_load reads into ms (a copy the
 * caller commits), failing the reader for a queue longer than the ring or
 * a value no command or host event sets. */
void ps2mouse_save(const struct ps2mouse *ms, struct state_out *out);
void ps2mouse_load(struct ps2mouse *ms, struct state_in *in);

#endif
