/* hpet: the capabilities Linux checks (period, comparators, no legacy
 * route), the main counter at 100 MHz on the virtual clock (halted at
 * power-on, started and stopped by the configuration register, written
 * whole or by halves), comparators that keep their registers and never
 * interrupt, reset, save/load, and a seeded fuzz of the registers. */
#include <check.h>

#include "hv/core/clock.h"
#include "hv/core/state.h"
#include "legacy/hpet.h"

#include "unit.h"

static struct vclock clk;
static struct hpet h;

/* The clock stays stopped: tests move it with set_ns. */
static void set_ns(int64_t ns)
{
	ck_assert_int_eq(vclock_restore(&clk, ns), 0);
}

static uint64_t rd(uint64_t off, unsigned size)
{
	return hpet_mmio_ops.read(&h, off, size);
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	hpet_mmio_ops.write(&h, off, size, v);
}

static void setup(void)
{
	vclock_init(&clk);
	set_ns(5000);
	hpet_init(&h, &clk);
}

/* 10 ns a tick (Linux takes 0.1-100 ns), three comparators, a 64-bit
 * counter, no legacy replacement route (so Linux keeps the PIT for its
 * tick and uses the HPET as a clock only). */
START_TEST(test_capabilities)
{
	uint64_t id = rd(HPET_ID, 8);

	ck_assert_uint_eq(id >> 32, 10000000u);
	ck_assert_uint_eq(rd(HPET_ID + 4, 4), 10000000u);
	ck_assert_uint_eq((uint32_t)id, HPET_CAPS_LOW);
	ck_assert_uint_eq(id & 0xff, 1);	/* revision */
	ck_assert_uint_eq((id >> 8) & 0x1f, 2); /* comparators - 1 */
	ck_assert_uint_eq((id >> 13) & 1, 1);	/* 64-bit counter */
	ck_assert_uint_eq((id >> 15) & 1, 0);	/* no legacy route */
	ck_assert_uint_eq((id >> 16) & 0xffff, 0x8086);
	wr(HPET_ID, 8, 0);
	ck_assert_uint_eq(rd(HPET_ID, 8), id); /* read-only */
}
END_TEST

START_TEST(test_counter_is_halted_until_enabled)
{
	ck_assert_uint_eq(rd(HPET_CONFIG, 8), 0);
	set_ns(1000000);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 0);
	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	ck_assert_uint_eq(rd(HPET_CONFIG, 4), HPET_CFG_ENABLE);
	set_ns(1000000 + 12345670);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 1234567);
	ck_assert_uint_eq(hpet_counter(&h), 1234567);
}
END_TEST

/* Stopping keeps the count; starting again goes on from it. */
START_TEST(test_counter_stops_and_resumes)
{
	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	set_ns(5000 + 1000);
	wr(HPET_CONFIG, 4, 0);
	set_ns(900000);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 100);
	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	set_ns(900000 + 500);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 150);
}
END_TEST

/* Linux zeroes it by halves (two 32-bit writes) while it is halted; a
 * 32-bit guest reads the low half. */
START_TEST(test_counter_written_and_read_by_halves)
{
	wr(HPET_COUNTER, 4, 0xdeadbeef);
	wr(HPET_COUNTER + 4, 4, 0x12);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 0x12deadbeefull);
	ck_assert_uint_eq(rd(HPET_COUNTER, 4), 0xdeadbeef);
	ck_assert_uint_eq(rd(HPET_COUNTER + 4, 4), 0x12);
	wr(HPET_COUNTER, 4, 0);
	wr(HPET_COUNTER + 4, 4, 0);
	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	set_ns(5000 + 10ll * 0x100000000ll);
	ck_assert_uint_eq(rd(HPET_COUNTER + 4, 4), 1); /* carried into the high half */
	ck_assert_uint_eq(rd(HPET_COUNTER, 4), 0);
}
END_TEST

/* The legacy route bit cannot be set (no such capability); the status
 * register never shows an interrupt. */
START_TEST(test_config_keeps_only_enable)
{
	wr(HPET_CONFIG, 8, ~0ull);
	ck_assert_uint_eq(rd(HPET_CONFIG, 8), HPET_CFG_ENABLE);
	wr(HPET_STATUS, 8, ~0ull);
	ck_assert_uint_eq(rd(HPET_STATUS, 8), 0);
}
END_TEST

