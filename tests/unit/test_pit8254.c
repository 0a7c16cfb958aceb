/* pit8254: the counters driven through their io_ops with a stopped virtual
 * clock moved by hand, counter 0's OUT recorded from its irq_line. */
#include <check.h>
#include <stdlib.h>

#include "legacy/pcspk.h"
#include "legacy/pit8254.h"
#include "hv/core/state.h"

#include "unit.h"

struct irq_rec {
	int level;
	unsigned rises;
};

static struct irq_rec irq0;
static struct vclock clk;
static struct pit8254 *pit;

/* When >= 0: the PIT tick the clock jumps to at the next rise of the
 * line, as if the host thread handling the access were preempted there. */
static int64_t jump_at_rise = -1;

static void rec_irq(void *opaque, int pin, int level)
{
	struct irq_rec *r = opaque;

	ck_assert_int_eq(pin, 0);
	r->rises += level && !r->level;
	r->level = level;
	if (level && jump_at_rise >= 0) {
		clk.base_virt =
		    (int64_t)(((__int128)jump_at_rise * 1000000000 + PIT_HZ - 1) / PIT_HZ);
		jump_at_rise = -1;
	}
}

/* Moves the clock to the start of PIT tick t and runs due timers. */
static void at(int64_t t)
{
	clk.base_virt = (int64_t)(((__int128)t * 1000000000 + PIT_HZ - 1) / PIT_HZ);
	vclock_run_expired(&clk);
}

/* Steps the clock to tick t in small increments, as a busy vCPU would. */
static void run_to(int64_t from, int64_t t, int64_t step)
{
	for (int64_t x = from; x < t; x += step)
		at(x);
	at(t);
}

static void ctl(uint8_t v)
{
	pit8254_io_ops.write(pit, PIT_CONTROL, 1, v);
}

static void wr(int ch, uint8_t v)
{
	pit8254_io_ops.write(pit, ch, 1, v);
}

static uint8_t rd(int ch)
{
	return pit8254_io_ops.read(pit, ch, 1);
}

static uint16_t rd16(int ch)
{
	uint8_t lo = rd(ch);

	return (uint16_t)(lo | rd(ch) << 8);
}

/* Control word for counter ch, LSB-then-MSB access, mode m, binary. */
static void program(int ch, int mode, uint16_t count)
{
	ctl((uint8_t)(ch << 6 | 0x30 | mode << 1));
	wr(ch, count & 0xff);
	wr(ch, count >> 8);
}

static void setup(void)
{
	irq0 = (struct irq_rec){0};
	jump_at_rise = -1;
	vclock_init(&clk);
	pit = pit8254_create(&clk, (struct irq_line){rec_irq, &irq0, 0});
	ck_assert_ptr_nonnull(pit);
}

static void teardown(void)
{
	pit8254_destroy(pit);
	ck_assert_ptr_null(clk.timers);
}

START_TEST(test_powerOn_armsNoTimerAndRaisesNothing)
{
	ck_assert_ptr_null(clk.timers);
	at(1000000);
	ck_assert_uint_eq(irq0.rises, 0);
	ck_assert(!pit8254_out(pit, 0));
}
END_TEST

START_TEST(test_mode0_outRisesAtTerminalCountThenCountWraps)
{
	at(10);
	program(0, 0, 100);
	ck_assert(!pit8254_out(pit, 0));
	at(60);
	ck_assert_uint_eq(rd16(0), 50);
	at(109);
	ck_assert_uint_eq(irq0.rises, 0);
	at(110);
	ck_assert_uint_eq(irq0.rises, 1);
	ck_assert_int_eq(irq0.level, 1);
	ck_assert_ptr_null(clk.timers); /* one-shot: nothing more to wait for */
	at(310);
	ck_assert_uint_eq(rd16(0), 65536 - 200);
	ck_assert(pit8254_out(pit, 0));
}
END_TEST

