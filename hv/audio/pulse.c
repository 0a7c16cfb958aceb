/* The asynchronous API: the mainloop thread runs the callbacks; this side
 * takes the mainloop's lock only around short non-blocking calls. */
#include "hv/audio/pulse.h"

#include <pulse/pulseaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/audio_source.h"

#define FRAME_BYTES 4
/* Frames the server had no room for wait here (the host was slow to
 * schedule the server), up to one target latency (at least
 * PENDING_MIN_MS): older ones go, so a late server costs frames once
 * instead of adding the length of its delay to every frame after it. */
#define PENDING_MAX    (AUDIO_RATE / 5)
#define PENDING_MIN_MS 10
/* The latency histogram: HIST_STEP_US buckets, the last one open. */
#define HIST_STEP_US 500
#define HIST_N	     2000

struct pulse_sink {
	pa_threaded_mainloop *loop;
	pa_context *ctx;
	pa_stream *stream;
	bool corked;
	atomic_ullong underruns;
	/* With the mainloop locked (the write callback drains the queue): */
	uint64_t lat_sum_us, lat_n, lat_max_us; /* the stream's latency at each write */
	uint32_t hist[HIST_N];			/* the same, by HIST_STEP_US */
	size_t pending_max;			/* frames the queue keeps at most */
	size_t pending;				/* frames in pend */
	int16_t pend[2 * PENDING_MAX];
};

static void state_changed(pa_context *c, void *opaque)
{
	(void)c;
	pa_threaded_mainloop_signal(((struct pulse_sink *)opaque)->loop, 0);
}

static void stream_state_changed(pa_stream *s, void *opaque)
{
	(void)s;
	pa_threaded_mainloop_signal(((struct pulse_sink *)opaque)->loop, 0);
}

static void underflow(pa_stream *s, void *opaque)
{
	struct pulse_sink *p = opaque;

	(void)s;
	atomic_fetch_add(&p->underruns, 1);
}

