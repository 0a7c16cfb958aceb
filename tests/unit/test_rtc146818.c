/* rtc146818: the RTC/CMOS through its index and data ports, with a stopped
 * virtual clock moved by hand and IRQ8 recorded from its irq_line. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "legacy/rtc146818.h"
#include "hv/core/state.h"

#include "unit.h"

#define MS	 1000000LL
#define SEC	 1000000000LL
#define CENTURY	 0x32
#define B_24_BCD RTC_B_24H

struct irq_rec {
	int level;
	unsigned rises;
};

static struct irq_rec irq8;
static struct vclock clk;
static struct rtc146818 *rtc;

static void rec_irq(void *opaque, int pin, int level)
{
	struct irq_rec *r = opaque;

	ck_assert_int_eq(pin, 8);
	r->rises += level && !r->level;
	r->level = level;
}

static int64_t civil(int y, int mon, int d, int h, int m, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mon - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = m,
			.tm_sec = s};

	return (int64_t)timegm(&tm);
}

/* A fresh RTC at civil time start, clock at 0. */
static void start_at(int64_t start)
{
	if (rtc)
		rtc146818_destroy(rtc);
	irq8 = (struct irq_rec){0};
	vclock_init(&clk);
	rtc = rtc146818_create(&clk, (struct irq_line){rec_irq, &irq8, 8}, start, CENTURY);
	ck_assert_ptr_nonnull(rtc);
}

static void at(int64_t ns)
{
	clk.base_virt = ns;
	vclock_run_expired(&clk);
}

static uint8_t rd(uint8_t idx)
{
	rtc146818_io_ops.write(rtc, RTC_INDEX_PORT, 1, idx);
	return rtc146818_io_ops.read(rtc, RTC_DATA_PORT, 1);
}

static void wr(uint8_t idx, uint8_t v)
{
	rtc146818_io_ops.write(rtc, RTC_INDEX_PORT, 1, idx);
	rtc146818_io_ops.write(rtc, RTC_DATA_PORT, 1, v);
}

static void setup(void)
{
	rtc = NULL;
	start_at(civil(2024, 3, 15, 13, 45, 30)); /* a Friday */
}

static void teardown(void)
{
	rtc146818_destroy(rtc);
	ck_assert_ptr_null(clk.timers);
}

START_TEST(test_powerOn_is24HourBcdWithValidRam)
{
	ck_assert_uint_eq(rd(RTC_REG_A), 0x26);
	ck_assert_uint_eq(rd(RTC_REG_B), 0x02);
	ck_assert_uint_eq(rd(RTC_REG_D), 0x80);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	ck_assert_uint_eq(rd(RTC_MINUTES), 0x45);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x13);
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 6);
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x15);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x03);
	ck_assert_uint_eq(rd(RTC_YEAR), 0x24);
	ck_assert_uint_eq(rd(CENTURY), 0x20);
	ck_assert_ptr_null(clk.timers);
}
END_TEST

START_TEST(test_binaryMode_readsPlainNumbers)
{
	wr(RTC_REG_B, RTC_B_24H | RTC_B_DM);
	ck_assert_uint_eq(rd(RTC_SECONDS), 30);
	ck_assert_uint_eq(rd(RTC_MINUTES), 45);
	ck_assert_uint_eq(rd(RTC_HOURS), 13);
	ck_assert_uint_eq(rd(RTC_YEAR), 24);
	ck_assert_uint_eq(rd(CENTURY), 20);
}
END_TEST

START_TEST(test_twelveHourMode_setsPmBitAndMapsMidnightAndNoon)
{
	wr(RTC_REG_B, 0);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x81);
	wr(RTC_REG_B, RTC_B_DM);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x81);
	start_at(civil(2024, 3, 15, 0, 30, 0));
	wr(RTC_REG_B, 0);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x12);
	start_at(civil(2024, 3, 15, 12, 30, 0));
	wr(RTC_REG_B, 0);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x92);
}
END_TEST

