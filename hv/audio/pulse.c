/* The asynchronous API: the mainloop thread runs the callbacks; this side
 * takes the mainloop's lock only around short non-blocking calls. */
#include "hv/audio/pulse.h"

#include <pulse/pulseaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/audio/playq.h"
#include "hv/core/audio_source.h"
#include "hv/core/clock.h"
#include "hv/core/log.h"

#define FRAME_BYTES 4
/* Frames the server had no room for wait in a play queue (hv/audio/playq.h)
 * of up to one target latency (at least PENDING_MIN_MS): older ones go, so
 * a late server costs frames once instead of adding the length of its
 * delay to every frame after it, and a level that stands is trimmed. */
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
	int64_t opened_ns;			/* host time the stream was ready */
	int64_t started_ns;			/* the server first played from it (0: not yet) */
	int64_t mixed_ns;			/* the newest queued frame was mixed */
	uint64_t reported;			/* frames pulse_write reported dropped */
	struct playq q;
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

/* With the mainloop locked, the stream ready: sizes the play queue from
 * what the server granted (its buffer, without the sink's latency) and
 * says what that is. */
static void granted(struct pulse_sink *p, unsigned latency_ms)
{
	const pa_buffer_attr *g = pa_stream_get_buffer_attr(p->stream);
	size_t max =
	    (size_t)AUDIO_RATE / 1000 * (latency_ms > PENDING_MIN_MS ? latency_ms : PENDING_MIN_MS);
	size_t tlength = g ? g->tlength / FRAME_BYTES : 0;

	/* Holds up a buffer that stayed under half its length (a server that
	 * plays faster than the guest's clock, a stream restarted from
	 * prebuf) to three quarters of it. */
	playq_init(&p->q, max, tlength / 2, tlength * 3 / 4);
	p->opened_ns = host_now_ns();
	if (g)
		log_info("PulseAudio stream: target %u ms; the server's buffer %.1f ms (starts at "
			 "%.1f ms, asks for %.1f ms at a time), the sink's latency the rest",
			 latency_ms, tlength * 1000.0 / AUDIO_RATE,
			 g->prebuf / FRAME_BYTES * 1000.0 / AUDIO_RATE,
			 g->minreq / FRAME_BYTES * 1000.0 / AUDIO_RATE);
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
	if (rc == 0)
		granted(p, latency_ms);
	pa_threaded_mainloop_unlock(p->loop);
	if (rc < 0) {
		pulse_close(p);
		return NULL;
	}
	return p;
}

/* With the mainloop locked, after a write at host time now: how long the
 * newest frame mixed takes from its mixing to the sink: the time it has
 * waited since, the frames still queued ahead of it here, and the
 * server's buffer and the sink's latency as the server reports them
 * (interpolated since its last report). Returns the server's buffer
 * alone, in frames (PLAYQ_LEVEL_NONE when unknown). */
static size_t measure(struct pulse_sink *p, int64_t now)
{
	const pa_timing_info *ti = pa_stream_get_timing_info(p->stream);
	pa_usec_t us, sink_us;
	size_t level;
	int neg;

	if (pa_stream_get_latency(p->stream, &us, &neg) < 0 || neg)
		return PLAYQ_LEVEL_NONE;
	sink_us = ti && ti->sink_usec < us ? ti->sink_usec : 0;
	level = (size_t)((us - sink_us) * AUDIO_RATE / 1000000);
	if (!p->started_ns)
		return level;
	us += (pa_usec_t)p->q.n * 1000000 / AUDIO_RATE;
	if (now > p->mixed_ns)
		us += (pa_usec_t)(now - p->mixed_ns) / 1000;
	p->lat_sum_us += us;
	p->lat_n++;
	if (us > p->lat_max_us)
		p->lat_max_us = us;
	p->hist[us / HIST_STEP_US < HIST_N ? us / HIST_STEP_US : HIST_N - 1]++;
	return level;
}

/* With the mainloop locked: whether the server has played from the stream
 * yet (its read index moved, as of its last timing report); notes the
 * moment it first has. */
static bool started(struct pulse_sink *p, int64_t now)
{
	const pa_timing_info *ti;

	if (p->q.started)
		return true;
	ti = pa_stream_get_timing_info(p->stream);
	if (!ti || ti->read_index <= 0)
		return false;
	playq_set_started(&p->q);
	if (!p->started_ns)
		p->started_ns = now;
	return true;
}

/* With the mainloop locked: hands the server as many queued frames as it
 * has room for now. */
static void flush(struct pulse_sink *p)
{
	size_t room, k, level;
	int64_t now;

	if (!p->q.n || pa_stream_get_state(p->stream) != PA_STREAM_READY)
		return;
	room = pa_stream_writable_size(p->stream);
	k = room == (size_t)-1 ? 0 : room / FRAME_BYTES;
	if (k > p->q.n)
		k = p->q.n;
	if (!k || pa_stream_write(p->stream, playq_head(&p->q), k * FRAME_BYTES, NULL, 0,
				  PA_SEEK_RELATIVE) < 0)
		return;
	playq_consume(&p->q, k);
	now = host_now_ns();
	started(p, now);
	level = measure(p, now);
	playq_observe(&p->q, now, level);
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

void pulse_stats(struct pulse_sink *p, struct pulse_stats *st)
{
	pa_threaded_mainloop_lock(p->loop);
	st->startup = p->q.startup;
	st->overflow = p->q.overflow;
	st->trimmed = p->q.trimmed;
	st->trims = p->q.trims;
	st->padded = p->q.padded;
	st->pads = p->q.pads;
	st->start_ms = p->started_ns ? (p->started_ns - p->opened_ns) / 1000000 : -1;
	pa_threaded_mainloop_unlock(p->loop);
}

size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t dropped;

	pa_threaded_mainloop_lock(p->loop);
	playq_push(&p->q, frames, n);
	p->mixed_ns = host_now_ns();
	if (pa_stream_get_state(p->stream) != PA_STREAM_READY) {
		p->q.overflow += p->q.n;
		p->q.n = 0;
	}
	flush(p);
	/* with what the write callback trimmed since the last call */
	dropped = (size_t)(p->q.overflow + p->q.trimmed - p->reported);
	p->reported = p->q.overflow + p->q.trimmed;
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
	playq_restart(&p->q, true);
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
		if (p->q.n)
			pa_stream_write(p->stream, playq_head(&p->q), p->q.n * FRAME_BYTES, NULL, 0,
					PA_SEEK_RELATIVE);
		p->q.n = 0;
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
