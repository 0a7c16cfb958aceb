/* Host input in one neutral form, whatever its source (`hv send-keys`,
 * the SDL viewer): keys are Linux evdev KEY_* codes with press or release,
 * the mouse is relative motion plus the buttons held. Device models (the
 * PS/2 keyboard and mouse, later USB or virtio input) translate from it. */
#ifndef HV_INPUT_H
#define HV_INPUT_H

#include <stdbool.h>
#include <stdint.h>

struct input_key {
	uint16_t code; /* KEY_* of <linux/input-event-codes.h> */
	bool down;     /* pressed; false: released */
};

/* Bits of input_mouse.buttons. */
#define INPUT_BUTTON_LEFT   0x01
#define INPUT_BUTTON_RIGHT  0x02
#define INPUT_BUTTON_MIDDLE 0x04
#define INPUT_BUTTON_SIDE   0x08 /* button 4 (back) */
#define INPUT_BUTTON_EXTRA  0x10 /* button 5 (forward) */

struct input_mouse {
	int dx;		  /* right */
	int dy;		  /* down, as on the screen */
	int dz;		  /* wheel: positive is towards the user (scroll down) */
	unsigned buttons; /* INPUT_BUTTON_* held after this event */
};

#endif
