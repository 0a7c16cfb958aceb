/* The asynchronous API: the mainloop thread runs the callbacks; this side
 * takes the mainloop's lock only around short non-blocking calls. */
#include "hv/audio/pulse.h"

#include <errno.h>
#include <pthread.h>
#include <pulse/pulseaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/audio/playq.h"
#include "hv/audio/pulse_server.h"
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

/* Reconnecting: the first try comes RETRY_MIN_NS after the loss, each
 * next one twice as late up to RETRY_MAX_NS; a connection that is not
 * ready after CONNECT_MAX_NS (a server that stopped answering) is given
 * up and tried again. A stream that played for RETRY_RESET_NS starts the
 * backoff over. */
#define RETRY_MIN_NS   100000000LL
#define RETRY_MAX_NS   1000000000LL
#define RETRY_RESET_NS 10000000000LL
#define CONNECT_MAX_NS 5000000000LL
/* pulse_open waits this long for the first connection. */
#define OPEN_WAIT_NS 2000000000LL

/* The connection, as the mainloop's callbacks move it (mainloop locked). */
enum pulse_state {
	PULSE_DOWN,	  /* no context: waiting for the next try */
	PULSE_CONNECTING, /* a context (and then a stream) on the way */
	PULSE_READY,	  /* the stream plays */
	PULSE_LOST,	  /* the context or the stream failed: to tear down */
};

/* The play queue's counts of the streams before this one. */
struct pulse_totals {
	uint64_t startup, overflow, trimmed, trims, padded, pads;
};

struct pulse_sink {
	pa_threaded_mainloop *loop;
	pa_context *ctx;
	pa_stream *stream;
	char name[64];
	char server[1024]; /* where a reconnect goes (a list; "": the library's default) */
	unsigned latency_ms;
	bool corked;
	atomic_bool live;	 /* the stream is ready (read without the lock) */
	atomic_ullong underruns; /* of every stream */
	/* With the mainloop locked: */
	enum pulse_state state;
	char why[160];				/* why the last connection failed */
	bool ever_ready;			/* some stream was ready once */
	int64_t try_ns;				/* host time of the current try's start */
	int64_t retry_ns;			/* of the next try (state DOWN) */
	int64_t backoff_ns;			/* the wait before the try after it */
	int64_t ready_ns;			/* the current stream became ready */
	uint64_t reconnects;			/* streams ready again after a loss */
	bool silent;				/* the caller was told the sink is silent */
	uint64_t lat_sum_us, lat_n, lat_max_us; /* the stream's latency at each write */
	uint32_t hist[HIST_N];			/* the same, by HIST_STEP_US */
	int64_t opened_ns;			/* host time the first stream was ready */
	int64_t started_ns;			/* the server first played from it (0: not yet) */
	int64_t mixed_ns;			/* the newest queued frame was mixed */
	uint64_t reported;			/* of q's frames dropped, those reported */
	struct pulse_totals before;		/* q's counts of earlier streams */
	struct playq q;
};

static void lost(struct pulse_sink *p, const char *why)
{
	if (p->state == PULSE_LOST || p->state == PULSE_DOWN)
		return;
	snprintf(p->why, sizeof p->why, "PulseAudio: %s", why);
	p->state = PULSE_LOST;
	atomic_store(&p->live, false);
	pa_threaded_mainloop_signal(p->loop, 0);
}

static void underflow(pa_stream *s, void *opaque)
{
	struct pulse_sink *p = opaque;

	(void)s;
	atomic_fetch_add(&p->underruns, 1);
}

static void flush(struct pulse_sink *p);
static void granted(struct pulse_sink *p);

/* The server asks for frames: what waits goes at once, not at the next
 * mixing round. (The mainloop's thread, its lock held.) */
static void writable(pa_stream *s, size_t nbytes, void *opaque)
{
	struct pulse_sink *p = opaque;

	(void)s;
	(void)nbytes;
	flush(p);
}

static void stream_state_changed(pa_stream *s, void *opaque)
{
	struct pulse_sink *p = opaque;
	pa_stream_state_t st = pa_stream_get_state(s);

	if (st == PA_STREAM_READY && p->state == PULSE_CONNECTING) {
		granted(p);
		p->state = PULSE_READY;
		atomic_store(&p->live, true);
		pa_threaded_mainloop_signal(p->loop, 0);
	} else if (!PA_STREAM_IS_GOOD(st)) {
		lost(p, st == PA_STREAM_FAILED ? "the stream failed" : "the stream was closed");
	}
}

