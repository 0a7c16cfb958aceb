/* The frames of a live sink waiting for its server, and how long they
 * may wait. The server keeps its own buffer at its target length and
 * asks for more as it plays; frames it has no room for wait here. Left
 * alone, a queue that filled once (the server started late, or stalled)
 * keeps its level for good, since the guest's clock and the server play
 * at the same rate: every frame after it waits that much longer. So the
 * queue watches itself over windows of host time:
 *
 *   - trim: when frames waited even at the emptiest moment of a window,
 *     that standing level is latency and nothing else; it is dropped from
 *     the oldest end, with a short crossfade across the cut;
 *   - pad: when the server's buffer stayed low all through a window with
 *     nothing waiting here (a device that plays a little faster than the
 *     guest's clock), the last frame is held for a few ms to bring it back
 *     to the middle, before it runs dry and restarts with a gap.
 *
 * Before the server has played anything from the stream (a server still
 * starting its sink), nothing is trimmed or padded; frames pushed out of
 * the full queue then are counted apart, as lost at the stream's start.
 * As it starts, whatever waits here stands behind its full buffer (the
 * server takes frames while it has room) and is trimmed at once.
 * Pure logic on frames and host times, no PulseAudio: driven by
 * hv/audio/pulse.c and by its unit suite. */
#ifndef HV_AUDIO_PLAYQ_H
#define HV_AUDIO_PLAYQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/audio_source.h"

#define PLAYQ_MAX	 (AUDIO_RATE / 5)    /* frames (200 ms) the queue can hold */
#define PLAYQ_WINDOW_NS	 200000000LL	     /* a window of host time */
#define PLAYQ_TRIM_MIN	 (AUDIO_RATE / 1000) /* standing levels below 1 ms stay */
#define PLAYQ_FADE	 64		     /* frames of crossfade across a trim */
#define PLAYQ_LEVEL_NONE SIZE_MAX

struct playq {
	size_t max;		  /* frames kept at most (the oldest go first) */
	size_t low, mid;	  /* the server's level: pad under low up to mid (0: never) */
	size_t n;		  /* frames waiting */
	bool started;		  /* the server has played from the stream */
	bool cut_all;		  /* it just started: what waits stands */
	int16_t last[2];	  /* the last frame handed to the server */
	int64_t win_end;	  /* host ns the window closes; 0: none open */
	size_t win_wait;	  /* the fewest frames waiting after a hand-out */
	size_t win_level;	  /* the server's highest level with nothing waiting */
	uint64_t overflow;	  /* frames pushed out of the full queue (started) */
	uint64_t startup;	  /* the same, before the server started */
	uint64_t trimmed, padded; /* frames */
	uint64_t trims, pads;	  /* times */
	int16_t buf[2 * PLAYQ_MAX];
};

/* An empty queue that keeps max frames (at most PLAYQ_MAX) and pads the
 * server's level from under low up to mid (low 0: never pads). */
void playq_init(struct playq *q, size_t max, size_t low, size_t mid);

/* Queues n interleaved stereo frames, keeping the newest max. Returns how
 * many were pushed out (counted as overflow, or startup before the server
 * started). */
size_t playq_push(struct playq *q, const int16_t *frames, size_t n);

/* The oldest waiting frame (q->n of them follow, interleaved). */
static inline const int16_t *playq_head(const struct playq *q)
{
	return q->buf;
}

/* k frames from the head went to the server. */
void playq_consume(struct playq *q, size_t k);

/* The server played from the stream (for the first time, or again after
 * playq_restart). */
void playq_set_started(struct playq *q);

/* After a hand-out at host time now, with the server's buffered frames
 * `level` (PLAYQ_LEVEL_NONE when unknown): notes them in the window and,
 * once the window is over, trims or pads as above. Returns the frames
 * dropped by a trim (0 otherwise). */
size_t playq_observe(struct playq *q, int64_t now, size_t level);

/* The server restarts the stream (corked and uncorked, reconnected): the
 * window is forgotten and, when not `keep_started`, so is its start. */
void playq_restart(struct playq *q, bool keep_started);

#endif