START_TEST(test_mode0_firstByteOfNewCountStopsAndLowersOut)
{
	program(0, 0, 10);
	at(20);
	ck_assert_int_eq(irq0.level, 1);
	wr(0, 0x05);
	ck_assert_int_eq(irq0.level, 0);
	at(100);
	ck_assert_uint_eq(irq0.rises, 1);
	wr(0, 0x00);
	at(104);
	ck_assert_int_eq(irq0.level, 0);
	at(105);
	ck_assert_uint_eq(irq0.rises, 2);
}
END_TEST

START_TEST(test_mode1_gateTriggersOneShotAndRetriggers)
{
	program(2, 1, 50);
	ck_assert(pit8254_out(pit, 2)); /* waits for a trigger */
	at(100);
	pit8254_set_gate(pit, 2, true);
	ck_assert(!pit8254_out(pit, 2));
	at(130);
	ck_assert_uint_eq(rd16(2), 20);
	pit8254_set_gate(pit, 2, false); /* the level does not matter */
	at(149);
	ck_assert(!pit8254_out(pit, 2));
	at(150);
	ck_assert(pit8254_out(pit, 2));
	pit8254_set_gate(pit, 2, true);
	ck_assert(!pit8254_out(pit, 2));
	at(199);
	ck_assert(!pit8254_out(pit, 2));
	at(200);
	ck_assert(pit8254_out(pit, 2));
}
END_TEST

START_TEST(test_mode2_oneEdgePerPeriodAndOneClockLow)
{
	program(0, 2, 1000);
	ck_assert_uint_eq(irq0.rises, 1); /* OUT goes high with the control word */
	run_to(0, 5500, 100);
	ck_assert_uint_eq(irq0.rises, 6);
	at(5998);
	ck_assert(pit8254_out(pit, 0));
	ck_assert_uint_eq(rd16(0), 2);
	at(5999);
	ck_assert(!pit8254_out(pit, 0));
	ck_assert_uint_eq(rd16(0), 1);
	at(6000);
	ck_assert(pit8254_out(pit, 0));
	ck_assert_uint_eq(rd16(0), 1000);
	ck_assert_uint_eq(irq0.rises, 7);
}
END_TEST

START_TEST(test_mode2_armsOnlyOneTimerAndMergesMissedPeriods)
{
	program(0, 2, 100);
	ck_assert_ptr_nonnull(clk.timers);
	ck_assert_ptr_null(clk.timers->next);
	at(100000); /* the vCPU was away for 1000 periods */
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_int_eq(clk.timers->deadline,
			 (int64_t)(((__int128)100100 * 1000000000 + PIT_HZ - 1) / PIT_HZ));
}
END_TEST

/* A tick of 250 Hz (count 4773, 4 ms): periods that passed while the
 * vCPU was away are owed and delivered late, a quarter period apart,
 * until the guest has had every edge. */
START_TEST(test_mode2_slowTick_deliversMissedPeriodsLate)
{
	program(0, 2, 4773);
	at(4773 * 10 + 10); /* away for 10 periods */
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_uint_eq(pit->backlog, 9);
	run_to(4773 * 10 + 10, 4773 * 20, 50);
	ck_assert_uint_eq(irq0.rises, 1 + 20); /* the control word's, then one per period */
	ck_assert_uint_eq(pit->backlog, 0);
	ck_assert_uint_ge(pit->caught_up, 9);
	ck_assert_uint_eq(pit->dropped, 0);
}
END_TEST

/* At most a second of periods is owed; the older ones are dropped. */
START_TEST(test_mode2_slowTick_owesAtMostASecond)
{
	int64_t per_s = PIT_CATCHUP_MAX_NS / ((4773 * 1000000000ll + PIT_HZ - 1) / PIT_HZ);

	program(0, 2, 4773);
	at(4773 * 1000 + 10); /* 4 s away */
	ck_assert_uint_eq(pit->dropped, 1000 - per_s);
	ck_assert_uint_eq(pit->backlog, per_s - 1);
	run_to(4773 * 1000 + 10, 4773 * 1400, 100);
	ck_assert_uint_eq(irq0.rises, 1 + per_s + 400);
	ck_assert_uint_eq(pit->backlog, 0);
}
END_TEST

static bool waiting;

static bool edge_waiting(void *opaque)
{
	(void)opaque;
	return waiting;
}