/* PA_STREAM_ADJUST_LATENCY: tlength is the whole latency, the stream's
 * buffer and the sink's together (without it the server adds a sink
 * latency of tlength - 2 minreq on top of tlength: 50 ms for 30). The
 * server asks for frames in steps of a quarter of it and starts playing
 * (again, after an underrun) once a quarter is there, so an underrun
 * costs a few ms and not half the buffer. A stream opened while the
 * domain is paused starts corked. (Mainloop locked, the context ready.) */
static void open_stream(struct pulse_sink *p)
{
	pa_sample_spec ss = {.format = PA_SAMPLE_S16LE, .rate = AUDIO_RATE, .channels = 2};
	uint32_t tlength = (uint32_t)(AUDIO_RATE / 1000 * p->latency_ms * FRAME_BYTES);
	pa_buffer_attr attr = {.maxlength = (uint32_t)-1,
			       .tlength = tlength,
			       .prebuf = tlength / 4,
			       .minreq = tlength / 4,
			       .fragsize = (uint32_t)-1};
	pa_stream_flags_t flags = PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE |
				  PA_STREAM_ADJUST_LATENCY |
				  (p->corked ? PA_STREAM_START_CORKED : 0);
	char title[96];

	snprintf(title, sizeof title, "hv: %s", p->name);
	p->stream = pa_stream_new(p->ctx, title, &ss, NULL);
	if (!p->stream) {
		lost(p, pa_strerror(pa_context_errno(p->ctx)));
		return;
	}
	pa_stream_set_state_callback(p->stream, stream_state_changed, p);
	pa_stream_set_underflow_callback(p->stream, underflow, p);
	pa_stream_set_write_callback(p->stream, writable, p);
	if (pa_stream_connect_playback(p->stream, NULL, &attr, flags, NULL, NULL) < 0)
		lost(p, pa_strerror(pa_context_errno(p->ctx)));
}

static void context_state_changed(pa_context *c, void *opaque)
{
	struct pulse_sink *p = opaque;
	pa_context_state_t st = pa_context_get_state(c);

	if (st == PA_CONTEXT_READY && p->state == PULSE_CONNECTING && !p->stream)
		open_stream(p);
	else if (!PA_CONTEXT_IS_GOOD(st))
		lost(p, pa_strerror(pa_context_errno(c)));
}

/* Mainloop locked: starts a connection (no autospawn); the callbacks
 * above take it on. */
static void try_connect(struct pulse_sink *p, int64_t now)
{
	char client[96];

	p->state = PULSE_CONNECTING;
	p->try_ns = now;
	snprintf(client, sizeof client, "hv: %s", p->name);
	p->ctx = pa_context_new(pa_threaded_mainloop_get_api(p->loop), client);
	if (!p->ctx) {
		lost(p, "out of memory");
		return;
	}
	pa_context_set_state_callback(p->ctx, context_state_changed, p);
	if (pa_context_connect(p->ctx, p->server[0] ? p->server : NULL, PA_CONTEXT_NOAUTOSPAWN,
			       NULL) < 0)
		lost(p, pa_strerror(pa_context_errno(p->ctx)));
}

/* Mainloop locked: lets the stream and the context go (their callbacks
 * first, so that nothing of theirs comes back), keeping the play queue's
 * counts. */
static void tear_down(struct pulse_sink *p)
{
	if (p->stream) {
		pa_stream_set_state_callback(p->stream, NULL, NULL);
		pa_stream_set_underflow_callback(p->stream, NULL, NULL);
		pa_stream_set_write_callback(p->stream, NULL, NULL);
		pa_stream_disconnect(p->stream);
		pa_stream_unref(p->stream);
		p->stream = NULL;
	}
	if (p->ctx) {
		pa_context_set_state_callback(p->ctx, NULL, NULL);
		pa_context_disconnect(p->ctx);
		pa_context_unref(p->ctx);
		p->ctx = NULL;
	}
	atomic_store(&p->live, false);
}

/* With the mainloop locked, a stream ready: sizes the play queue from
 * what the server granted (its buffer, without the sink's latency),
 * keeping the counts of the streams before, and says what that is (for
 * the first stream; one that comes back is the same). */
