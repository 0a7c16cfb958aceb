/* System control port B. On the AT the refresh toggle follows PIT counter
 * 1's OUT; here it is taken from the virtual clock at the rate BIOSes
 * program counter 1 for (as later chipsets generate refresh themselves),
 * so a guest that reprograms counter 1 does not break delay loops. */
#include "legacy/pcspk.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t spk_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pcspk *s = opaque;
	uint8_t v = s->ctrl;

	(void)offset;
	(void)size;
	if ((vclock_now(s->clock) / PCSPK_REFRESH_NS) & 1)
		v |= PCSPK_REFRESH;
	if (pit8254_out(s->pit, PIT_COUNTER2))
		v |= PCSPK_OUT2;
	return v;
}

static void spk_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pcspk *s = opaque;

	(void)offset;
	(void)size;
	s->ctrl = value & PCSPK_WRITABLE;
	pit8254_set_gate(s->pit, PIT_COUNTER2, s->ctrl & PCSPK_GATE2);
}

const struct io_ops pcspk_io_ops = {spk_read, spk_write};

/* Allocates the port bound to pit's counter 2. */
struct pcspk *pcspk_create(struct pit8254 *pit, struct vclock *clock)
{
	struct pcspk *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->pit = pit;
	s->clock = clock;
	pcspk_reset(s);
	return s;
}

/* Frees the port; the caller unregisters it first. */
void pcspk_destroy(struct pcspk *s)
{
	free(s);
}

/* Control bits clear: the speaker is off and counter 2 is gated off. */
void pcspk_reset(struct pcspk *s)
{
	s->ctrl = 0;
	pit8254_set_gate(s->pit, PIT_COUNTER2, false);
}

static void pcspk_dev_reset(void *dev)
{
	pcspk_reset(dev);
}

static void pcspk_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct pcspk *s = dev;

	snprintf(buf, len, "ctrl=%02x gate2=%d speaker=%d out2=%d", s->ctrl,
		 !!(s->ctrl & PCSPK_GATE2), !!(s->ctrl & PCSPK_DATA), pit8254_out(s->pit, 2));
}

const struct device_ops pcspk_device_ops = {.reset = pcspk_dev_reset,
					    .describe = pcspk_dev_describe};
