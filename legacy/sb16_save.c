/* The SB16's save and restore (device_ops version 1): the DSP's command
 * state machine and read buffer, rates and block size, the transfer it
 * runs (mode, block, where it stands on the virtual clock), the pending
 * IRQ bits, the mixer's registers, direct mode, and the output: the
 * resampler's rate, the frames it was fed last and how many (its state is
 * made again from them, see sb16_resampler_restore), and the frames made
 * for the audio mixer. The wiring (clock, 8237, IRQ lines, the OPL3,
 * whether anyone listens) is the machine's; the 8237's own state is its
 * own device's. A load takes the bytes into a copy and commits it whole
 * once every value is in range. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/state.h"
#include "legacy/sb16.h"

#define POS_MAX	   (INT64_MAX / 4)
#define DONE_MAX   (1ull << 40) /* frames of one run: years at 48 kHz */
#define WFRAME_MAX (1ull << 50)
#define LEVEL_MAX  16.0f    /* gain 8 (output gain x8) and the resampler's overshoot */
#define RATE_MAX   1000000u /* command 40h's fastest time constant */
#define BLOCK_MAX  65536u

static void put_float(struct state_out *o, float v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof u);
	state_put_u32(o, u);
}

static float get_float(struct state_in *in)
{
	uint32_t u = state_get_u32(in);
	float v;

	memcpy(&v, &u, sizeof v);
	if (!isfinite(v) || fabsf(v) > LEVEL_MAX) {
		in->failed = true;
		return 0;
	}
	return v;
}

static void save_dsp(const struct sb16 *s, struct state_out *o)
{
	state_put_bool(o, s->in_reset);
	state_put_bytes(o, s->out, sizeof s->out);
	state_put_u8(o, (uint8_t)s->out_head);
	state_put_u8(o, (uint8_t)s->out_len);
	state_put_u8(o, s->last_read);
	state_put_u8(o, s->cmd);
	state_put_bytes(o, s->args, sizeof s->args);
	state_put_u8(o, (uint8_t)s->nargs);
	state_put_u8(o, (uint8_t)s->need);
	state_put_bool(o, s->in_cmd);
	state_put_u8(o, s->test_reg);
	state_put_bool(o, s->speaker);
	state_put_u32(o, s->out_rate);
	state_put_u32(o, s->block_size);
	state_put_u8(o, s->pending);
}

static void save_run(const struct sb16_run *r, struct state_out *o)
{
	const bool flags[] = {r->active, r->paused,    r->autoinit, r->sixteen,
			      r->stereo, r->is_signed, r->input,    r->silence};

	for (size_t i = 0; i < sizeof flags; i++)
		state_put_bool(o, flags[i]);
	state_put_u32(o, r->rate);
	state_put_u32(o, r->block);
	state_put_u32(o, r->left);
	state_put_u64(o, (uint64_t)r->t0);
	state_put_u64(o, r->done);
}

static void sb16_dev_save(const void *dev, struct state_out *o)
{
	const struct sb16 *s = dev;

	save_dsp(s, o);
	save_run(&s->run, o);
	state_put_u8(o, s->mix_index);
	state_put_bytes(o, s->mix, sizeof s->mix);
	state_put_bool(o, s->direct);
	put_float(o, s->direct_level);
	state_put_u32(o, s->rs_rate);
	state_put_u64(o, s->rs_fed);
	for (size_t i = 0; i < SB16_HIST; i++)
		put_float(o, s->hist[i]);
	state_put_u64(o, s->wframe);
	for (size_t i = 0; i < SB16_RING; i++)
		put_float(o, s->ring[i]);
}

