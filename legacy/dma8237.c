#include "legacy/dma8237.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

/* Low nibble of each channel's page register port (87h, 83h, 81h, 82h,
 * 8Fh for the cascade, 8Bh, 89h, 8Ah): the PC/AT's odd wiring. */
static const uint8_t page_port[DMA8237_CHANNELS] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

struct dma8237 *dma8237_create(struct guest_mem *mem)
{
	struct dma8237 *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->mem = mem;
	dma8237_reset(d);
	return d;
}

void dma8237_destroy(struct dma8237 *d)
{
	free(d);
}

static void master_clear(struct dma8237_chip *c)
{
	*c = (struct dma8237_chip){.mask = 0x0F};
}

void dma8237_reset(struct dma8237 *d)
{
	master_clear(&d->chip[0]);
	master_clear(&d->chip[1]);
	for (unsigned i = 0; i < DMA8237_CHANNELS; i++)
		d->ch[i].mode = 0;
}

static bool chip_enabled(const struct dma8237 *d, unsigned chip, unsigned bit)
{
	const struct dma8237_chip *c = &d->chip[chip];

	return !(c->command & 0x04) && !(c->mask & (1u << bit));
}

bool dma8237_enabled(const struct dma8237 *d, unsigned ch)
{
	if (ch >= DMA8237_CHANNELS || ch == 4 || !chip_enabled(d, ch / 4, ch % 4))
		return false;
	/* DMA1 reaches the bus only through DMA2's channel 4. */
	return ch >= 4 || chip_enabled(d, 1, 0);
}

/* Calls the device on ch if it is asking and may be served now. */
static void kick(struct dma8237 *d, unsigned ch)
{
	struct dma8237_channel *c = &d->ch[ch];

	if (!c->dreq || !c->service || c->in_service || !dma8237_enabled(d, ch))
		return;
	c->in_service = true;
	c->service(c->opaque);
	c->in_service = false;
}

/* After a mask or command change on one chip: serve whoever is waiting
 * (all of DMA1 when the cascade channel changed). */
static void kick_chip(struct dma8237 *d, unsigned chip)
{
	for (unsigned ch = 0; ch < DMA8237_CHANNELS; ch++)
		if (ch / 4 == chip || chip == 1)
			kick(d, ch);
}

void dma8237_attach(struct dma8237 *d, unsigned ch, void (*service)(void *opaque), void *opaque)
{
	if (ch >= DMA8237_CHANNELS || ch == 4)
		return;
	d->ch[ch].service = service;
	d->ch[ch].opaque = opaque;
}

void dma8237_set_sync(struct dma8237 *d, unsigned ch, void (*sync)(void *opaque), void *opaque)
{
	if (ch >= DMA8237_CHANNELS || ch == 4)
		return;
	d->ch[ch].sync = sync;
	d->ch[ch].sync_opaque = opaque;
}

/* Lets the device on ch catch up, once per register read. */
static void sync_channel(struct dma8237 *d, unsigned ch)
{
	struct dma8237_channel *c = &d->ch[ch];

	if (c->sync && !c->in_service) {
		c->in_service = true;
		c->sync(c->sync_opaque);
		c->in_service = false;
	}
}

void dma8237_set_dreq(struct dma8237 *d, unsigned ch, bool level)
{
	if (!d || ch >= DMA8237_CHANNELS)
		return;
	d->ch[ch].dreq = level;
	if (level)
		kick(d, ch);
}

/* The guest-physical address of the channel's current transfer: 8-bit
 * channels wrap inside their 64 KiB page, 16-bit ones address words and
 * wrap inside a 128 KiB page (page bit 0 unused). */
static uint64_t channel_gpa(const struct dma8237 *d, unsigned ch)
{
	uint64_t page = d->page[page_port[ch]];

	if (ch >= 4)
		return (page & 0xFE) << 16 | (uint64_t)d->ch[ch].addr << 1;
	return page << 16 | d->ch[ch].addr;
}

/* Terminal count: note it in the status, then reload (auto-init) or mask
 * the channel, as the 8237 does. */
