/* The PC speaker as a sound source (legacy/pcspk.h), on a stopped clock
 * the tests set: a tone programmed on PIT counter 2 comes out at its
 * frequency and level, gated off is silence, direct toggles of port 61h's
 * data bit are clicks, an ultrasonic tone averages out instead of
 * aliasing, and the output does not depend on how the mixer slices it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "legacy/pcspk.h"
#include "legacy/pit8254.h"
#include "unit.h"

#define SECOND 1000000000LL

static struct vclock clk;
static struct pit8254 *pit;
static struct pcspk *spk;

static void setup(void)
{
	vclock_init(&clk);
	pit = pit8254_create(&clk, (struct irq_line){0});
	spk = pcspk_create(pit, &clk);
	ck_assert_ptr_nonnull(spk);
}

static void teardown(void)
{
	pcspk_destroy(spk);
	pit8254_destroy(pit);
}

static void at_ns(int64_t ns)
{
	clk.base_virt = ns;
}

static void port61(uint8_t v)
{
	pcspk_io_ops.write(spk, 0, 1, v);
}

/* Counter 2 in mode 3 (square wave) with count n. */
static void tone(unsigned n)
{
	pit8254_io_ops.write(pit, PIT_CONTROL, 1, 0xb6);
	pit8254_io_ops.write(pit, PIT_COUNTER2, 1, n & 0xff);
	pit8254_io_ops.write(pit, PIT_COUNTER2, 1, n >> 8);
}

/* Frames [first, first + n) in slices of `slice`. */
static void render(struct audio_source *src, uint64_t first, size_t n, size_t slice, float *out)
{
	for (size_t i = 0; i < n; i += slice)
		src->render(src->opaque, first + i, n - i < slice ? n - i : slice, out + i);
}

static int rising_crossings(const float *v, size_t n)
{
	int c = 0;

	for (size_t i = 1; i < n; i++)
		c += v[i - 1] < 0 && v[i] >= 0;
	return c;
}

static float peak(const float *v, size_t n)
{
	float p = 0;

	for (size_t i = 0; i < n; i++)
		p = fabsf(v[i]) > p ? fabsf(v[i]) : p;
	return p;
}

START_TEST(test_counter2_square_at_1193_plays_1kHz_within_1pct_at_full_level)
{
	struct audio_source src = pcspk_audio_source(spk);
	float *out = calloc(AUDIO_RATE, sizeof *out);
	int c;

	tone(1193);
	port61(PCSPK_GATE2 | PCSPK_DATA);
	render(&src, 0, AUDIO_RATE, 480, out);
	/* After 50 ms of settling of the AC coupling: 950 periods. */
	c = rising_crossings(out + 2400, AUDIO_RATE - 2400);
	ck_assert_int_ge(c, 940);
	ck_assert_int_le(c, 960);
	ck_assert_float_ge(peak(out + 2400, AUDIO_RATE - 2400), 0.2f);
	ck_assert_float_le(peak(out + 2400, AUDIO_RATE - 2400), 0.3f);
	ck_assert_float_le(peak(out, AUDIO_RATE),
			   0.5f); /* the first edge, before the coupling settles */
	free(out);
}
END_TEST

START_TEST(test_gate_off_or_data_bit_clear_is_silence)
{
	struct audio_source src = pcspk_audio_source(spk);
	float out[4800];

	tone(1193);
	port61(PCSPK_GATE2); /* counting, not reaching the cone */
	render(&src, 0, 4800, 4800, out);
	ck_assert_float_eq(peak(out, 4800), 0);
	at_ns(SECOND / 10);
	port61(0);
	render(&src, 4800, 4800, 100, out);
	ck_assert_float_eq(peak(out, 4800), 0);
}
END_TEST

START_TEST(test_toggling_the_data_bit_with_the_gate_off_gives_a_click_per_toggle)
{
	struct audio_source src = pcspk_audio_source(spk);
	float out[48000];
	int clicks = 0;

	tone(100); /* mode 3 with GATE low: OUT held high */
	for (int i = 1; i <= 20; i++) {
		render(&src, (i - 1) * 960, 960, 960, out + (i - 1) * 960);
		at_ns(i * (SECOND / 50));
		port61(i & 1 ? PCSPK_DATA : 0);
	}
	render(&src, 20 * 960, 48000 - 20 * 960, 1000, out + 20 * 960);
	for (size_t i = 1; i < 48000; i++)
		clicks += fabsf(out[i] - out[i - 1]) > 0.2f;
	ck_assert_int_eq(clicks, 20);
	ck_assert_uint_eq(spk->toggles, 20);
}
END_TEST

START_TEST(test_an_ultrasonic_square_averages_out_instead_of_aliasing)
{
	struct audio_source src = pcspk_audio_source(spk);
	float out[9600];

	tone(2); /* 596 kHz: far above what 48 kHz can carry */
	port61(PCSPK_GATE2 | PCSPK_DATA);
	render(&src, 0, 9600, 960, out);
	/* The average, 0.5, decays through the AC coupling; what is left is
	 * the tick grid's ripple, far below a tone's 0.25. */
	ck_assert_float_le(peak(out + 4800, 4800), 0.02f);
}
END_TEST

START_TEST(test_output_is_the_same_however_the_mixer_slices_it)
{
	struct audio_source src = pcspk_audio_source(spk);
	static float a[24000], b[24000];

	tone(1500);
	port61(PCSPK_GATE2 | PCSPK_DATA);
	render(&src, 0, 24000, 24000, a);
	teardown();
	setup();
	src = pcspk_audio_source(spk);
	tone(1500);
	port61(PCSPK_GATE2 | PCSPK_DATA);
	render(&src, 0, 24000, 7, b);
	ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
}
END_TEST

START_TEST(test_a_speaker_nobody_reads_keeps_only_its_ring)
{
	struct audio_source src = pcspk_audio_source(spk);
	float out[100];

	tone(1193);
	port61(PCSPK_GATE2 | PCSPK_DATA);
	at_ns(3600 * SECOND); /* an hour unread */
	port61(0);
	ck_assert_uint_le(spk->frames, PCSPK_RING);
	render(&src, 0, 100, 100, out); /* long dropped: silence */
	ck_assert_float_eq(peak(out, 100), 0);
}
END_TEST

START_TEST(test_a_tone_started_at_a_port_write_begins_at_its_frame)
{
	struct audio_source src = pcspk_audio_source(spk);
	float out[9600];
	size_t first = 0;

	tone(1193);
	at_ns(SECOND / 10); /* frame 4800 */
	port61(PCSPK_GATE2 | PCSPK_DATA);
	render(&src, 0, 9600, 512, out);
	while (first < 9600 && out[first] == 0)
		first++;
	ck_assert_uint_ge(first, 4800);
	ck_assert_uint_le(first, 4801);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pcspk");
	TCase *t = tcase_create("sound");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_counter2_square_at_1193_plays_1kHz_within_1pct_at_full_level);
	tcase_add_test(t, test_gate_off_or_data_bit_clear_is_silence);
	tcase_add_test(t, test_toggling_the_data_bit_with_the_gate_off_gives_a_click_per_toggle);
	tcase_add_test(t, test_an_ultrasonic_square_averages_out_instead_of_aliasing);
	tcase_add_test(t, test_output_is_the_same_however_the_mixer_slices_it);
	tcase_add_test(t, test_a_speaker_nobody_reads_keeps_only_its_ring);
	tcase_add_test(t, test_a_tone_started_at_a_port_write_begins_at_its_frame);
	suite_add_tcase(s, t);
	return unit_run(s);
}