/* An owed edge waits while the last one is not taken (the PIC's request
 * bit), instead of merging into it, and comes once it is. */
START_TEST(test_mode2_slowTick_owedEdgeWaitsForTheLastToBeTaken)
{
	pit->edge_waiting = edge_waiting;
	waiting = false;
	program(0, 2, 4773);
	at(4773 * 3 + 10); /* away for 3 periods */
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_uint_eq(pit->backlog, 2);
	waiting = true; /* the guest has interrupts off */
	run_to(4773 * 3 + 10, 4773 * 5 - 10, 50);
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_uint_eq(pit->backlog, 3); /* one more period passed */
	waiting = false;
	run_to(4773 * 5 - 10, 4773 * 9, 50);
	ck_assert_uint_eq(irq0.rises, 1 + 9);
	ck_assert_uint_eq(pit->backlog, 0);
}
END_TEST

START_TEST(test_mode3_squareWaveHalvesAndCountsByTwo)
{
	pit8254_set_gate(pit, 2, true);
	program(2, 3, 10);
	ck_assert(pit8254_out(pit, 2));
	at(2);
	ck_assert_uint_eq(rd16(2), 6);
	at(4);
	ck_assert(pit8254_out(pit, 2));
	at(5);
	ck_assert(!pit8254_out(pit, 2));
	at(9);
	ck_assert(!pit8254_out(pit, 2));
	at(10);
	ck_assert(pit8254_out(pit, 2));
	pit8254_set_gate(pit, 2, false); /* GATE low: OUT high, count held */
	at(16);
	ck_assert(pit8254_out(pit, 2));
}
END_TEST

START_TEST(test_mode3_onCounter0_interruptsAtPeriod)
{
	ctl(0x36); /* SeaBIOS: counter 0, LSB/MSB, mode 3, count 0 = 65536 */
	wr(0, 0);
	wr(0, 0);
	run_to(0, 65536 * 3 + 10, 4096);
	ck_assert_uint_eq(irq0.rises, 4);
}
END_TEST

START_TEST(test_mode4_strobesLowOneClockOnce)
{
	program(0, 4, 30);
	ck_assert(pit8254_out(pit, 0));
	at(29);
	ck_assert(pit8254_out(pit, 0));
	ck_assert_uint_eq(irq0.rises, 1);
	at(30);
	ck_assert(!pit8254_out(pit, 0));
	at(31);
	ck_assert(pit8254_out(pit, 0));
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_ptr_null(clk.timers);
	at(1000);
	ck_assert_uint_eq(irq0.rises, 2);
}
END_TEST

/* A busy vCPU passes the edge's deadline before due timers run and then
 * latches the count: the edge still reaches the PIC, once. */
START_TEST(test_mode4_edgeDueBeforeAnAccessIsNotLost)
{
	program(0, 4, 30);
	ck_assert_uint_eq(irq0.rises, 1);
	clk.base_virt = 1000000; /* tick 1193, no timers run */
	ctl(0x00);		 /* latch counter 0 */
	(void)rd16(0);
	ck_assert_uint_eq(irq0.rises, 2);
	at(2000);
	ck_assert_uint_eq(irq0.rises, 2);
	ck_assert_ptr_null(clk.timers);
}
END_TEST

/* The clock moves on while an access is handled: loading a count of 5
 * at tick 30 (the end of the last strobe raises the line there) and
 * arming its timer happen 470 ticks apart. The new count's strobe, due at
 * tick 36, is given late rather than dropped (Linux's one-shot tick under
 * a loaded host waited forever for it). */
START_TEST(test_mode4_strobeDueWhileTheAccessIsHandledIsGivenLate)
{
	program(0, 4, 30);
	ck_assert_uint_eq(irq0.rises, 1);
	at(30); /* the strobe's low clock */
	wr(0, 5);
	ck_assert_int_eq(irq0.level, 0);
	jump_at_rise = 500;
	wr(0, 0);
	ck_assert_uint_eq(irq0.rises, 2); /* the old strobe ended */
	at(600);
	ck_assert_uint_eq(irq0.rises, 3); /* the new one, late */
	ck_assert_ptr_null(clk.timers);
	at(2000);
	ck_assert_uint_eq(irq0.rises, 3);
}
END_TEST

