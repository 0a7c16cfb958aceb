/* The Sound Blaster 16 (legacy/sb16.h) with a real 8237 and guest memory
 * on a stopped clock the tests move: DSP reset and identification, the
 * mixer's registers, IRQ routing and acknowledgements, 8- and 16-bit
 * single-cycle and auto-init transfers paced in virtual time (the 8237's
 * count moves as time passes), pause, continue and exit of auto-init,
 * recording's silence, the rendered sound's frequency and level, direct
 * mode, and hostile traffic on every port. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/memory.h"
#include "legacy/dma8237.h"
#include "legacy/opl3.h"
#include "legacy/sb16.h"
#include "unit.h"

#define MIB    (1024ull * 1024)
#define MS     1000000LL
#define BUF    0x20000 /* the sample buffer: page 2 */
#define FRAMES (AUDIO_RATE / 2)

static struct vclock clk;
static struct guest_mem mem;
static struct dma8237 *dma;
static struct sb16 *sb;
static int level[16]; /* IRQ lines by number */

static void set_irq(void *opaque, int pin, int lv)
{
	(void)opaque;
	level[pin] = lv;
}

static void setup(void)
{
	char err[128];
	struct irq_line irq[SB16_IRQ_CHOICES];

	vclock_init(&clk);
	memset(level, 0, sizeof level);
	ck_assert_int_eq(mem_init(&mem, 1 * MIB, err, sizeof err), 0);
	dma = dma8237_create(&mem);
	ck_assert_ptr_nonnull(dma);
	for (unsigned i = 0; i < SB16_IRQ_CHOICES; i++)
		irq[i] = (struct irq_line){set_irq, NULL, sb16_irq_numbers[i]};
	sb = sb16_create(&clk, dma, irq, 5, 1, 5);
	ck_assert_ptr_nonnull(sb);
	dma8237_dma2_io_ops.write(dma, 0xD4 - 0xC0, 1, 0x00); /* the cascade, as a BIOS */
}

static void teardown(void)
{
	sb16_destroy(sb);
	dma8237_destroy(dma);
	mem_destroy(&mem);
}

/* Moves virtual time to ns, running the timers due on the way. */
static void at_ns(int64_t ns)
{
	while (vclock_next_deadline(&clk) <= ns) {
		clk.base_virt = vclock_next_deadline(&clk);
		vclock_run_expired(&clk);
	}
	clk.base_virt = ns;
}

static uint8_t in(unsigned off)
{
	return (uint8_t)sb16_io_ops.read(sb, off, 1);
}

static void out(unsigned off, uint8_t v)
{
	sb16_io_ops.write(sb, off, 1, v);
}

static void dsp(uint8_t v)
{
	ck_assert_uint_eq(in(SB16_WRITE)&0x80, 0);
	out(SB16_WRITE, v);
}

static int dsp_read(void)
{
	if (!(in(SB16_READ_STATUS)&0x80))
		return -1;
	return in(SB16_READ);
}

static uint8_t mixer(uint8_t index)
{
	out(SB16_MIXER_INDEX, index);
	return in(SB16_MIXER_DATA);
}

static void set_mixer(uint8_t index, uint8_t v)
{
	out(SB16_MIXER_INDEX, index);
	out(SB16_MIXER_DATA, v);
}

static void dsp_reset(void)
{
	out(SB16_RESET, 1);
	out(SB16_RESET, 0);
	ck_assert_int_eq(dsp_read(), 0xAA);
}

/* The 8237's ports as the PC has them. */
static void dma_out(unsigned port, uint8_t v)
{
	if (port < 0x10)
		dma8237_dma1_io_ops.write(dma, port, 1, v);
	else if (port >= 0xC0)
		dma8237_dma2_io_ops.write(dma, port - 0xC0, 1, v);
	else
		dma8237_page_io_ops.write(dma, port - DMA8237_PAGE_FIRST, 1, v);
}

