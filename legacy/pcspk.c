/* System control port B. On the AT the refresh toggle follows PIT counter
 * 1's OUT; here it is taken from the virtual clock at the rate BIOSes
 * program counter 1 for (as later chipsets generate refresh themselves),
 * so a guest that reprograms counter 1 does not break delay loops. */
#include "legacy/pcspk.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/state.h"

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

/* Virtual ns at which frame k begins (audio_frame_at's inverse). */
static int64_t frame_ns(uint64_t k)
{
	return (int64_t)(((__int128)k * 1000000000 + AUDIO_RATE - 1) / AUDIO_RATE);
}

/* PIT ticks at virtual time ns, with the fraction of a tick. */
static double ns_to_pit(int64_t ns)
{
	return (double)ns * PIT_HZ / 1e9;
}

/* High ticks of the cone over [x0, x1) (PIT ticks with fractions). */
static double high_between(struct pcspk *s, double x0, double x1)
{
	int64_t i0 = (int64_t)x0, i1 = (int64_t)x1;
	double h;

	if (!(s->ctrl & PCSPK_DATA) || x1 <= x0)
		return 0;
	h = (double)pit8254_out_high_ticks(s->pit, PIT_COUNTER2, i0, i1);
	h -= (x0 - (double)i0) * (double)pit8254_out_high_ticks(s->pit, PIT_COUNTER2, i0, i0 + 1);
	h += (x1 - (double)i1) * (double)pit8254_out_high_ticks(s->pit, PIT_COUNTER2, i1, i1 + 1);
	return h;
}

/* A one-pole high-pass near 20 Hz: the speaker's AC coupling. */
static void emit(struct pcspk *s, float level)
{
	float y = level - s->dc_in + 0.9974f * s->dc_out;

	s->dc_in = level;
	s->dc_out = y;
	s->ring[s->frame % PCSPK_RING] = y * PCSPK_LEVEL;
	s->frame++;
	s->frames++;
	s->acc = 0;
}

void pcspk_sync(struct pcspk *s, int64_t ns)
{
	if (!s->listening || ns <= s->synth_ns)
		return;
	/* Nobody pulled for longer than the ring holds: what would be
	 * dropped is not made (bounded work for an unread speaker). */
	if (s->frame + PCSPK_RING < audio_frame_at(ns)) {
		s->frame = audio_frame_at(ns) - PCSPK_RING;
		s->synth_ns = frame_ns(s->frame);
		s->acc = 0;
	}
	while (s->synth_ns < ns) {
		int64_t start = frame_ns(s->frame), end = frame_ns(s->frame + 1);
		int64_t to = ns < end ? ns : end;

		s->acc += high_between(s, ns_to_pit(s->synth_ns), ns_to_pit(to));
		s->synth_ns = to;
		if (to == end)
			emit(s, (float)(s->acc / (ns_to_pit(end) - ns_to_pit(start))));
	}
}

/* Frames dropped before they were read are silence. A long span is made
 * and copied a piece at a time, so the ring never overwrites frames of
 * the span itself. */
static void spk_render(void *opaque, uint64_t first, size_t n, float *out)
{
	struct pcspk *s = opaque;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = first + i;

		if (k >= s->frame)
			pcspk_sync(s,
				   frame_ns(k + (n - i < PCSPK_RING / 2 ? n - i : PCSPK_RING / 2)));
		out[i] = k < s->frame && k + PCSPK_RING >= s->frame ? s->ring[k % PCSPK_RING] : 0;
	}
}

static void spk_ch2_changing(void *opaque)
{
	struct pcspk *s = opaque;

	pcspk_sync(s, vclock_now(s->clock));
}

struct audio_source pcspk_audio_source(struct pcspk *s)
{
	if (!s->listening) {
		s->listening = true;
		s->frame = audio_frame_at(vclock_now(s->clock));
		s->synth_ns = frame_ns(s->frame);
	}
	return (struct audio_source){spk_render, s};
}

static void spk_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pcspk *s = opaque;

	(void)offset;
	(void)size;
	pcspk_sync(s, vclock_now(s->clock));
	if ((s->ctrl ^ value) & PCSPK_DATA)
		s->toggles++;
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
	pit->ch2_changing = spk_ch2_changing;
	pit->ch2_opaque = s;
	pcspk_reset(s);
	return s;
}

