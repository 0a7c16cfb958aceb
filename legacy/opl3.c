/* The OPL3's ports and timers (hv's) around Nuked OPL3 (libadplug). */
#include "legacy/opl3.h"

#include <adplug/nukedopl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/state.h"

#define CHUNK 512

struct opl3 *opl3_create(struct vclock *clock)
{
	struct opl3 *o = calloc(1, sizeof *o);

	if (!o)
		return NULL;
	o->chip = calloc(1, sizeof *o->chip);
	if (!o->chip) {
		free(o);
		return NULL;
	}
	o->clock = clock;
	o->gain = 1;
	o->t[0].tick_ns = OPL3_T1_TICK_NS;
	o->t[1].tick_ns = OPL3_T2_TICK_NS;
	opl3_reset(o);
	return o;
}

void opl3_destroy(struct opl3 *o)
{
	if (!o)
		return;
	free(o->chip);
	free(o);
}

void opl3_reset(struct opl3 *o)
{
	opl3_sync(o, vclock_now(o->clock));
	OPL3_Reset(o->chip, AUDIO_RATE);
	o->addr = 0;
	o->ctrl = 0;
	o->flags = 0;
	o->sounding = false;
	memset(o->regs, 0, sizeof o->regs);
	for (unsigned i = 0; i < 2; i++) {
		o->t[i].value = 0;
		o->t[i].running = false;
	}
}

static int64_t period(const struct opl3_timer *t)
{
	return (256 - t->value) * t->tick_ns;
}

/* Latches the overflows that happened by ns; a running timer reloads. */
static void update_timers(struct opl3 *o, int64_t ns)
{
	static const uint8_t mask[2] = {OPL3_CTRL_MASK1, OPL3_CTRL_MASK2};
	static const uint8_t flag[2] = {OPL3_STATUS_T1, OPL3_STATUS_T2};

	for (unsigned i = 0; i < 2; i++) {
		struct opl3_timer *t = &o->t[i];
		int64_t p = period(t);

		if (!t->running || ns - t->start < p)
			continue;
		t->start += (ns - t->start) / p * p;
		if (!(o->ctrl & mask[i]))
			o->flags |= flag[i];
	}
}

static void timer_ctrl(struct opl3 *o, uint8_t v)
{
	int64_t now = vclock_now(o->clock);

	update_timers(o, now);
	if (v & OPL3_CTRL_RESET) { /* only clears the flags */
		o->flags = 0;
		return;
	}
	o->ctrl = v & (OPL3_CTRL_MASK1 | OPL3_CTRL_MASK2);
	for (unsigned i = 0; i < 2; i++) {
		bool start = v & (i ? OPL3_CTRL_START2 : OPL3_CTRL_START1);

		if (start && !o->t[i].running)
			o->t[i].start = now;
		o->t[i].running = start;
	}
}

uint8_t opl3_read(struct opl3 *o, unsigned port)
{
	if (port & 1)
		return 0xFF;
	update_timers(o, vclock_now(o->clock));
	return (uint8_t)(o->flags | (o->flags ? OPL3_STATUS_IRQ : 0));
}

void opl3_write(struct opl3 *o, unsigned port, uint8_t v)
{
	if (!(port & 1)) {
		o->addr = (uint16_t)((port & 2 ? 0x100 : 0) | v);
		return;
	}
	o->writes++;
	switch (o->addr) {
	case 0x02: o->t[0].value = v; return;
	case 0x03: o->t[1].value = v; return;
	case OPL3_TIMER_CTRL: timer_ctrl(o, v); return;
	}
	opl3_sync(o, vclock_now(o->clock));
	o->sounding = true;
	o->regs[o->addr >> 8][o->addr & 0xFF] = v;
	OPL3_WriteReg(o->chip, o->addr, v);
}

/* Makes frames up to `to`: silence while nothing but the timers was
 * written (the chip's output is 0 then, and costs nothing). */
static void generate(struct opl3 *o, uint64_t to)
{
	int16_t buf[2 * CHUNK];

	if (to > o->frame + OPL3_RING)
		o->frame = to - OPL3_RING;
	while (o->frame < to) {
		size_t n = to - o->frame > CHUNK ? CHUNK : (size_t)(to - o->frame);

		if (o->sounding)
			OPL3_GenerateStream(o->chip, buf, (Bit32u)n);
		for (size_t i = 0; i < n; i++)
			o->ring[(o->frame + i) % OPL3_RING] =
			    o->sounding ? (float)(buf[2 * i] + buf[2 * i + 1]) / 65536.0f * o->gain
					: 0;
		o->frame += n;
		o->frames += n;
	}
}

