/* The OPL3 (legacy/opl3.h) on a stopped clock the tests move: the AdLib
 * detection sequence sees timer 1 overflow after 80 us and not before,
 * timer 2 overflows every 256 * 320 us from 00h, a masked timer sets no
 * flag, the reset bit clears the flags while a timer runs on, a keyed
 * note comes out of Nuked OPL3 at its frequency, nothing is made before
 * a note, and hostile traffic on the four ports stays bounded. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "legacy/opl3.h"
#include "unit.h"

#define US 1000LL
#define MS 1000000LL

static struct vclock clk;
static struct opl3 *o;

static void setup(void)
{
	vclock_init(&clk);
	o = opl3_create(&clk);
	ck_assert_ptr_nonnull(o);
}

static void teardown(void)
{
	opl3_destroy(o);
}

static void at_ns(int64_t ns)
{
	clk.base_virt = ns;
}

static void reg(uint16_t r, uint8_t v)
{
	opl3_io_ops.write(o, r & 0x100 ? 2 : 0, 1, r & 0xFF);
	opl3_io_ops.write(o, r & 0x100 ? 3 : 1, 1, v);
}

static uint8_t status(void)
{
	return (uint8_t)opl3_io_ops.read(o, 0, 1);
}

START_TEST(test_adlib_detection_sees_timer_1_after_80_us)
{
	reg(4, 0x60);
	reg(4, 0x80);
	ck_assert_uint_eq(status() & 0xE0, 0);
	reg(2, 0xFF);
	reg(4, 0x21);
	at_ns(79 * US);
	ck_assert_uint_eq(status() & 0xE0, 0);
	at_ns(80 * US);
	ck_assert_uint_eq(status() & 0xE0, 0xC0);
	reg(4, 0x60);
	reg(4, 0x80);
	ck_assert_uint_eq(status() & 0xE0, 0);
}
END_TEST

START_TEST(test_timer_2_period_mask_and_reset)
{
	reg(3, 0x00); /* 256 ticks of 320 us: 81.92 ms */
	reg(4, 0x42); /* start timer 2, mask timer 1 */
	at_ns(81919 * US);
	ck_assert_uint_eq(status() & 0xE0, 0);
	at_ns(81920 * US);
	ck_assert_uint_eq(status() & 0xE0, 0xA0);
	reg(4, 0x80); /* reset: the flags clear, the timer runs on */
	ck_assert_uint_eq(status() & 0xE0, 0);
	at_ns(2 * 81920 * US - US);
	ck_assert_uint_eq(status() & 0xE0, 0);
	at_ns(2 * 81920 * US);
	ck_assert_uint_eq(status() & 0xE0, 0xA0);
	reg(4, 0x80);
	reg(4, 0x22); /* masked: no flag */
	at_ns(10 * 81920 * US);
	ck_assert_uint_eq(status() & 0xE0, 0);
	reg(4, 0x00); /* stopped */
	reg(4, 0x80);
	at_ns(20 * 81920 * US);
	ck_assert_uint_eq(status() & 0xE0, 0);
}
END_TEST

static void note(void)
{
	reg(0x20, 0x21);
	reg(0x23, 0x21);
	reg(0x40, 0x3F);
	reg(0x43, 0x00);
	reg(0x60, 0xF0);
	reg(0x63, 0xF0);
	reg(0x80, 0x00);
	reg(0x83, 0x00);
	reg(0xC0, 0x01);
	reg(0xA0, 580 & 0xFF);
	reg(0xB0, 0x20 | 4 << 2 | 580 >> 8);
}

START_TEST(test_a_keyed_note_has_its_frequency)
{
	static float out[AUDIO_RATE];
	struct audio_source src = opl3_audio_source(o);
	size_t first = 0, last = 0, n = 0;
	float peak = 0;
	double hz;

	at_ns(10 * MS);
	src.render(src.opaque, 0, 480, out); /* silence before a note */
	for (size_t i = 0; i < 480; i++)
		ck_assert_float_eq(out[i], 0);
	note();
	for (size_t i = 480; i < AUDIO_RATE; i += 480) {
		at_ns((int64_t)(i + 480) * 1000000000 / AUDIO_RATE);
		src.render(src.opaque, i, 480, out + i);
	}
	for (size_t i = 4800; i < AUDIO_RATE; i++) {
		peak = fabsf(out[i]) > peak ? fabsf(out[i]) : peak;
		if (out[i - 1] < 0 && out[i] >= 0) {
			if (!n)
				first = i;
			last = i;
			n++;
		}
	}
	hz = (double)AUDIO_RATE * (double)(n - 1) / (double)(last - first);
	ck_assert_double_eq_tol(hz, 580 * 49716.0 / 65536, 580 * 49716.0 / 65536 / 100);
	ck_assert_float_ge(peak, 0.09f);
	ck_assert_float_le(peak, 0.16f);
}
END_TEST

START_TEST(test_hostile_traffic_stays_bounded)
{
	static float out[4800];
	struct audio_source src = opl3_audio_source(o);
	int64_t t = 0;

	for (int i = 0; i < 100000; i++) {
		uint32_t r = unit_rand();

		if (r & 1)
			opl3_io_ops.write(o, (r >> 1) & 3, 1, (r >> 8) & 0xFF);
		else
			opl3_io_ops.read(o, (r >> 1) & 3, 1);
		if (i % 5000 == 0) {
			t += (int64_t)(r >> 16) * 10 * US;
			at_ns(t);
			src.render(src.opaque,
				   audio_frame_at(t) > 4800 ? audio_frame_at(t) - 4800 : 0, 4800,
				   out);
			for (size_t k = 0; k < 4800; k++)
				ck_assert(isfinite(out[k]) && fabsf(out[k]) <= 1.0f);
		}
	}
	opl3_reset(o);
	ck_assert_uint_eq(status(), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opl3");
	TCase *t = tcase_create("opl3");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_adlib_detection_sees_timer_1_after_80_us);
	tcase_add_test(t, test_timer_2_period_mask_and_reset);
	tcase_add_test(t, test_a_keyed_note_has_its_frequency);
	tcase_add_test(t, test_hostile_traffic_stays_bounded);
	suite_add_tcase(s, t);
	return unit_run(s);
}