START_TEST(test_twelveHourMode_setTimeParsesPmBit)
{
	wr(RTC_REG_B, RTC_B_SET);
	wr(RTC_HOURS, 0x91); /* 11 PM */
	wr(RTC_MINUTES, 0x59);
	wr(RTC_SECONDS, 0x59);
	wr(RTC_REG_B, 0);
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x12); /* midnight, no PM bit */
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x16);
}
END_TEST

START_TEST(test_seconds_advanceWithTheVirtualClockOnly)
{
	at(999 * MS);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x31);
	at(75 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x45);
	ck_assert_uint_eq(rd(RTC_MINUTES), 0x46);
}
END_TEST

START_TEST(test_rollover_midnightIntoLeapDay)
{
	start_at(civil(2024, 2, 28, 23, 59, 59));
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 4); /* Wednesday */
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x00);
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x29);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x02);
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 5);
	at(SEC + 86400 * SEC);
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x01);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x03);
}
END_TEST

START_TEST(test_rollover_monthEndOfCommonYear)
{
	start_at(civil(2023, 2, 28, 23, 59, 59));
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x01);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x03);
	start_at(civil(2023, 4, 30, 23, 59, 59));
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_DAY_OF_MONTH), 0x01);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x05);
}
END_TEST

START_TEST(test_rollover_centuryByteFollowsTheYear)
{
	start_at(civil(2099, 12, 31, 23, 59, 59));
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_YEAR), 0x00);
	ck_assert_uint_eq(rd(CENTURY), 0x21);
	ck_assert_uint_eq(rd(RTC_MONTH), 0x01);
}
END_TEST

START_TEST(test_set_holdsTimeWhileWritingAndResumesFromRegisters)
{
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	wr(RTC_YEAR, 0x99);
	wr(CENTURY, 0x19);
	wr(RTC_MONTH, 0x12);
	wr(RTC_DAY_OF_MONTH, 0x31);
	wr(RTC_HOURS, 0x23);
	wr(RTC_MINUTES, 0x59);
	wr(RTC_SECONDS, 0x58);
	at(5 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x58);
	ck_assert_uint_eq(rd(RTC_REG_A) & RTC_A_UIP, 0);
	wr(RTC_REG_B, RTC_B_24H);
	at(7 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x00);
	ck_assert_uint_eq(rd(RTC_YEAR), 0x00);
	ck_assert_uint_eq(rd(CENTURY), 0x20);
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 7); /* 1 Jan 2000 was a Saturday */
}
END_TEST

START_TEST(test_timeRegisterWrittenWhileRunning_countsOnFromIt)
{
	at(500 * MS);
	wr(RTC_MINUTES, 0x10);
	ck_assert_uint_eq(rd(RTC_MINUTES), 0x10);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x31);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x13);
}
END_TEST

START_TEST(test_dayOfWeek_keepsWhatTheGuestWrote)
{
	wr(RTC_DAY_OF_WEEK, 2);
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 2);
	at(86400 * SEC);
	ck_assert_uint_eq(rd(RTC_DAY_OF_WEEK), 3);
}
END_TEST

START_TEST(test_uip_setJustBeforeEachUpdate)
{
	ck_assert_uint_eq(rd(RTC_REG_A) & RTC_A_UIP, 0);
	at(500 * MS);
	ck_assert_uint_eq(rd(RTC_REG_A) & RTC_A_UIP, 0);
	at(999 * MS);
	ck_assert_uint_eq(rd(RTC_REG_A), 0x26 | RTC_A_UIP);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_A) & RTC_A_UIP, 0);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x31);
}
END_TEST