static void terminal_count(struct dma8237 *d, unsigned ch)
{
	struct dma8237_channel *c = &d->ch[ch];
	struct dma8237_chip *chip = &d->chip[ch / 4];

	chip->tc |= (uint8_t)(1u << (ch % 4));
	chip->request &= (uint8_t) ~(1u << (ch % 4));
	if (c->mode & DMA_MODE_AUTOINIT) {
		c->addr = c->base_addr;
		c->count = c->base_count;
	} else {
		chip->mask |= (uint8_t)(1u << (ch % 4));
	}
}

/* Transfers the channel can make before its count or (incrementing) its
 * address wraps; decrementing channels go one transfer at a time since
 * the device's bytes land backwards. */
static uint32_t run_length(const struct dma8237_channel *c, uint32_t want)
{
	uint32_t n = (uint32_t)c->count + 1;

	if (n > want)
		n = want;
	if (c->mode & DMA_MODE_DECREMENT)
		return 1;
	if (n > 0x10000u - c->addr)
		n = 0x10000u - c->addr;
	return n;
}

static size_t move(struct dma8237 *d, unsigned ch, uint8_t *buf, size_t len, bool *tc, bool to_mem)
{
	struct dma8237_channel *c;
	unsigned unit = ch >= 4 ? 2 : 1, type;
	uint32_t units, done = 0;
	bool hit = false;

	if (tc)
		*tc = false;
	if (!dma8237_enabled(d, ch))
		return 0;
	c = &d->ch[ch];
	type = c->mode & DMA_MODE_TYPE;
	if (type != DMA_MODE_VERIFY && type != (to_mem ? DMA_MODE_WRITE : DMA_MODE_READ))
		log_guest("8237: channel %u programmed for the other direction (mode %#x)", ch,
			  c->mode);
	units = (uint32_t)(len / unit > 0x10000 ? 0x10000 : len / unit);
	while (done < units && !hit) {
		uint32_t n = run_length(c, units - done);
		uint8_t *p = buf + (size_t)done * unit;
		uint64_t gpa = channel_gpa(d, ch);

		if (type == (to_mem ? DMA_MODE_WRITE : DMA_MODE_READ)) {
			if (to_mem)
				mem_write(d->mem, gpa, p, (size_t)n * unit);
			else
				mem_read(d->mem, gpa, p, (size_t)n * unit);
		} else if (!to_mem) {
			memset(p, 0xFF, (size_t)n * unit);
		}
		hit = n == (uint32_t)c->count + 1;
		c->addr = (uint16_t)(c->mode & DMA_MODE_DECREMENT ? c->addr - n : c->addr + n);
		c->count = (uint16_t)(c->count - n);
		done += n;
	}
	if (hit)
		terminal_count(d, ch);
	if (tc)
		*tc = hit;
	return (size_t)done * unit;
}

size_t dma8237_write_mem(struct dma8237 *d, unsigned ch, const void *buf, size_t len, bool *tc)
{
	/* move() only reads buf in this direction */
	return move(d, ch, (uint8_t *)(uintptr_t)buf, len, tc, true);
}

size_t dma8237_read_mem(struct dma8237 *d, unsigned ch, void *buf, size_t len, bool *tc)
{
	return move(d, ch, buf, len, tc, false);
}

/* Address and count registers: a byte at a time, low then high, as the
 * flip-flop says. A write sets the base and the current register. */
static uint8_t read_addr_count(struct dma8237 *d, unsigned chip, unsigned reg)
{
	struct dma8237_channel *c = &d->ch[chip * 4 + reg / 2];
	bool high = d->chip[chip].flipflop;
	uint16_t v;

	if (!high) /* the low byte first: both halves of one moment */
		sync_channel(d, chip * 4 + reg / 2);
	v = reg & 1 ? c->count : c->addr;
	d->chip[chip].flipflop = !high;
	return (uint8_t)(high ? v >> 8 : v);
}

