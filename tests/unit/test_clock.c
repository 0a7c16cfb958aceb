/* The virtual clock and its timers. */
#include <check.h>
#include <stdlib.h>
#include <unistd.h>

#include "hv/core/clock.h"

#include "unit.h"

static int fired[8];
static int order[8];
static int nfired;

static void record(void *opaque)
{
	int id = (int)(long)opaque;

	fired[id]++;
	order[nfired++] = id;
}

static void reset_records(void)
{
	for (int i = 0; i < 8; i++)
		fired[i] = order[i] = 0;
	nfired = 0;
}

START_TEST(test_stopped_clock_stands_still)
{
	struct vclock c;
	int64_t t0;

	vclock_init(&c);
	vclock_start(&c);
	usleep(2000);
	vclock_stop(&c);
	t0 = vclock_now(&c);
	ck_assert_int_ge(t0, 2000000);
	usleep(5000);
	ck_assert_int_eq(vclock_now(&c), t0);
	vclock_start(&c);
	usleep(1000);
	ck_assert_int_gt(vclock_now(&c), t0);
	/* Time lost while stopped is not made up. */
	ck_assert_int_lt(vclock_now(&c) - t0, 5000000 + 1000000 * 100);
}
END_TEST

START_TEST(test_timers_fire_in_deadline_order_once)
{
	struct vclock c;
	struct vtimer a, b, d;

	reset_records();
	vclock_init(&c);
	vtimer_init(&a, &c, record, (void *)1L);
	vtimer_init(&b, &c, record, (void *)2L);
	vtimer_init(&d, &c, record, (void *)3L);
	vtimer_arm(&a, 300);
	vtimer_arm(&b, 100);
	vtimer_arm(&d, 200);
	ck_assert_int_eq(vclock_next_deadline(&c), 100);
	c.base_virt = 250; /* a stopped clock reads base_virt */
	ck_assert_int_eq(vclock_run_expired(&c), 2);
	ck_assert_int_eq(order[0], 2);
	ck_assert_int_eq(order[1], 3);
	ck_assert_int_eq(vclock_next_deadline(&c), 300);
	c.base_virt = 1000;
	ck_assert_int_eq(vclock_run_expired(&c), 1);
	ck_assert_int_eq(vclock_run_expired(&c), 0);
	ck_assert_int_eq(fired[1] + fired[2] + fired[3], 3);
}
END_TEST

START_TEST(test_rearming_moves_a_timer_and_cancel_removes_it)
{
	struct vclock c;
	struct vtimer a, b;

	reset_records();
	vclock_init(&c);
	vtimer_init(&a, &c, record, (void *)1L);
	vtimer_init(&b, &c, record, (void *)2L);
	vtimer_arm(&a, 100);
	vtimer_arm(&b, 200);
	vtimer_arm(&a, 300);
	ck_assert_int_eq(vclock_next_deadline(&c), 200);
	vtimer_cancel(&b);
	vtimer_cancel(&b);
	ck_assert_int_eq(vclock_next_deadline(&c), 300);
	vtimer_cancel(&a);
	ck_assert_int_eq(vclock_next_deadline(&c), INT64_MAX);
	c.base_virt = 1000;
	ck_assert_int_eq(vclock_run_expired(&c), 0);
}
END_TEST

static struct vtimer periodic;
static int periodic_runs;

static void rearm_self(void *opaque)
{
	struct vclock *c = opaque;

	if (++periodic_runs < 5)
		vtimer_arm(&periodic, periodic.deadline + 10);
	(void)c;
}

START_TEST(test_callback_may_rearm_itself_without_looping_forever)
{
	struct vclock c;

	vclock_init(&c);
	periodic_runs = 0;
	vtimer_init(&periodic, &c, rearm_self, &c);
	vtimer_arm(&periodic, 10);
	c.base_virt = 25;
	/* 10 and 20 are due; 30 is not yet. */
	ck_assert_int_eq(vclock_run_expired(&c), 2);
	ck_assert_int_eq(vclock_next_deadline(&c), 30);
}
END_TEST

static int notified;

static void note(void *opaque)
{
	(void)opaque;
	notified++;
}

START_TEST(test_notify_only_when_the_soonest_deadline_moves_earlier)
{
	struct vclock c;
	struct vtimer a, b;

	vclock_init(&c);
	c.notify = note;
	notified = 0;
	vtimer_init(&a, &c, record, NULL);
	vtimer_init(&b, &c, record, NULL);
	vtimer_arm(&a, 100);
	ck_assert_int_eq(notified, 1);
	vtimer_arm(&b, 200);
	ck_assert_int_eq(notified, 1);
	vtimer_arm(&b, 50);
	ck_assert_int_eq(notified, 2);
}
END_TEST

START_TEST(test_host_delay_of_a_stopped_clock_is_infinite)
{
	struct vclock c;

	vclock_init(&c);
	ck_assert_int_eq(vclock_host_delay(&c, 100), INT64_MAX);
	vclock_start(&c);
	ck_assert_int_eq(vclock_host_delay(&c, INT64_MAX), INT64_MAX);
	ck_assert_int_eq(vclock_host_delay(&c, 0), 0);
	ck_assert_int_gt(vclock_host_delay(&c, vclock_now(&c) + 1000000000), 900000000);
}
END_TEST

static Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *t = tcase_create("vclock");

	tcase_add_test(t, test_stopped_clock_stands_still);
	tcase_add_test(t, test_timers_fire_in_deadline_order_once);
	tcase_add_test(t, test_rearming_moves_a_timer_and_cancel_removes_it);
	tcase_add_test(t, test_callback_may_rearm_itself_without_looping_forever);
	tcase_add_test(t, test_notify_only_when_the_soonest_deadline_moves_earlier);
	tcase_add_test(t, test_host_delay_of_a_stopped_clock_is_infinite);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(clock_suite());
}
