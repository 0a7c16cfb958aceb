#include "legacy/i8042.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

static void kbd_ready(void *opaque)
{
	i8042_update(opaque);
}

struct i8042 *i8042_create(struct irq_line irq_kbd, struct irq_line irq_aux,
			   const struct i8042_hooks *hooks)
{
	struct i8042 *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->irq_kbd = irq_kbd;
	c->irq_aux = irq_aux;
	if (hooks)
		c->hooks = *hooks;
	c->kbd = ps2kbd_create(kbd_ready, c);
	c->mouse = ps2mouse_create(kbd_ready, c);
	if (!c->kbd || !c->mouse) {
		i8042_destroy(c);
		return NULL;
	}
	i8042_reset(c);
	return c;
}

void i8042_destroy(struct i8042 *c)
{
	if (!c)
		return;
	ps2kbd_destroy(c->kbd);
	ps2mouse_destroy(c->mouse);
	free(c);
}

static void set_outport(struct i8042 *c, uint8_t v)
{
	bool a20_changed = (v ^ c->outport) & I8042_OUT_A20;

	c->outport = v;
	if (a20_changed && c->hooks.a20)
		c->hooks.a20(c->hooks.opaque, v & I8042_OUT_A20);
	/* Bit 0 low holds the CPU in reset; the BIOS's way is D1h with bit 0
	 * clear as much as FEh. */
	if (!(v & I8042_OUT_RESET) && c->hooks.reset)
		c->hooks.reset(c->hooks.opaque);
}

/* Power-on: QEMU's and Bochs's state, which SeaBIOS expects: A20 enabled,
 * interrupts on, translation off until the BIOS sets its command byte. */
void i8042_reset(struct i8042 *c)
{
	for (unsigned i = 0; i < sizeof c->ram; i++)
		c->ram[i] = 0;
	c->ram[0] = I8042_CB_KBD_INT | I8042_CB_AUX_INT;
	c->status = I8042_STAT_UNLOCK;
	c->pending = 0;
	c->xlat_break = false;
	c->outport = I8042_OUT_RESET | I8042_OUT_A20 | 0xC0;
	if (c->hooks.a20)
		c->hooks.a20(c->hooks.opaque, true);
	ps2kbd_reset(c->kbd);
	ps2mouse_reset(c->mouse);
	i8042_update(c);
}

static void set_irqs(struct i8042 *c)
{
	bool full = c->status & I8042_STAT_OBF, aux = c->status & I8042_STAT_AUXB;

	c->outport &= (uint8_t) ~(I8042_OUT_KBD_OBF | I8042_OUT_AUX_OBF);
	if (full)
		c->outport |= aux ? I8042_OUT_AUX_OBF : I8042_OUT_KBD_OBF;
	irq_set(&c->irq_kbd, full && !aux && (c->ram[0] & I8042_CB_KBD_INT));
	irq_set(&c->irq_aux, full && aux && (c->ram[0] & I8042_CB_AUX_INT));
}

/* Puts a byte in the output buffer, from the keyboard side or the mouse
 * side (what AUXB and the IRQ follow). */
static void output(struct i8042 *c, uint8_t byte, bool aux)
{
	c->out = byte;
	c->status |= I8042_STAT_OBF;
	if (aux)
		c->status |= I8042_STAT_AUXB;
	else
		c->status &= (uint8_t)~I8042_STAT_AUXB;
	set_irqs(c);
}

/* The next keyboard byte, translated to set 1 when the command byte asks:
 * an F0h prefix is swallowed and sets bit 7 of the code after it. Returns
 * false when only a swallowed prefix was there. */
static bool next_kbd_byte(struct i8042 *c, uint8_t *out)
{
	uint8_t b = ps2kbd_read(c->kbd);

	if (!(c->ram[0] & I8042_CB_XLAT)) {
		*out = b;
		return true;
	}
	if (b == PS2_BREAK) {
		c->xlat_break = true;
		return false;
	}
	*out = ps2kbd_set2_to_set1(b) | (c->xlat_break ? 0x80 : 0);
	c->xlat_break = false;
	return true;
}

