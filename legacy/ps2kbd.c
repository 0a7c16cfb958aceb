#include "legacy/ps2kbd.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define E0 0x100 /* in the key map: the code takes the E0h prefix */

/* Scan-code set 2 for each evdev code (0: no such key). Pause and Print
 * Screen send sequences of their own (see key_sequence). */
/* clang-format off */
static const uint16_t set2_codes[KEY_COMPOSE + 1] = {
    [KEY_ESC] = 0x76, [KEY_1] = 0x16, [KEY_2] = 0x1E,
    [KEY_3] = 0x26, [KEY_4] = 0x25, [KEY_5] = 0x2E,
    [KEY_6] = 0x36, [KEY_7] = 0x3D, [KEY_8] = 0x3E,
    [KEY_9] = 0x46, [KEY_0] = 0x45, [KEY_MINUS] = 0x4E,
    [KEY_EQUAL] = 0x55, [KEY_BACKSPACE] = 0x66, [KEY_TAB] = 0x0D,
    [KEY_Q] = 0x15, [KEY_W] = 0x1D, [KEY_E] = 0x24,
    [KEY_R] = 0x2D, [KEY_T] = 0x2C, [KEY_Y] = 0x35,
    [KEY_U] = 0x3C, [KEY_I] = 0x43, [KEY_O] = 0x44,
    [KEY_P] = 0x4D, [KEY_LEFTBRACE] = 0x54, [KEY_RIGHTBRACE] = 0x5B,
    [KEY_ENTER] = 0x5A, [KEY_LEFTCTRL] = 0x14, [KEY_A] = 0x1C,
    [KEY_S] = 0x1B, [KEY_D] = 0x23, [KEY_F] = 0x2B,
    [KEY_G] = 0x34, [KEY_H] = 0x33, [KEY_J] = 0x3B,
    [KEY_K] = 0x42, [KEY_L] = 0x4B, [KEY_SEMICOLON] = 0x4C,
    [KEY_APOSTROPHE] = 0x52, [KEY_GRAVE] = 0x0E, [KEY_LEFTSHIFT] = 0x12,
    [KEY_BACKSLASH] = 0x5D, [KEY_Z] = 0x1A, [KEY_X] = 0x22,
    [KEY_C] = 0x21, [KEY_V] = 0x2A, [KEY_B] = 0x32,
    [KEY_N] = 0x31, [KEY_M] = 0x3A, [KEY_COMMA] = 0x41,
    [KEY_DOT] = 0x49, [KEY_SLASH] = 0x4A, [KEY_RIGHTSHIFT] = 0x59,
    [KEY_KPASTERISK] = 0x7C, [KEY_LEFTALT] = 0x11, [KEY_SPACE] = 0x29,
    [KEY_CAPSLOCK] = 0x58, [KEY_F1] = 0x05, [KEY_F2] = 0x06,
    [KEY_F3] = 0x04, [KEY_F4] = 0x0C, [KEY_F5] = 0x03,
    [KEY_F6] = 0x0B, [KEY_F7] = 0x83, [KEY_F8] = 0x0A,
    [KEY_F9] = 0x01, [KEY_F10] = 0x09, [KEY_NUMLOCK] = 0x77,
    [KEY_SCROLLLOCK] = 0x7E, [KEY_KP7] = 0x6C, [KEY_KP8] = 0x75,
    [KEY_KP9] = 0x7D, [KEY_KPMINUS] = 0x7B, [KEY_KP4] = 0x6B,
    [KEY_KP5] = 0x73, [KEY_KP6] = 0x74, [KEY_KPPLUS] = 0x79,
    [KEY_KP1] = 0x69, [KEY_KP2] = 0x72, [KEY_KP3] = 0x7A,
    [KEY_KP0] = 0x70, [KEY_KPDOT] = 0x71, [KEY_102ND] = 0x61,
    [KEY_F11] = 0x78, [KEY_F12] = 0x07, [KEY_KPENTER] = E0 | 0x5A,
    [KEY_RIGHTCTRL] = E0 | 0x14, [KEY_KPSLASH] = E0 | 0x4A, [KEY_RIGHTALT] = E0 | 0x11,
    [KEY_HOME] = E0 | 0x6C, [KEY_UP] = E0 | 0x75, [KEY_PAGEUP] = E0 | 0x7D,
    [KEY_LEFT] = E0 | 0x6B, [KEY_RIGHT] = E0 | 0x74, [KEY_END] = E0 | 0x69,
    [KEY_DOWN] = E0 | 0x72, [KEY_PAGEDOWN] = E0 | 0x7A, [KEY_INSERT] = E0 | 0x70,
    [KEY_DELETE] = E0 | 0x71, [KEY_POWER] = E0 | 0x37, [KEY_LEFTMETA] = E0 | 0x1F,
    [KEY_RIGHTMETA] = E0 | 0x27, [KEY_COMPOSE] = E0 | 0x2F,
};
/* clang-format on */