static void granted(struct pulse_sink *p)
{
	const pa_buffer_attr *g = pa_stream_get_buffer_attr(p->stream);
	unsigned latency_ms = p->latency_ms;
	size_t max =
	    (size_t)AUDIO_RATE / 1000 * (latency_ms > PENDING_MIN_MS ? latency_ms : PENDING_MIN_MS);
	size_t tlength = g ? g->tlength / FRAME_BYTES : 0;

	p->before.startup += p->q.startup;
	p->before.overflow += p->q.overflow;
	p->before.trimmed += p->q.trimmed;
	p->before.trims += p->q.trims;
	p->before.padded += p->q.padded;
	p->before.pads += p->q.pads;
	p->reported = 0;
	/* Holds up a buffer that stayed under half its length (a server that
	 * plays faster than the guest's clock, a stream restarted from
	 * prebuf) to three quarters of it. */
	playq_init(&p->q, max, tlength / 2, tlength * 3 / 4);
	p->ready_ns = host_now_ns();
	if (p->ever_ready) {
		p->reconnects++;
		return;
	}
	p->ever_ready = true;
	p->opened_ns = p->ready_ns;
	if (g)
		log_info("PulseAudio stream: target %u ms; the server's buffer %.1f ms (starts at "
			 "%.1f ms, asks for %.1f ms at a time), the sink's latency the rest",
			 latency_ms, tlength * 1000.0 / AUDIO_RATE,
			 g->prebuf / FRAME_BYTES * 1000.0 / AUDIO_RATE,
			 g->minreq / FRAME_BYTES * 1000.0 / AUDIO_RATE);
}

/* Mainloop locked: a failed connection goes, and the next try is due
 * after the backoff. */
static void schedule_retry(struct pulse_sink *p, int64_t now)
{
	tear_down(p);
	if (p->ready_ns && now - p->ready_ns >= RETRY_RESET_NS)
		p->backoff_ns = RETRY_MIN_NS;
	p->ready_ns = 0;
	p->retry_ns = now + p->backoff_ns;
	p->backoff_ns = p->backoff_ns * 2 < RETRY_MAX_NS ? p->backoff_ns * 2 : RETRY_MAX_NS;
	p->state = PULSE_DOWN;
}

enum pulse_event pulse_poll(struct pulse_sink *p, int64_t now, char *why, size_t len)
{
	enum pulse_event ev = PULSE_EV_NONE;

	pa_threaded_mainloop_lock(p->loop);
	if (p->state == PULSE_CONNECTING && now - p->try_ns >= CONNECT_MAX_NS)
		lost(p, "the server does not answer");
	if (p->state == PULSE_LOST) {
		ev = p->ready_ns ? PULSE_EV_LOST : PULSE_EV_NONE;
		p->silent = true;
		snprintf(why, len, "%s", p->why);
		schedule_retry(p, now);
	} else if (p->state == PULSE_DOWN && now >= p->retry_ns) {
		try_connect(p, now);
	} else if (p->state == PULSE_READY && p->silent) {
		p->silent = false;
		ev = PULSE_EV_BACK;
	}
	pa_threaded_mainloop_unlock(p->loop);
	return ev;
}

/* Mainloop locked, after the first try: where the reconnects go, named
 * now, before the domain's sandbox (pulse_server.h). */
static void name_server(struct pulse_sink *p)
{
	const char *s = p->ctx && p->state == PULSE_READY ? pa_context_get_server(p->ctx) : NULL;

	pulse_reconnect_servers(s, p->server, sizeof p->server);
}

struct pulse_sink *pulse_open(const char *name, unsigned latency_ms, char *err, size_t errlen)
{
	struct pulse_sink *p = calloc(1, sizeof *p);
	int64_t start = host_now_ns();

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
	snprintf(p->name, sizeof p->name, "%s", name);
	p->latency_ms = latency_ms;
	p->backoff_ns = RETRY_MIN_NS;
	err[0] = '\0';
	pa_threaded_mainloop_lock(p->loop);
	try_connect(p, start);
	while (p->state == PULSE_CONNECTING && host_now_ns() - start < OPEN_WAIT_NS) {
		pa_threaded_mainloop_unlock(p->loop);
		usleep(2000);
		pa_threaded_mainloop_lock(p->loop);
	}
	name_server(p);
	if (p->state != PULSE_READY) {
		if (p->state == PULSE_CONNECTING)
			lost(p, "the server does not answer");
		snprintf(err, errlen, "%s", p->why);
		p->silent = true;
		schedule_retry(p, host_now_ns());
	}
	pa_threaded_mainloop_unlock(p->loop);
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

