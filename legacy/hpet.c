#include "legacy/hpet.h"

#include <stdio.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define ID_VALUE      (HPET_CAPS_LOW | (uint64_t)HPET_PERIOD_FS << 32)
#define NS_PER_TICK   (HPET_PERIOD_FS / 1000000u)
#define TN_INT_ENB    (1ull << 2)
#define TN_SIZE_CAP   (1ull << 5)
#define TN_WRITABLE   0x7f0eull /* level, enable, periodic, 32-bit mode, route, FSB */
#define TIMER_STRIDE  0x20
#define TIMERS_END    (HPET_TIMER0 + HPET_TIMERS * TIMER_STRIDE)
#define CONFIG_WRITES HPET_CFG_ENABLE /* no legacy replacement route */

void hpet_init(struct hpet *h, struct vclock *clock)
{
	*h = (struct hpet){.clock = clock};
	for (int i = 0; i < HPET_TIMERS; i++) {
		h->timer_config[i] = TN_SIZE_CAP;
		h->comparator[i] = ~0ull;
	}
}

static bool running(const struct hpet *h)
{
	return h->config & HPET_CFG_ENABLE;
}

uint64_t hpet_counter(const struct hpet *h)
{
	if (!running(h))
		return h->counter;
	return h->counter + (uint64_t)(vclock_now(h->clock) - h->started_ns) / NS_PER_TICK;
}

/* Stops or starts the main counter, which keeps its value. */
static void set_config(struct hpet *h, uint64_t v)
{
	uint64_t now = hpet_counter(h);

	h->config = v & CONFIG_WRITES;
	h->counter = now;
	h->started_ns = vclock_now(h->clock);
}

static void set_counter(struct hpet *h, uint64_t v)
{
	h->counter = v;
	h->started_ns = vclock_now(h->clock);
}

/* The 64-bit register at offset (8-aligned), or 0 for a reserved one. */
static uint64_t reg_read(const struct hpet *h, uint64_t off)
{
	unsigned n = (unsigned)((off - HPET_TIMER0) / TIMER_STRIDE);

	switch (off) {
	case HPET_ID: return ID_VALUE;
	case HPET_CONFIG: return h->config;
	case HPET_COUNTER: return hpet_counter(h);
	default: break;
	}
	if (off < HPET_TIMER0 || off >= TIMERS_END)
		return 0;
	switch ((off - HPET_TIMER0) % TIMER_STRIDE) {
	case 0x00: return h->timer_config[n];
	case 0x08: return h->comparator[n];
	case 0x10: return h->fsb_route[n];
	default: return 0;
	}
}

static void timer_write(struct hpet *h, unsigned n, uint64_t reg, uint64_t v)
{
	switch (reg) {
	case 0x00:
		if (v & TN_INT_ENB)
			log_guest("hpet: timer %u's interrupt enabled; this HPET never interrupts",
				  n);
		h->timer_config[n] = TN_SIZE_CAP | (v & TN_WRITABLE);
		break;
	case 0x08: h->comparator[n] = v; break;
	case 0x10: h->fsb_route[n] = v; break;
	default: break;
	}
}

static void reg_write(struct hpet *h, uint64_t off, uint64_t v)
{
	switch (off) {
	case HPET_CONFIG: set_config(h, v); return;
	case HPET_COUNTER: set_counter(h, v); return;
	default: break;
	}
	if (off >= HPET_TIMER0 && off < TIMERS_END)
		timer_write(h, (unsigned)((off - HPET_TIMER0) / TIMER_STRIDE),
			    (off - HPET_TIMER0) % TIMER_STRIDE, v);
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Aligned accesses of 1 to 8 bytes within one register (the
 * specification's are of 4 and 8); others are ignored, reads give ones. */
static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	unsigned shift = 8 * (unsigned)(offset & 7);

	if (offset % size || size > 8)
		return size_mask(size);
	return (reg_read(opaque, offset & ~7ull) >> shift) & size_mask(size);
}

static void mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct hpet *h = opaque;
	unsigned shift = 8 * (unsigned)(offset & 7);
	uint64_t off = offset & ~7ull, mask = size_mask(size) << shift, old;

	if (offset % size || size > 8)
		return;
	old = reg_read(h, off);
	reg_write(h, off, (old & ~mask) | ((value << shift) & mask));
}

const struct io_ops hpet_mmio_ops = {.read = mmio_read, .write = mmio_write};

static void dev_reset(void *dev)
{
	struct hpet *h = dev;

	hpet_init(h, h->clock);
}

static void dev_describe(const void *dev, char *buf, size_t len)
{
	const struct hpet *h = dev;

	snprintf(buf, len, "config=%llx counter=%llu", (unsigned long long)h->config,
		 (unsigned long long)hpet_counter(h));
}

/* Save/restore, version 1: the configuration, the main counter's value
 * (a restore starts it again from there on the restored virtual clock),
 * and each timer's registers. */
static void dev_save(const void *dev, struct state_out *o)
{
	const struct hpet *h = dev;

	state_put_u64(o, h->config);
	state_put_u64(o, hpet_counter(h));
	for (int i = 0; i < HPET_TIMERS; i++) {
		state_put_u64(o, h->timer_config[i]);
		state_put_u64(o, h->comparator[i]);
		state_put_u64(o, h->fsb_route[i]);
	}
}

static int dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct hpet *h = dev;
	uint64_t v[2 + 3 * HPET_TIMERS];

	(void)from;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		v[i] = state_get_u64(in);
	if (!state_in_done(in) || v[0] & ~(uint64_t)CONFIG_WRITES)
		return -1;
	h->config = v[0];
	set_counter(h, v[1]);
	for (int i = 0; i < HPET_TIMERS; i++) {
		h->timer_config[i] = TN_SIZE_CAP | (v[2 + 3 * i] & TN_WRITABLE);
		h->comparator[i] = v[3 + 3 * i];
		h->fsb_route[i] = v[4 + 3 * i];
	}
	return 0;
}

const struct device_ops hpet_device_ops = {
    .reset = dev_reset,
    .describe = dev_describe,
    .version = 1,
    .save = dev_save,
    .load = dev_load,
    .added_later = true, /* session 22: earlier save files have none */
};