/* The i8042's set 2 -> set 1 table for 00h-7Fh (IBM's, which every
 * compatible controller repeats); above that bytes pass unchanged except
 * 83h (F7, the one set-2 code past 7Fh). */
static const uint8_t set1_of_set2[128] = {
    0xFF, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
    0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A, 0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
    0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C, 0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E, 0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
    0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60, 0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
    0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E, 0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B, 0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
    0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45, 0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2kbd_set2_to_set1(uint8_t code)
{
	if (code < 0x80)
		return set1_of_set2[code];
	return code == 0x83 ? 0x41 : code;
}

/* Pause has no break code: its make sequence holds a Ctrl make and break
 * as well. Print Screen is a fake Shift plus keypad * (E0 12 E0 7C). */
static const uint8_t pause_seq[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
static const uint8_t prtsc_make[] = {0xE0, 0x12, 0xE0, 0x7C};
static const uint8_t prtsc_break[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};

/* The set-2 bytes of an event into out[8]; returns their count, 0 for an
 * unknown key. */
static size_t key_sequence(unsigned code, bool down, uint8_t *out)
{
	const uint8_t *seq = NULL;
	size_t n = 0;

	if (code == KEY_PAUSE)
		seq = down ? pause_seq : NULL, n = down ? sizeof pause_seq : 0;
	else if (code == KEY_SYSRQ)
		seq = down ? prtsc_make : prtsc_break,
		n = down ? sizeof prtsc_make : sizeof prtsc_break;
	if (code == KEY_PAUSE || code == KEY_SYSRQ) {
		for (size_t i = 0; i < n; i++)
			out[i] = seq[i];
		return n;
	}
	if (code >= sizeof set2_codes / sizeof set2_codes[0] || !set2_codes[code])
		return 0;
	if (set2_codes[code] & E0)
		out[n++] = PS2_EXTENDED;
	if (!down)
		out[n++] = PS2_BREAK;
	out[n++] = (uint8_t)set2_codes[code];
	return n;
}

/* Set 1 from set 2 as the keyboard itself would send it: a break is the
 * make code with bit 7 set instead of an F0h prefix. */
static size_t to_set1(uint8_t *buf, size_t n)
{
	size_t out = 0;
	bool brk = false;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == PS2_BREAK) {
			brk = true;
			continue;
		}
		buf[out++] = (uint8_t)(ps2kbd_set2_to_set1(buf[i]) | (brk ? 0x80 : 0));
		brk = false;
	}
	return out;
}

static size_t encode(const struct ps2kbd *kbd, unsigned code, bool down, uint8_t *out)
{
	size_t n = key_sequence(code, down, out);

	return kbd->set == 1 ? to_set1(out, n) : n;
}

struct ps2kbd *ps2kbd_create(void (*notify)(void *opaque), void *opaque)
{
	struct ps2kbd *kbd = calloc(1, sizeof *kbd);

	if (!kbd)
		return NULL;
	kbd->notify = notify;
	kbd->opaque = opaque;
	ps2kbd_reset(kbd);
	return kbd;
}

void ps2kbd_destroy(struct ps2kbd *kbd)
{
	free(kbd);
}

