/* The OPL3's ports and timers (hv's) around Nuked OPL3 (libadplug). */
#include "legacy/opl3.h"

#include <adplug/nukedopl.h>
#include <stdio.h>
#include <stdlib.h>

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

const struct device_ops opl3_device_ops = {.reset = opl3_dev_reset, .describe = opl3_dev_describe};