START_TEST(test_mode5_gateStrobeAfterCount)
{
	program(2, 5, 20);
	at(10);
	ck_assert(pit8254_out(pit, 2));
	pit8254_set_gate(pit, 2, true);
	at(29);
	ck_assert(pit8254_out(pit, 2));
	at(30);
	ck_assert(!pit8254_out(pit, 2));
	at(31);
	ck_assert(pit8254_out(pit, 2));
}
END_TEST

START_TEST(test_gateLow_holdsMode0Count)
{
	pit8254_set_gate(pit, 2, true);
	program(2, 0, 100);
	at(40);
	pit8254_set_gate(pit, 2, false);
	at(500);
	ck_assert_uint_eq(rd16(2), 60);
	ck_assert(!pit8254_out(pit, 2));
	pit8254_set_gate(pit, 2, true);
	at(559);
	ck_assert(!pit8254_out(pit, 2));
	at(560);
	ck_assert(pit8254_out(pit, 2));
}
END_TEST

START_TEST(test_bcd_countsInDecimalDigits)
{
	ctl(0x31); /* counter 0, LSB/MSB, mode 0, BCD */
	wr(0, 0x00);
	wr(0, 0x01); /* 0100 = one hundred */
	at(1);
	ck_assert_uint_eq(rd16(0), 0x0099);
	at(100);
	ck_assert_uint_eq(irq0.rises, 1);
	at(101);
	ck_assert_uint_eq(rd16(0), 0x9999);
	ctl(0x35); /* mode 2, BCD, count 0 = 10000 */
	wr(0, 0);
	wr(0, 0);
	at(102);
	ck_assert_uint_eq(rd16(0), 0x9999);
	at(101 + 10000);
	ck_assert_uint_eq(rd16(0), 0x0000);
}
END_TEST

START_TEST(test_latch_freezesCountUntilBothBytesRead)
{
	program(0, 2, 1000);
	at(100);
	ctl(0x00);
	at(300);
	ctl(0x00); /* a second latch before reading is ignored */
	ck_assert_uint_eq(rd(0), 900 & 0xff);
	at(400);
	ck_assert_uint_eq(rd(0), 900 >> 8);
	ck_assert_uint_eq(rd16(0), 600); /* live again */
}
END_TEST

START_TEST(test_readWhileCounting_alternatesBytes)
{
	program(1, 2, 0x1234);
	at(0x34);
	ck_assert_uint_eq(rd(1), 0x00);
	at(0x34 + 0x100);
	ck_assert_uint_eq(rd(1), 0x11); /* MSB now, whatever the LSB was */
	ck_assert_uint_eq(rd(1), 0x00);
}
END_TEST

START_TEST(test_accessModes_lsbOnlyAndMsbOnly)
{
	ctl(0x54); /* counter 1, LSB only, mode 2 */
	wr(1, 200);
	at(50);
	ck_assert_uint_eq(rd(1), 150);
	ck_assert_uint_eq(rd(1), 150);
	ctl(0x64); /* counter 1, MSB only, mode 2: count 0x0300 */
	wr(1, 3);
	at(50 + 0x100);
	ck_assert_uint_eq(rd(1), 2);
}
END_TEST

START_TEST(test_readBack_statusThenCount)
{
	program(2, 4, 500);
	ctl(0xc8); /* read-back counter 2: count and status */
	at(100);
	ck_assert_uint_eq(rd(2), 0x80 | 0x30 | 4 << 1);
	ck_assert_uint_eq(rd16(2), 500); /* GATE 2 is low: counting held */
	ctl(0x31 | 0x80);		 /* counter 2, mode 0, BCD: no count yet */
	ctl(0xe8);			 /* status only */
	ck_assert_uint_eq(rd(2), 0x40 | 0x30 | 0x01);
	ctl(0xd2); /* count only, counter 0: unprogrammed */
	ck_assert_uint_eq(rd16(0), 0);
}
END_TEST