static uint16_t dma_count(unsigned ch)
{
	unsigned port = ch < 4 ? 2 * ch + 1 : 0xC0 + 4 * (ch - 4) + 2;
	uint8_t lo, hi;

	if (ch < 4) {
		dma_out(0x0C, 0);
		lo = (uint8_t)dma8237_dma1_io_ops.read(dma, port, 1);
		hi = (uint8_t)dma8237_dma1_io_ops.read(dma, port, 1);
	} else {
		dma_out(0xD8, 0);
		lo = (uint8_t)dma8237_dma2_io_ops.read(dma, port - 0xC0, 1);
		hi = (uint8_t)dma8237_dma2_io_ops.read(dma, port - 0xC0, 1);
	}
	return (uint16_t)(lo | hi << 8);
}

/* Channel 1 (8-bit) or 5 (16-bit) over `units` transfers at BUF (or at
 * page `page` when it is not 0), mode 48h (read, single) | auto-init. */
static void program_dma(unsigned ch, unsigned units, bool autoinit, bool to_mem, uint8_t page)
{
	uint8_t mode = (uint8_t)((to_mem ? 0x44 : 0x48) | (autoinit ? 0x10 : 0) | (ch & 3));
	uint16_t addr = ch < 4 ? 0 : 0, count = (uint16_t)(units - 1);

	page = page ? page : BUF >> 16;
	if (ch < 4) {
		dma_out(0x0A, (uint8_t)(4 | ch));
		dma_out(0x0B, mode);
		dma_out(0x0C, 0);
		dma_out(2 * ch, addr & 0xFF);
		dma_out(2 * ch, addr >> 8);
		dma_out(2 * ch + 1, count & 0xFF);
		dma_out(2 * ch + 1, count >> 8);
		dma_out(0x83, page);
		dma_out(0x0A, (uint8_t)ch);
	} else {
		dma_out(0xD4, (uint8_t)(4 | (ch & 3)));
		dma_out(0xD6, mode);
		dma_out(0xD8, 0);
		dma_out(0xC4, 0);
		dma_out(0xC4, 0);
		dma_out(0xC6, count & 0xFF);
		dma_out(0xC6, count >> 8);
		dma_out(0x8B, page);
		dma_out(0xD4, (uint8_t)(ch & 3));
	}
}

static void rate(unsigned hz)
{
	dsp(0x41);
	dsp((uint8_t)(hz >> 8));
	dsp((uint8_t)hz);
}

START_TEST(test_reset_answers_aah_and_the_version_is_4_05)
{
	ck_assert_int_eq(dsp_read(), -1); /* power-on: nothing to read */
	out(SB16_RESET, 1);
	ck_assert_int_eq(dsp_read(), -1); /* not before the 0 */
	out(SB16_RESET, 0);
	ck_assert_int_eq(dsp_read(), 0xAA);
	ck_assert_int_eq(dsp_read(), -1);
	dsp(0xE1);
	ck_assert_int_eq(dsp_read(), 4);
	ck_assert_int_eq(dsp_read(), 5);
	dsp(0xE0);
	dsp(0x5A);
	ck_assert_int_eq(dsp_read(), 0xA5);
	dsp(0xE4);
	dsp(0x3C);
	dsp(0xE8);
	ck_assert_int_eq(dsp_read(), 0x3C);
	dsp(0xD8);
	ck_assert_int_eq(dsp_read(), 0x00);
	dsp(0xD1);
	dsp(0xD8);
	ck_assert_int_eq(dsp_read(), 0xFF);
	dsp(0xE3);
	ck_assert_int_eq(dsp_read(), 'C');
	ck_assert_int_eq(dsp_read(), 'O');
	dsp_reset(); /* empties the rest */
	ck_assert_int_eq(dsp_read(), -1);
}
END_TEST

