/* Typing at a typist's pace: host key events queued by `hv send-keys`
 * go into the guest's keyboard one at a time, a fixed interval of guest
 * (virtual) time apart, and only when the keyboard has passed on what it
 * had. A BIOS that collects keys by interrupt into a 15-key buffer keeps
 * up at that pace, where a burst would overflow it. Live input (a viewer)
 * does not come through here: a person is paced already.
 *
 * The typist knows no device: ops say whether the keyboard is ready for
 * the next event and deliver it. Everything runs under the domain lock. */
#ifndef HV_TYPIST_H
#define HV_TYPIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/clock.h"
#include "hv/core/input.h"

#define TYPIST_MAX	   2048	    /* key events waiting: ~800 characters of text */
#define TYPIST_INTERVAL_NS 10000000 /* 10 ms of guest time per press or release */

struct typist_ops {
	/* The keyboard has nothing of ours left and the guest has read it. */
	bool (*ready)(void *opaque);
	/* Hands over one event; returns 0, or -1 if the keyboard refused it
	 * (it is dropped and counted). */
	int (*deliver)(void *opaque, const struct input_key *key);
};

struct typist {
	struct input_key queue[TYPIST_MAX]; /* a ring of events not yet typed */
	size_t head, len;
	int64_t interval;    /* guest ns between two events */
	int64_t next_at;     /* guest ns before which the next event must wait */
	struct vtimer timer; /* armed while the queue is not empty */
	const struct typist_ops *ops;
	void *opaque;
	uint64_t typed;	  /* events delivered */
	uint64_t refused; /* events the keyboard refused */
};

/* An empty typist on clock c, typing one event each `interval` ns. */
void typist_init(struct typist *t, struct vclock *c, int64_t interval, const struct typist_ops *ops,
		 void *opaque);

/* Cancels the timer; the typist may then be freed. */
void typist_fini(struct typist *t);

/* Forgets every queued event (a reset of the machine). */
void typist_clear(struct typist *t);

/* Free places in the queue. */
size_t typist_room(const struct typist *t);

/* Queues n events, all of them or none. Returns 0, or -1 when fewer than
 * n places are free. */
int typist_push(struct typist *t, const struct input_key *keys, size_t n);

#endif
