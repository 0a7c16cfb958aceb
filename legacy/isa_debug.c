#include "legacy/isa_debug.h"

#include <stdio.h>

#include "hv/core/state.h"

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xE9; /* the Bochs convention: "a debug console is here" */
}

static void debugcon_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct debugcon *dc = opaque;

	(void)offset;
	/* A word write sends its low byte, as on Bochs and QEMU. */
	(void)size;
	if (dc->out.tx)
		dc->out.tx(dc->out.opaque, (uint8_t)value);
}

const struct io_ops debugcon_io_ops = {.read = debugcon_read, .write = debugcon_write};

static uint64_t post_read(void *opaque, uint64_t offset, unsigned size)
{
	struct post_port *p = opaque;

	(void)offset;
	(void)size;
	return p->last;
}

static void post_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct post_port *p = opaque;
	uint8_t code = (uint8_t)value;
	uint8_t old = p->last;

	(void)offset;
	(void)size;
	p->last = code;
	p->count++;
	/* Linux writes 80h as an I/O delay thousands of times: report only
	 * changes, and the callback rate-limits too. */
	if ((code != old || p->count == 1) && p->changed)
		p->changed(p->opaque, code);
}

const struct io_ops post_port_io_ops = {.read = post_read, .write = post_write};

static uint64_t exit_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xFFFFFFFF;
}

static void exit_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct debug_exit *e = opaque;

	(void)size;
	/* A byte write to the second port is the high byte of the value. */
	value = offset ? (value & 0xFF) << 8 : value & 0xFFFF;
	if (e->poweroff)
		e->poweroff(e->opaque, (int)(((value << 1) | 1) & 0xFF));
}

const struct io_ops debug_exit_io_ops = {.read = exit_read, .write = exit_write};

/* None of the three keeps state a reset clears: the POST code stays
 * readable after a reboot, as a POST card's display does. */
static void debugcon_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct debugcon *c = dev;

	snprintf(buf, len, "connected=%d", c->out.tx != NULL);
}

static void post_port_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct post_port *p = dev;

	snprintf(buf, len, "last=%02x count=%llu", p->last, (unsigned long long)p->count);
}

static void debug_exit_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct debug_exit *e = dev;

	snprintf(buf, len, "connected=%d", e->poweroff != NULL);
}

/* Save/restore of the POST port, version 1: the last code and the count
 * (what `hv list -l` shows). The other two hold no state. */
static void post_port_dev_save(const void *dev, struct state_out *o)
{
	const struct post_port *p = dev;

	state_put_u8(o, p->last);
	state_put_u64(o, p->count);
}

static int post_port_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct post_port *p = dev;
	uint8_t last = state_get_u8(in);
	uint64_t count = state_get_u64(in);

	(void)from;
	if (!state_in_done(in))
		return -1;
	p->last = last;
	p->count = count;
	return 0;
}

const struct device_ops debugcon_device_ops = {.describe = debugcon_dev_describe,
					       .stateless = true};
const struct device_ops post_port_device_ops = {.describe = post_port_dev_describe,
						.version = 1,
						.save = post_port_dev_save,
						.load = post_port_dev_load};
const struct device_ops debug_exit_device_ops = {.describe = debug_exit_dev_describe,
						 .stateless = true};
