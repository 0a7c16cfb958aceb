/* The SB16's transfers on the virtual clock: frame k of a run is due at
 * t0 + k / rate; a catch-up pulls what is due (plus the FIFO's lookahead)
 * from the 8237, counts the DSP's block down, raises the IRQ at its end
 * and, when someone listens, resamples the frames into a ring of
 * AUDIO_RATE frames that the mixer reads. */
#include <speex/speex_resampler.h>
#include <string.h>

#include "hv/core/log.h"
#include "legacy/sb16.h"

#define CHUNK	   256	   /* frames pulled per step */
#define RS_QUALITY 3	   /* input latency 24 frames < SB16_LOOKAHEAD */
#define STALL_NS   1000000 /* the timer's least period: a masked channel */
#define OUT_MAX	   (CHUNK * (AUDIO_RATE / SB16_RATE_MIN + 1))

static unsigned unit_bytes(const struct sb16_run *r)
{
	return r->sixteen ? 2u : 1u;
}

static unsigned units_per_frame(const struct sb16_run *r)
{
	return r->stereo ? 2u : 1u;
}

/* Virtual ns at which frame k of the run is due. */
static int64_t frame_time(const struct sb16_run *r, uint64_t k)
{
	return r->t0 + (int64_t)(((__int128)k * 1000000000 + r->rate - 1) / r->rate);
}

/* Frames due by ns, the lookahead included. */
static uint64_t frames_due(const struct sb16_run *r, int64_t ns)
{
	if (ns < r->t0)
		return SB16_LOOKAHEAD;
	return (uint64_t)((__int128)(ns - r->t0) * r->rate / 1000000000) + SB16_LOOKAHEAD;
}

/* Output frames up to `to` (not included) hold level; the ring never
 * holds more than its size. */
static void ring_fill_to(struct sb16 *s, uint64_t to, float level)
{
	if (to > s->wframe + SB16_RING)
		s->wframe = to - SB16_RING;
	while (s->wframe < to)
		s->ring[s->wframe++ % SB16_RING] = level;
}

static void ring_put(struct sb16 *s, const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s->ring[s->wframe++ % SB16_RING] = v[i];
}

static void emit(struct sb16 *s, const float *in, size_t n)
{
	float out[OUT_MAX];

	if (!s->listening || !s->rs)
		return;
	for (size_t i = 0; i < n; i++)
		s->hist[s->rs_fed++ % SB16_HIST] = in[i];
	while (n) {
		spx_uint32_t in_len = (spx_uint32_t)n, out_len = OUT_MAX;

		speex_resampler_process_float(s->rs, 0, in, &in_len, out, &out_len);
		ring_put(s, out, out_len);
		if (!in_len)
			break;
		in += in_len;
		n -= in_len;
	}
}

/* A new stretch of output begins at the run's t0: the resampler starts
 * afresh at the run's rate, aligned so that its first frame is t0's. */
static void restart_output(struct sb16 *s)
{
	if (!s->listening || !s->rs)
		return;
	speex_resampler_reset_mem(s->rs);
	if (s->rs_rate != s->run.rate) {
		speex_resampler_set_rate(s->rs, s->run.rate, AUDIO_RATE);
		s->rs_rate = s->run.rate;
	}
	speex_resampler_skip_zeros(s->rs);
	s->rs_fed = 0;
	ring_fill_to(s, audio_frame_at(s->run.t0), 0);
}

/* After a load: the resampler as it was after rs_fed frames at rs_rate.
 * Its state is its last frames (at most its filter's length, which
 * SB16_HIST covers) and its phase, which repeats every `num` frames of
 * input (rates in lowest terms, num/den): zeros to the same phase, then
 * the saved frames, and what comes out is thrown away, as it was made
 * before the save. */