START_TEST(test_mixer_volumes_compat_views_and_reset)
{
	ck_assert_uint_eq(mixer(0x30), 0xC0);
	ck_assert_uint_eq(mixer(0x22), 0xCC);
	set_mixer(0x30, 0xFF);
	ck_assert_uint_eq(mixer(0x30), 0xF8);
	set_mixer(0x22, 0x3A); /* SB Pro master: left 3, right A */
	ck_assert_uint_eq(mixer(0x30), 0x38);
	ck_assert_uint_eq(mixer(0x31), 0xA8);
	ck_assert_uint_eq(mixer(0x22), 0x3A);
	set_mixer(0x04, 0xF0);
	ck_assert_uint_eq(mixer(0x32), 0xF8);
	ck_assert_uint_eq(mixer(0x33), 0x08);
	set_mixer(0x41, 0xFF);
	ck_assert_uint_eq(mixer(0x41), 0xC0);
	ck_assert_uint_eq(mixer(0x99), 0x00); /* not a register */
	set_mixer(0x99, 0x12);
	ck_assert_uint_eq(mixer(0x99), 0x00);
	set_mixer(0x80, 0x08);
	set_mixer(SB16_MIX_RESET, 0);
	ck_assert_uint_eq(mixer(0x30), 0xC0);
	ck_assert_uint_eq(mixer(0x33), 0xC0);
	ck_assert_uint_eq(mixer(0x41), 0x00);
	ck_assert_uint_eq(mixer(0x80), 0x08); /* the selects stay */
	ck_assert_uint_eq(mixer(0x81), 0x22);
	/* 0 dB everywhere is unity gain, the default -14 dB twice less */
	set_mixer(0x30, 0xF8);
	set_mixer(0x31, 0xF8);
	set_mixer(0x32, 0xF8);
	set_mixer(0x33, 0xF8);
	ck_assert_float_eq_tol(sb16_mixer_gain(sb, SB16_MIX_VOICE_L), 1.0f, 1e-4f);
	set_mixer(0x41, 0x40); /* +6 dB on the left */
	ck_assert_float_eq_tol(sb16_mixer_gain(sb, SB16_MIX_VOICE_L), 1.5f, 1e-4f);
}
END_TEST

START_TEST(test_the_opl3_follows_the_fm_volume_and_its_ports)
{
	struct opl3 *o = opl3_create(&clk);

	ck_assert_ptr_nonnull(o);
	sb->opl = o;
	set_mixer(0x34, 0xF8);
	set_mixer(0x35, 0xF8);
	set_mixer(0x30, 0xF8);
	set_mixer(0x31, 0xF8);
	ck_assert_float_eq_tol(o->gain, 1.0f, 1e-4f);
	sb16_reset(sb); /* -14 dB twice */
	ck_assert_float_eq_tol(o->gain, powf(10, -28 / 20.0f), 1e-4f);
	out(0x8, 0x02); /* base+8/9: bank 0 */
	out(0x9, 0x80);
	ck_assert_uint_eq(o->t[0].value, 0x80);
	out(0x0, 0x03); /* base+0/1 too */
	out(0x1, 0x40);
	ck_assert_uint_eq(o->t[1].value, 0x40);
	ck_assert_uint_eq(in(0x8) & 0xE0, 0);
	sb->opl = NULL;
	opl3_destroy(o);
}
END_TEST