	if (!p->q.n || p->state != PULSE_READY)
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
	st->startup = p->before.startup + p->q.startup;
	st->overflow = p->before.overflow + p->q.overflow;
	st->trimmed = p->before.trimmed + p->q.trimmed;
	st->trims = p->before.trims + p->q.trims;
	st->padded = p->before.padded + p->q.padded;
	st->pads = p->before.pads + p->q.pads;
	st->start_ms = p->started_ns ? (p->started_ns - p->opened_ns) / 1000000 : -1;
	st->reconnects = p->reconnects;
	pa_threaded_mainloop_unlock(p->loop);
}

size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n)
{
	size_t dropped;

	pa_threaded_mainloop_lock(p->loop);
	if (p->state != PULSE_READY) {
		/* no stream to play them: silence, as with no server */
		pa_threaded_mainloop_unlock(p->loop);
		return 0;
	}
	playq_push(&p->q, frames, n);
	p->mixed_ns = host_now_ns();
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
	p->corked = corked; /* a stream that comes back starts so */
	if (p->state == PULSE_READY) {
		op = pa_stream_cork(p->stream, corked, NULL, NULL);
		if (op)
			pa_operation_unref(op);
		playq_restart(&p->q, true);
	}
	pa_threaded_mainloop_unlock(p->loop);
}

uint64_t pulse_underruns(struct pulse_sink *p)
{
	return atomic_load(&p->underruns);
}

bool pulse_ok(struct pulse_sink *p)
{
	return atomic_load(&p->live);
}

void pulse_why(struct pulse_sink *p, char *why, size_t len)
{
	pa_threaded_mainloop_lock(p->loop);
	snprintf(why, len, "%s", p->state == PULSE_READY ? "" : p->why);
	pa_threaded_mainloop_unlock(p->loop);
}

/* Lets the server play what it holds (the guest's last sound), waiting at
 * most DRAIN_MAX_MS: a server that stopped taking frames does not hold
 * the domain's end. */
#define DRAIN_MAX_MS 1000

static void drain(struct pulse_sink *p)
{
	pa_operation *op;

	pa_threaded_mainloop_lock(p->loop);
	if (p->state == PULSE_READY) {
		if (p->q.n)
			pa_stream_write(p->stream, playq_head(&p->q), p->q.n * FRAME_BYTES, NULL, 0,
					PA_SEEK_RELATIVE);
		p->q.n = 0;
		if (p->corked && (op = pa_stream_cork(p->stream, 0, NULL, NULL)))
			pa_operation_unref(op);
		op = pa_stream_drain(p->stream, NULL, NULL);
		for (int ms = 0; op && ms < DRAIN_MAX_MS && p->state == PULSE_READY &&
				 pa_operation_get_state(op) == PA_OPERATION_RUNNING;
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

/* A call waiting for the library's thread. Freed by the side that sees
 * the other done: the thread when the caller gave up waiting. */
struct on_thread {
	void (*fn)(void *);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done, abandoned;
};

static void on_thread_free(struct on_thread *o)
{
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o);
}

static void run_once(pa_threaded_mainloop *loop, void *userdata)
{
	struct on_thread *o = userdata;
	bool abandoned;

	(void)loop;
	pthread_mutex_lock(&o->mu);
	abandoned = o->abandoned;
	if (!abandoned)
		o->fn(o->arg);
	o->done = true;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	if (abandoned)
		on_thread_free(o);
}

#define ON_THREAD_WAIT_S 5

int pulse_run_on_thread(struct pulse_sink *p, void (*fn)(void *), void *arg)
{
	struct on_thread *o = calloc(1, sizeof *o);
	struct timespec until;
	int rc = 0;

	if (!o)
		return -1;
	o->fn = fn;
	o->arg = arg;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	pa_threaded_mainloop_lock(p->loop);
	pa_threaded_mainloop_once_unlocked(p->loop, run_once, o);
	pa_threaded_mainloop_unlock(p->loop);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ON_THREAD_WAIT_S;
	pthread_mutex_lock(&o->mu);
	while (!o->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&o->cv, &o->mu, &until);
	if (!o->done)
		o->abandoned = true; /* the thread frees it, if it ever runs it */
	pthread_mutex_unlock(&o->mu);
	if (!o->abandoned) {
		on_thread_free(o);
		return 0;
	}
	return -1;
}

void pulse_close(struct pulse_sink *p)
{
	if (!p)
		return;
	drain(p);
	pa_threaded_mainloop_stop(p->loop);
	tear_down(p);
	pa_threaded_mainloop_free(p->loop);
	free(p);
}