/* Defaults of F6h/F5h and of a reset: set 2, 10.9 cps after 500 ms. */
static void set_defaults(struct ps2kbd *kbd)
{
	kbd->set = 2;
	kbd->typematic = 0x2B;
	kbd->key_head = kbd->key_len = 0;
}

void ps2kbd_reset(struct ps2kbd *kbd)
{
	set_defaults(kbd);
	kbd->reply_head = kbd->reply_len = 0;
	kbd->pending_cmd = 0;
	kbd->scanning = true;
	kbd->leds = 0;
}

static void notify(struct ps2kbd *kbd)
{
	if (kbd->notify)
		kbd->notify(kbd->opaque);
}

static void reply(struct ps2kbd *kbd, uint8_t byte)
{
	if (kbd->reply_len == PS2KBD_REPLY_MAX)
		return; /* a guest that never reads: drop, as a full keyboard would */
	kbd->reply[(kbd->reply_head + kbd->reply_len++) % PS2KBD_REPLY_MAX] = byte;
}

/* The argument byte of ED, F0 or F3. */
static void argument(struct ps2kbd *kbd, uint8_t cmd, uint8_t arg)
{
	kbd->pending_cmd = 0;
	switch (cmd) {
	case 0xED: kbd->leds = arg & 7; break;
	case 0xF3: kbd->typematic = arg & 0x7F; break;
	case 0xF0:
		if (arg == 0) {
			reply(kbd, PS2_ACK);
			reply(kbd, kbd->set); /* 1-3; translated, 43h 41h 3Fh */
			return;
		}
		if (arg > 3) {
			reply(kbd, PS2_RESEND);
			return;
		}
		if (arg == 3)
			log_guest("ps2kbd: scan-code set 3 selected; set 2 is sent");
		kbd->set = arg;
		break;
	}
	reply(kbd, PS2_ACK);
}

static void command(struct ps2kbd *kbd, uint8_t cmd)
{
	switch (cmd) {
	case 0xED:
	case 0xF0:
	case 0xF3:
		kbd->pending_cmd = cmd;
		reply(kbd, PS2_ACK);
		return;
	case 0xEE: reply(kbd, PS2_ECHO); return;
	case 0xF2: /* MF II keyboard */
		reply(kbd, PS2_ACK);
		reply(kbd, 0xAB);
		reply(kbd, 0x83);
		return;
	case 0xF4: kbd->scanning = true; break;
	case 0xF5: set_defaults(kbd), kbd->scanning = false; break;
	case 0xF6: set_defaults(kbd), kbd->scanning = true; break;
	case 0xFE: reply(kbd, kbd->last_sent); return;
	case 0xFF:
		ps2kbd_reset(kbd);
		reply(kbd, PS2_ACK);
		reply(kbd, PS2_BAT_OK);
		return;
	default:
		/* F7h-FDh are set-3 key attributes: accepted, no effect. */
		if (cmd < 0xF7 || cmd > 0xFD) {
			log_guest("ps2kbd: unknown command %#04x", cmd);
			reply(kbd, PS2_RESEND);
			return;
		}
		break;
	}
	reply(kbd, PS2_ACK);
}

void ps2kbd_write(struct ps2kbd *kbd, uint8_t byte)
{
	/* A command byte while one waits for its argument replaces it, as on
	 * real keyboards (drivers abort a half-sent ED that way). */
	if (kbd->pending_cmd && byte < 0xED) {
		argument(kbd, kbd->pending_cmd, byte);
	} else {
		kbd->pending_cmd = 0;
		command(kbd, byte);
	}
	notify(kbd);
}

bool ps2kbd_pending(const struct ps2kbd *kbd)
{
	return kbd->reply_len || (kbd->scanning && kbd->key_len);
}

uint8_t ps2kbd_read(struct ps2kbd *kbd)
{
	uint8_t b;

	if (kbd->reply_len) {
		b = kbd->reply[kbd->reply_head];
		kbd->reply_head = (kbd->reply_head + 1) % PS2KBD_REPLY_MAX;
		kbd->reply_len--;
	} else if (kbd->scanning && kbd->key_len) {
		b = kbd->keys[kbd->key_head];
		kbd->key_head = (kbd->key_head + 1) % PS2KBD_KEY_MAX;
		kbd->key_len--;
	} else {
		return kbd->last_sent;
	}
	kbd->last_sent = b;
	return b;
}

