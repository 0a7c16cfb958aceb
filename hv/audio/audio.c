/* One timer round: under the domain lock, the mixer pulls the sources up
 * to the last whole frame of virtual time; outside it, the frames go to
 * the sink. While the clock stands (a paused domain) nothing is mixed and
 * the PulseAudio stream is corked, so it neither plays stale frames nor
 * counts underruns. */
#include "hv/audio/audio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/audio/mixer.h"
#include "hv/audio/pulse.h"
#include "hv/audio/wav.h"
#include "hv/core/clock.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"

/* A live sink is at most this far behind the clock; older frames are
 * skipped (after the host stalled the process). A file gets them all. */
#define LIVE_BEHIND_MAX (AUDIO_RATE / 4)
#define ROUND_MAX	AUDIO_RATE /* frames one round mixes at most */

enum audio_kind { AUDIO_NONE, AUDIO_WAV, AUDIO_PULSE };

struct audio {
	enum audio_kind kind;
	char sink[320];
	struct machine *m;
	struct evloop *loop;
	int timer;
	int64_t next_tick; /* host ns */
	struct audio_mixer mixer;
	struct wav_sink wav;
	struct pulse_sink *pulse;
	uint64_t dropped; /* all frames lost */
	uint64_t skipped; /* of those, skipped after a stall of this thread */
	int16_t buf[2 * MIXER_CHUNK];
};

unsigned audio_server_ms(unsigned latency_ms)
{
	unsigned tick_ms = (unsigned)(AUDIO_TICK_NS / 1000000);

	return latency_ms >= AUDIO_SERVER_MIN_MS + tick_ms ? latency_ms - tick_ms
							   : AUDIO_SERVER_MIN_MS;
}

static int open_sink(struct audio *a, const char *name, const char *spec, unsigned latency_ms,
		     char *err, size_t errlen)
{
	char why[256];

	snprintf(a->sink, sizeof a->sink, "%s", spec);
	if (strcmp(spec, "none") == 0) {
		a->kind = AUDIO_NONE;
		return 0;
	}
	if (strncmp(spec, "wav:", 4) == 0) {
		a->kind = AUDIO_WAV;
		return wav_open(&a->wav, spec + 4, err, errlen);
	}
	if (strcmp(spec, "pulse") != 0) {
		snprintf(err, errlen,
			 "audio = \"%s\": expected \"pulse\", \"none\" or \"wav:PATH\"", spec);
		return -1;
	}
	a->pulse = pulse_open(name, audio_server_ms(latency_ms), why, sizeof why);
	if (!a->pulse) {
		snprintf(err, errlen, "audio: %s", why);
		return -1;
	}
	a->kind = AUDIO_PULSE;
	if (why[0])
		log_warn("audio: no sound (%s); the domain runs silent and plays once a server "
			 "is back",
			 why);
	return 0;
}

struct audio *audio_create(const char *name, const char *spec, unsigned latency_ms,
			   struct machine *m, char *err, size_t errlen)
{
	struct audio *a = calloc(1, sizeof *a);

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->m = m;
	a->timer = -1;
	a->wav.fd = -1;
	mixer_init(&a->mixer);
	if (open_sink(a, name, spec, latency_ms ? latency_ms : AUDIO_LATENCY_DEFAULT, err, errlen) <
	    0) {
		free(a);
		return NULL;
	}
	return a;
}

int audio_add_source(struct audio *a, const struct audio_source *src)
{
	return mixer_add_source(&a->mixer, src);
}

bool audio_wants_sources(const struct audio *a)
{
	return a->kind != AUDIO_NONE;
}

static void to_sink(struct audio *a, size_t n)
{
	if (a->kind == AUDIO_WAV) {
		if (wav_write(&a->wav, a->buf, n) < 0 && a->wav.err)
			a->dropped += n;
	} else if (a->kind == AUDIO_PULSE) {
		a->dropped += pulse_write(a->pulse, a->buf, n);
	}
}

/* Mixes up to the last whole frame of virtual time; false when the clock
 * stands. */
static bool mix_round(struct audio *a)
{
	uint64_t until, left;
	bool running;
	size_t n;

	machine_lock_host(a->m);
	running = a->m->clock.running;
	until = (uint64_t)((__int128)vclock_now(&a->m->clock) * AUDIO_RATE / 1000000000);
	if (a->kind != AUDIO_WAV && until > a->mixer.frame + LIVE_BEHIND_MAX) {
		a->dropped += until - LIVE_BEHIND_MAX - a->mixer.frame;
		a->skipped += until - LIVE_BEHIND_MAX - a->mixer.frame;
		mixer_skip_to(&a->mixer, until - LIVE_BEHIND_MAX);
	}
	machine_unlock_host(a->m);
	for (left = ROUND_MAX; left; left -= n) {
		machine_lock_host(a->m);
		n = mixer_render(&a->mixer, until, a->buf, left < MIXER_CHUNK ? left : MIXER_CHUNK);
		machine_unlock_host(a->m);
		if (!n)
			break;
		to_sink(a, n);
	}
	return running;
}

/* A PulseAudio server that went away (or a stream that failed) is one
 * line, and one more when a stream plays again: a server that keeps
 * failing is tried at most every 1 s (pulse_poll), and these lines are
 * rate-limited besides. */
