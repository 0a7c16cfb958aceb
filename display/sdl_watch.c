/* hv view's watcher thread: blocks in poll() on the domains' display
 * sockets and wakes the SDL main loop with a user event when one has
 * something to say, so that the main loop can block in SDL_WaitEvent and
 * an idle viewer costs no CPU (instead of polling both every few ms).
 *
 * One event is outstanding at a time: after pushing, the thread waits for
 * the main loop's view_watch_rearm() (which follows reading everything),
 * then polls again. */
#include <SDL2/SDL.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "display/sdl_view.h"

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof v) < 0 && errno == EINTR)
		;
}

static void wait_rearm(struct view_watch *w)
{
	struct pollfd p = {.fd = w->wake, .events = POLLIN};

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	drain(w->wake);
}

static void *watch_main(void *arg)
{
	struct view_watch *w = arg;
	struct pollfd p[VIEW_MAX_GUESTS + 1];

	for (;;) {
		int n;

		pthread_mutex_lock(&w->lock);
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		for (n = 0; n < w->nfds; n++)
			p[n] = (struct pollfd){.fd = w->fds[n], .events = POLLIN};
		pthread_mutex_unlock(&w->lock);
		p[n] = (struct pollfd){.fd = w->wake, .events = POLLIN};
		if (poll(p, (nfds_t)n + 1, -1) < 0)
			continue;
		if (p[n].revents) {
			drain(w->wake); /* the set changed, or stop */
			continue;
		}
		SDL_Event ev = {.type = w->event_type};
		SDL_PushEvent(&ev);
		wait_rearm(w);
	}
}

int view_watch_start(struct view_watch *w)
{
	w->event_type = SDL_RegisterEvents(1);
	w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->event_type == (Uint32)-1 || w->wake < 0)
		return -1;
	/* The thread blocks on poll, not read: a nonblocking eventfd is fine. */
	pthread_mutex_init(&w->lock, NULL);
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		close(w->wake);
		return -1;
	}
	w->running = true;
	return 0;
}

static void poke(struct view_watch *w)
{
	uint64_t one = 1;

	if (write(w->wake, &one, sizeof one) < 0) {
		/* The counter is already non-zero: the thread will wake. */
	}
}

void view_watch_set(struct view_watch *w, const int *fds, int n)
{
	pthread_mutex_lock(&w->lock);
	for (w->nfds = 0; w->nfds < n; w->nfds++)
		w->fds[w->nfds] = fds[w->nfds];
	pthread_mutex_unlock(&w->lock);
	poke(w);
}

void view_watch_rearm(struct view_watch *w)
{
	poke(w);
}

void view_watch_stop(struct view_watch *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_mutex_unlock(&w->lock);
	poke(w);
	pthread_join(w->thread, NULL);
	close(w->wake);
	w->running = false;
}
