#include "legacy/rcr.h"

#include <stdio.h>

void rcr_reset(struct rcr *r)
{
	r->value = 0;
}

static bool is_rcr(uint64_t offset, unsigned size)
{
	return offset == RCR_OFFSET && size == 1;
}

static uint64_t rcr_read(void *opaque, uint64_t offset, unsigned size)
{
	struct rcr *r = opaque;

	if (is_rcr(offset, size))
		return r->value;
	return r->latch_ops ? r->latch_ops->read(r->latch, offset, size) : ~0ull;
}

static void rcr_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct rcr *r = opaque;
	uint8_t v = (uint8_t)value;

	if (!is_rcr(offset, size)) {
		if (r->latch_ops)
			r->latch_ops->write(r->latch, offset, size, value);
		return;
	}
	r->value = v & (uint8_t)~RCR_RESET;
	if ((v & RCR_RESET) && r->reset)
		r->reset(r->opaque, v & RCR_HARD);
}

const struct io_ops rcr_io_ops = {.read = rcr_read, .write = rcr_write};

static void rcr_dev_reset(void *dev)
{
	rcr_reset(dev);
}

static void rcr_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct rcr *r = dev;

	snprintf(buf, len, "value=%02x", r->value);
}

const struct device_ops rcr_device_ops = {.reset = rcr_dev_reset, .describe = rcr_dev_describe};
