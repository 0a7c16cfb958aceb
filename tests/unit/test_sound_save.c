/* The sound devices' save and load ops (device_ops of legacy/sb16.h,
 * legacy/opl3.h, legacy/pcspk.h): a state saved in the middle of playback
 * and loaded into a second machine at the same virtual time plays on with
 * the same samples as the first (SB16 auto-init DMA through the
 * resampler, the PC speaker's tone); the OPL3's registers and timers come
 * back and its chip plays again; truncated, padded and out-of-range
 * states are refused and leave the device as it was. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/dma8237.h"
#include "legacy/opl3.h"
#include "legacy/pcspk.h"
#include "legacy/pit8254.h"
#include "legacy/sb16.h"
#include "unit.h"

#define MIB   (1024ull * 1024)
#define BUF   0x20000 /* the sample buffer: page 2 */
#define ROUND 480     /* frames a sink takes per round: 10 ms */

/* One machine's sound card: its clock, RAM, 8237, SB16 and OPL3. */
struct rig {
	struct vclock clk;
	struct guest_mem mem;
	struct dma8237 *dma;
	struct sb16 *sb;
	struct opl3 *opl;
	struct audio_source src, fm;
};

static void no_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	(void)level;
}

static void rig_init(struct rig *r)
{
	struct irq_line irq[SB16_IRQ_CHOICES];
	char err[128];

	memset(r, 0, sizeof *r);
	vclock_init(&r->clk);
	ck_assert_int_eq(mem_init(&r->mem, 1 * MIB, err, sizeof err), 0);
	r->dma = dma8237_create(&r->mem);
	ck_assert_ptr_nonnull(r->dma);
	for (unsigned i = 0; i < SB16_IRQ_CHOICES; i++)
		irq[i] = (struct irq_line){no_irq, NULL, sb16_irq_numbers[i]};
	r->sb = sb16_create(&r->clk, r->dma, irq, 5, 1, 5);
	ck_assert_ptr_nonnull(r->sb);
	r->opl = opl3_create(&r->clk);
	ck_assert_ptr_nonnull(r->opl);
	r->sb->opl = r->opl;
	sb16_fm_volume(r->sb);
	dma8237_dma2_io_ops.write(r->dma, 0xD4 - 0xC0, 1, 0x00); /* the cascade */
	r->src = sb16_audio_source(r->sb);
	r->fm = opl3_audio_source(r->opl);
}

static void rig_free(struct rig *r)
{
	sb16_destroy(r->sb);
	opl3_destroy(r->opl);
	dma8237_destroy(r->dma);
	mem_destroy(&r->mem);
}

/* Moves r's virtual time to ns, running the timers due on the way. */
static void at_ns(struct vclock *c, int64_t ns)
{
	while (vclock_next_deadline(c) <= ns) {
		c->base_virt = vclock_next_deadline(c);
		vclock_run_expired(c);
	}
	c->base_virt = ns;
}

static int64_t frame_ns(uint64_t k)
{
	return (int64_t)k * 1000000000 / AUDIO_RATE;
}

static void out(struct rig *r, unsigned off, uint8_t v)
{
	sb16_io_ops.write(r->sb, off, 1, v);
}

static void dsp(struct rig *r, uint8_t v)
{
	out(r, SB16_WRITE, v);
}

static void dma_out(struct rig *r, unsigned port, uint8_t v)
{
	if (port < 0x10)
		dma8237_dma1_io_ops.write(r->dma, port, 1, v);
	else
		dma8237_page_io_ops.write(r->dma, port - DMA8237_PAGE_FIRST, 1, v);
}

/* 8-bit auto-init playback of `bytes` at BUF on channel 1 at `hz`, in
 * blocks of half of it. */