void i8042_update(struct i8042 *c)
{
	uint8_t b;

	while (!(c->status & I8042_STAT_OBF)) {
		if (!(c->ram[0] & I8042_CB_KBD_OFF) && ps2kbd_pending(c->kbd)) {
			if (next_kbd_byte(c, &b))
				output(c, b, false);
		} else if (!(c->ram[0] & I8042_CB_AUX_OFF) && ps2mouse_pending(c->mouse)) {
			output(c, ps2mouse_read(c->mouse), true);
		} else {
			break;
		}
	}
	set_irqs(c);
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *c = opaque;
	uint8_t b = c->out;

	(void)offset;
	(void)size;
	c->status &= (uint8_t) ~(I8042_STAT_OBF | I8042_STAT_AUXB);
	set_irqs(c);
	/* The next byte waits for this read: host input is paced by the
	 * guest. An edge follows for an edge-triggered PIC. */
	i8042_update(c);
	return b;
}

/* The data byte of a two-byte controller command. */
static void command_data(struct i8042 *c, uint8_t cmd, uint8_t v)
{
	if (cmd >= 0x60 && cmd <= 0x7F) {
		c->ram[cmd & 0x1F] = v;
		if (cmd == 0x60) {
			c->status = (uint8_t)((c->status & ~I8042_STAT_SYS) | (v & I8042_CB_SYS));
			if (!(v & I8042_CB_XLAT))
				c->xlat_break = false;
		}
		return;
	}
	switch (cmd) {
	case 0xD1: set_outport(c, v); break;
	case 0xD2: output(c, v, false); break;
	case 0xD3: output(c, v, true); break;
	case 0xD4: ps2mouse_write(c->mouse, v); break;
	}
}

static void data_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct i8042 *c = opaque;
	uint8_t cmd = c->pending;

	(void)offset;
	(void)size;
	c->status &= (uint8_t)~I8042_STAT_CMD;
	c->pending = 0;
	if (cmd) {
		command_data(c, cmd, (uint8_t)value);
	} else {
		ps2kbd_write(c->kbd, (uint8_t)value);
	}
	i8042_update(c);
}

static uint64_t status_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *c = opaque;

	(void)offset;
	(void)size;
	return c->status;
}

/* Commands that answer with one byte through the output buffer; false
 * when cmd is not one of them. */
static bool query(struct i8042 *c, uint8_t cmd)
{
	if (cmd >= 0x20 && cmd <= 0x3F) {
		output(c, c->ram[cmd & 0x1F], false);
		return true;
	}
	switch (cmd) {
	case 0xA4: output(c, 0xF1, false); return true; /* no password installed */
	case 0xA9: output(c, 0x00, false); return true; /* aux interface: OK */
	case 0xAA:					/* self-test */
		c->status |= I8042_STAT_SYS;
		output(c, 0x55, false);
		return true;
	case 0xAB: output(c, 0x00, false); return true; /* kbd interface: OK */
	case 0xC0: output(c, 0xA0, false); return true; /* input port: no key lock */
	case 0xD0: output(c, c->outport, false); return true;
	case 0xE0: output(c, 0x00, false); return true; /* test inputs */
	}
	return false;
}

static void command(struct i8042 *c, uint8_t cmd)
{
	if (query(c, cmd))
		return;
	if ((cmd >= 0x60 && cmd <= 0x7F) || (cmd >= 0xD1 && cmd <= 0xD4)) {
		c->pending = cmd;
		return;
	}
	switch (cmd) {
	case 0xA7: c->ram[0] |= I8042_CB_AUX_OFF; break;
	case 0xA8: c->ram[0] &= (uint8_t)~I8042_CB_AUX_OFF; break;
	case 0xAD: c->ram[0] |= I8042_CB_KBD_OFF; break;
	case 0xAE: c->ram[0] &= (uint8_t)~I8042_CB_KBD_OFF; break;
	case 0xDD: set_outport(c, c->outport & (uint8_t)~I8042_OUT_A20); break;
	case 0xDF: set_outport(c, c->outport | I8042_OUT_A20); break;
	default:
		if (cmd >= 0xF0) {
			/* Pulse output lines: a clear bit 0 pulses reset. */
			if (!(cmd & 1) && c->hooks.reset)
				c->hooks.reset(c->hooks.opaque);
			break;
		}
		log_guest("i8042: unknown command %#04x", cmd);
		break;
	}
}