START_TEST(test_updateEnded_interruptsEverySecondUntilCRead)
{
	wr(RTC_REG_A, 0x20); /* no periodic flag in the way */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	ck_assert_ptr_nonnull(clk.timers);
	at(999 * MS);
	ck_assert_uint_eq(irq8.rises, 0);
	at(1 * SEC);
	ck_assert_uint_eq(irq8.rises, 1);
	ck_assert_ptr_null(clk.timers); /* pending: nothing more to time */
	ck_assert_uint_eq(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	ck_assert_int_eq(irq8.level, 0);
	ck_assert_uint_eq(rd(RTC_REG_C), 0);
	at(2 * SEC);
	ck_assert_uint_eq(irq8.rises, 2);
}
END_TEST

START_TEST(test_periodic_1024HzGivesOneInterruptPerPeriod)
{
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	for (int64_t t = 0; t <= SEC; t += 50000) {
		at(t);
		if (irq8.level)
			ck_assert_uint_eq(rd(RTC_REG_C) & ~RTC_C_UF, RTC_C_IRQF | RTC_C_PF);
	}
	ck_assert_uint_eq(irq8.rises, 1024);
}
END_TEST

START_TEST(test_periodic_rateSelectSetsThePeriod)
{
	wr(RTC_REG_A, 0x2f); /* 2 Hz */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	ck_assert_int_eq(clk.timers->deadline, 500 * MS);
	wr(RTC_REG_A, 0x23); /* 8192 Hz: 122.07 us */
	ck_assert_int_eq(clk.timers->deadline, 122071);
	wr(RTC_REG_A, 0x21); /* rate 1 is rate 8: 256 Hz */
	ck_assert_int_eq(clk.timers->deadline, 3906250);
	wr(RTC_REG_A, 0x20); /* rate 0: off */
	ck_assert_ptr_null(clk.timers);
}
END_TEST

START_TEST(test_periodicFlag_latchesWithoutInterruptEnable)
{
	ck_assert_ptr_null(clk.timers);
	at(10 * MS);
	ck_assert_uint_eq(rd(RTC_REG_C), RTC_C_PF);
	ck_assert_uint_eq(irq8.rises, 0);
}
END_TEST

START_TEST(test_alarm_firesAtMatchingSecond)
{
	wr(RTC_REG_A, 0x20);
	wr(RTC_SECONDS_ALARM, 0x35);
	wr(RTC_MINUTES_ALARM, 0x45);
	wr(RTC_HOURS_ALARM, 0x13);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	ck_assert_int_eq(clk.timers->deadline, 5 * SEC);
	at(4 * SEC);
	ck_assert_uint_eq(irq8.rises, 0);
	ck_assert_uint_eq(rd(RTC_REG_C) & RTC_C_AF, 0);
	at(5 * SEC);
	ck_assert_uint_eq(irq8.rises, 1);
	ck_assert_uint_eq(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	at(6 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_C), RTC_C_UF);
	ck_assert_uint_eq(clk.timers->deadline, 86405 * SEC);
}
END_TEST

START_TEST(test_alarm_dontCareBytesMatchEverySecond)
{
	wr(RTC_SECONDS_ALARM, 0xc0);
	wr(RTC_MINUTES_ALARM, 0xff);
	wr(RTC_HOURS_ALARM, 0xc5);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	at(1 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	at(2 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	ck_assert_uint_eq(irq8.rises, 2);
}
END_TEST

START_TEST(test_alarm_seenAfterALongGapWithoutTimer)
{
	wr(RTC_SECONDS_ALARM, 0x00);
	wr(RTC_MINUTES_ALARM, 0x00);
	wr(RTC_HOURS_ALARM, 0x14);
	at(3 * 3600 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	at(3 * 3600 * SEC + 2 * SEC);
	ck_assert_uint_eq(rd(RTC_REG_C) & RTC_C_AF, 0);
}
END_TEST

START_TEST(test_regC_readClearsFlagsAndLowersIrq)
{
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_PIE);
	at(1 * SEC);
	ck_assert_int_eq(irq8.level, 1);
	ck_assert_uint_eq(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	ck_assert_int_eq(irq8.level, 0);
	ck_assert_uint_eq(rd(RTC_REG_C), 0);
	wr(RTC_REG_C, 0xff); /* read-only */
	ck_assert_uint_eq(rd(RTC_REG_C), 0);
}
END_TEST

START_TEST(test_enablingAfterFlagLatched_raisesIrqAtOnce)
{
	at(1500 * MS);
	ck_assert_int_eq(irq8.level, 0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	ck_assert_int_eq(irq8.level, 1);
}
END_TEST

START_TEST(test_dividerReset_stopsTimeAndFirstUpdateComesHalfASecondLater)
{
	wr(RTC_REG_A, 0x70);
	at(10 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	ck_assert_uint_eq(rd(RTC_REG_C), 0); /* no updates, no periodic flag */
	wr(RTC_REG_A, 0x26);
	at(10 * SEC + 499 * MS);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x30);
	at(10 * SEC + 500 * MS);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x31);
}
END_TEST

START_TEST(test_setBit_clearsUpdateInterruptEnable)
{
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET);
	ck_assert_uint_eq(rd(RTC_REG_B), RTC_B_24H | RTC_B_SET);
}
END_TEST

START_TEST(test_indexPort_nmiBitDoesNotSelectAndRamRoundTrips)
{
	for (int i = 0x0e; i < 0x80; i++)
		if (i != CENTURY)
			wr((uint8_t)(i | 0x80), (uint8_t)(i ^ 0x5a));
	for (int i = 0x0e; i < 0x80; i++)
		if (i != CENTURY)
			ck_assert_uint_eq(rd((uint8_t)i), i ^ 0x5a);
	ck_assert(rtc->nmi_disabled == false);
	ck_assert_uint_eq(rtc146818_io_ops.read(rtc, RTC_INDEX_PORT, 1), 0xff);
}
END_TEST

START_TEST(test_wordWriteToIndexPort_selectsWithAlAndWritesAh)
{
	rtc146818_io_ops.write(rtc, RTC_INDEX_PORT, 2, 0xa540);
	ck_assert_uint_eq(rd(0x40), 0xa5);
}
END_TEST

START_TEST(test_reset_clearsEnablesKeepsTimeAndRam)
{
	wr(0x40, 0x12);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_PIE);
	at(1 * SEC);
	ck_assert_int_eq(irq8.level, 1);
	rtc146818_reset(rtc);
	ck_assert_int_eq(irq8.level, 0);
	ck_assert_ptr_null(clk.timers);
	ck_assert_uint_eq(rd(RTC_REG_B), RTC_B_24H);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x31);
	ck_assert_uint_eq(rd(0x40), 0x12);
}
END_TEST

START_TEST(test_fuzz_randomRegisterTrafficStaysSane)
{
	srand(146818);
	for (int i = 0; i < 50000; i++) {
		uint8_t idx = (uint8_t)rand();
		if (rand() & 1)
			wr(idx, (uint8_t)rand());
		else
			(void)rd(idx);
		at(i * 7 * MS);
		ck_assert(clk.timers == NULL || clk.timers->next == NULL);
		ck_assert_uint_eq(rd(RTC_REG_D), RTC_D_VRT);
	}
}
END_TEST

/* Save and load (device ops): a second RTC on the same clock, loaded
 * from the first's state, shows the same time, RAM and periodic
 * interrupts as the clock goes on; bad bytes are refused. */
START_TEST(test_saveLoad_secondRtcKeepsTimeRamAndInterrupts)
{
	struct irq_rec irq_b = {0};
	struct rtc146818 *a, *b;
	struct state_out o = {0};
	struct state_in in;
	uint8_t sec;

	b = rtc146818_create(&clk, (struct irq_line){rec_irq, &irq_b, 8},
			     civil(1999, 1, 1, 0, 0, 0), CENTURY);
	wr(0x40, 0x5a);			     /* a RAM byte */
	wr(RTC_REG_A, RTC_A_DV_RUN | 6);     /* 1024 Hz */
	wr(RTC_REG_B, B_24_BCD | RTC_B_PIE); /* periodic interrupts on */
	at(2 * SEC + 300 * MS);
	rtc146818_device_ops.save(rtc, &o);
	ck_assert(!o.failed);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(rtc146818_device_ops.load(b, &in, 1), 0);
	a = rtc;
	rtc = b;
	ck_assert_uint_eq(rd(0x40), 0x5a);
	ck_assert_uint_eq(rd(RTC_HOURS), 0x13);
	ck_assert_uint_eq(rd(RTC_MINUTES), 0x45);
	sec = rd(RTC_SECONDS);
	ck_assert_uint_eq(sec, 0x32);
	rtc146818_destroy(a);
	irq_b.rises = 0;
	for (int i = 1; i <= 10; i++) {
		at(2 * SEC + 300 * MS + i * MS);
		rd(RTC_REG_C); /* acknowledge */
	}
	ck_assert_uint_ge(irq_b.rises, 9);
	at(5 * SEC);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x35); /* the time went on */

	/* Bad bytes: short, an index past the RAM, a flag outside C's. */
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(rtc146818_device_ops.load(rtc, &in, 1), -1);
	o.p[RTC_NVRAM_SIZE] = 0x80;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(rtc146818_device_ops.load(rtc, &in, 1), -1);
	o.p[RTC_NVRAM_SIZE] = 0x0c;
	o.p[RTC_NVRAM_SIZE + 2] = 0x01;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(rtc146818_device_ops.load(rtc, &in, 1), -1);
	ck_assert_uint_eq(rd(0x40), 0x5a);
	ck_assert_uint_eq(rd(RTC_SECONDS), 0x35);
	state_out_free(&o);
}
END_TEST