/* Frees the port; the caller unregisters it first. */
void pcspk_destroy(struct pcspk *s)
{
	if (s && s->pit->ch2_opaque == s)
		s->pit->ch2_changing = NULL;
	free(s);
}

/* Control bits clear: the speaker is off and counter 2 is gated off. */
void pcspk_reset(struct pcspk *s)
{
	pcspk_sync(s, vclock_now(s->clock));
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

	snprintf(buf, len, "ctrl=%02x gate2=%d speaker=%d out2=%d frames=%llu toggles=%llu",
		 s->ctrl, !!(s->ctrl & PCSPK_GATE2), !!(s->ctrl & PCSPK_DATA),
		 pit8254_out(s->pit, 2), (unsigned long long)s->frames,
		 (unsigned long long)s->toggles);
}

/* Save/restore, version 1: the control bits and the synthesis (its place
 * on the virtual clock, the frame being accumulated, the AC coupling's
 * memory and the frames made but perhaps not yet mixed), so the sound
 * goes on as it would have. Whether anyone listens is the machine's. */
#define POS_MAX	  (INT64_MAX / 4)
#define LEVEL_MAX 4.0f /* far above what the filter makes from levels 0-1 */

static void put_float(struct state_out *o, float v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof u);
	state_put_u32(o, u);
}

static float get_float(struct state_in *in, float max)
{
	uint32_t u = state_get_u32(in);
	float v;

	memcpy(&v, &u, sizeof v);
	if (!isfinite(v) || fabsf(v) > max) {
		in->failed = true;
		return 0;
	}
	return v;
}

static void pcspk_dev_save(const void *dev, struct state_out *o)
{
	const struct pcspk *s = dev;
	uint64_t acc;

	memcpy(&acc, &s->acc, sizeof acc);
	state_put_u8(o, s->ctrl);
	state_put_u64(o, (uint64_t)s->synth_ns);
	state_put_u64(o, s->frame);
	state_put_u64(o, acc);
	put_float(o, s->dc_in);
	put_float(o, s->dc_out);
	for (size_t i = 0; i < PCSPK_RING; i++)
		put_float(o, s->ring[i]);
}

/* The synthesis state is consistent: the accumulated frame starts at or
 * before synth_ns and ends after it, holding at most its span's ticks. */
static bool synth_ok(const struct pcspk *c)
{
	if (c->synth_ns < 0 || c->synth_ns > POS_MAX || c->frame > (uint64_t)POS_MAX / AUDIO_RATE)
		return false;
	if (c->synth_ns < frame_ns(c->frame) || c->synth_ns >= frame_ns(c->frame + 1))
		return false;
	return isfinite(c->acc) && c->acc >= 0 && c->acc <= ns_to_pit(frame_ns(1)) + 1;
}

static int pcspk_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct pcspk *s = dev;
	struct pcspk *c = malloc(sizeof *c);
	uint64_t acc;

	(void)from;
	if (!c)
		return -1;
	*c = *s;
	c->ctrl = state_get_u8(in);
	c->synth_ns = (int64_t)state_get_u64(in);
	c->frame = state_get_u64(in);
	acc = state_get_u64(in);
	memcpy(&c->acc, &acc, sizeof acc);
	c->dc_in = get_float(in, LEVEL_MAX);
	c->dc_out = get_float(in, LEVEL_MAX);
	for (size_t i = 0; i < PCSPK_RING; i++)
		c->ring[i] = get_float(in, LEVEL_MAX);
	if ((c->ctrl & ~PCSPK_WRITABLE) || !synth_ok(c) || !state_in_done(in)) {
		free(c);
		return -1;
	}
	*s = *c;
	free(c);
	pit8254_set_gate(s->pit, PIT_COUNTER2, s->ctrl & PCSPK_GATE2);
	return 0;
}

const struct device_ops pcspk_device_ops = {.reset = pcspk_dev_reset,
					    .describe = pcspk_dev_describe,
					    .version = 1,
					    .save = pcspk_dev_save,
					    .load = pcspk_dev_load};
