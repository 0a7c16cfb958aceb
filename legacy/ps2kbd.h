/* A PS/2 (MF II) keyboard as the i8042 sees it: commands from the host
 * (reset, LEDs, scan-code set, typematic, enable/disable, echo) answered
 * through a small reply queue, and host key events turned into scan codes
 * (set 2, or set 1 when the guest selects it) in a bounded key queue. The
 * controller pulls bytes one at a time when its output buffer is empty, so
 * keys pile up here until the guest reads them: host input is paced by the
 * guest. Typematic settings are stored, not acted on: a key from the host
 * is a make then a break, never held. */
#ifndef HV_LEGACY_PS2KBD_H
#define HV_LEGACY_PS2KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS2KBD_REPLY_MAX 16   /* command replies: a handful at a time */
#define PS2KBD_KEY_MAX	 4096 /* scan-code bytes of host keys not yet read */

/* Bytes on the wire. */
#define PS2_ACK	     0xFA
#define PS2_RESEND   0xFE
#define PS2_BAT_OK   0xAA /* self-test passed, after a reset */
#define PS2_ECHO     0xEE
#define PS2_BREAK    0xF0 /* set 2: the next code is a release */
#define PS2_EXTENDED 0xE0

/* LED bits of command EDh. */
#define PS2KBD_LED_SCROLL 0x01
#define PS2KBD_LED_NUM	  0x02
#define PS2KBD_LED_CAPS	  0x04

struct ps2kbd {
	uint8_t reply[PS2KBD_REPLY_MAX]; /* replies to commands, read first */
	unsigned reply_head, reply_len;
	uint8_t keys[PS2KBD_KEY_MAX]; /* scan codes of host keys, a ring */
	size_t key_head, key_len;
	uint8_t pending_cmd;	      /* a command waiting for its argument byte, or 0 */
	uint8_t last_sent;	      /* for Resend (FEh) */
	bool scanning;		      /* F4h enabled / F5h disabled */
	uint8_t leds;		      /* PS2KBD_LED_* as the guest last set them */
	uint8_t set;		      /* scan-code set the guest selected: 1, 2 or 3 */
	uint8_t typematic;	      /* F3h byte: bits 0-4 rate, 5-6 delay */
	uint64_t dropped;	      /* host keys refused because the queue was full */
	void (*notify)(void *opaque); /* a byte is ready for the controller */
	void *opaque;
};

/* A keyboard in its power-on state; notify is called (with the domain
 * lock held) whenever bytes become available. NULL when out of memory. */
struct ps2kbd *ps2kbd_create(void (*notify)(void *opaque), void *opaque);
void ps2kbd_destroy(struct ps2kbd *kbd);

/* Power-on state: defaults, scanning, both queues empty. */
void ps2kbd_reset(struct ps2kbd *kbd);

/* A byte the controller sends to the keyboard: a command or an argument. */
void ps2kbd_write(struct ps2kbd *kbd, uint8_t byte);

/* Whether a byte waits; the next byte (replies before keys). Keys wait
 * while scanning is disabled. */
bool ps2kbd_pending(const struct ps2kbd *kbd);
uint8_t ps2kbd_read(struct ps2kbd *kbd);

/* Bytes a Linux evdev KEY_* code pressed (down) or released takes in the
 * current set; 0 when the keyboard has no such key. */
size_t ps2kbd_key_size(const struct ps2kbd *kbd, unsigned code, bool down);

/* Free bytes in the key queue. */
size_t ps2kbd_key_room(const struct ps2kbd *kbd);

/* Queues the scan codes of a key event, whole or not at all. Returns 0, or
 * -1 for an unknown key or a full queue (counted in dropped). */
int ps2kbd_key(struct ps2kbd *kbd, unsigned code, bool down);

struct state_in;
struct state_out;

/* Save/restore (part of the i8042's state): the queues in order, the
 * modes and the half-sent command; not the notify hook nor the host's
 * dropped count. ps2kbd_load reads into kbd (a copy the caller commits),
 * failing the reader for a queue longer than its ring or a value no
 * command sets. */
void ps2kbd_save(const struct ps2kbd *kbd, struct state_out *out);
void ps2kbd_load(struct ps2kbd *kbd, struct state_in *in);

/* The LEDs of command EDh as words: "num,caps,scroll" (those lit, in that
 * order) or "none". */
void ps2kbd_leds_name(uint8_t leds, char *out, size_t len);

/* The typematic byte of command F3h as rate and delay, e.g.
 * "10.9cps/500ms" (the power-on default). */
void ps2kbd_typematic_name(uint8_t typematic, char *out, size_t len);

/* The set-1 byte for a set-2 byte, as the i8042's translation does (and
 * the keyboard itself in set 1); F0h is handled by the caller. */
uint8_t ps2kbd_set2_to_set1(uint8_t code);

#endif