static Suite *rtc_suite(void)
{
	Suite *s = suite_create("rtc146818");
	TCase *t = tcase_create("rtc");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_powerOn_is24HourBcdWithValidRam);
	tcase_add_test(t, test_binaryMode_readsPlainNumbers);
	tcase_add_test(t, test_twelveHourMode_setsPmBitAndMapsMidnightAndNoon);
	tcase_add_test(t, test_twelveHourMode_setTimeParsesPmBit);
	tcase_add_test(t, test_seconds_advanceWithTheVirtualClockOnly);
	tcase_add_test(t, test_rollover_midnightIntoLeapDay);
	tcase_add_test(t, test_rollover_monthEndOfCommonYear);
	tcase_add_test(t, test_rollover_centuryByteFollowsTheYear);
	tcase_add_test(t, test_set_holdsTimeWhileWritingAndResumesFromRegisters);
	tcase_add_test(t, test_timeRegisterWrittenWhileRunning_countsOnFromIt);
	tcase_add_test(t, test_dayOfWeek_keepsWhatTheGuestWrote);
	tcase_add_test(t, test_uip_setJustBeforeEachUpdate);
	tcase_add_test(t, test_updateEnded_interruptsEverySecondUntilCRead);
	tcase_add_test(t, test_periodic_1024HzGivesOneInterruptPerPeriod);
	tcase_add_test(t, test_periodic_rateSelectSetsThePeriod);
	tcase_add_test(t, test_periodicFlag_latchesWithoutInterruptEnable);
	tcase_add_test(t, test_alarm_firesAtMatchingSecond);
	tcase_add_test(t, test_alarm_dontCareBytesMatchEverySecond);
	tcase_add_test(t, test_alarm_seenAfterALongGapWithoutTimer);
	tcase_add_test(t, test_regC_readClearsFlagsAndLowersIrq);
	tcase_add_test(t, test_enablingAfterFlagLatched_raisesIrqAtOnce);
	tcase_add_test(t, test_dividerReset_stopsTimeAndFirstUpdateComesHalfASecondLater);
	tcase_add_test(t, test_setBit_clearsUpdateInterruptEnable);
	tcase_add_test(t, test_indexPort_nmiBitDoesNotSelectAndRamRoundTrips);
	tcase_add_test(t, test_wordWriteToIndexPort_selectsWithAlAndWritesAh);
	tcase_add_test(t, test_reset_clearsEnablesKeepsTimeAndRam);
	tcase_add_test(t, test_fuzz_randomRegisterTrafficStaysSane);
	tcase_add_test(t, test_saveLoad_secondRtcKeepsTimeRamAndInterrupts);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(rtc_suite());
}