START_TEST(test_readBack_ofSeveralCountersLatchesEach)
{
	program(0, 2, 1000);
	program(1, 2, 2000);
	at(10);
	ctl(0xd6); /* count of 0 and 1 */
	at(500);
	ck_assert_uint_eq(rd16(0), 990);
	ck_assert_uint_eq(rd16(1), 1990);
	ck_assert_uint_eq(rd16(0), 500);
}
END_TEST

START_TEST(test_reset_cancelsTimerAndLowersIrq)
{
	program(0, 2, 100);
	ck_assert_int_eq(irq0.level, 1);
	pit8254_reset(pit);
	ck_assert_int_eq(irq0.level, 0);
	ck_assert_ptr_null(clk.timers);
}
END_TEST

START_TEST(test_controlPort_readsAllOnesAndFuzzDoesNotCrash)
{
	ck_assert_uint_eq(rd(PIT_CONTROL), 0xff);
	srand(8254);
	for (int i = 0; i < 100000; i++) {
		int port = rand() % 4;
		if (rand() % 3)
			pit8254_io_ops.write(pit, port, 1, (uint8_t)rand());
		else
			(void)pit8254_io_ops.read(pit, port, 1);
		if (rand() % 7 == 0)
			pit8254_set_gate(pit, 2, rand() & 1);
		at(i * 3);
		ck_assert(clk.timers == NULL || clk.timers->next == NULL);
	}
}
END_TEST

START_TEST(test_portB_gateBitRunsCounter2AndBit5ShowsItsOut)
{
	struct pcspk *spk = pcspk_create(pit, &clk);

	ck_assert_ptr_nonnull(spk);
	program(2, 0, 100);
	at(500);
	ck_assert_uint_eq(pcspk_io_ops.read(spk, 0, 1) & 0x2f, 0x00); /* gated off */
	pcspk_io_ops.write(spk, 0, 1, 0xf3);			      /* only bits 0-3 stick */
	ck_assert_uint_eq(pcspk_io_ops.read(spk, 0, 1) & 0x2f, 0x03);
	at(599);
	ck_assert_uint_eq(pcspk_io_ops.read(spk, 0, 1) & PCSPK_OUT2, 0);
	at(600);
	ck_assert_uint_eq(pcspk_io_ops.read(spk, 0, 1) & PCSPK_OUT2, PCSPK_OUT2);
	pcspk_reset(spk);
	ck_assert(!pit->ch[2].gate);
	pcspk_destroy(spk);
}
END_TEST

START_TEST(test_portB_refreshBitTogglesEvery15us)
{
	struct pcspk *spk = pcspk_create(pit, &clk);
	uint8_t a, b, c;

	clk.base_virt = 100 * PCSPK_REFRESH_NS;
	a = pcspk_io_ops.read(spk, 0, 1) & PCSPK_REFRESH;
	clk.base_virt += PCSPK_REFRESH_NS;
	b = pcspk_io_ops.read(spk, 0, 1) & PCSPK_REFRESH;
	clk.base_virt += PCSPK_REFRESH_NS;
	c = pcspk_io_ops.read(spk, 0, 1) & PCSPK_REFRESH;
	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(a, c);
	pcspk_destroy(spk);
}
END_TEST

START_TEST(test_wordAccess_isTwoConsecutivePorts)
{
	ctl(0x74); /* counter 1, LSB/MSB, mode 2 */
	pit8254_io_ops.write(pit, PIT_COUNTER1, 1, 0x34);
	pit8254_io_ops.write(pit, PIT_COUNTER1, 1, 0x12);
	ctl(0x40); /* latch counter 1 */
	/* 41h then 42h: counter 1's LSB and counter 2's (unprogrammed) LSB */
	ck_assert_uint_eq(pit8254_io_ops.read(pit, PIT_COUNTER1, 2), 0x0034);
	ck_assert_uint_eq(rd(PIT_COUNTER1), 0x12);
	ck_assert_uint_eq(pit8254_io_ops.read(pit, PIT_COUNTER2, 2) >> 8, 0xff);
}
END_TEST

/* Save and load (device ops): a second PIT on the same clock loaded from
 * the first's state counts and interrupts as the first would have. */
