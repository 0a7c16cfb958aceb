#include "legacy/rcr.h"

#include <stdio.h>

#include "hv/core/state.h"

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

/* Save/restore, version 1: the value that reads back. The reset strobe
 * (bit 2) is never kept, so a state holding it is refused. */
static void rcr_dev_save(const void *dev, struct state_out *o)
{
	const struct rcr *r = dev;

	state_put_u8(o, r->value);
}

static int rcr_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct rcr *r = dev;
	uint8_t v = state_get_u8(in);

	(void)from;
	if (!state_in_done(in) || (v & RCR_RESET))
		return -1;
	r->value = v;
	return 0;
}

const struct device_ops rcr_device_ops = {.reset = rcr_dev_reset,
					  .describe = rcr_dev_describe,
					  .version = 1,
					  .save = rcr_dev_save,
					  .load = rcr_dev_load};
