/* The typist (hv/core/typist.h) on a stopped clock whose time the test sets:
 * events leave one per interval, in order, only when the keyboard is
 * ready, and a request that does not fit is refused whole. */
#include <check.h>
#include <stdint.h>

#include "hv/core/typist.h"

#include "unit.h"

#define MS 1000000

static struct fake_kbd {
	bool ready;
	bool refuse;
	struct input_key got[64];
	int64_t at[64]; /* guest time of each delivery */
	unsigned n;
	struct vclock *clock;
} kbd;

static bool fake_ready(void *opaque)
{
	return ((struct fake_kbd *)opaque)->ready;
}

static int fake_deliver(void *opaque, const struct input_key *key)
{
	struct fake_kbd *k = opaque;

	if (k->refuse)
		return -1;
	k->at[k->n] = vclock_now(k->clock);
	k->got[k->n++] = *key;
	return 0;
}

static const struct typist_ops fake_ops = {.ready = fake_ready, .deliver = fake_deliver};

static struct vclock clk;
static struct typist typist;

static void setup(void)
{
	vclock_init(&clk);
	kbd = (struct fake_kbd){.ready = true, .clock = &clk};
	typist_init(&typist, &clk, 10 * MS, &fake_ops, &kbd);
}

static void teardown(void)
{
	typist_fini(&typist);
}

/* Moves the stopped clock to `now` and runs what is due. */
static void run_at(int64_t now)
{
	clk.base_virt = now;
	vclock_run_expired(&clk);
}

static const struct input_key five[] = {{30, true}, {30, false}, {48, true}, {48, false}, {28, 1}};

START_TEST(test_events_leave_one_per_interval_in_order)
{
	ck_assert_int_eq(typist_push(&typist, five, 5), 0);
	ck_assert_int_eq(vclock_next_deadline(&clk), 0);
	for (int64_t t = 0; t <= 60 * MS; t += MS)
		run_at(t);
	ck_assert_uint_eq(kbd.n, 5);
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_uint_eq(kbd.got[i].code, five[i].code);
		ck_assert_int_eq(kbd.got[i].down, five[i].down);
		ck_assert_int_eq(kbd.at[i], (int64_t)i * 10 * MS);
	}
	ck_assert_uint_eq(typist.typed, 5);
	ck_assert_int_eq(vclock_next_deadline(&clk), INT64_MAX); /* idle: no timer */
}
END_TEST

START_TEST(test_nothing_leaves_before_its_interval)
{
	ck_assert_int_eq(typist_push(&typist, five, 2), 0);
	run_at(0);
	run_at(9 * MS);
	ck_assert_uint_eq(kbd.n, 1);
	run_at(10 * MS);
	ck_assert_uint_eq(kbd.n, 2);
	/* Queued after a pause shorter than the interval: it still waits for
	 * the interval since the last event. */
	run_at(13 * MS);
	ck_assert_int_eq(typist_push(&typist, five + 2, 1), 0);
	ck_assert_int_eq(vclock_next_deadline(&clk), 20 * MS);
	run_at(19 * MS);
	ck_assert_uint_eq(kbd.n, 2);
	run_at(20 * MS);
	ck_assert_uint_eq(kbd.n, 3);
	/* After a long idle time the next event goes at once. */
	run_at(500 * MS);
	ck_assert_int_eq(typist_push(&typist, five + 3, 1), 0);
	ck_assert_int_eq(vclock_next_deadline(&clk), 500 * MS);
}
END_TEST

START_TEST(test_a_keyboard_not_ready_holds_the_queue)
{
	kbd.ready = false;
	ck_assert_int_eq(typist_push(&typist, five, 3), 0);
	for (int64_t t = 0; t <= 100 * MS; t += 5 * MS)
		run_at(t);
	ck_assert_uint_eq(kbd.n, 0);
	ck_assert_int_le(vclock_next_deadline(&clk), 110 * MS); /* still asking */
	kbd.ready = true;
	for (int64_t t = 100 * MS; t <= 200 * MS; t += 5 * MS)
		run_at(t);
	ck_assert_uint_eq(kbd.n, 3);
	ck_assert_uint_eq(kbd.got[0].code, 30);
	ck_assert_uint_eq(kbd.got[2].code, 48);
}
END_TEST

START_TEST(test_a_request_that_does_not_fit_is_refused_whole)
{
	static struct input_key many[TYPIST_MAX];

	for (size_t i = 0; i < TYPIST_MAX; i++)
		many[i] = (struct input_key){(uint16_t)(i % 2 ? 30 : 48), true};
	ck_assert_int_eq(typist_push(&typist, many, TYPIST_MAX - 1), 0);
	ck_assert_uint_eq(typist_room(&typist), 1);
	ck_assert_int_eq(typist_push(&typist, five, 2), -1);
	ck_assert_uint_eq(typist_room(&typist), 1);
	ck_assert_int_eq(typist_push(&typist, five + 4, 1), 0);
	ck_assert_uint_eq(typist_room(&typist), 0);
	run_at(0);
	ck_assert_uint_eq(typist_room(&typist), 1);
	ck_assert_uint_eq(kbd.got[0].code, 48);
}
END_TEST

START_TEST(test_clear_forgets_the_queue_and_stops_the_timer)
{
	ck_assert_int_eq(typist_push(&typist, five, 5), 0);
	run_at(0);
	typist_clear(&typist);
	ck_assert_uint_eq(typist_room(&typist), TYPIST_MAX);
	ck_assert_int_eq(vclock_next_deadline(&clk), INT64_MAX);
	run_at(100 * MS);
	ck_assert_uint_eq(kbd.n, 1);
}
END_TEST

START_TEST(test_a_refused_event_is_counted_and_typing_goes_on)
{
	kbd.refuse = true;
	ck_assert_int_eq(typist_push(&typist, five, 2), 0);
	run_at(0);
	kbd.refuse = false;
	run_at(10 * MS);
	ck_assert_uint_eq(typist.refused, 1);
	ck_assert_uint_eq(typist.typed, 1);
	ck_assert_uint_eq(kbd.n, 1);
	ck_assert_int_eq(kbd.got[0].down, false);
}
END_TEST

static Suite *typist_suite(void)
{
	Suite *s = suite_create("typist");
	TCase *t = tcase_create("pace");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_events_leave_one_per_interval_in_order);
	tcase_add_test(t, test_nothing_leaves_before_its_interval);
	tcase_add_test(t, test_a_keyboard_not_ready_holds_the_queue);
	tcase_add_test(t, test_a_request_that_does_not_fit_is_refused_whole);
	tcase_add_test(t, test_clear_forgets_the_queue_and_stops_the_timer);
	tcase_add_test(t, test_a_refused_event_is_counted_and_typing_goes_on);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(typist_suite());
}