static uint16_t latched(struct pit8254 *x, int ch)
{
	uint8_t lo;

	pit8254_io_ops.write(x, PIT_CONTROL, 1, (uint8_t)(ch << 6));
	lo = (uint8_t)pit8254_io_ops.read(x, ch, 1);
	return (uint16_t)(lo | pit8254_io_ops.read(x, ch, 1) << 8);
}

START_TEST(test_saveLoad_secondPitCountsAndInterruptsTheSame)
{
	struct irq_rec irq_b = {0};
	struct pit8254 *b = pit8254_create(&clk, (struct irq_line){rec_irq, &irq_b, 0});
	struct state_out o = {0};
	struct state_in in;
	unsigned rises;

	program(0, 2, 1000);
	program(2, 3, 300);
	pit8254_set_gate(pit, 2, true);
	run_to(0, 5321, 200);
	pit8254_device_ops.save(pit, &o);
	ck_assert(!o.failed);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(b, &in, pit8254_device_ops.version), 0);
	ck_assert(state_in_done(&in));
	ck_assert_uint_eq(latched(b, 0), latched(pit, 0));
	ck_assert_uint_eq(latched(b, 2), latched(pit, 2));
	ck_assert_int_eq(pit8254_out(b, 2), pit8254_out(pit, 2));
	rises = irq0.rises;
	pit8254_destroy(pit); /* only b's timer from here */
	pit = b;
	irq_b.rises = 0;
	run_to(5321, 10321, 100);
	ck_assert_uint_eq(irq_b.rises, 5);
	ck_assert_uint_gt(rises, 0);
	state_out_free(&o);
}
END_TEST

/* The catch-up is saved: a PIT loaded while periods are owed delivers
 * them late as the first would have, and keeps its counts. */
START_TEST(test_saveLoad_owedPeriodsAreStillDelivered)
{
	struct irq_rec irq_b = {0};
	struct pit8254 *b = pit8254_create(&clk, (struct irq_line){rec_irq, &irq_b, 0});
	struct state_out o = {0};
	struct state_in in;
	unsigned owed;

	program(0, 2, 4773);
	at(4773 * 1000 + 10); /* 4 s away: a second owed, the rest dropped */
	ck_assert_uint_gt(pit->backlog, 200);
	pit8254_device_ops.save(pit, &o);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(b, &in, pit8254_device_ops.version), 0);
	ck_assert(state_in_done(&in));
	ck_assert_uint_eq(b->backlog, pit->backlog);
	ck_assert_uint_eq(b->dropped, pit->dropped);
	owed = b->backlog;
	pit8254_destroy(pit);
	pit = b;
	irq_b.rises = 0;
	run_to(4773 * 1000 + 10, 4773 * 1400, 100);
	/* the owed ones, then one per period */
	ck_assert_uint_eq(irq_b.rises, owed + 400);
	ck_assert_uint_eq(b->caught_up, owed);
	ck_assert_uint_eq(b->backlog, 0);
	state_out_free(&o);
}
END_TEST

/* Version 1 (no catch-up) still loads, owing nothing; a backlog beyond a
 * second of the shortest period is refused. */
START_TEST(test_saveLoad_version1OwesNothingAndBigBacklogRefused)
{
	struct state_out o = {0};
	struct state_in in;
	size_t v1 = 0;

	program(0, 2, 4773);
	at(4773 * 10 + 10);
	ck_assert_uint_eq(pit->backlog, 9);
	pit8254_device_ops.save(pit, &o);
	v1 = o.len - (8 + 8 + 4 + 8 + 8);
	in = state_in_make(o.p, v1);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, 1), 0);
	ck_assert_uint_eq(pit->backlog, 0);
	in = state_in_make(o.p, o.len); /* version 2's bytes are too long for 1 */
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, 1), -1);
	/* backlog (u32 after seen and start) of 1001 */
	o.p[v1 + 16] = 0xe9;
	o.p[v1 + 17] = 0x03;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, 2), -1);
	o.p[v1 + 16] = 0xe8;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, 2), 0);
	ck_assert_uint_eq(pit->backlog, 1000);
	state_out_free(&o);
}
END_TEST

