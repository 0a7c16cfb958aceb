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
 * target latency of latency_ms, waiting up to 2 s for it. With no server
 * (or one that refuses the stream), err says why and the sink is silent
 * until pulse_poll finds a server. Returns NULL only when memory or the
 * mainloop's thread cannot be had (err says which). */
struct pulse_sink *pulse_open(const char *name, unsigned latency_ms, char *err, size_t errlen);

/* Reconnecting, from the thread that writes (never blocking): when the
 * server went away or the stream failed, the connection goes and a new
 * one is tried 0.1 s later, then after each failed try twice as late, up
 * to every 1 s (a try that has no answer within 5 s is dropped). A new
 * stream has the same name, and starts corked when the sink is. Returns
 * PULSE_EV_LOST (why says why) when a playing stream was lost,
 * PULSE_EV_BACK when a stream plays after the sink was silent (a loss,
 * or no server at pulse_open), else PULSE_EV_NONE. Call it each mixing round. */
enum pulse_event { PULSE_EV_NONE, PULSE_EV_LOST, PULSE_EV_BACK };
enum pulse_event pulse_poll(struct pulse_sink *p, int64_t now, char *why, size_t len);

/* Queues n interleaved stereo frames (none while no stream plays: they
 * are silence, not counted) and hands the server as many queued
 * frames as it has room for now (the rest goes when the server asks).
 * Returns the frames dropped once the server plays the stream: the oldest
 * beyond one target latency of queue (a server starved of CPU), a level
 * that stood in the queue (trimmed), or all of them once the stream has
 * failed. Frames pushed out before the server first played from the
 * stream are not counted here but in pulse_stats' startup. */
size_t pulse_write(struct pulse_sink *p, const int16_t *frames, size_t n);

/* Corks (paused) or uncorks the stream. */
void pulse_set_corked(struct pulse_sink *p, bool corked);

/* Underruns the server reported so far. */
uint64_t pulse_underruns(struct pulse_sink *p);

/* The latency of the newest frame mixed, at each write to the server:
 * from its mixing to the sink (its wait for the write, the frames queued
 * ahead of it in hv, the server's buffer and the sink's latency as the
 * server reports them), from the server's first playing of the stream on:
 * mean, median, 99th percentile (to 0.5 ms) and worst, in microseconds (0
 * before the first report). A sound that starts between two mixing
 * rounds waits up to one round (AUDIO_TICK_NS) more. */
struct pulse_latency {
	uint64_t mean_us, p50_us, p99_us, max_us;
};
void pulse_latency(struct pulse_sink *p, struct pulse_latency *l);

/* What the play queue did (hv/audio/playq.h), in frames and times, and
 * when the server first played from the stream: ms after it was ready, or
 * -1 when it never did. */
struct pulse_stats {
	uint64_t startup, overflow, trimmed, trims, padded, pads;
	int64_t start_ms;
	uint64_t reconnects; /* streams that played again after a loss */
};
void pulse_stats(struct pulse_sink *p, struct pulse_stats *st);

/* Whether a stream plays (false while the server is away). */
bool pulse_ok(struct pulse_sink *p);

/* Why no stream plays ("" when one does). */
void pulse_why(struct pulse_sink *p, char *why, size_t len);

/* Runs fn(arg) on the library's own thread (started by pulse_open, before
 * the domain's sandbox, which must then confine it too) and returns once
 * it has: 0, or -1 when the thread did not run it within a few seconds. */
int pulse_run_on_thread(struct pulse_sink *p, void (*fn)(void *), void *arg);
void pulse_close(struct pulse_sink *p);

#endif
