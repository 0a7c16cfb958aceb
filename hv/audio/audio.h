/* A domain's audio backend: the mixer of its sound sources and the sink
 * it plays into, driven by a timer on the domain's event loop that mixes
 * the frames of the virtual time that passed since its last round. The
 * vCPU never waits for it: the sources record what the guest programs
 * under the domain lock, and only this timer renders and writes.
 *
 * Sinks: "pulse" (PulseAudio; with no server, or when it goes away, one
 * log line and silence until a server is back: hv/audio/pulse.h),
 * "wav:PATH" (a WAV file of every frame of virtual time), "none". */
#ifndef HV_AUDIO_AUDIO_H
#define HV_AUDIO_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/audio_source.h"

struct audio;
struct evloop;
struct machine;

#define AUDIO_TICK_NS	      5000000LL	 /* the timer's period while the clock runs */
#define AUDIO_IDLE_TICK_NS    50000000LL /* while it is stopped */
#define AUDIO_LATENCY_DEFAULT 30	 /* ms */

/* A live sink's share of a latency of latency_ms: a sound waits up to one
 * mixing round (AUDIO_TICK_NS) to be mixed, the server gets the rest for
 * its buffer and its sink's (PulseAudio's tlength with
 * PA_STREAM_ADJUST_LATENCY), at least AUDIO_SERVER_MIN_MS. */
#define AUDIO_SERVER_MIN_MS 10
unsigned audio_server_ms(unsigned latency_ms);

/* Makes the backend for domain `name` with sink spec ("pulse", "none",
 * "wav:PATH"), playing the virtual time of m. A PulseAudio server that
 * cannot be reached is not an error: the log says so once and the sink is
 * silent until one can. Returns NULL with err set (a WAV file that cannot
 * be created, an unknown spec, no memory). */
struct audio *audio_create(const char *name, const char *spec, unsigned latency_ms,
			   struct machine *m, char *err, size_t errlen);

/* Adds a source (before audio_start). Returns 0 or -1 when full. */
int audio_add_source(struct audio *a, const struct audio_source *src);

/* Whether the backend wants sources at all ("none" does not). */
bool audio_wants_sources(const struct audio *a);

/* Starts the timer on loop (the loop's thread runs everything below).
 * Returns 0 or -1 when memory runs out. */
int audio_start(struct audio *a, struct evloop *loop);

/* Mixes and writes what the virtual clock has passed now (the timer's
 * round; also at the end, so the sink gets the last frames). */
void audio_pump(struct audio *a);

/* Runs fn(arg) on each thread the backend started (PulseAudio's), for
 * the sandbox to confine them as it confines the caller. 0, or -1 when a
 * thread did not run it. */
int audio_run_on_threads(struct audio *a, void (*fn)(void *), void *arg);

/* Volume 0-100 and mute, for the domain's sound as a whole. */
void audio_set_volume(struct audio *a, unsigned volume);
void audio_set_muted(struct audio *a, bool muted);

struct audio_status {
	char sink[320];	 /* "pulse", "pulse (silent: ...)", "wav:PATH", "none" */
	unsigned volume; /* 0-100 */
	bool muted;
	uint64_t underruns; /* the server ran out of frames */
	uint64_t dropped;   /* frames the server had no room for, or skipped */
	uint64_t frames;    /* frames mixed */
	/* PulseAudio: write to sink, mean, median, 99th percentile, worst */
	uint64_t latency_us, latency_p50_us, latency_p99_us, latency_max_us;
};
void audio_status(const struct audio *a, struct audio_status *st);

/* Writes the last frames (a PulseAudio stream plays out what it holds,
 * waiting up to 1 s), closes the sink, frees. */
void audio_free(struct audio *a);

#endif