START_TEST(test_irq_select_reads_back_and_routes_the_line)
{
	ck_assert_uint_eq(mixer(0x80), 0x02);
	ck_assert_uint_eq(mixer(0x81), 0x22);
	ck_assert_uint_eq(sb16_irq(sb), 5);
	dsp(0xF2); /* force an 8-bit IRQ */
	ck_assert_int_eq(level[5], 1);
	ck_assert_uint_eq(mixer(0x82) & 7, SB16_IRQ_8BIT);
	set_mixer(0x80, 0x04); /* to IRQ 7: the pending IRQ moves along */
	ck_assert_int_eq(level[5], 0);
	ck_assert_int_eq(level[7], 1);
	dsp(0xF3);
	ck_assert_uint_eq(mixer(0x82) & 7, SB16_IRQ_8BIT | SB16_IRQ_16BIT);
	in(SB16_READ_STATUS); /* acks the 8-bit one */
	ck_assert_uint_eq(mixer(0x82) & 7, SB16_IRQ_16BIT);
	ck_assert_int_eq(level[7], 1);
	in(SB16_ACK16);
	ck_assert_uint_eq(mixer(0x82) & 7, 0);
	ck_assert_int_eq(level[7], 0);
	set_mixer(0x81, 0x48); /* DMA 3 and 6 */
	ck_assert_uint_eq(sb16_dma8(sb), 3);
	ck_assert_uint_eq(sb16_dma16(sb), 6);
	set_mixer(0x80, 0x00); /* no IRQ: nothing is raised */
	dsp(0xF2);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_int_eq(level[i], 0);
}
END_TEST

START_TEST(test_8bit_single_cycle_counts_down_in_virtual_time_and_irqs_once)
{
	uint16_t c0, c1;

	dsp_reset();
	program_dma(1, 1000, false, false, 0);
	rate(10000); /* 1000 bytes: 100 ms */
	dsp(0xC0);   /* 8-bit output, single-cycle */
	dsp(0x00);   /* unsigned mono */
	dsp((1000 - 1) & 0xFF);
	dsp((1000 - 1) >> 8);
	c0 = dma_count(1);
	ck_assert_uint_eq(c0, 1000 - 1 - SB16_LOOKAHEAD); /* the FIFO's worth */
	at_ns(50 * MS);
	c1 = dma_count(1);
	ck_assert_uint_eq(c1, 1000 - 1 - SB16_LOOKAHEAD - 500);
	ck_assert_int_eq(level[5], 0);
	at_ns(200 * MS);
	ck_assert_int_eq(level[5], 1);
	ck_assert_uint_eq(mixer(0x82) & 3, SB16_IRQ_8BIT);
	ck_assert_uint_eq(dma_count(1), 0xFFFF); /* terminal count */
	in(SB16_READ_STATUS);
	ck_assert_int_eq(level[5], 0);
	at_ns(400 * MS);
	ck_assert_int_eq(level[5], 0); /* single-cycle: once */
	ck_assert(!sb->run.active);
}
END_TEST

static unsigned irqs_until(int64_t from, int64_t to, int64_t step, uint8_t bit)
{
	unsigned n = 0;

	for (int64_t t = from; t <= to; t += step) {
		at_ns(t);
		if (mixer(0x82) & bit) {
			n++;
			in(bit == SB16_IRQ_16BIT ? SB16_ACK16 : SB16_READ_STATUS);
		}
	}
	return n;
}

START_TEST(test_16bit_stereo_auto_init_pause_continue_and_exit)
{
	uint16_t c;

	dsp_reset();
	program_dma(5, 4000, true, false, 0); /* 1000 stereo frames */
	rate(20000);			      /* a block of 500 frames: 25 ms */
	dsp(0xB6);
	dsp(0x30); /* signed stereo */
	dsp((1000 - 1) & 0xFF);
	dsp((1000 - 1) >> 8);
	ck_assert_uint_eq(irqs_until(MS, 100 * MS, MS, SB16_IRQ_16BIT), 4);
	dsp(0xD5); /* pause: the count holds */
	c = dma_count(5);
	at_ns(200 * MS);
	ck_assert_uint_eq(dma_count(5), c);
	ck_assert_uint_eq(mixer(0x82) & 2, 0);
	dsp(0xD6); /* continue */
	ck_assert_uint_eq(irqs_until(201 * MS, 300 * MS, MS, SB16_IRQ_16BIT), 4);
	dsp(0xD9); /* exit auto-init: one more block end */
	ck_assert_uint_eq(irqs_until(301 * MS, 400 * MS, MS, SB16_IRQ_16BIT), 1);
	ck_assert(!sb->run.active);
	ck_assert_uint_eq(mixer(0x82) & 1, 0); /* never the 8-bit IRQ */
}
END_TEST