void sb16_resampler_restore(struct sb16 *s)
{
	static const float zero[CHUNK];
	float out[OUT_MAX];
	spx_uint32_t num, den;
	uint64_t h = s->rs_fed < SB16_HIST ? s->rs_fed : SB16_HIST, z;

	if (!s->listening || !s->rs)
		return;
	speex_resampler_reset_mem(s->rs);
	speex_resampler_set_rate(s->rs, s->rs_rate, AUDIO_RATE);
	speex_resampler_skip_zeros(s->rs);
	speex_resampler_get_ratio(s->rs, &num, &den);
	for (z = num ? (s->rs_fed - h) % num : 0; z;) {
		spx_uint32_t in_len = z < CHUNK ? (spx_uint32_t)z : CHUNK, out_len = OUT_MAX;

		speex_resampler_process_float(s->rs, 0, zero, &in_len, out, &out_len);
		if (!in_len)
			break;
		z -= in_len;
	}
	for (uint64_t k = s->rs_fed - h; k < s->rs_fed; k++) {
		spx_uint32_t in_len = 1, out_len = OUT_MAX;

		speex_resampler_process_float(s->rs, 0, &s->hist[k % SB16_HIST], &in_len, out,
					      &out_len);
	}
}

static float decode(const struct sb16_run *r, const uint8_t *p)
{
	if (r->sixteen) {
		uint16_t v = (uint16_t)(p[0] | p[1] << 8);

		if (!r->is_signed)
			v ^= 0x8000;
		return (float)(int16_t)v / 32768.0f;
	}
	return (float)(r->is_signed ? (int8_t)p[0] : p[0] - 128) / 128.0f;
}

/* The DMA channel of the run: 16-bit data on the high channel unless
 * the mixer selects none, then on the low one. 0xFF: none. */
static unsigned run_channel(const struct sb16 *s)
{
	if (s->run.sixteen && sb16_dma16(s) != 0xFF)
		return sb16_dma16(s);
	return sb16_dma8(s);
}

/* Moves bytes between the 8237 and buf, past auto-init reloads. */
static size_t transfer(struct sb16 *s, unsigned ch, uint8_t *buf, size_t want)
{
	size_t got = 0, m;

	if (s->run.input) {
		memset(buf, s->run.is_signed ? 0x00 : 0x80, want);
		if (s->run.sixteen && !s->run.is_signed)
			for (size_t i = 1; i < want; i += 2)
				buf[i - 1] = 0x00;
	}
	do {
		m = s->run.input ? dma8237_write_mem(s->dma, ch, buf + got, want - got, NULL)
				 : dma8237_read_mem(s->dma, ch, buf + got, want - got, NULL);
		got += m;
	} while (m && got < want);
	return got;
}

static void block_end(struct sb16 *s)
{
	struct sb16_run *r = &s->run;

	sb16_raise(s, r->sixteen ? SB16_IRQ_16BIT : SB16_IRQ_8BIT);
	s->irqs++;
	if (r->autoinit)
		r->left = r->block;
	else
		r->active = false;
}

/* n frames of the run, n no more than its block has left. */
static void pull(struct sb16 *s, size_t n)
{
	struct sb16_run *r = &s->run;
	uint8_t buf[CHUNK * 4];
	float mono[CHUNK];
	unsigned fb = unit_bytes(r) * units_per_frame(r), ch = run_channel(s);
	size_t got = 0, frames, units;
	float g = r->input ? 0 : sb16_mixer_gain(s, SB16_MIX_VOICE_L);

	if (r->silence)
		got = n * fb;
	else if (ch != 0xFF)
		got = transfer(s, ch, buf, n * fb);
	else
		log_guest("sb16: DMA transfer with no DMA channel selected (mixer 81h)");
	if (r->silence || r->input)
		memset(buf, 0, sizeof buf);
	frames = got / fb;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = buf + i * fb;
		float v = 0;

		if (i < frames && !r->silence && !r->input)
			v = r->stereo ? (decode(r, p) + decode(r, p + unit_bytes(r))) / 2
				      : decode(r, p);
		mono[i] = v * g;
	}
	units = got / unit_bytes(r);
	r->left -= units < r->left ? (uint32_t)units : r->left;
	r->done += n;
	s->frames += n;
	emit(s, mono, n);
	if (!r->left)
		block_end(s);
}

/* Arms the timer for the moment the block's last frame is pulled. */
static void arm(struct sb16 *s)
{
	struct sb16_run *r = &s->run;
	uint64_t end;
	int64_t at, soonest;

	if (!r->active || r->paused) {
		vtimer_cancel(&s->timer);
		return;
	}
	end = r->done + (r->left + units_per_frame(r) - 1) / units_per_frame(r);
	at = frame_time(r, end > SB16_LOOKAHEAD ? end - SB16_LOOKAHEAD : 0);
	soonest = vclock_now(s->clock) + STALL_NS;
	vtimer_arm(&s->timer, at > soonest ? at : soonest);
}

