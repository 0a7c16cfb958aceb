/* The event loop (hv/core/evloop.h): descriptors wake their callbacks with
 * what poll() saw, a callback may remove its own and other sources and
 * add new ones, timers fire once at their deadline, hooks run every round
 * and bound the wait. */
#include <poll.h>
#include <unistd.h>

#include "hv/core/clock.h"
#include "hv/core/evloop.h"
#include "unit.h"

struct probe {
	struct evloop *l;
	int fd;
	int handle;
	int calls;
	short last;
	int remove_other; /* a handle this one removes when it runs */
	bool remove_self;
};

static void probe_ready(void *opaque, int fd, short revents)
{
	struct probe *p = opaque;
	char c;

	ck_assert_int_eq(fd, p->fd < 0 ? fd : p->fd);
	p->calls++;
	p->last = revents;
	if (revents & POLLIN && read(p->fd, &c, 1) < 0)
		ck_abort_msg("read");
	if (p->remove_self)
		evloop_remove_fd(p->l, p->handle);
	if (p->remove_other)
		evloop_remove_fd(p->l, p->remove_other);
}

static const struct evloop_source_ops probe_ops = {.ready = probe_ready};

static short want_out(void *opaque)
{
	(void)opaque;
	return POLLOUT;
}

static const struct evloop_source_ops out_ops = {.events = want_out, .ready = probe_ready};

/* Every test's loop and two pipes (read end [0], write end [1]). */
static struct evloop *l;
static int a[2], b[2];

static void setup(void)
{
	l = evloop_create();
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
}

static void teardown(void)
{
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	evloop_free(l);
}

START_TEST(test_a_readable_descriptor_calls_its_callback)
{
	struct probe pr = {.l = l};

	pr.fd = a[0];
	pr.handle = evloop_add_fd(l, a[0], &probe_ops, &pr);
	ck_assert_int_gt(pr.handle, 0);
	ck_assert_int_eq(evloop_run_once(l, 0), 0);
	ck_assert_int_eq(pr.calls, 0);
	ck_assert_int_eq(write(a[1], "x", 1), 1);
	ck_assert_int_eq(evloop_run_once(l, 1000), 0);
	ck_assert_int_eq(pr.calls, 1);
	ck_assert(pr.last & POLLIN);
}
END_TEST

START_TEST(test_events_callback_chooses_what_to_wait_for)
{
	struct probe pr = {.l = l};

	pr.fd = a[1];
	evloop_add_fd(l, a[1], &out_ops, &pr);
	ck_assert_int_eq(evloop_run_once(l, 1000), 0);
	ck_assert_int_eq(pr.calls, 1);
	ck_assert(pr.last & POLLOUT);
}
END_TEST

START_TEST(test_a_source_removed_in_the_round_is_not_called)
{
	struct probe pa = {.l = l}, pb = {.l = l};

	pa.fd = a[0];
	pb.fd = b[0];
	pa.handle = evloop_add_fd(l, a[0], &probe_ops, &pa);
	pb.handle = evloop_add_fd(l, b[0], &probe_ops, &pb);
	pa.remove_other = pb.handle;
	pa.remove_self = true;
	ck_assert_int_eq(write(a[1], "x", 1), 1);
	ck_assert_int_eq(write(b[1], "x", 1), 1);
	ck_assert_int_eq(evloop_run_once(l, 1000), 0);
	ck_assert_int_eq(pa.calls, 1);
	ck_assert_int_eq(pb.calls, 0);
	/* Both are gone for good. */
	ck_assert_int_eq(write(a[1], "x", 1), 1);
	ck_assert_int_eq(evloop_run_once(l, 0), 0);
	ck_assert_int_eq(pa.calls + pb.calls, 1);
}
END_TEST

static int fired[4];

static void fire(void *opaque)
{
	fired[*(int *)opaque]++;
}

START_TEST(test_timers_fire_once_at_their_deadline_and_can_be_cancelled)
{
	int ids[3] = {0, 1, 2};
	int64_t now = host_now_ns();
	int t2;

	fired[0] = fired[1] = fired[2] = 0;
	evloop_add_timer(l, now, fire, &ids[0]);
	evloop_add_timer(l, now + 30 * 1000000LL, fire, &ids[1]);
	t2 = evloop_add_timer(l, now + 10 * 1000000LL, fire, &ids[2]);
	evloop_cancel_timer(l, t2);
	ck_assert_int_eq(evloop_run_once(l, -1), 0);
	ck_assert_int_eq(fired[0], 1);
	ck_assert_int_eq(fired[1], 0);
	/* With nothing else to wait for, the next round sleeps until timer 1. */
	ck_assert_int_eq(evloop_run_once(l, -1), 0);
	ck_assert_int_eq(fired[1], 1);
	ck_assert_int_ge(host_now_ns() - now, 30 * 1000000LL);
	ck_assert_int_eq(evloop_run_once(l, 0), 0);
	ck_assert_int_eq(fired[0] + fired[1] + fired[2], 2);
}
END_TEST

static int hook_runs;

static int hook_timeout(void *opaque)
{
	(void)opaque;
	return 5;
}

static void hook_run(void *opaque)
{
	(void)opaque;
	hook_runs++;
}

static const struct evloop_hook_ops hook_ops = {hook_timeout, hook_run};

START_TEST(test_hooks_run_every_round_and_bound_the_wait)
{
	int h;

	hook_runs = 0;
	h = evloop_add_hook(l, &hook_ops, NULL);
	/* No source, no timer: only the hook's 5 ms keeps this from hanging. */
	ck_assert_int_eq(evloop_run_once(l, -1), 0);
	ck_assert_int_eq(evloop_run_once(l, -1), 0);
	ck_assert_int_eq(hook_runs, 2);
	evloop_remove_hook(l, h);
	ck_assert_int_eq(evloop_run_once(l, 0), 0);
	ck_assert_int_eq(hook_runs, 2);
}
END_TEST

START_TEST(test_many_sources_grow_the_tables)
{
	struct probe pr[100];

	for (int i = 0; i < 100; i++) {
		pr[i] = (struct probe){.l = l, .fd = -1};
		ck_assert_int_gt(evloop_add_fd(l, a[1], &out_ops, &pr[i]), 0);
	}
	ck_assert_int_eq(evloop_run_once(l, 1000), 0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(pr[i].calls, 1);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_a_readable_descriptor_calls_its_callback,
	    test_events_callback_chooses_what_to_wait_for,
	    test_a_source_removed_in_the_round_is_not_called,
	    test_timers_fire_once_at_their_deadline_and_can_be_cancelled,
	    test_hooks_run_every_round_and_bound_the_wait,
	    test_many_sources_grow_the_tables,
	};

	return unit_run(
	    unit_suite("evloop", "loop", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
