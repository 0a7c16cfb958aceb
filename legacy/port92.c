#include "legacy/port92.h"

#include <stdio.h>

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

const struct device_ops port92_device_ops = {.reset = port92_dev_reset,
					     .describe = port92_dev_describe};
