/* The PulseAudio sink: one context and one playback stream per domain
 * ("hv: NAME" in desktop mixers), 48 kHz stereo S16, on a
 * pa_threaded_mainloop of its own. Frames are pushed from the domain's
 * event loop, never from a vCPU; what the server has no room for waits in
 * a bounded queue rather than blocking anyone. */
#ifndef HV_AUDIO_PULSE_H
#define HV_AUDIO_PULSE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pulse_sink;

/* Connects to the server (no autospawn) and opens the stream with a
 * target latency of latency_ms. Returns NULL with err set when there is no
 * server or it refuses the stream. */
struct pulse_sink *pulse_open(const char *name, unsigned latency_ms, char *err, size_t errlen);

/* Queues n interleaved stereo frames and hands the server as many queued
 * frames as it has room for now (the rest goes when the server asks).
 * Returns the frames dropped: the oldest beyond one target latency of
 * queue (a server starved of CPU), or all of them once the stream has
 * failed. */
size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n);

/* Corks (paused) or uncorks the stream. */
void pulse_set_corked(struct pulse_sink *p, bool corked);

/* Underruns the server reported so far. */
uint64_t pulse_underruns(struct pulse_sink *p);

/* The latency from a frame's write to the sink as the server reported
 * it at each write plus the frames still queued in hv: mean, median,
 * 99th percentile (to 0.5 ms) and worst, in microseconds (0 before the
 * first report). */
struct pulse_latency {
	uint64_t mean_us, p50_us, p99_us, max_us;
};
void pulse_latency(struct pulse_sink *p, struct pulse_latency *l);

/* Whether the stream is still playing (false after the server went
 * away). */
bool pulse_ok(struct pulse_sink *p);

void pulse_close(struct pulse_sink *p);

#endif
