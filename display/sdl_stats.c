/* hv view --stats: frames presented and the latency from when the domain
 * saw a change (a virtio-gpu flush as the guest made it; on the VGA, the
 * render tick that found it) to its presentation here, for the display
 * benchmarks (tests/bench/display.sh, gpu.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "display/sdl_view.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void view_stats_start(struct viewer *v, bool on)
{
	v->stats.on = on;
	v->stats.since_ns = now_ns();
}

/* A frame whose render came before the viewer started (the screen as it
 * was when it attached) is no latency sample. */
void view_stats_frame(struct viewer *v, int64_t rendered_ns)
{
	struct view_stats *s = &v->stats;
	int64_t now = now_ns();

	if (!s->on || rendered_ns <= 0 || rendered_ns < s->since_ns)
		return;
	if (s->frames == 0)
		s->first_ns = now;
	s->last_ns = now;
	s->frames++;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		int64_t *lat = realloc(s->lat, cap * sizeof *lat);
		if (!lat)
			return;
		s->lat = lat;
		s->cap = cap;
	}
	s->lat[s->n++] = now - rendered_ns;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void view_stats_print(struct viewer *v)
{
	struct view_stats *s = &v->stats;
	double secs = (double)(s->last_ns - s->first_ns) / 1e9;

	if (!s->on)
		return;
	if (s->n == 0) {
		printf("stats: no frames\n");
	} else {
		qsort(s->lat, s->n, sizeof *s->lat, by_value);
		printf("stats: frames=%llu seconds=%.2f fps=%.1f damage_to_present_ms p50=%.2f "
		       "p99=%.2f max=%.2f\n",
		       (unsigned long long)s->frames, secs, secs > 0 ? (s->frames - 1) / secs : 0.0,
		       s->lat[s->n / 2] / 1e6, s->lat[s->n * 99 / 100] / 1e6,
		       s->lat[s->n - 1] / 1e6);
	}
	fflush(stdout);
	free(s->lat);
	s->lat = NULL;
}