static void play8(struct rig *r, unsigned bytes, unsigned hz)
{
	uint16_t count = (uint16_t)(bytes - 1), block = (uint16_t)(bytes / 2 - 1);

	out(r, SB16_RESET, 1);
	out(r, SB16_RESET, 0);
	sb16_io_ops.read(r->sb, SB16_READ, 1);
	for (uint8_t reg = 0x30; reg < 0x34; reg++) {
		out(r, SB16_MIXER_INDEX, reg);
		out(r, SB16_MIXER_DATA, 0xF8);
	}
	dma_out(r, 0x0A, 4 | 1);
	dma_out(r, 0x0B, 0x48 | 0x10 | 1);
	dma_out(r, 0x0C, 0);
	dma_out(r, 2, 0);
	dma_out(r, 2, 0);
	dma_out(r, 3, count & 0xFF);
	dma_out(r, 3, count >> 8);
	dma_out(r, 0x83, BUF >> 16);
	dma_out(r, 0x0A, 1);
	dsp(r, 0x41);
	dsp(r, (uint8_t)(hz >> 8));
	dsp(r, (uint8_t)hz);
	dsp(r, 0xC6);
	dsp(r, 0x00);
	dsp(r, block & 0xFF);
	dsp(r, block >> 8);
}

/* Sink rounds from frame `from` for n frames: time moves on, the guest
 * acknowledges the IRQ, the sources render. */
static void sink(struct rig *r, uint64_t from, size_t n, float *o, float *fm)
{
	for (size_t i = 0; i < n; i += ROUND) {
		at_ns(&r->clk, frame_ns(from + i + ROUND));
		sb16_io_ops.read(r->sb, SB16_READ_STATUS, 1);
		r->src.render(r->src.opaque, from + i, ROUND, o + i);
		if (fm)
			r->fm.render(r->fm.opaque, from + i, ROUND, fm + i);
	}
}

static struct state_out save(const struct device_ops *ops, const void *dev)
{
	struct state_out o = {0};

	ops->save(dev, &o);
	ck_assert(!o.failed);
	return o;
}

static int load(const struct device_ops *ops, void *dev, const void *p, size_t len)
{
	struct state_in in = state_in_make(p, len);

	return ops->load(dev, &in, ops->version);
}

static double energy(const float *v, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)v[i] * v[i];
	return e;
}

/* A is saved mid-playback at a rate that is no divisor of 48 kHz (the
 * resampler's phase matters), its RAM and 8237 go along, and B, loaded at
 * the same virtual time, plays the next 200 ms exactly as A does, across
 * the auto-init wrap and the IRQs. */
START_TEST(test_sb16_playback_continues_identically_after_a_load)
{
	static struct rig a, b;
	static float oa[9600], ob[9600];
	uint8_t wave[3000];
	struct state_out sa, da;
	const uint64_t mid = 4 * ROUND + 7 * ROUND;
	uint64_t frames_a;

	for (size_t i = 0; i < sizeof wave; i++)
		wave[i] = (uint8_t)(128 + 100 * sin((double)i * 0.137) + 20 * sin((double)i * 1.9));
	rig_init(&a);
	rig_init(&b);
	mem_write(&a.mem, BUF, wave, sizeof wave);
	mem_write(&b.mem, BUF, wave, sizeof wave);
	play8(&a, sizeof wave, 22222);
	sink(&a, 0, mid, oa, NULL);
	sa = save(&sb16_device_ops, a.sb);
	da = save(&dma8237_device_ops, a.dma);

	at_ns(&b.clk, frame_ns(mid));
	ck_assert_int_eq(load(&dma8237_device_ops, b.dma, da.p, da.len), 0);
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, sa.p, sa.len), 0);
	frames_a = a.sb->frames;
	sink(&a, mid, 9600, oa, NULL);
	sink(&b, mid, 9600, ob, NULL);
	ck_assert_uint_gt(a.sb->frames - frames_a, 4000); /* it played on */
	ck_assert_uint_ge(a.sb->irqs, 4);
	for (size_t i = 0; i < 9600; i++)
		ck_assert_msg(oa[i] == ob[i], "frame %zu: %f != %f", i, oa[i], ob[i]);
	ck_assert_double_gt(energy(oa, 9600), 10.0);
	ck_assert_uint_eq(a.sb->run.left, b.sb->run.left);
	state_out_free(&sa);
	state_out_free(&da);
	rig_free(&a);
	rig_free(&b);
}
END_TEST

/* Every cut of a good state, the state with a byte more, and fields out
 * of range are refused; the device keeps its own state and a good load
 * still works after them. */