static void write_addr_count(struct dma8237 *d, unsigned chip, unsigned reg, uint8_t v)
{
	struct dma8237_channel *c = &d->ch[chip * 4 + reg / 2];
	uint16_t *base = reg & 1 ? &c->base_count : &c->base_addr;
	bool high = d->chip[chip].flipflop;

	*base = high ? (uint16_t)((*base & 0x00FF) | v << 8) : (uint16_t)((*base & 0xFF00) | v);
	if (reg & 1)
		c->count = *base;
	else
		c->addr = *base;
	d->chip[chip].flipflop = !high;
}

static uint8_t chip_read(struct dma8237 *d, unsigned chip, unsigned reg)
{
	struct dma8237_chip *c = &d->chip[chip];
	uint8_t v;

	if (reg < 8)
		return read_addr_count(d, chip, reg);
	switch (reg) {
	case DMA_REG_STATUS:
		for (unsigned i = 0; i < 4; i++)
			sync_channel(d, chip * 4 + i);
		v = (uint8_t)(c->tc | c->request << 4);
		for (unsigned i = 0; i < 4; i++)
			v |= (uint8_t)(d->ch[chip * 4 + i].dreq << (4 + i));
		c->tc = 0; /* reading the status clears the TC bits */
		return v;
	case DMA_REG_TEMP: return c->temp;
	case DMA_REG_ALL_MASK: return (uint8_t)(0xF0 | c->mask);
	default: return 0xFF; /* write-only */
	}
}

static void chip_write(struct dma8237 *d, unsigned chip, unsigned reg, uint8_t v)
{
	struct dma8237_chip *c = &d->chip[chip];
	uint8_t bit = (uint8_t)(1u << (v & 3));

	if (reg < 8) {
		write_addr_count(d, chip, reg, v);
		return;
	}
	switch (reg) {
	case DMA_REG_COMMAND:
		if (v & ~0x04)
			log_guest("8237: command %#x: only the controller enable is emulated", v);
		c->command = v;
		break;
	case DMA_REG_REQUEST:
		c->request = (uint8_t)(v & 4 ? c->request | bit : c->request & ~bit);
		return;
	case DMA_REG_MASK: c->mask = (uint8_t)(v & 4 ? c->mask | bit : c->mask & ~bit); break;
	case DMA_REG_MODE:
		d->ch[chip * 4 + (v & 3)].mode = (uint8_t)(v & 0xFC);
		if ((v & DMA_MODE_TYPE) == DMA_MODE_TYPE)
			log_guest("8237: mode %#x has the illegal transfer type 11", v);
		return;
	case DMA_REG_FLIPFLOP: c->flipflop = false; return;
	case DMA_REG_CLEAR: master_clear(c); return;
	case DMA_REG_CLEAR_MASK: c->mask = 0; break;
	case DMA_REG_ALL_MASK: c->mask = v & 0x0F; break;
	}
	kick_chip(d, chip);
}

/* A wider access is byte cycles to consecutive ports, as the ISA bus
 * splits it for an 8-bit device. */
static uint64_t dma1_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)chip_read(opaque, 0, (unsigned)(offset + i) & 15) << (8 * i);
	return v;
}

static void dma1_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size; i++)
		chip_write(opaque, 0, (unsigned)(offset + i) & 15, (uint8_t)(value >> (8 * i)));
}

/* DMA2 sits on address lines A1-A4: one register every other port. */
static uint64_t dma2_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)chip_read(opaque, 1, (unsigned)((offset + i) >> 1) & 15) << (8 * i);
	return v;
}

static void dma2_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size; i++)
		chip_write(opaque, 1, (unsigned)((offset + i) >> 1) & 15,
			   (uint8_t)(value >> (8 * i)));
}

static uint64_t page_read(void *opaque, uint64_t offset, unsigned size)
{
	struct dma8237 *d = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d->page[(offset + i + DMA8237_PAGE_FIRST) & 15] << (8 * i);
	return v;
}

static void page_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct dma8237 *d = opaque;

	for (unsigned i = 0; i < size; i++)
		d->page[(offset + i + DMA8237_PAGE_FIRST) & 15] = (uint8_t)(value >> (8 * i));
}

