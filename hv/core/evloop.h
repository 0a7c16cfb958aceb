/* The domain's event loop: one thread waiting in poll() on whatever the
 * backends registered (control clients, consoles, host serial ends,
 * viewers, network, audio, migration streams), each a file descriptor with
 * a callback, plus timers on the host's monotonic clock. The loop knows
 * none of them by name. Callbacks run on the loop's thread, may add and
 * remove sources and timers (their own included), and never block. */
#ifndef HV_CORE_EVLOOP_H
#define HV_CORE_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;

/* A registered descriptor. */
struct evloop_source_ops {
	/* The poll events to wait for now (POLLIN, POLLOUT...; 0: do not
	 * poll this one for now). NULL: always POLLIN. Called before every
	 * wait. */
	short (*events)(void *opaque);
	/* What poll() reported for fd (revents, never 0). */
	void (*ready)(void *opaque, int fd, short revents);
};

/* Makes a loop. Returns NULL when memory runs out. */
struct evloop *evloop_create(void);
void evloop_free(struct evloop *l);

/* Registers fd (still the caller's: the loop never closes it). Returns a
 * handle > 0, or -1 when memory runs out. */
int evloop_add_fd(struct evloop *l, int fd, const struct evloop_source_ops *ops, void *opaque);

/* Forgets a source; from inside a callback too (its callback is not
 * called again, not even later in the same round). */
void evloop_remove_fd(struct evloop *l, int handle);

/* A timer: fn(opaque) runs once on the loop's thread at or after
 * deadline_ns (host monotonic, hv/core/clock.h's host_now_ns). Returns a
 * handle > 0 or -1 when memory runs out. */
int evloop_add_timer(struct evloop *l, int64_t deadline_ns, void (*fn)(void *opaque), void *opaque);
void evloop_cancel_timer(struct evloop *l, int handle);

/* A hook that runs after every round (every wake-up), for work that
 * depends on state rather than on a descriptor (rendering a frame for
 * viewers, moving queued serial input into a UART). Its timeout_ms, when
 * set, bounds the next wait (-1: no bound). Returns a handle or -1. */
struct evloop_hook_ops {
	int (*timeout_ms)(void *opaque);
	void (*run)(void *opaque);
};
int evloop_add_hook(struct evloop *l, const struct evloop_hook_ops *ops, void *opaque);
void evloop_remove_hook(struct evloop *l, int handle);

/* One round: waits at most max_ms (-1: no bound beyond the timers and
 * hooks) for a source or a timer, runs what is ready, then the hooks.
 * Returns 0, or -1 when poll fails (errno set; EINTR is not a failure). */
int evloop_run_once(struct evloop *l, int max_ms);

#endif