START_TEST(test_sb16_refuses_truncated_padded_and_out_of_range_states)
{
	static struct rig a, b;
	struct state_out sa, sb, pad = {0};
	/* Offsets in the saved bytes (see sb16_save.c): out_head after
	 * in_reset and the 64-byte buffer; nargs after out_head, out_len,
	 * last_read, cmd, args[3]. */
	const size_t out_head = 1 + SB16_OUT_MAX, nargs = out_head + 7;

	rig_init(&a);
	rig_init(&b);
	play8(&a, 2000, 11025);
	sink(&a, 0, 4 * ROUND, (float[4 * ROUND]){0}, NULL);
	sa = save(&sb16_device_ops, a.sb);
	sb = save(&sb16_device_ops, b.sb);
	for (size_t cut = 0; cut < sa.len; cut += 1 + cut / 8)
		ck_assert_int_eq(load(&sb16_device_ops, b.sb, sa.p, cut), -1);
	state_put_bytes(&pad, sa.p, sa.len);
	state_put_u8(&pad, 0);
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, pad.p, pad.len), -1);
	pad.p[out_head] = SB16_OUT_MAX;
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, pad.p, sa.len), -1);
	pad.p[out_head] = sa.p[out_head];
	pad.p[nargs] = 4;
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, pad.p, sa.len), -1);
	pad.p[nargs] = sa.p[nargs];
	memset(pad.p + sa.len - 4, 0xFF, 4); /* the last ring frame: a NaN */
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, pad.p, sa.len), -1);
	{
		struct state_out now = save(&sb16_device_ops, b.sb);

		ck_assert_uint_eq(now.len, sb.len);
		ck_assert_mem_eq(now.p, sb.p, sb.len); /* untouched by the refusals */
		state_out_free(&now);
	}
	ck_assert_int_eq(load(&sb16_device_ops, b.sb, sa.p, sa.len), 0);
	ck_assert(b.sb->run.active && b.sb->run.autoinit);
	state_out_free(&sa);
	state_out_free(&sb);
	state_out_free(&pad);
	rig_free(&a);
	rig_free(&b);
}
END_TEST

static void opl(struct rig *r, uint16_t reg, uint8_t v)
{
	opl3_write(r->opl, reg & 0x100 ? 2 : 0, (uint8_t)reg);
	opl3_write(r->opl, reg & 0x100 ? 3 : 1, v);
}

/* A note and running timers survive the trip: the loaded chip sounds
 * (its registers written again), the timer flags latch on time, the
 * selected register is the same; bad states are refused. */
START_TEST(test_opl3_registers_and_timers_come_back)
{
	static struct rig a, b;
	static float oa[4800], fa[4800], ob[4800], fb[4800];
	struct state_out s;
	uint8_t *bad;

	rig_init(&a);
	rig_init(&b);
	opl(&a, 0x105, 0x01); /* OPL3 mode */
	opl(&a, 0x20, 0x01);
	opl(&a, 0x23, 0x01);
	opl(&a, 0x40, 0x10);
	opl(&a, 0x43, 0x00);
	opl(&a, 0x60, 0xF0);
	opl(&a, 0x63, 0xF0);
	opl(&a, 0x80, 0x77);
	opl(&a, 0x83, 0x77);
	opl(&a, 0xA0, 0x98);
	opl(&a, 0xC0, 0x31);
	opl(&a, 0xB0, 0x31); /* key on */
	opl(&a, 0x02, 0x80); /* timer 1: 128 ticks of 80 us */
	opl(&a, 0x04, 0x01);
	sink(&a, 0, 4800, oa, fa);
	ck_assert_double_gt(energy(fa + 2400, 2400), 1e-3);
	s = save(&opl3_device_ops, a.opl);
	at_ns(&b.clk, frame_ns(4800));
	ck_assert_int_eq(load(&opl3_device_ops, b.opl, s.p, s.len), 0);
	ck_assert_uint_eq(b.opl->regs[1][0x05], 0x01);
	ck_assert_uint_eq(b.opl->t[0].value, 0x80);
	ck_assert(b.opl->t[0].running);
	sink(&b, 4800, 4800, ob, fb);
	/* the note plays on, as loud (its envelope started again) */
	ck_assert_double_gt(energy(fb + 2400, 2400), 0.5 * energy(fa + 2400, 2400));
	ck_assert_uint_eq(opl3_read(b.opl, 0) & OPL3_STATUS_T1, OPL3_STATUS_T1);

	bad = malloc(s.len + 1);
	memcpy(bad, s.p, s.len);
	for (size_t cut = 0; cut < s.len; cut++)
		ck_assert_int_eq(load(&opl3_device_ops, b.opl, s.p, cut), -1);
	bad[s.len] = 0;
	ck_assert_int_eq(load(&opl3_device_ops, b.opl, bad, s.len + 1), -1);
	bad[1] = 0x02; /* register 200h: no such bank */
	ck_assert_int_eq(load(&opl3_device_ops, b.opl, bad, s.len), -1);
	ck_assert_uint_eq(b.opl->addr, a.opl->addr);
	free(bad);
	state_out_free(&s);
	rig_free(&a);
	rig_free(&b);
}
END_TEST