size_t ps2kbd_key_size(const struct ps2kbd *kbd, unsigned code, bool down)
{
	uint8_t buf[8];

	return encode(kbd, code, down, buf);
}

size_t ps2kbd_key_room(const struct ps2kbd *kbd)
{
	return PS2KBD_KEY_MAX - kbd->key_len;
}

int ps2kbd_key(struct ps2kbd *kbd, unsigned code, bool down)
{
	uint8_t buf[8];
	size_t n = encode(kbd, code, down, buf);

	if (n == 0 && !(code == KEY_PAUSE && !down))
		return -1;
	if (n > ps2kbd_key_room(kbd)) {
		kbd->dropped++;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		kbd->keys[(kbd->key_head + kbd->key_len++) % PS2KBD_KEY_MAX] = buf[i];
	if (n)
		notify(kbd);
	return 0;
}

void ps2kbd_leds_name(uint8_t leds, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", leds & PS2KBD_LED_NUM ? "num," : "",
		 leds & PS2KBD_LED_CAPS ? "caps," : "", leds & PS2KBD_LED_SCROLL ? "scroll," : "");
	if (!out[0])
		snprintf(out, len, "none");
	else
		out[strlen(out) - 1] = '\0';
}

/* IBM's formula: the repeat period is (8 + A) * 2^B * 4.17 ms with A in
 * bits 0-2 and B in bits 3-4; the delay is 250 ms times 1 + bits 5-6. */
void ps2kbd_typematic_name(uint8_t typematic, char *out, size_t len)
{
	double period_ms = (8 + (typematic & 7)) * (1 << ((typematic >> 3) & 3)) * 4.17;

	snprintf(out, len, "%.1fcps/%ums", 1000.0 / period_ms, 250u * (1 + ((typematic >> 5) & 3)));
}

/* A ring's bytes, oldest first, after their count. */
static void ring_save(struct state_out *o, const uint8_t *ring, size_t size, size_t head,
		      size_t len)
{
	state_put_u32(o, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		state_put_u8(o, ring[(head + i) % size]);
}

/* Reads a ring saved by ring_save into ring[0..], returning its length. */
static size_t ring_load(struct state_in *in, uint8_t *ring, size_t size)
{
	size_t len = state_get_max(in, (uint32_t)size);

	state_get_bytes(in, ring, len);
	return len;
}

void ps2kbd_save(const struct ps2kbd *kbd, struct state_out *o)
{
	ring_save(o, kbd->reply, PS2KBD_REPLY_MAX, kbd->reply_head, kbd->reply_len);
	ring_save(o, kbd->keys, PS2KBD_KEY_MAX, kbd->key_head, kbd->key_len);
	state_put_u8(o, kbd->pending_cmd);
	state_put_u8(o, kbd->last_sent);
	state_put_bool(o, kbd->scanning);
	state_put_u8(o, kbd->leds);
	state_put_u8(o, kbd->set);
	state_put_u8(o, kbd->typematic);
}

void ps2kbd_load(struct ps2kbd *kbd, struct state_in *in)
{
	kbd->reply_head = kbd->key_head = 0;
	kbd->reply_len = (unsigned)ring_load(in, kbd->reply, PS2KBD_REPLY_MAX);
	kbd->key_len = ring_load(in, kbd->keys, PS2KBD_KEY_MAX);
	kbd->pending_cmd = state_get_u8(in);
	kbd->last_sent = state_get_u8(in);
	kbd->scanning = state_get_bool(in);
	kbd->leds = state_get_u8(in);
	kbd->set = state_get_u8(in);
	kbd->typematic = state_get_u8(in);
	if (kbd->pending_cmd && kbd->pending_cmd != 0xED && kbd->pending_cmd != 0xF0 &&
	    kbd->pending_cmd != 0xF3)
		in->failed = true;
	if (kbd->leds > 7 || kbd->set < 1 || kbd->set > 3 || kbd->typematic > 0x7F)
		in->failed = true;
}