START_TEST(test_8bit_auto_init_with_block_size_and_exit)
{
	dsp_reset();
	program_dma(1, 2000, true, false, 0);
	dsp(0x40);
	dsp(156); /* time constant: 1000000 / (256 - 156) = 10000 Hz */
	dsp(0x48);
	dsp((500 - 1) & 0xFF);
	dsp((500 - 1) >> 8);
	dsp(0x1C); /* 50 ms blocks */
	ck_assert_uint_eq(irqs_until(MS, 200 * MS, MS, SB16_IRQ_8BIT), 4);
	dsp(0xDA);
	ck_assert_uint_eq(irqs_until(201 * MS, 400 * MS, MS, SB16_IRQ_8BIT), 1);
	ck_assert(!sb->run.active);
}
END_TEST

START_TEST(test_recording_writes_silence)
{
	uint8_t buf[64];

	memset(buf, 0x55, sizeof buf);
	mem_write(&mem, BUF, buf, sizeof buf);
	dsp_reset();
	program_dma(1, 64, false, true, 0);
	rate(8000);
	dsp(0xC8); /* 8-bit input, single-cycle, unsigned */
	dsp(0x00);
	dsp(63);
	dsp(0);
	at_ns(100 * MS);
	mem_read(&mem, BUF, buf, sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0x80);
	ck_assert_uint_eq(mixer(0x82) & 1, 1);
	dsp(0x20); /* direct ADC */
	ck_assert_int_eq(dsp_read(), 0x80);
}
END_TEST

/* Rising zero crossings of out[0..n). */
static size_t crossings(const float *v, size_t n, size_t *first, size_t *last)
{
	size_t c = 0;

	for (size_t i = 1; i < n; i++)
		if (v[i - 1] < 0 && v[i] >= 0) {
			if (!c)
				*first = i;
			*last = i;
			c++;
		}
	return c;
}

START_TEST(test_played_square_has_its_frequency_and_level)
{
	static float o[FRAMES];
	struct audio_source src = sb16_audio_source(sb);
	uint8_t wave[2400];
	size_t first = 0, last = 0, c;
	double hz, peak = 0;

	for (size_t i = 0; i < sizeof wave; i++)
		wave[i] = (i / 12) % 2 ? 0x40 : 0xC0; /* 24 samples a period: 1000 Hz */
	mem_write(&mem, BUF, wave, sizeof wave);
	dsp_reset();
	for (uint8_t r = 0x30; r < 0x34; r++)
		set_mixer(r, 0xF8);
	program_dma(1, sizeof wave, true, false, 0);
	rate(24000);
	dsp(0xC6); /* 8-bit auto-init output */
	dsp(0x00);
	dsp((1200 - 1) & 0xFF);
	dsp((1200 - 1) >> 8);
	for (size_t i = 0; i < FRAMES; i += 480) { /* 10 ms rounds, as a sink */
		at_ns((int64_t)(i + 480) * 1000000000 / AUDIO_RATE);
		in(SB16_READ_STATUS);
		src.render(src.opaque, i, 480, o + i);
	}
	c = crossings(o, FRAMES, &first, &last);
	ck_assert_uint_ge(c, 480);
	hz = (double)AUDIO_RATE * (double)(c - 1) / (double)(last - first);
	ck_assert_double_eq_tol(hz, 1000.0, 10.0);
	for (size_t i = first; i < last; i++)
		peak = fabs(o[i]) > peak ? fabs(o[i]) : peak;
	ck_assert_double_ge(peak, 0.45); /* +-0.5, with the filter's ringing */
	ck_assert_double_le(peak, 0.65);
}
END_TEST

