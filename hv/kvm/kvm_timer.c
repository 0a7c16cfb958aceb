/* When the vCPU's one-shot timer should bring it out of KVM_RUN. An exit
 * to userspace is dear (under nested SVM most of all), so the timer is
 * armed only for what needs the vCPU loop: hv's next timer deadline (the
 * vCPU thread runs hv's device timers between runs), and the end of the
 * slice while guest output waits to be written, and never later than the
 * bound (a pending interrupt a nested SVM gave no window exit for is then
 * looked at again: run.c's recheck_interrupts). Kicks, requests, pauses
 * and earlier deadlines armed by other threads signal the thread
 * themselves. */
#include "hv/kvm/kvm.h"

int64_t kvm_timer_want(int64_t now, int64_t delay, int64_t slice_end, bool output_waits)
{
	int64_t want = delay == INT64_MAX || delay > INT64_MAX - now ? INT64_MAX : now + delay;
	int64_t bound = (now / KVM_BOUND_NS + 1) * KVM_BOUND_NS;

	if (output_waits && slice_end < want)
		want = slice_end;
	return want < bound ? want : bound;
}

bool kvm_timer_rearm(int64_t now, int64_t armed, int64_t want)
{
	bool pending = armed > now; /* else it fired, or was never armed */

	return !pending || armed != want;
}
