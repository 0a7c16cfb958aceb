#include "hv/core/typist.h"

#include "hv/core/log.h"

static void tick(void *opaque);

void typist_init(struct typist *t, struct vclock *c, int64_t interval, const struct typist_ops *ops,
		 void *opaque)
{
	t->head = t->len = 0;
	t->interval = interval;
	t->next_at = 0;
	t->ops = ops;
	t->opaque = opaque;
	t->typed = t->refused = 0;
	vtimer_init(&t->timer, c, tick, t);
}

void typist_fini(struct typist *t)
{
	vtimer_cancel(&t->timer);
}

void typist_clear(struct typist *t)
{
	vtimer_cancel(&t->timer);
	t->head = t->len = 0;
}

size_t typist_room(const struct typist *t)
{
	return TYPIST_MAX - t->len;
}

/* The next event is due at next_at, or now if that has passed. */
static void arm(struct typist *t)
{
	int64_t now = vclock_now(t->timer.clock);

	vtimer_arm(&t->timer, t->next_at > now ? t->next_at : now);
}

int typist_push(struct typist *t, const struct input_key *keys, size_t n)
{
	if (n > typist_room(t))
		return -1;
	for (size_t i = 0; i < n; i++)
		t->queue[(t->head + t->len++) % TYPIST_MAX] = keys[i];
	if (t->len && !t->timer.armed)
		arm(t);
	return 0;
}

/* One event if the keyboard is ready, then the timer again while events
 * wait. A keyboard that is not ready (the guest has not read the last
 * one, or has scanning off) is asked again an interval later. */
static void tick(void *opaque)
{
	struct typist *t = opaque;
	int64_t now = vclock_now(t->timer.clock);

	if (!t->len)
		return;
	if (t->ops->ready(t->opaque)) {
		if (t->ops->deliver(t->opaque, &t->queue[t->head]) < 0) {
			t->refused++;
			log_warn("typist: the keyboard refused key %u", t->queue[t->head].code);
		} else {
			t->typed++;
		}
		t->head = (t->head + 1) % TYPIST_MAX;
		t->len--;
	}
	t->next_at = now + t->interval;
	if (t->len)
		vtimer_arm(&t->timer, t->next_at);
}
