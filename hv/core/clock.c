#include "hv/core/clock.h"

#include <time.h>

int64_t host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vclock_init(struct vclock *c)
{
	*c = (struct vclock){0};
}

void vclock_start(struct vclock *c)
{
	if (c->running)
		return;
	c->base_host = host_now_ns();
	c->running = true;
}

void vclock_stop(struct vclock *c)
{
	if (!c->running)
		return;
	c->base_virt = vclock_now(c);
	c->running = false;
}

int64_t vclock_now(const struct vclock *c)
{
	if (!c->running)
		return c->base_virt;
	return c->base_virt + (host_now_ns() - c->base_host);
}

int vclock_restore(struct vclock *c, int64_t ns)
{
	if (c->running || ns < 0 || ns > VCLOCK_NS_MAX)
		return -1;
	c->base_virt = ns;
	return 0;
}

void vtimer_init(struct vtimer *t, struct vclock *c, void (*fn)(void *opaque), void *opaque)
{
	*t = (struct vtimer){.clock = c, .fn = fn, .opaque = opaque};
}

static void unlink_timer(struct vtimer *t)
{
	struct vtimer **pp = &t->clock->timers;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	t->next = NULL;
	t->armed = false;
}

void vtimer_arm(struct vtimer *t, int64_t deadline)
{
	struct vclock *c = t->clock;
	struct vtimer **pp = &c->timers;

	if (t->armed)
		unlink_timer(t);
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->deadline = deadline;
	t->next = *pp;
	t->armed = true;
	*pp = t;
	if (c->timers == t && c->notify)
		c->notify(c->notify_opaque);
}

void vtimer_cancel(struct vtimer *t)
{
	if (t->armed)
		unlink_timer(t);
}

int64_t vclock_next_deadline(const struct vclock *c)
{
	return c->timers ? c->timers->deadline : INT64_MAX;
}

int vclock_run_expired(struct vclock *c)
{
	int ran = 0;
	int64_t now = vclock_now(c);

	while (c->timers && c->timers->deadline <= now) {
		struct vtimer *t = c->timers;
		unlink_timer(t);
		t->fn(t->opaque);
		ran++;
	}
	return ran;
}

int64_t vclock_host_delay(const struct vclock *c, int64_t deadline)
{
	int64_t now;

	if (!c->running || deadline == INT64_MAX)
		return INT64_MAX;
	now = vclock_now(c);
	return deadline > now ? deadline - now : 0;
}