static void poll_server(struct audio *a)
{
	static struct log_ratelimit rl;
	char why[200];

	switch (pulse_poll(a->pulse, host_now_ns(), why, sizeof why)) {
	case PULSE_EV_LOST:
		log_limited(&rl, LOG_WARN,
			    "audio: sound lost (%s); the domain runs silent and reconnects by "
			    "itself",
			    why);
		break;
	case PULSE_EV_BACK: log_limited(&rl, LOG_INFO, "audio: PulseAudio plays again"); break;
	case PULSE_EV_NONE: break;
	}
}

/* Returns whether the clock runs. */
static bool pump(struct audio *a)
{
	bool running;

	if (a->kind == AUDIO_NONE)
		return false;
	if (a->kind == AUDIO_PULSE)
		poll_server(a);
	running = mix_round(a);
	if (a->kind == AUDIO_PULSE)
		pulse_set_corked(a->pulse, !running);
	return running;
}

void audio_pump(struct audio *a)
{
	pump(a);
}

static void tick(void *opaque)
{
	struct audio *a = opaque;
	bool running = pump(a);
	int64_t now = host_now_ns();

	/* A silent sink (no server to play to) wants no frames in time: a
	 * slow round keeps the sources' rings moving and looks for a server
	 * without waking the domain 200 times a second. */
	bool live = a->kind != AUDIO_PULSE || pulse_ok(a->pulse);

	a->next_tick += running && live ? AUDIO_TICK_NS : AUDIO_IDLE_TICK_NS;
	if (a->next_tick <= now)
		a->next_tick = now + AUDIO_TICK_NS;
	a->timer = evloop_add_timer(a->loop, a->next_tick, tick, a);
}

int audio_start(struct audio *a, struct evloop *loop)
{
	if (a->kind == AUDIO_NONE)
		return 0;
	a->loop = loop;
	a->next_tick = host_now_ns() + AUDIO_TICK_NS;
	a->timer = evloop_add_timer(loop, a->next_tick, tick, a);
	return a->timer < 0 ? -1 : 0;
}

void audio_set_volume(struct audio *a, unsigned volume)
{
	machine_lock_host(a->m);
	mixer_set_volume(&a->mixer, volume);
	machine_unlock_host(a->m);
}

void audio_set_muted(struct audio *a, bool muted)
{
	machine_lock_host(a->m);
	mixer_set_muted(&a->mixer, muted);
	machine_unlock_host(a->m);
}

void audio_status(const struct audio *a, struct audio_status *st)
{
	memset(st, 0, sizeof *st);
	snprintf(st->sink, sizeof st->sink, "%s", a->sink);
	if (a->kind == AUDIO_PULSE) {
		char why[200];

		pulse_why(a->pulse, why, sizeof why);
		if (why[0])
			snprintf(st->sink, sizeof st->sink, "pulse (silent: %s)", why);
	}
	st->volume = a->mixer.volume;
	st->muted = a->mixer.muted;
	st->underruns = a->kind == AUDIO_PULSE ? pulse_underruns(a->pulse) : 0;
	if (a->kind == AUDIO_PULSE) {
		struct pulse_latency l;

		pulse_latency(a->pulse, &l);
		st->latency_us = l.mean_us;
		st->latency_p50_us = l.p50_us;
		st->latency_p99_us = l.p99_us;
		st->latency_max_us = l.max_us;
	}
	st->dropped = a->dropped;
	st->frames = a->mixer.frame;
}

/* The PulseAudio stream's figures, in one line at its end. */
static void log_closing(struct audio *a)
{
	struct pulse_latency l;
	struct pulse_stats st;

	pulse_latency(a->pulse, &l);
	pulse_stats(a->pulse, &st);
	log_info("PulseAudio stream closed: %llu frames, %llu underruns, %llu dropped (%llu "
		 "skipped after stalls, %llu trimmed in %llu cuts), %llu padded in %llu holds; "
		 "the server played from %lld ms after the stream opened (%llu frames before "
		 "it not heard); %llu reconnects; latency %.1f ms mean, %.1f ms p50, %.1f ms "
		 "p99, %.1f ms worst",
		 (unsigned long long)a->mixer.frame, (unsigned long long)pulse_underruns(a->pulse),
		 (unsigned long long)a->dropped, (unsigned long long)a->skipped,
		 (unsigned long long)st.trimmed, (unsigned long long)st.trims,
		 (unsigned long long)st.padded, (unsigned long long)st.pads, (long long)st.start_ms,
		 (unsigned long long)st.startup, (unsigned long long)st.reconnects,
		 l.mean_us / 1000.0, l.p50_us / 1000.0, l.p99_us / 1000.0, l.max_us / 1000.0);
}

int audio_run_on_threads(struct audio *a, void (*fn)(void *), void *arg)
{
	return a && a->pulse ? pulse_run_on_thread(a->pulse, fn, arg) : 0;
}

void audio_free(struct audio *a)
{
	if (!a)
		return;
	if (a->timer > 0 && a->loop)
		evloop_cancel_timer(a->loop, a->timer);
	if (a->kind == AUDIO_WAV || a->kind == AUDIO_PULSE)
		mix_round(a); /* the last frames, up to the clock's end */
	if (a->kind == AUDIO_WAV)
		wav_close(&a->wav);
	if (a->kind == AUDIO_PULSE)
		log_closing(a);
	pulse_close(a->pulse);
	free(a);
}