START_TEST(test_direct_mode_holds_its_level)
{
	static float o[4800];
	struct audio_source src = sb16_audio_source(sb);

	dsp_reset();
	for (uint8_t r = 0x30; r < 0x34; r++)
		set_mixer(r, 0xF8);
	at_ns(10 * MS);
	dsp(0x10);
	dsp(0xC0); /* +0.5 from 10 ms on */
	at_ns(50 * MS);
	dsp(0x10);
	dsp(0x40); /* -0.5 from 50 ms on */
	at_ns(100 * MS);
	src.render(src.opaque, 0, 4800, o);
	ck_assert_float_eq(o[240], 0);
	ck_assert_float_eq_tol(o[1000], 0.5f, 1e-4f);
	ck_assert_float_eq_tol(o[3000], -0.5f, 1e-4f);
}
END_TEST

START_TEST(test_dma_outside_ram_masked_or_unselected_is_harmless)
{
	dsp_reset();
	program_dma(1, 0x10000, true, false, 0xF0); /* page F0h: far above 1 MiB */
	rate(44100);
	dsp(0xC6);
	dsp(0x10);
	dsp(0xFF);
	dsp(0xFF);
	at_ns(2000 * MS);
	ck_assert(sb->run.active);
	dma_out(0x0A, 0x05); /* mask channel 1: the DSP waits, time goes on */
	at_ns(2100 * MS);
	set_mixer(0x81, 0x00); /* no channel at all */
	at_ns(2200 * MS);
	dsp(0x14); /* zero length: one byte */
	dsp(0);
	dsp(0);
	at_ns(2300 * MS);
	ck_assert_uint_eq(mixer(0x82) & 1, 1);
}
END_TEST

START_TEST(test_hostile_port_traffic_stays_bounded)
{
	struct audio_source src = sb16_audio_source(sb);
	static float o[4800];
	int64_t t = 0;

	program_dma(1, 0x8000, true, false, 0);
	program_dma(5, 0x8000, true, false, 0);
	for (int i = 0; i < 50000; i++) {
		uint32_t r = unit_rand();
		unsigned off = r % SB16_PORTS;

		if ((r >> 8) & 1)
			out(off, (uint8_t)(r >> 16));
		else
			in(off);
		if (i % 1000 == 0) {
			t += (int64_t)(r >> 20) * 1000;
			at_ns(t);
			src.render(src.opaque,
				   audio_frame_at(t) > 4800 ? audio_frame_at(t) - 4800 : 0, 4800,
				   o);
			for (size_t k = 0; k < 4800; k++)
				ck_assert(isfinite(o[k]) && fabsf(o[k]) <= 8.0f);
		}
	}
	ck_assert_uint_le(sb->out_len, SB16_OUT_MAX);
	dsp_reset(); /* and the card still answers */
	dsp(0xE1);
	ck_assert_int_eq(dsp_read(), 4);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sb16");
	TCase *t = tcase_create("sb16");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_reset_answers_aah_and_the_version_is_4_05);
	tcase_add_test(t, test_mixer_volumes_compat_views_and_reset);
	tcase_add_test(t, test_irq_select_reads_back_and_routes_the_line);
	tcase_add_test(t, test_the_opl3_follows_the_fm_volume_and_its_ports);
	tcase_add_test(t, test_8bit_single_cycle_counts_down_in_virtual_time_and_irqs_once);
	tcase_add_test(t, test_16bit_stereo_auto_init_pause_continue_and_exit);
	tcase_add_test(t, test_8bit_auto_init_with_block_size_and_exit);
	tcase_add_test(t, test_recording_writes_silence);
	tcase_add_test(t, test_played_square_has_its_frequency_and_level);
	tcase_add_test(t, test_direct_mode_holds_its_level);
	tcase_add_test(t, test_dma_outside_ram_masked_or_unselected_is_harmless);
	tcase_add_test(t, test_hostile_port_traffic_stays_bounded);
	suite_add_tcase(s, t);
	return unit_run(s);
}
