#include "hv/core/evloop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "hv/core/clock.h"

struct source {
	int handle; /* 0: removed, dropped at the end of the round */
	int fd;
	const struct evloop_source_ops *ops;
	void *opaque;
};

struct timer {
	int handle;
	int64_t deadline;
	void (*fn)(void *opaque);
	void *opaque;
};

struct hook {
	int handle;
	const struct evloop_hook_ops *ops;
	void *opaque;
};

/* A growable array of one of the three kinds. */
#define VEC(T)                                                                                     \
	struct {                                                                                   \
		T *v;                                                                              \
		size_t n, cap;                                                                     \
	}

struct evloop {
	VEC(struct source) src;
	VEC(struct timer) tim;
	VEC(struct hook) hooks;
	struct pollfd *pfd; /* one per source polled this round */
	int *pfd_src;	    /* the source index of each */
	size_t pfd_cap;
	int next_handle;
};

static int grow(void **v, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, n * elem);

	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

#define ROOM(vec) ((vec).n < (vec).cap || grow((void **)&(vec).v, &(vec).cap, sizeof *(vec).v) == 0)

struct evloop *evloop_create(void)
{
	struct evloop *l = calloc(1, sizeof *l);

	return l;
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	free(l->src.v);
	free(l->tim.v);
	free(l->hooks.v);
	free(l->pfd);
	free(l->pfd_src);
	free(l);
}

static int new_handle(struct evloop *l)
{
	if (++l->next_handle <= 0)
		l->next_handle = 1;
	return l->next_handle;
}

int evloop_add_fd(struct evloop *l, int fd, const struct evloop_source_ops *ops, void *opaque)
{
	if (!ROOM(l->src))
		return -1;
	l->src.v[l->src.n] = (struct source){new_handle(l), fd, ops, opaque};
	return l->src.v[l->src.n++].handle;
}

void evloop_remove_fd(struct evloop *l, int handle)
{
	for (size_t i = 0; i < l->src.n; i++)
		if (l->src.v[i].handle == handle)
			l->src.v[i].handle = 0;
}

int evloop_add_timer(struct evloop *l, int64_t deadline_ns, void (*fn)(void *opaque), void *opaque)
{
	if (!ROOM(l->tim))
		return -1;
	l->tim.v[l->tim.n] = (struct timer){new_handle(l), deadline_ns, fn, opaque};
	return l->tim.v[l->tim.n++].handle;
}

void evloop_cancel_timer(struct evloop *l, int handle)
{
	for (size_t i = 0; i < l->tim.n; i++)
		if (l->tim.v[i].handle == handle)
			l->tim.v[i].handle = 0;
}

int evloop_add_hook(struct evloop *l, const struct evloop_hook_ops *ops, void *opaque)
{
	if (!ROOM(l->hooks))
		return -1;
	l->hooks.v[l->hooks.n] = (struct hook){new_handle(l), ops, opaque};
	return l->hooks.v[l->hooks.n++].handle;
}

void evloop_remove_hook(struct evloop *l, int handle)
{
	for (size_t i = 0; i < l->hooks.n; i++)
		if (l->hooks.v[i].handle == handle)
			l->hooks.v[i].handle = 0;
}

/* The smaller of two poll timeouts, -1 meaning none. */
static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int wait_ms(const struct evloop *l, int max_ms, int64_t now)
{
	int ms = max_ms;

	for (size_t i = 0; i < l->tim.n; i++) {
		int64_t left;
		if (!l->tim.v[i].handle)
			continue;
		left = (l->tim.v[i].deadline - now + 999999) / 1000000;
		ms = min_timeout(ms, left < 0 ? 0 : left > 60000 ? 60000 : (int)left);
	}
	for (size_t i = 0; i < l->hooks.n; i++)
		if (l->hooks.v[i].handle && l->hooks.v[i].ops->timeout_ms)
			ms = min_timeout(ms, l->hooks.v[i].ops->timeout_ms(l->hooks.v[i].opaque));
	return ms;
}

/* Fills the pollfd array from the sources; returns how many. */
static int fill(struct evloop *l, size_t *n)
{
	*n = 0;
	if (l->pfd_cap < l->src.n) {
		struct pollfd *p = realloc(l->pfd, l->src.n * sizeof *p);
		int *s = p ? realloc(l->pfd_src, l->src.n * sizeof *s) : NULL;
		if (p)
			l->pfd = p;
		if (!s)
			return -1;
		l->pfd_src = s;
		l->pfd_cap = l->src.n;
	}
	for (size_t i = 0; i < l->src.n; i++) {
		struct source *s = &l->src.v[i];
		short ev = s->ops->events ? s->ops->events(s->opaque) : POLLIN;
		if (!s->handle || !ev || s->fd < 0)
			continue;
		l->pfd[*n] = (struct pollfd){.fd = s->fd, .events = ev};
		l->pfd_src[(*n)++] = (int)i;
	}
	return 0;
}

static void dispatch_sources(struct evloop *l, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct source *s = &l->src.v[l->pfd_src[k]];
		if (l->pfd[k].revents && s->handle)
			s->ops->ready(s->opaque, s->fd, l->pfd[k].revents);
	}
}

static void run_timers(struct evloop *l, int64_t now)
{
	/* By index: a callback may add timers (and so move the array). */
	for (size_t i = 0; i < l->tim.n; i++) {
		struct timer t = l->tim.v[i];
		if (!t.handle || t.deadline > now)
			continue;
		l->tim.v[i].handle = 0;
		t.fn(t.opaque);
	}
}

static void run_hooks(struct evloop *l)
{
	for (size_t i = 0; i < l->hooks.n; i++) {
		struct hook h = l->hooks.v[i];
		if (h.handle)
			h.ops->run(h.opaque);
	}
}

/* Drops what was removed during the round, keeping the order. */
#define COMPACT(vec)                                                                               \
	do {                                                                                       \
		size_t k_ = 0;                                                                     \
		for (size_t i_ = 0; i_ < (vec).n; i_++)                                            \
			if ((vec).v[i_].handle)                                                    \
				(vec).v[k_++] = (vec).v[i_];                                       \
		(vec).n = k_;                                                                      \
	} while (0)

int evloop_run_once(struct evloop *l, int max_ms)
{
	size_t n;
	int rc;

	if (fill(l, &n) < 0) {
		errno = ENOMEM;
		return -1;
	}
	rc = poll(l->pfd, (nfds_t)n, wait_ms(l, max_ms, host_now_ns()));
	if (rc < 0 && errno != EINTR)
		return -1;
	if (rc > 0)
		dispatch_sources(l, n);
	run_timers(l, host_now_ns());
	run_hooks(l);
	COMPACT(l->src);
	COMPACT(l->tim);
	COMPACT(l->hooks);
	return 0;
}