static void load_dsp(struct sb16 *c, struct state_in *in)
{
	c->in_reset = state_get_bool(in);
	state_get_bytes(in, c->out, sizeof c->out);
	c->out_head = state_get_u8(in);
	c->out_len = state_get_u8(in);
	c->last_read = state_get_u8(in);
	c->cmd = state_get_u8(in);
	state_get_bytes(in, c->args, sizeof c->args);
	c->nargs = state_get_u8(in);
	c->need = state_get_u8(in);
	c->in_cmd = state_get_bool(in);
	c->test_reg = state_get_u8(in);
	c->speaker = state_get_bool(in);
	c->out_rate = state_get_u32(in);
	c->block_size = state_get_u32(in);
	c->pending = state_get_u8(in);
	if (c->out_head >= SB16_OUT_MAX || c->out_len > SB16_OUT_MAX || c->need > 3 ||
	    c->nargs > c->need || (c->in_cmd && c->nargs == c->need) || c->out_rate > RATE_MAX ||
	    c->block_size < 1 || c->block_size > BLOCK_MAX ||
	    (c->pending & ~(SB16_IRQ_8BIT | SB16_IRQ_16BIT)))
		in->failed = true;
}

static void load_run(struct sb16_run *r, struct state_in *in)
{
	bool *flags[] = {&r->active, &r->paused,    &r->autoinit, &r->sixteen,
			 &r->stereo, &r->is_signed, &r->input,	  &r->silence};

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		*flags[i] = state_get_bool(in);
	r->rate = state_get_u32(in);
	r->block = state_get_u32(in);
	r->left = state_get_u32(in);
	r->t0 = (int64_t)state_get_u64(in);
	r->done = state_get_u64(in);
	if (r->rate > SB16_RATE_MAX || r->block > BLOCK_MAX || r->left > r->block ||
	    r->t0 > POS_MAX || r->t0 < -POS_MAX || r->done > DONE_MAX ||
	    (r->active && (r->rate < SB16_RATE_MIN || r->block < 1)))
		in->failed = true;
}

static void load_mixer(struct sb16 *c, struct state_in *in)
{
	c->mix_index = state_get_u8(in);
	state_get_bytes(in, c->mix, sizeof c->mix);
	for (unsigned i = 0; i < 256; i++)
		if (c->mix[i] & (uint8_t)~sb16_mixer_writable((uint8_t)i))
			in->failed = true;
}

static void load_output(struct sb16 *c, struct state_in *in)
{
	c->direct = state_get_bool(in);
	c->direct_level = get_float(in);
	c->rs_rate = state_get_u32(in);
	c->rs_fed = state_get_u64(in);
	for (size_t i = 0; i < SB16_HIST; i++)
		c->hist[i] = get_float(in);
	c->wframe = state_get_u64(in);
	for (size_t i = 0; i < SB16_RING; i++)
		c->ring[i] = get_float(in);
	if ((c->rs_rate && (c->rs_rate < SB16_RATE_MIN || c->rs_rate > SB16_RATE_MAX)) ||
	    (!c->rs_rate && c->rs_fed) || c->rs_fed > DONE_MAX || c->wframe > WFRAME_MAX)
		in->failed = true;
}

static int sb16_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct sb16 *s = dev;
	struct sb16 *c = malloc(sizeof *c);

	(void)from;
	if (!c)
		return -1;
	vtimer_cancel(&s->timer); /* the copy must not hold a linked timer */
	*c = *s;
	load_dsp(c, in);
	load_run(&c->run, in);
	load_mixer(c, in);
	load_output(c, in);
	if (!state_in_done(in)) {
		free(c);
		sb16_rearm(s);
		return -1;
	}
	*s = *c;
	free(c);
	sb16_update_irq(s);
	sb16_dma_selected(s);
	sb16_fm_volume(s);
	sb16_resampler_restore(s);
	sb16_rearm(s);
	return 0;
}

static void sb16_dev_reset(void *dev)
{
	sb16_reset(dev);
}

const struct device_ops sb16_device_ops = {.reset = sb16_dev_reset,
					   .describe = sb16_dev_describe,
					   .version = 1,
					   .save = sb16_dev_save,
					   .load = sb16_dev_load};