/* A comparator keeps what is written (Linux clears each timer's
 * interrupt enable at boot, reading it back first), reports 64-bit
 * comparators and no interrupt routes, and never interrupts. */
START_TEST(test_comparators_keep_their_registers)
{
	uint64_t t1 = HPET_TIMER0 + 0x20;

	ck_assert_uint_eq(rd(t1, 8), 1u << 5);
	ck_assert_uint_eq(rd(t1 + 4, 4), 0); /* no I/O APIC routes */
	wr(t1, 4, ~0u);
	ck_assert_uint_eq(rd(t1, 4), (1u << 5) | 0x7f0eu);
	wr(t1 + 8, 8, 0x1122334455667788ull);
	ck_assert_uint_eq(rd(t1 + 8, 8), 0x1122334455667788ull);
	wr(t1 + 0x10, 4, 0xabc);
	ck_assert_uint_eq(rd(t1 + 0x10, 4), 0xabc);
	ck_assert_uint_eq(rd(HPET_TIMER0 + 3 * 0x20, 8), 0); /* no fourth timer */
	ck_assert_uint_eq(rd(0x3f8, 8), 0);		     /* reserved */
}
END_TEST

START_TEST(test_odd_accesses_are_ignored)
{
	wr(HPET_COUNTER + 2, 4, 0xffffffff); /* unaligned */
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 0);
	ck_assert_uint_eq(rd(HPET_ID + 2, 4), 0xffffffff);
}
END_TEST

START_TEST(test_reset_halts_and_clears)
{
	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	wr(HPET_TIMER0 + 8, 8, 7);
	set_ns(100000);
	hpet_device_ops.reset(&h);
	ck_assert_uint_eq(rd(HPET_CONFIG, 8), 0);
	ck_assert_uint_eq(rd(HPET_COUNTER, 8), 0);
	ck_assert_uint_eq(rd(HPET_TIMER0 + 8, 8), ~0ull);
}
END_TEST

/* A restore goes on counting from the saved count. */
START_TEST(test_save_load_round_trip)
{
	struct state_out o = {0};
	struct state_in in;
	struct hpet back;

	wr(HPET_CONFIG, 4, HPET_CFG_ENABLE);
	wr(HPET_TIMER0 + 0x28, 8, 99);
	set_ns(5000 + 2000);
	hpet_device_ops.save(&h, &o);
	ck_assert(!o.failed);
	hpet_init(&back, &clk);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(hpet_device_ops.load(&back, &in, 1), 0);
	set_ns(5000 + 3000);
	ck_assert_uint_eq(hpet_mmio_ops.read(&back, HPET_COUNTER, 8), 300);
	ck_assert_uint_eq(hpet_mmio_ops.read(&back, HPET_CONFIG, 8), HPET_CFG_ENABLE);
	ck_assert_uint_eq(hpet_mmio_ops.read(&back, HPET_TIMER0 + 0x28, 8), 99);

	/* Short, or a configuration bit that does not exist: refused. */
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(hpet_device_ops.load(&back, &in, 1), -1);
	o.p[1] = 0x80;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(hpet_device_ops.load(&back, &in, 1), -1);
	state_out_free(&o);
}
END_TEST

/* Random accesses anywhere in the page: no crash, the capabilities stay. */
START_TEST(test_fuzz_registers)
{
	unit_seed((uint32_t)_i);
	for (int k = 0; k < 2000; k++) {
		static const unsigned sizes[] = {1, 2, 4, 8};
		uint64_t off = unit_rand() % HPET_MMIO_LEN;
		unsigned size = sizes[unit_rand() % 4];
		uint64_t v = (uint64_t)unit_rand() << 32 | unit_rand();

		if (unit_rand() % 2)
			wr(off, size, v);
		else
			(void)rd(off, size);
		set_ns(5000 + k * 7);
	}
	ck_assert_uint_eq(rd(HPET_ID, 4), HPET_CAPS_LOW);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_capabilities,
	    test_counter_is_halted_until_enabled,
	    test_counter_stops_and_resumes,
	    test_counter_written_and_read_by_halves,
	    test_config_keeps_only_enable,
	    test_comparators_keep_their_registers,
	    test_odd_accesses_are_ignored,
	    test_reset_halts_and_clears,
	    test_save_load_round_trip,
	};

	return unit_run(unit_suite("hpet", "core", setup, NULL, tests, UNIT_COUNT(tests),
				   test_fuzz_registers, 8));
}