/* The PC speaker saved mid-tone plays on identically in a second machine
 * whose PIT was programmed the same way (the PIT's state is its own). */
START_TEST(test_pcspk_tone_continues_identically_after_a_load)
{
	struct vclock ca, cb;
	struct pit8254 *pa, *pb;
	struct pcspk *sa, *sb;
	struct audio_source xa, xb;
	static float oa[9600], ob[9600];
	struct state_out s;
	const uint64_t mid = 2400 + 37;

	vclock_init(&ca);
	vclock_init(&cb);
	pa = pit8254_create(&ca, (struct irq_line){0});
	pb = pit8254_create(&cb, (struct irq_line){0});
	sa = pcspk_create(pa, &ca);
	sb = pcspk_create(pb, &cb);
	xa = pcspk_audio_source(sa);
	xb = pcspk_audio_source(sb);
	for (int m = 0; m < 2; m++) { /* 1193182 / 1355: about 880 Hz */
		struct pit8254 *p = m ? pb : pa;

		pit8254_io_ops.write(p, PIT_CONTROL, 1, 0xb6);
		pit8254_io_ops.write(p, PIT_COUNTER2, 1, 1355 & 0xff);
		pit8254_io_ops.write(p, PIT_COUNTER2, 1, 1355 >> 8);
	}
	pcspk_io_ops.write(sa, 0, 1, PCSPK_GATE2 | PCSPK_DATA);
	pcspk_io_ops.write(sb, 0, 1, PCSPK_GATE2); /* the same GATE edge as A's */
	for (uint64_t f = 0; f < mid; f += 100) {
		uint64_t n = mid - f < 100 ? mid - f : 100;

		at_ns(&ca, frame_ns(f + n));
		xa.render(xa.opaque, f, n, oa);
	}
	s = save(&pcspk_device_ops, sa);
	at_ns(&cb, frame_ns(mid));
	ck_assert_int_eq(load(&pcspk_device_ops, sb, s.p, s.len), 0);
	ck_assert_uint_eq(pcspk_io_ops.read(sb, 0, 1) & 0x0f, PCSPK_GATE2 | PCSPK_DATA);
	for (size_t i = 0; i < 9600; i += ROUND) {
		at_ns(&ca, frame_ns(mid + i + ROUND));
		at_ns(&cb, frame_ns(mid + i + ROUND));
		xa.render(xa.opaque, mid + i, ROUND, oa + i);
		xb.render(xb.opaque, mid + i, ROUND, ob + i);
	}
	ck_assert_double_gt(energy(oa, 9600), 10.0);
	for (size_t i = 0; i < 9600; i++)
		ck_assert_msg(oa[i] == ob[i], "frame %zu: %f != %f", i, oa[i], ob[i]);
	for (size_t cut = 0; cut < s.len; cut += 1 + cut / 4)
		ck_assert_int_eq(load(&pcspk_device_ops, sb, s.p, cut), -1);
	s.p[0] = 0xFF; /* bits beyond the writable four */
	ck_assert_int_eq(load(&pcspk_device_ops, sb, s.p, s.len), -1);
	state_out_free(&s);
	pcspk_destroy(sa);
	pcspk_destroy(sb);
	pit8254_destroy(pa);
	pit8254_destroy(pb);
}
END_TEST

static Suite *sound_save_suite(void)
{
	Suite *s = suite_create("sound_save");
	TCase *t = tcase_create("save");

	tcase_add_test(t, test_sb16_playback_continues_identically_after_a_load);
	tcase_add_test(t, test_sb16_refuses_truncated_padded_and_out_of_range_states);
	tcase_add_test(t, test_opl3_registers_and_timers_come_back);
	tcase_add_test(t, test_pcspk_tone_continues_identically_after_a_load);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(sound_save_suite());
}
