/* The KVM vCPU's timer: armed for hv's next timer deadline, for the end
 * of the slice only while guest output waits, and otherwise only at the
 * 100 ms bound (each firing is an exit to userspace); touched only when
 * that changes. */
#include <stdint.h>

#include "hv/kvm/kvm.h"
#include "unit.h"

#define NOW   1000000000LL
#define SLICE (NOW + KVM_SLICE_NS)
#define BOUND (NOW + KVM_BOUND_NS) /* NOW is a multiple of it */

START_TEST(test_no_deadline_and_no_output_wants_the_bound_alone)
{
	ck_assert_int_eq(kvm_timer_want(NOW, INT64_MAX, SLICE, false), BOUND);
	/* the same time through the stretch: the timer stays as armed */
	ck_assert_int_eq(kvm_timer_want(NOW + 1, INT64_MAX, SLICE + 1, false), BOUND);
	ck_assert_int_eq(kvm_timer_want(BOUND - 1, INT64_MAX, SLICE, false), BOUND);
	ck_assert_int_eq(kvm_timer_want(BOUND, INT64_MAX, SLICE, false), BOUND + KVM_BOUND_NS);
	ck_assert(
	    !kvm_timer_rearm(NOW + 1, BOUND, kvm_timer_want(NOW + 1, INT64_MAX, SLICE, false)));
}
END_TEST

START_TEST(test_a_deadline_is_wanted_up_to_the_bound)
{
	ck_assert_int_eq(kvm_timer_want(NOW, 5000, SLICE, false), NOW + 5000);
	ck_assert_int_eq(kvm_timer_want(NOW, KVM_BOUND_NS - 1, SLICE, false), BOUND - 1);
	ck_assert_int_eq(kvm_timer_want(NOW, 60000000000LL, SLICE, false), BOUND);
	/* Past INT64_MAX: as none. */
	ck_assert_int_eq(kvm_timer_want(NOW, INT64_MAX - 10, SLICE, false), BOUND);
}
END_TEST

START_TEST(test_waiting_output_bounds_it_by_the_slice)
{
	ck_assert_int_eq(kvm_timer_want(NOW, INT64_MAX, SLICE, true), SLICE);
	ck_assert_int_eq(kvm_timer_want(NOW, 2 * KVM_SLICE_NS, SLICE, true), SLICE);
	ck_assert_int_eq(kvm_timer_want(NOW, 5000, SLICE, true), NOW + 5000);
}
END_TEST

START_TEST(test_the_timer_is_armed_again_only_on_a_change)
{
	/* Never armed, or fired: arm. */
	ck_assert(kvm_timer_rearm(NOW, 0, NOW + 5));
	ck_assert(kvm_timer_rearm(NOW, NOW - 1, NOW + 5));
	ck_assert(kvm_timer_rearm(NOW, NOW, NOW + 5));
	/* Armed for just that: leave it. */
	ck_assert(!kvm_timer_rearm(NOW, NOW + 5, NOW + 5));
	/* Armed for earlier (a deadline moved later) or later: re-arm, an
	 * early firing would be a needless exit. */
	ck_assert(kvm_timer_rearm(NOW, NOW + 5, NOW + 9));
	ck_assert(kvm_timer_rearm(NOW, NOW + 9, NOW + 5));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_no_deadline_and_no_output_wants_the_bound_alone,
	    test_a_deadline_is_wanted_up_to_the_bound,
	    test_waiting_output_bounds_it_by_the_slice,
	    test_the_timer_is_armed_again_only_on_a_change,
	};

	return unit_run(
	    unit_suite("kvm_timer", "plan", NULL, NULL, tests, UNIT_COUNT(tests), NULL, 0));
}