/* With the mainloop locked: waits for the context to be ready. */
static int connect_context(struct pulse_sink *p, const char *name, char *err, size_t errlen)
{
	char client[96];
	pa_context_state_t st;

	snprintf(client, sizeof client, "hv: %s", name);
	p->ctx = pa_context_new(pa_threaded_mainloop_get_api(p->loop), client);
	if (!p->ctx) {
		snprintf(err, errlen, "PulseAudio: out of memory");
		return -1;
	}
	pa_context_set_state_callback(p->ctx, state_changed, p);
	if (pa_context_connect(p->ctx, NULL, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0) {
		snprintf(err, errlen, "PulseAudio: %s", pa_strerror(pa_context_errno(p->ctx)));
		return -1;
	}
	while ((st = pa_context_get_state(p->ctx)) != PA_CONTEXT_READY) {
		if (!PA_CONTEXT_IS_GOOD(st)) {
			snprintf(err, errlen, "PulseAudio: %s",
				 pa_strerror(pa_context_errno(p->ctx)));
			return -1;
		}
		pa_threaded_mainloop_wait(p->loop);
	}
	return 0;
}

static void flush(struct pulse_sink *p);

/* The server asks for frames: what waits goes at once, not at the next
 * mixing round. (The mainloop's thread, its lock held.) */
static void writable(pa_stream *s, size_t nbytes, void *opaque)
{
	struct pulse_sink *p = opaque;

	(void)s;
	(void)nbytes;
	flush(p);
}

/* PA_STREAM_ADJUST_LATENCY: tlength is the whole latency, the stream's
 * buffer and the sink's together (without it the server adds a sink
 * latency of tlength - 2 minreq on top of tlength: 50 ms for 30). The
 * server asks for frames in steps of a quarter of it and starts playing
 * (again, after an underrun) once a quarter is there, so an underrun
 * costs a few ms and not half the buffer. */
static int open_stream(struct pulse_sink *p, const char *name, unsigned latency_ms, char *err,
		       size_t errlen)
{
	pa_sample_spec ss = {.format = PA_SAMPLE_S16LE, .rate = AUDIO_RATE, .channels = 2};
	uint32_t tlength = (uint32_t)(AUDIO_RATE / 1000 * latency_ms * FRAME_BYTES);
	pa_buffer_attr attr = {.maxlength = (uint32_t)-1,
			       .tlength = tlength,
			       .prebuf = tlength / 4,
			       .minreq = tlength / 4,
			       .fragsize = (uint32_t)-1};
	char title[96];
	pa_stream_state_t st;

	snprintf(title, sizeof title, "hv: %s", name);
	p->stream = pa_stream_new(p->ctx, title, &ss, NULL);
	if (!p->stream) {
		snprintf(err, errlen, "PulseAudio: %s", pa_strerror(pa_context_errno(p->ctx)));
		return -1;
	}
	pa_stream_set_state_callback(p->stream, stream_state_changed, p);
	pa_stream_set_underflow_callback(p->stream, underflow, p);
	pa_stream_set_write_callback(p->stream, writable, p);
	if (pa_stream_connect_playback(p->stream, NULL, &attr,
				       PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE |
					   PA_STREAM_ADJUST_LATENCY,
				       NULL, NULL) < 0) {
		snprintf(err, errlen, "PulseAudio: %s", pa_strerror(pa_context_errno(p->ctx)));
		return -1;
	}
	while ((st = pa_stream_get_state(p->stream)) != PA_STREAM_READY) {
		if (!PA_STREAM_IS_GOOD(st)) {
			snprintf(err, errlen, "PulseAudio: %s",
				 pa_strerror(pa_context_errno(p->ctx)));
			return -1;
		}
		pa_threaded_mainloop_wait(p->loop);
	}
	return 0;
}

struct pulse_sink *pulse_open(const char *name, unsigned latency_ms, char *err, size_t errlen)
{
	struct pulse_sink *p = calloc(1, sizeof *p);
	int rc;

	if (p) {
		p->pending_max = (size_t)AUDIO_RATE / 1000 *
				 (latency_ms > PENDING_MIN_MS ? latency_ms : PENDING_MIN_MS);
		if (p->pending_max > PENDING_MAX)
			p->pending_max = PENDING_MAX;
	}
	if (!p || !(p->loop = pa_threaded_mainloop_new())) {
		free(p);
		snprintf(err, errlen, "PulseAudio: out of memory");
		return NULL;
	}
	if (pa_threaded_mainloop_start(p->loop) < 0) {
		snprintf(err, errlen, "PulseAudio: cannot start its thread");
		pa_threaded_mainloop_free(p->loop);
		free(p);
		return NULL;
	}
	pa_threaded_mainloop_lock(p->loop);
	rc = connect_context(p, name, err, errlen);
	if (rc == 0)
		rc = open_stream(p, name, latency_ms, err, errlen);
	pa_threaded_mainloop_unlock(p->loop);
	if (rc < 0) {
		pulse_close(p);
		return NULL;
	}
	return p;
}

/* With the mainloop locked: keeps the newest pending_max frames of pend +
 * frames; returns how many older ones were dropped. */
static size_t queue(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t drop = 0, keep, max = p->pending_max;

	if (n >= max) {
		drop = p->pending + n - max;
		frames += 2 * (n - max);
		n = max;
		p->pending = 0;
	} else if (p->pending + n > max) {
		drop = p->pending + n - max;
		keep = p->pending - drop;
		memmove(p->pend, p->pend + 2 * drop, keep * FRAME_BYTES);
		p->pending = keep;
	}
	memcpy(p->pend + 2 * p->pending, frames, n * FRAME_BYTES);
	p->pending += n;
	return drop;
}

/* With the mainloop locked: how long a frame written now takes to reach
 * the sink (the server's buffer and the sink's, as the server last
 * reported them), plus what still waits in the queue. */
static void measure(struct pulse_sink *p, size_t queued)
{
	pa_usec_t us;
	int neg;

	if (pa_stream_get_latency(p->stream, &us, &neg) < 0 || neg)
		return;
	us += (pa_usec_t)queued * 1000000 / AUDIO_RATE;
	p->lat_sum_us += us;
	p->lat_n++;
	if (us > p->lat_max_us)
		p->lat_max_us = us;
	p->hist[us / HIST_STEP_US < HIST_N ? us / HIST_STEP_US : HIST_N - 1]++;
}

/* With the mainloop locked: hands the server as many queued frames as it
 * has room for now. */
static void flush(struct pulse_sink *p)
{
	size_t room, k;

	if (!p->pending || pa_stream_get_state(p->stream) != PA_STREAM_READY)
		return;
	room = pa_stream_writable_size(p->stream);
	k = room == (size_t)-1 ? 0 : room / FRAME_BYTES;
	if (k > p->pending)
		k = p->pending;
	if (!k ||
	    pa_stream_write(p->stream, p->pend, k * FRAME_BYTES, NULL, 0, PA_SEEK_RELATIVE) < 0)
		return;
	measure(p, p->pending - k);
	memmove(p->pend, p->pend + 2 * k, (p->pending - k) * FRAME_BYTES);
	p->pending -= k;
}

/* The latency under which a share `num` of 1000 of the writes fell (the
 * top of its bucket). */
static uint64_t quantile_us(const struct pulse_sink *p, uint64_t num)
{
	uint64_t want = (p->lat_n * num + 999) / 1000, seen = 0;

	for (size_t i = 0; i < HIST_N && want; i++)
		if ((seen += p->hist[i]) >= want)
			return (uint64_t)(i + 1) * HIST_STEP_US;
	return 0;
}

void pulse_latency(struct pulse_sink *p, struct pulse_latency *l)
{
	pa_threaded_mainloop_lock(p->loop);
	l->mean_us = p->lat_n ? p->lat_sum_us / p->lat_n : 0;
	l->max_us = p->lat_max_us;
	l->p50_us = quantile_us(p, 500);
	l->p99_us = quantile_us(p, 990);
	pa_threaded_mainloop_unlock(p->loop);
}

size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t dropped;

	pa_threaded_mainloop_lock(p->loop);
	dropped = queue(p, frames, n);
	if (pa_stream_get_state(p->stream) != PA_STREAM_READY) {
		dropped += p->pending;
		p->pending = 0;
	}
	flush(p);
	pa_threaded_mainloop_unlock(p->loop);
	return dropped;
}