static void status_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct i8042 *c = opaque;

	(void)offset;
	(void)size;
	c->status |= I8042_STAT_CMD;
	c->pending = 0;
	command(c, (uint8_t)value);
	i8042_update(c);
}

const struct io_ops i8042_data_io_ops = {.read = data_read, .write = data_write};
const struct io_ops i8042_status_io_ops = {.read = status_read, .write = status_write};

static void i8042_dev_reset(void *dev)
{
	i8042_reset(dev);
}

/* The controller, the keyboard as the guest programmed it and the mouse:
 * a keyboard that types nothing is often disabled (command byte bit 4,
 * scanning off) or has bytes queued that no one reads. */
static void i8042_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct i8042 *c = dev;
	const struct ps2kbd *k = c->kbd;
	const struct ps2mouse *m = c->mouse;
	char leds[32], typematic[32];

	ps2kbd_leds_name(k->leds, leds, sizeof leds);
	ps2kbd_typematic_name(k->typematic, typematic, sizeof typematic);
	snprintf(buf, len,
		 "status=%02x cmd=%02x outport=%02x kbd_leds=%s kbd_typematic=%s kbd_set=%u "
		 "kbd_scanning=%d kbd_queued=%zu kbd_dropped=%llu mouse_id=%u mouse_reporting=%d "
		 "mouse_rate=%u mouse_buttons=%x mouse_queued=%u",
		 c->status, c->ram[0], c->outport, leds, typematic, k->set, k->scanning, k->key_len,
		 (unsigned long long)k->dropped, m->id, m->reporting, m->rate, m->buttons, m->len);
}

/* Save/restore, version 1: the controller's status, RAM (command byte
 * first), output buffer and port, the half-sent command and the
 * translation's swallowed break, then the keyboard's and the mouse's
 * state. The hooks and IRQ lines are the machine's; the A20 source and the
 * IRQs are driven again from the loaded state (the reset line is not). */
static void i8042_dev_save(const void *dev, struct state_out *o)
{
	const struct i8042 *c = dev;

	state_put_u8(o, c->status);
	state_put_bytes(o, c->ram, sizeof c->ram);
	state_put_u8(o, c->out);
	state_put_u8(o, c->outport);
	state_put_u8(o, c->pending);
	state_put_bool(o, c->xlat_break);
	ps2kbd_save(c->kbd, o);
	ps2mouse_save(c->mouse, o);
}

#define STATUS_BITS                                                                                \
	(I8042_STAT_OBF | I8042_STAT_SYS | I8042_STAT_CMD | I8042_STAT_UNLOCK | I8042_STAT_AUXB)

/* Status bits the controller never sets, a mouse byte in an empty buffer
 * or a pending command that takes no data byte are refused. */
static bool controller_valid(const struct i8042 *c)
{
	uint8_t p = c->pending;

	if ((c->status & ~STATUS_BITS) ||
	    ((c->status & I8042_STAT_AUXB) && !(c->status & I8042_STAT_OBF)))
		return false;
	return p == 0 || (p >= 0x60 && p <= 0x7F) || (p >= 0xD1 && p <= 0xD4);
}

static int i8042_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct i8042 *c = dev;
	struct i8042 copy = *c;
	struct ps2kbd kbd = *c->kbd;
	struct ps2mouse mouse = *c->mouse;

	(void)from;
	copy.status = state_get_u8(in);
	state_get_bytes(in, copy.ram, sizeof copy.ram);
	copy.out = state_get_u8(in);
	copy.outport = state_get_u8(in);
	copy.pending = state_get_u8(in);
	copy.xlat_break = state_get_bool(in);
	ps2kbd_load(&kbd, in);
	ps2mouse_load(&mouse, in);
	if (!state_in_done(in) || !controller_valid(&copy))
		return -1;
	*c = copy;
	*c->kbd = kbd;
	*c->mouse = mouse;
	if (c->hooks.a20)
		c->hooks.a20(c->hooks.opaque, c->outport & I8042_OUT_A20);
	i8042_update(c);
	return 0;
}

const struct device_ops i8042_device_ops = {.reset = i8042_dev_reset,
					    .describe = i8042_dev_describe,
					    .version = 1,
					    .save = i8042_dev_save,
					    .load = i8042_dev_load};
