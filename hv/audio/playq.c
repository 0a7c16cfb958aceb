/* Frames are interleaved stereo S16: frame i is buf[2i], buf[2i + 1]. */
#include "hv/audio/playq.h"

#include <string.h>

#define FRAME_BYTES (2 * sizeof(int16_t))

static void open_window(struct playq *q, int64_t now)
{
	q->win_end = now + PLAYQ_WINDOW_NS;
	if (q->win_end == 0)
		q->win_end = 1;
	q->win_wait = SIZE_MAX;
	q->win_level = PLAYQ_LEVEL_NONE;
}

void playq_init(struct playq *q, size_t max, size_t low, size_t mid)
{
	memset(q, 0, sizeof *q);
	q->max = max == 0 ? 1 : max > PLAYQ_MAX ? PLAYQ_MAX : max;
	q->low = low;
	q->mid = mid < low ? low : mid;
}

/* Drops the oldest k (<= n) frames, without a fade. */
static void drop_head(struct playq *q, size_t k)
{
	memmove(q->buf, q->buf + 2 * k, (q->n - k) * FRAME_BYTES);
	q->n -= k;
}

size_t playq_push(struct playq *q, const int16_t *frames, size_t n)
{
	size_t out = 0;

	if (n >= q->max) {
		out = q->n + n - q->max;
		frames += 2 * (n - q->max);
		n = q->max;
		q->n = 0;
	} else if (q->n + n > q->max) {
		out = q->n + n - q->max;
		drop_head(q, out);
	}
	memcpy(q->buf + 2 * q->n, frames, n * FRAME_BYTES);
	q->n += n;
	if (q->started)
		q->overflow += out;
	else
		q->startup += out;
	return out;
}

void playq_consume(struct playq *q, size_t k)
{
	if (k > q->n)
		k = q->n;
	if (!k)
		return;
	q->last[0] = q->buf[2 * (k - 1)];
	q->last[1] = q->buf[2 * (k - 1) + 1];
	drop_head(q, k);
}

void playq_set_started(struct playq *q)
{
	if (!q->started)
		q->cut_all = true;
	q->started = true;
}

void playq_restart(struct playq *q, bool keep_started)
{
	q->win_end = 0;
	if (!keep_started)
		q->started = q->cut_all = false;
}

/* Drops the oldest k (<= n) frames; the first frames after the cut fade
 * in from the dropped ones they replace, which are the continuation of
 * what the server played last. */
static void trim(struct playq *q, size_t k)
{
	size_t fade = PLAYQ_FADE;

	if (fade > k)
		fade = k;
	if (fade > q->n - k)
		fade = q->n - k;
	for (size_t i = 0; i < fade; i++) {
		int32_t w = (int32_t)(((i + 1) << 15) / (fade + 1)); /* 0..32768 */

		for (size_t c = 0; c < 2; c++) {
			int32_t old = q->buf[2 * i + c], new = q->buf[2 * (k + i) + c];

			q->buf[2 * (k + i) + c] = (int16_t)((old * (32768 - w) + new *w) >> 15);
		}
	}
	drop_head(q, k);
	q->trimmed += k;
	q->trims++;
}

/* Holds the last frame played for k frames ahead of what waits. */
static void pad(struct playq *q, size_t k)
{
	if (k > q->max - q->n)
		k = q->max - q->n;
	if (!k)
		return;
	memmove(q->buf + 2 * k, q->buf, q->n * FRAME_BYTES);
	for (size_t i = 0; i < k; i++) {
		q->buf[2 * i] = q->last[0];
		q->buf[2 * i + 1] = q->last[1];
	}
	q->n += k;
	q->padded += k;
	q->pads++;
}

/* The window is over: act on what it saw. */
static size_t close_window(struct playq *q)
{
	if (q->win_wait != SIZE_MAX && q->win_wait >= PLAYQ_TRIM_MIN) {
		size_t k = q->win_wait <= q->n ? q->win_wait : q->n;

		trim(q, k);
		return k;
	}
	if (q->low && q->win_level != PLAYQ_LEVEL_NONE && q->win_level < q->low)
		pad(q, q->mid - q->win_level);
	return 0;
}

size_t playq_observe(struct playq *q, int64_t now, size_t level)
{
	size_t dropped = 0;

	if (!q->started)
		return 0;
	if (q->cut_all) {
		/* what waits as the server starts stands behind its full buffer */
		q->cut_all = false;
		if (q->n >= PLAYQ_TRIM_MIN) {
			dropped = q->n;
			trim(q, q->n);
		}
		open_window(q, now);
	}
	if (q->win_end && now >= q->win_end)
		dropped += close_window(q);
	if (!q->win_end || now >= q->win_end)
		open_window(q, now);
	if (q->n < q->win_wait)
		q->win_wait = q->n;
	if (q->n == 0 && level != PLAYQ_LEVEL_NONE &&
	    (q->win_level == PLAYQ_LEVEL_NONE || level > q->win_level))
		q->win_level = level;
	return dropped;
}