void sb16_rearm(struct sb16 *s)
{
	arm(s);
}

static void direct_fill(struct sb16 *s, int64_t ns)
{
	if (s->direct && s->listening)
		ring_fill_to(s, audio_frame_at(ns), s->direct_level);
}

void sb16_sync(struct sb16 *s, int64_t ns)
{
	struct sb16_run *r = &s->run;
	uint64_t target;

	direct_fill(s, ns);
	if (!r->active || r->paused)
		return;
	target = frames_due(r, ns);
	if (target > r->done + SB16_SYNC_MAX) {
		/* The host stalled: what is too old is skipped, not made. */
		r->t0 = ns;
		r->done = 0;
		target = SB16_LOOKAHEAD;
		restart_output(s);
	}
	while (r->active && !r->paused && r->done < target) {
		uint64_t n = target - r->done;
		uint64_t left = (r->left + units_per_frame(r) - 1) / units_per_frame(r);

		if (n > left)
			n = left;
		pull(s, n > CHUNK ? CHUNK : (size_t)n);
	}
	arm(s);
}

static void timer_fired(void *opaque)
{
	struct sb16 *s = opaque;

	sb16_sync(s, vclock_now(s->clock));
}

void sb16_play_init(struct sb16 *s)
{
	vtimer_init(&s->timer, s->clock, timer_fired, s);
}

void sb16_play_free(struct sb16 *s)
{
	vtimer_cancel(&s->timer);
	if (s->rs)
		speex_resampler_destroy(s->rs);
	s->rs = NULL;
}

void sb16_start_run(struct sb16 *s, const struct sb16_run *r)
{
	int64_t now = vclock_now(s->clock);

	sb16_sync(s, now);
	s->run = *r;
	if (s->run.rate < SB16_RATE_MIN)
		s->run.rate = SB16_RATE_MIN;
	if (s->run.rate > SB16_RATE_MAX)
		s->run.rate = SB16_RATE_MAX;
	s->run.left = s->run.block;
	s->run.t0 = now;
	s->run.done = 0;
	s->run.active = true;
	s->run.paused = false;
	s->direct = false;
	restart_output(s);
	sb16_sync(s, now);
}

void sb16_stop_run(struct sb16 *s)
{
	sb16_sync(s, vclock_now(s->clock));
	s->run.active = false;
	vtimer_cancel(&s->timer);
}

void sb16_pause(struct sb16 *s, bool paused)
{
	int64_t now = vclock_now(s->clock);

	sb16_sync(s, now);
	if (!s->run.active || s->run.paused == paused)
		return;
	s->run.paused = paused;
	if (!paused) {
		s->run.t0 = now;
		s->run.done = 0;
		restart_output(s);
	}
	sb16_sync(s, now);
	arm(s);
}

/* Command 10h: the level holds until the next one. */
void sb16_direct(struct sb16 *s, uint8_t sample)
{
	sb16_sync(s, vclock_now(s->clock));
	if (!s->direct && s->listening)
		ring_fill_to(s, audio_frame_at(vclock_now(s->clock)), 0);
	s->direct = true;
	s->direct_level = (float)(sample - 128) / 128.0f * sb16_mixer_gain(s, SB16_MIX_VOICE_L);
}

static void sb16_render(void *opaque, uint64_t first, size_t n, float *out)
{
	struct sb16 *s = opaque;

	sb16_sync(s, vclock_now(s->clock));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = first + i;

		out[i] = k < s->wframe && s->wframe - k <= SB16_RING ? s->ring[k % SB16_RING] : 0;
	}
}

struct audio_source sb16_audio_source(struct sb16 *s)
{
	int err = 0;

	if (!s->listening) {
		s->rs = speex_resampler_init(1, SB16_RATE_MIN, AUDIO_RATE, RS_QUALITY, &err);
		if (!s->rs)
			log_error("sb16: no resampler: %s", speex_resampler_strerror(err));
		s->rs_rate = SB16_RATE_MIN;
		s->listening = s->rs != NULL;
		s->wframe = audio_frame_at(vclock_now(s->clock));
		if (s->run.active && !s->run.paused) {
			s->run.t0 = vclock_now(s->clock);
			s->run.done = 0;
			restart_output(s);
		}
	}
	return (struct audio_source){sb16_render, s};
}