void pulse_set_corked(struct pulse_sink *p, bool corked)
{
	pa_operation *op;

	if (p->corked == corked)
		return;
	pa_threaded_mainloop_lock(p->loop);
	op = pa_stream_cork(p->stream, corked, NULL, NULL);
	if (op)
		pa_operation_unref(op);
	pa_threaded_mainloop_unlock(p->loop);
	p->corked = corked;
}

uint64_t pulse_underruns(struct pulse_sink *p)
{
	return atomic_load(&p->underruns);
}

bool pulse_ok(struct pulse_sink *p)
{
	bool ok;

	pa_threaded_mainloop_lock(p->loop);
	ok = pa_stream_get_state(p->stream) == PA_STREAM_READY;
	pa_threaded_mainloop_unlock(p->loop);
	return ok;
}

/* Lets the server play what it holds (the guest's last sound), waiting at
 * most DRAIN_MAX_MS: a server that stopped taking frames does not hold
 * the domain's end. */
#define DRAIN_MAX_MS 1000

static void drain(struct pulse_sink *p)
{
	pa_operation *op;

	pa_threaded_mainloop_lock(p->loop);
	if (pa_stream_get_state(p->stream) == PA_STREAM_READY) {
		if (p->pending)
			pa_stream_write(p->stream, p->pend, p->pending * FRAME_BYTES, NULL, 0,
					PA_SEEK_RELATIVE);
		p->pending = 0;
		if (p->corked && (op = pa_stream_cork(p->stream, 0, NULL, NULL)))
			pa_operation_unref(op);
		op = pa_stream_drain(p->stream, NULL, NULL);
		for (int ms = 0;
		     op && ms < DRAIN_MAX_MS && pa_operation_get_state(op) == PA_OPERATION_RUNNING;
		     ms += 5) {
			pa_threaded_mainloop_unlock(p->loop);
			usleep(5000);
			pa_threaded_mainloop_lock(p->loop);
		}
		if (op)
			pa_operation_unref(op);
	}
	pa_threaded_mainloop_unlock(p->loop);
}

void pulse_close(struct pulse_sink *p)
{
	if (!p)
		return;
	if (p->stream)
		drain(p);
	pa_threaded_mainloop_stop(p->loop);
	if (p->stream) {
		pa_stream_disconnect(p->stream);
		pa_stream_unref(p->stream);
	}
	if (p->ctx) {
		pa_context_disconnect(p->ctx);
		pa_context_unref(p->ctx);
	}
	pa_threaded_mainloop_free(p->loop);
	free(p);
}