/* Bytes a load must refuse, the PIT left as it was. */
START_TEST(test_saveLoad_refusesBadBytesAndKeepsItsState)
{
	struct state_out o = {0};
	struct state_in in;
	uint16_t before;

	program(0, 2, 1000);
	run_to(0, 300, 100);
	pit8254_device_ops.save(pit, &o);
	before = latched(pit, 0);
	/* short, long */
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, pit8254_device_ops.version), -1);
	o.p[o.len] = 0;
	in = state_in_make(o.p, o.len + 1);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, pit8254_device_ops.version) == 0 &&
			     state_in_done(&in),
			 0);
	/* counter 0: mode 9 (byte 6), then a count of 1 in mode 2 */
	o.p[6] = 9;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, pit8254_device_ops.version), -1);
	o.p[6] = 2;
	o.p[0] = 1;
	o.p[1] = 0;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, pit8254_device_ops.version), -1);
	/* a flag that is not 0 or 1 */
	o.p[0] = 0xe8;
	o.p[1] = 0x03;
	o.p[35] = 7;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(pit8254_device_ops.load(pit, &in, pit8254_device_ops.version), -1);
	ck_assert_uint_eq(latched(pit, 0), before);
	state_out_free(&o);
}
END_TEST

static Suite *pit_suite(void)
{
	Suite *s = suite_create("pit8254");
	TCase *t = tcase_create("pit");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_powerOn_armsNoTimerAndRaisesNothing);
	tcase_add_test(t, test_mode0_outRisesAtTerminalCountThenCountWraps);
	tcase_add_test(t, test_mode0_firstByteOfNewCountStopsAndLowersOut);
	tcase_add_test(t, test_mode1_gateTriggersOneShotAndRetriggers);
	tcase_add_test(t, test_mode2_oneEdgePerPeriodAndOneClockLow);
	tcase_add_test(t, test_mode2_armsOnlyOneTimerAndMergesMissedPeriods);
	tcase_add_test(t, test_mode2_slowTick_deliversMissedPeriodsLate);
	tcase_add_test(t, test_mode2_slowTick_owesAtMostASecond);
	tcase_add_test(t, test_mode2_slowTick_owedEdgeWaitsForTheLastToBeTaken);
	tcase_add_test(t, test_mode3_squareWaveHalvesAndCountsByTwo);
	tcase_add_test(t, test_mode3_onCounter0_interruptsAtPeriod);
	tcase_add_test(t, test_mode4_strobesLowOneClockOnce);
	tcase_add_test(t, test_mode4_edgeDueBeforeAnAccessIsNotLost);
	tcase_add_test(t, test_mode4_strobeDueWhileTheAccessIsHandledIsGivenLate);
	tcase_add_test(t, test_mode5_gateStrobeAfterCount);
	tcase_add_test(t, test_gateLow_holdsMode0Count);
	tcase_add_test(t, test_bcd_countsInDecimalDigits);
	tcase_add_test(t, test_latch_freezesCountUntilBothBytesRead);
	tcase_add_test(t, test_readWhileCounting_alternatesBytes);
	tcase_add_test(t, test_accessModes_lsbOnlyAndMsbOnly);
	tcase_add_test(t, test_readBack_statusThenCount);
	tcase_add_test(t, test_readBack_ofSeveralCountersLatchesEach);
	tcase_add_test(t, test_reset_cancelsTimerAndLowersIrq);
	tcase_add_test(t, test_controlPort_readsAllOnesAndFuzzDoesNotCrash);
	tcase_add_test(t, test_portB_gateBitRunsCounter2AndBit5ShowsItsOut);
	tcase_add_test(t, test_portB_refreshBitTogglesEvery15us);
	tcase_add_test(t, test_wordAccess_isTwoConsecutivePorts);
	tcase_add_test(t, test_saveLoad_secondPitCountsAndInterruptsTheSame);
	tcase_add_test(t, test_saveLoad_refusesBadBytesAndKeepsItsState);
	tcase_add_test(t, test_saveLoad_owedPeriodsAreStillDelivered);
	tcase_add_test(t, test_saveLoad_version1OwesNothingAndBigBacklogRefused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pit_suite());
}
