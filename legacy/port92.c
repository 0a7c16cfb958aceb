#include "legacy/port92.h"

#include <stdio.h>

#include "hv/core/state.h"

void port92_reset(struct port92 *p)
{
	bool was_on = p->value & PORT92_A20;

	p->value = 0;
	if (was_on && p->a20)
		p->a20(p->opaque, false);
}

static uint64_t port92_read(void *opaque, uint64_t offset, unsigned size)
{
	struct port92 *p = opaque;

	(void)offset;
	(void)size;
	return p->value;
}

static void port92_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct port92 *p = opaque;
	uint8_t old = p->value, v = (uint8_t)value;

	(void)offset;
	(void)size;
	p->value = v;
	if (((old ^ v) & PORT92_A20) && p->a20)
		p->a20(p->opaque, v & PORT92_A20);
	if ((v & ~old & PORT92_RESET) && p->reset)
		p->reset(p->opaque);
}

const struct io_ops port92_io_ops = {.read = port92_read, .write = port92_write};

static void port92_dev_reset(void *dev)
{
	port92_reset(dev);
}

static void port92_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct port92 *p = dev;

	snprintf(buf, len, "value=%02x a20=%d", p->value, !!(p->value & PORT92_A20));
}

/* Save/restore, version 1: the value as last written. The hooks are the
 * machine's; the A20 gate is driven again from bit 1, a set bit 0 (no
 * edge) resets nothing. */
static void port92_dev_save(const void *dev, struct state_out *o)
{
	const struct port92 *p = dev;

	state_put_u8(o, p->value);
}

static int port92_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct port92 *p = dev;
	uint8_t v = state_get_u8(in);

	(void)from;
	if (!state_in_done(in))
		return -1;
	p->value = v;
	if (p->a20)
		p->a20(p->opaque, v & PORT92_A20);
	return 0;
}

const struct device_ops port92_device_ops = {.reset = port92_dev_reset,
					     .describe = port92_dev_describe,
					     .version = 1,
					     .save = port92_dev_save,
					     .load = port92_dev_load};