const struct io_ops dma8237_dma1_io_ops = {dma1_read, dma1_write};
const struct io_ops dma8237_dma2_io_ops = {dma2_read, dma2_write};
const struct io_ops dma8237_page_io_ops = {page_read, page_write};

static void dma8237_dev_reset(void *dev)
{
	dma8237_reset(dev);
}

/* Both chips' masks, terminal counts and requests as one byte each (bit
 * n: channel n), and channels 0-3's page, current address and count. */
static void dma8237_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct dma8237 *d = dev;
	size_t n;

	n = (size_t)snprintf(buf, len, "mask=%x%x tc=%x%x request=%x%x", d->chip[1].mask,
			     d->chip[0].mask, d->chip[1].tc, d->chip[0].tc, d->chip[1].request,
			     d->chip[0].request);
	for (unsigned i = 0; i < 4 && n < len; i++) {
		const struct dma8237_channel *c = &d->ch[i];

		n += (size_t)snprintf(buf + n, len - n, " ch%u=%02x%04x/%04x", i,
				      d->page[page_port[i]], c->addr, c->count);
	}
}

/* Save/restore, version 1: both chips' registers and flip-flops, every
 * channel's base and current address and count, mode and DREQ line (the
 * device's request the controller holds), and the sixteen page latches.
 * The attached devices are the machine's; nothing is served on load (the
 * devices may not be loaded yet, and a request the saved state could
 * serve was served before the save). */
static void dma8237_dev_save(const void *dev, struct state_out *o)
{
	const struct dma8237 *d = dev;

	for (unsigned i = 0; i < 2; i++) {
		const struct dma8237_chip *c = &d->chip[i];
		const uint8_t regs[] = {c->command, c->tc, c->request, c->mask, c->temp};

		state_put_bytes(o, regs, sizeof regs);
		state_put_bool(o, c->flipflop);
	}
	for (unsigned i = 0; i < DMA8237_CHANNELS; i++) {
		const struct dma8237_channel *c = &d->ch[i];

		state_put_u16(o, c->base_addr);
		state_put_u16(o, c->base_count);
		state_put_u16(o, c->addr);
		state_put_u16(o, c->count);
		state_put_u8(o, c->mode);
		state_put_bool(o, c->dreq);
	}
	state_put_bytes(o, d->page, sizeof d->page);
}

/* One chip; the four-channel bit sets hold four bits. */
static void chip_load(struct dma8237_chip *c, struct state_in *in)
{
	uint8_t regs[5];

	state_get_bytes(in, regs, sizeof regs);
	c->flipflop = state_get_bool(in);
	if ((regs[1] | regs[2] | regs[3]) & 0xF0)
		in->failed = true;
	c->command = regs[0];
	c->tc = regs[1];
	c->request = regs[2];
	c->mask = regs[3];
	c->temp = regs[4];
}

static int dma8237_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct dma8237 *d = dev;
	struct dma8237 copy = *d;

	(void)from;
	chip_load(&copy.chip[0], in);
	chip_load(&copy.chip[1], in);
	for (unsigned i = 0; i < DMA8237_CHANNELS; i++) {
		struct dma8237_channel *c = &copy.ch[i];

		c->base_addr = state_get_u16(in);
		c->base_count = state_get_u16(in);
		c->addr = state_get_u16(in);
		c->count = state_get_u16(in);
		c->mode = state_get_u8(in);
		c->dreq = state_get_bool(in);
		c->in_service = false;
		if (c->mode & 3) /* bits 1:0 select the channel, never kept */
			in->failed = true;
	}
	state_get_bytes(in, copy.page, sizeof copy.page);
	if (!state_in_done(in))
		return -1;
	*d = copy;
	return 0;
}

const struct device_ops dma8237_device_ops = {.reset = dma8237_dev_reset,
					      .describe = dma8237_dev_describe,
					      .version = 1,
					      .save = dma8237_dev_save,
					      .load = dma8237_dev_load};