void opl3_sync(struct opl3 *o, int64_t ns)
{
	if (o->listening)
		generate(o, audio_frame_at(ns));
}

static void opl3_render(void *opaque, uint64_t first, size_t n, float *out)
{
	struct opl3 *o = opaque;

	opl3_sync(o, vclock_now(o->clock));
	if (first + n > o->frame)
		generate(o, first + n);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = first + i;

		out[i] = k < o->frame && o->frame - k <= OPL3_RING ? o->ring[k % OPL3_RING] : 0;
	}
}

struct audio_source opl3_audio_source(struct opl3 *o)
{
	if (!o->listening) {
		o->listening = true;
		o->frame = audio_frame_at(vclock_now(o->clock));
	}
	return (struct audio_source){opl3_render, o};
}

static uint64_t opl3_port_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return opl3_read(opaque, (unsigned)offset);
}

static void opl3_port_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	opl3_write(opaque, (unsigned)offset, (uint8_t)value);
}

const struct io_ops opl3_io_ops = {opl3_port_read, opl3_port_write};

static void opl3_dev_reset(void *dev)
{
	opl3_reset(dev);
}

static void opl3_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct opl3 *o = dev;

	snprintf(buf, len, "addr=%03x t1=%02x%s t2=%02x%s flags=%02x writes=%llu frames=%llu",
		 o->addr, o->t[0].value, o->t[0].running ? "+" : "", o->t[1].value,
		 o->t[1].running ? "+" : "", o->flags, (unsigned long long)o->writes,
		 (unsigned long long)o->frames);
}

/* Save/restore, version 1: the port's selected register, the timers and
 * status, and the registers written to the chip. Nuked OPL3's own struct
 * (it holds pointers) is never saved: a load resets it and writes the
 * registers again, bank 1's mode registers (104h, 105h) first, so every
 * channel and operator is set up as the guest left it; notes that were
 * keyed on start their envelopes again. The sound made so far is not
 * saved (frames are made again from the load's moment). */
#define T_START_MAX (INT64_MAX / 4)

static void opl3_dev_save(const void *dev, struct state_out *out)
{
	const struct opl3 *o = dev;

	state_put_u16(out, o->addr);
	for (unsigned i = 0; i < 2; i++) {
		state_put_u8(out, o->t[i].value);
		state_put_bool(out, o->t[i].running);
		state_put_u64(out, (uint64_t)o->t[i].start);
	}
	state_put_u8(out, o->ctrl);
	state_put_u8(out, o->flags);
	state_put_bool(out, o->sounding);
	state_put_bytes(out, o->regs, sizeof o->regs);
}

static void replay(struct opl3 *o)
{
	static const uint16_t first[] = {0x105, 0x104};

	OPL3_Reset(o->chip, AUDIO_RATE);
	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
		OPL3_WriteReg(o->chip, first[i], o->regs[1][first[i] & 0xFF]);
	for (unsigned r = 0; r < 0x200; r++)
		if (r != 0x104 && r != 0x105 && (r & 0xFF) != 0x02 && (r & 0xFF) != 0x03 &&
		    (r & 0xFF) != OPL3_TIMER_CTRL)
			OPL3_WriteReg(o->chip, (Bit16u)r, o->regs[r >> 8][r & 0xFF]);
}

static int opl3_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct opl3 *o = dev;
	struct opl3 *c = malloc(sizeof *c);
	int64_t now = vclock_now(o->clock);

	(void)from;
	if (!c)
		return -1;
	opl3_sync(o, now); /* the frames up to now, with the old registers */
	*c = *o;
	c->addr = (uint16_t)state_get_u16(in);
	for (unsigned i = 0; i < 2; i++) {
		c->t[i].value = state_get_u8(in);
		c->t[i].running = state_get_bool(in);
		c->t[i].start = (int64_t)state_get_u64(in);
		if (c->t[i].start > T_START_MAX || c->t[i].start < -T_START_MAX)
			in->failed = true;
	}
	c->ctrl = state_get_u8(in);
	c->flags = state_get_u8(in);
	c->sounding = state_get_bool(in);
	state_get_bytes(in, c->regs, sizeof c->regs);
	if (c->addr > 0x1FF || (c->ctrl & ~(OPL3_CTRL_MASK1 | OPL3_CTRL_MASK2)) ||
	    (c->flags & ~(OPL3_STATUS_T1 | OPL3_STATUS_T2)) || !state_in_done(in)) {
		free(c);
		return -1;
	}
	*o = *c;
	free(c);
	replay(o);
	return 0;
}

const struct device_ops opl3_device_ops = {.reset = opl3_dev_reset,
					   .describe = opl3_dev_describe,
					   .version = 1,
					   .save = opl3_dev_save,
					   .load = opl3_dev_load};
