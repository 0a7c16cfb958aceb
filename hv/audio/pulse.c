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
 * schedule the server): up to 200 ms, beyond which the oldest go. */
#define PENDING_MAX (AUDIO_RATE / 5)

struct pulse_sink {
	pa_threaded_mainloop *loop;
	pa_context *ctx;
	pa_stream *stream;
	bool corked;
	atomic_ullong underruns;
	uint64_t lat_sum_us, lat_n, lat_max_us; /* the stream's latency at each write */
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

/* The server starts playing at half the target latency buffered, and asks
 * for data in steps of a sixth of it. tlength bounds the stream's own
 * buffer; the sink's latency comes on top. PA_STREAM_ADJUST_LATENCY, which
 * would make tlength the whole, stalled the stream on a null sink (the
 * server stopped taking frames), so it is not asked for. */
static int open_stream(struct pulse_sink *p, const char *name, unsigned latency_ms, char *err,
		       size_t errlen)
{
	pa_sample_spec ss = {.format = PA_SAMPLE_S16LE, .rate = AUDIO_RATE, .channels = 2};
	uint32_t tlength = (uint32_t)(AUDIO_RATE / 1000 * latency_ms * FRAME_BYTES);
	pa_buffer_attr attr = {.maxlength = (uint32_t)-1,
			       .tlength = tlength,
			       .prebuf = tlength / 2,
			       .minreq = tlength / 6,
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
	if (pa_stream_connect_playback(p->stream, NULL, &attr,
				       PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE,
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

/* Keeps the newest PENDING_MAX frames of pend + frames; returns how many
 * older ones were dropped. */
static size_t queue(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t drop = 0, keep;

	if (n >= PENDING_MAX) {
		drop = p->pending + n - PENDING_MAX;
		frames += 2 * (n - PENDING_MAX);
		n = PENDING_MAX;
		p->pending = 0;
	} else if (p->pending + n > PENDING_MAX) {
		drop = p->pending + n - PENDING_MAX;
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
}

void pulse_latency(struct pulse_sink *p, uint64_t *avg_us, uint64_t *max_us)
{
	pa_threaded_mainloop_lock(p->loop);
	*avg_us = p->lat_n ? p->lat_sum_us / p->lat_n : 0;
	*max_us = p->lat_max_us;
	pa_threaded_mainloop_unlock(p->loop);
}

size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t room, k, dropped = queue(p, frames, n);

	pa_threaded_mainloop_lock(p->loop);
	if (pa_stream_get_state(p->stream) != PA_STREAM_READY) {
		pa_threaded_mainloop_unlock(p->loop);
		dropped += p->pending;
		p->pending = 0;
		return dropped;
	}
	room = pa_stream_writable_size(p->stream);
	k = room == (size_t)-1 ? 0 : room / FRAME_BYTES;
	if (k > p->pending)
		k = p->pending;
	if (k &&
	    pa_stream_write(p->stream, p->pend, k * FRAME_BYTES, NULL, 0, PA_SEEK_RELATIVE) < 0)
		k = 0;
	measure(p, p->pending - k);
	pa_threaded_mainloop_unlock(p->loop);
	memmove(p->pend, p->pend + 2 * k, (p->pending - k) * FRAME_BYTES);
	p->pending -= k;
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
