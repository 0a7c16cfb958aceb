/* The play queue of a live sink (hv/audio/playq.h), driven against a
 * simulated PulseAudio stream: a server buffer of tlength frames that
 * asks for more once minreq are missing, plays at a speed relative to
 * the guest's clock, may start late, stall, run dry (and then wait for
 * prebuf frames before playing again, as PulseAudio does) or be
 * reconnected; hv's side pushes one mixing round of frames every 5 ms of
 * virtual time and hands out what the server has room for. What the
 * queue must keep: a bounded latency that comes back to the server's
 * buffer after any disturbance, no standing queue, frames lost at the
 * start counted apart, continuity across cuts and holds. */
#include <stdlib.h>
#include <string.h>

#include "hv/audio/playq.h"
#include "unit.h"

#define MS	   1000000LL
#define ROUND	   (AUDIO_RATE / 200) /* frames of a 5 ms mixing round */
#define TLENGTH	   (AUDIO_RATE * 19 / 1000)
#define MINREQ	   (TLENGTH / 4)
#define QUEUE_MAX  (AUDIO_RATE * 25 / 1000)
#define PAD_LOW	   (TLENGTH / 2)
#define PAD_MID	   (TLENGTH * 3 / 4)
#define SAMPLE_MOD 30000

struct sim {
	struct playq q;
	int64_t now;		      /* host ns, 1 ms steps */
	double level;		      /* frames in the server's buffer */
	double speed;		      /* frames played per frame of the guest's clock */
	int64_t start_at;	      /* the server plays from then on */
	int64_t stall_from, stall_to; /* neither plays nor asks in between */
	bool waiting;		      /* after running dry: until prebuf frames are there */
	bool played;		      /* has played from the stream */
	uint64_t underruns;
	uint64_t produced; /* frames pushed */
	size_t worst;	   /* the most frames queued ahead of a new one (level + n) */
	size_t worst_wait; /* the most frames waiting in hv after a hand-out */
};

static struct sim *sim_new(double speed)
{
	struct sim *s = calloc(1, sizeof *s);

	ck_assert_ptr_nonnull(s);
	playq_init(&s->q, QUEUE_MAX, PAD_LOW, PAD_MID);
	s->speed = speed;
	s->waiting = true; /* a new stream waits for prebuf */
	return s;
}

static bool stalled(const struct sim *s)
{
	return s->now >= s->stall_from && s->now < s->stall_to;
}

/* Hands the server what it has room for (the write callback, or the write
 * after a mixing round), then lets the queue look at the result. */
static void hand_out(struct sim *s)
{
	size_t room = s->level < TLENGTH ? (size_t)(TLENGTH - s->level) : 0;
	size_t k = room < s->q.n ? room : s->q.n;

	if (!k)
		return;
	s->level += (double)k;
	playq_consume(&s->q, k);
	if (s->waiting && s->level >= MINREQ)
		s->waiting = false;
	if (s->played)
		playq_set_started(&s->q);
	playq_observe(&s->q, s->now, (size_t)s->level);
	if (s->q.started && (size_t)s->level + s->q.n > s->worst)
		s->worst = (size_t)s->level + s->q.n;
	if (s->q.started && s->q.n > s->worst_wait)
		s->worst_wait = s->q.n;
}

static void push_round(struct sim *s)
{
	int16_t f[2 * ROUND];

	for (size_t i = 0; i < ROUND; i++) {
		int16_t v = (int16_t)((s->produced + i) % SAMPLE_MOD);

		f[2 * i] = v;
		f[2 * i + 1] = (int16_t)-v;
	}
	s->produced += ROUND;
	playq_push(&s->q, f, ROUND);
}

/* Runs the simulation for ms milliseconds of host time. */
static void run(struct sim *s, int ms)
{
	for (int i = 0; i < ms; i++) {
		s->now += MS;
		if (s->now >= s->start_at && !stalled(s) && !s->waiting) {
			double want = s->speed * AUDIO_RATE / 1000;

			if (s->level >= want) {
				s->level -= want;
				s->played = true;
			} else {
				s->level = 0;
				s->waiting = true;
				s->underruns++;
			}
		}
		if (s->now % (5 * MS) == 0) {
			push_round(s);
			if (!stalled(s))
				hand_out(s);
		}
		if (!stalled(s) && TLENGTH - s->level >= MINREQ)
			hand_out(s);
	}
}

/* The most frames that may be queued ahead of a new frame with nothing
 * standing: the server's full buffer, one round and one request. */
#define HEALTHY (TLENGTH + ROUND + MINREQ)

/* A stream starts playing as soon as prebuf frames are there, so its
 * buffer runs short of its length at the same speed as the guest's clock:
 * one hold at the start brings it up, and then nothing more happens. */
START_TEST(test_same_speed_runs_with_no_cut_one_hold_no_underrun)
{
	struct sim *s = sim_new(1.0);

	run(s, 1000);
	ck_assert(s->q.started);
	ck_assert_uint_le(s->q.pads, 1);
	run(s, 60000);
	ck_assert_uint_eq(s->underruns, 0);
	ck_assert_uint_eq(s->q.trims, 0);
	ck_assert_uint_le(s->q.pads, 1);
	ck_assert_uint_eq(s->q.overflow + s->q.startup, 0);
	ck_assert_uint_le(s->worst, HEALTHY);
	free(s);
}
END_TEST

/* A server that starts 1.7 s late (a null sink that rendered its idle
 * block ahead): the queue stays bounded, what it pushes out meanwhile is
 * counted as lost at the start and not as dropped, and once the server
 * plays, the level that stood is cut once and never comes back. */
START_TEST(test_late_start_is_counted_apart_and_the_standing_level_is_cut)
{
	struct sim *s = sim_new(1.0);

	s->start_at = 1700 * MS;
	run(s, 1699);
	ck_assert(!s->q.started);
	ck_assert_uint_le(s->q.n, QUEUE_MAX);
	ck_assert_uint_gt(s->q.startup, AUDIO_RATE); /* more than a second */
	ck_assert_uint_eq(s->q.overflow, 0);
	ck_assert_uint_eq(s->q.trims, 0);
	run(s, 1000);
	ck_assert(s->q.started);
	ck_assert_uint_ge(s->q.trims, 1);
	ck_assert_uint_le(s->q.trims, 2);
	s->worst = s->worst_wait = 0;
	run(s, 30000);
	ck_assert_uint_le(s->worst, HEALTHY);
	ck_assert_uint_le(s->worst_wait, ROUND + MINREQ);
	ck_assert_uint_le(s->q.trims, 2);
	ck_assert_uint_le(s->q.overflow, 2 * ROUND); /* as the server started */
	ck_assert_uint_eq(s->underruns, 0);
	free(s);
}
END_TEST

/* A device 0.5% slower than the guest's clock: without cuts the queue
 * would fill and hold a full queue of latency; with them it stays near
 * the server's buffer, losing about the difference and nothing else. */
START_TEST(test_slower_server_is_kept_at_its_latency_by_cuts)
{
	struct sim *s = sim_new(0.995);
	uint64_t excess = (uint64_t)(0.005 * 60 * AUDIO_RATE);

	run(s, 1000);
	s->worst = 0;
	run(s, 60000);
	ck_assert_uint_le(s->worst, HEALTHY + PLAYQ_TRIM_MIN);
	ck_assert_uint_ge(s->q.trims, 10);
	ck_assert_uint_le(s->q.trimmed + s->q.overflow, excess * 3 / 2);
	ck_assert_uint_ge(s->q.trimmed + s->q.overflow, excess / 2);
	ck_assert_uint_le(s->q.pads, 1); /* at the start, as above */
	ck_assert_uint_eq(s->underruns, 0);
	free(s);
}
END_TEST

/* A device 0.5% faster: its buffer sinks; the last frame is held a few ms
 * at a time before the server runs dry, rather than gaps of silence. */
START_TEST(test_faster_server_is_held_up_before_it_runs_dry)
{
	struct sim *s = sim_new(1.005);
	uint64_t lack = (uint64_t)(0.005 * 61 * AUDIO_RATE);

	uint64_t early;

	run(s, 1000); /* from a stream that just started: its buffer is short */
	early = s->underruns;
	ck_assert_uint_ge(s->q.pads, 1);
	run(s, 60000);
	ck_assert_uint_eq(s->underruns, early);
	ck_assert_uint_ge(s->q.pads, 5);
	ck_assert_uint_ge(s->q.padded, lack / 2);
	ck_assert_uint_le(s->q.padded, lack * 2);
	ck_assert_uint_le(s->worst, HEALTHY + PAD_MID);
	free(s);
}
END_TEST

/* The server stalls for 120 ms (starved of CPU): frames beyond the queue
 * go, it runs dry, and within a second of its return the latency is the
 * server's buffer again, not the stall's length on top of it. */
START_TEST(test_stall_costs_frames_once_and_the_latency_comes_back)
{
	struct sim *s = sim_new(1.0);

	run(s, 2000);
	s->stall_from = s->now;
	s->stall_to = s->now + 120 * MS;
	run(s, 120);
	ck_assert_uint_le(s->q.n, QUEUE_MAX);
	ck_assert_uint_gt(s->q.overflow, 0);
	run(s, 1000);
	s->worst = s->worst_wait = 0;
	run(s, 10000);
	ck_assert_uint_le(s->worst, HEALTHY);
	ck_assert_uint_le(s->worst_wait, ROUND + MINREQ);
	ck_assert_uint_le(s->underruns, 1);
	free(s);
}
END_TEST

/* A reconnected stream starts over: until its server plays, nothing is
 * cut and what the full queue pushes out is lost at (this) start. */
START_TEST(test_restart_forgets_the_start_and_the_window)
{
	struct sim *s = sim_new(1.0);
	uint64_t trims, overflow;

	run(s, 2000);
	ck_assert(s->q.started);
	trims = s->q.trims;
	overflow = s->q.overflow;
	playq_restart(&s->q, false);
	s->level = 0;
	s->played = false;
	s->start_at = s->now + 500 * MS;
	run(s, 400);
	ck_assert(!s->q.started);
	ck_assert_uint_eq(s->q.trims, trims);
	ck_assert_uint_eq(s->q.overflow, overflow);
	ck_assert_uint_gt(s->q.startup, 0);
	run(s, 2000);
	ck_assert(s->q.started);
	s->worst = 0;
	run(s, 5000);
	ck_assert_uint_le(s->worst, HEALTHY);
	free(s);
}
END_TEST

/* As the server starts, what waited behind its full buffer goes at once
 * (with a fade), not a window later. */
START_TEST(test_start_cuts_what_waits_at_once)
{
	static struct playq q;
	int16_t f[2 * 500] = {0};

	playq_init(&q, 1000, 0, 0);
	playq_push(&q, f, 500);
	ck_assert_uint_eq(playq_observe(&q, 1, PLAYQ_LEVEL_NONE), 0); /* not started */
	ck_assert_uint_eq(q.n, 500);
	playq_set_started(&q);
	ck_assert_uint_eq(playq_observe(&q, 2, PLAYQ_LEVEL_NONE), 500);
	ck_assert_uint_eq(q.n, 0);
	playq_push(&q, f, 500);
	playq_set_started(&q); /* already started: nothing more */
	ck_assert_uint_eq(playq_observe(&q, 3, PLAYQ_LEVEL_NONE), 0);
	ck_assert_uint_eq(q.n, 500);
	ck_assert_uint_eq(q.trims, 1);
}
END_TEST

/* A cut fades from the frames it drops into the ones after them, so the
 * first frame after it continues what was played; then the new ones. */
START_TEST(test_cut_crossfades_from_what_it_drops)
{
	static struct playq q;
	int16_t f[2 * 1100];

	playq_init(&q, 1100, 0, 0);
	for (int i = 0; i < 1100; i++) {
		f[2 * i] = (int16_t)(10 * i);
		f[2 * i + 1] = (int16_t)(-10 * i);
	}
	playq_push(&q, f, 100);
	playq_consume(&q, 100); /* the server played frames 0..99 */
	playq_set_started(&q);
	ck_assert_uint_eq(playq_observe(&q, 1, PLAYQ_LEVEL_NONE), 0);
	playq_push(&q, f + 2 * 100, 900);
	ck_assert_uint_eq(playq_observe(&q, 1 + PLAYQ_WINDOW_NS, PLAYQ_LEVEL_NONE), 0);
	playq_push(&q, f + 2 * 1000, 100);
	/* 900 waited at the emptiest moment of the window: they stood */
	ck_assert_uint_eq(playq_observe(&q, 1 + 2 * PLAYQ_WINDOW_NS, PLAYQ_LEVEL_NONE), 900);
	ck_assert_uint_eq(q.n, 100);
	ck_assert_uint_eq(q.trims, 1);
	ck_assert_uint_eq(q.trimmed, 900);
	/* the first frame after the cut is close to frame 100, not 1000 */
	ck_assert_int_lt(abs(playq_head(&q)[0] - 1000), 200);
	ck_assert_int_lt(abs(playq_head(&q)[1] + 1000), 200);
	for (size_t i = 1; i < PLAYQ_FADE; i++)
		ck_assert_int_ge(playq_head(&q)[2 * i], playq_head(&q)[2 * (i - 1)]);
	ck_assert_int_eq(playq_head(&q)[2 * PLAYQ_FADE], 10 * (1000 + PLAYQ_FADE));
	ck_assert_int_eq(playq_head(&q)[2 * 99 + 1], -10 * 1099);
	/* and the next window, with nothing standing, cuts nothing */
	playq_consume(&q, 100);
	ck_assert_uint_eq(playq_observe(&q, 2 + 2 * PLAYQ_WINDOW_NS, PLAYQ_LEVEL_NONE), 0);
	ck_assert_uint_eq(playq_observe(&q, 1 + 3 * PLAYQ_WINDOW_NS, PLAYQ_LEVEL_NONE), 0);
	ck_assert_uint_eq(q.trims, 1);
}
END_TEST

/* A hold repeats the last frame played ahead of what waits. */
START_TEST(test_hold_repeats_the_last_frame_played)
{
	static struct playq q;
	int16_t f[2 * 10] = {0};

	playq_init(&q, 1000, 400, 600);
	for (int i = 0; i < 10; i++)
		f[2 * i] = f[2 * i + 1] = (int16_t)(i + 1);
	playq_push(&q, f, 10);
	playq_consume(&q, 10);
	playq_set_started(&q);
	playq_observe(&q, 1, 100); /* nothing waits, the server holds 100 */
	playq_push(&q, f, 3);
	playq_observe(&q, 1 + PLAYQ_WINDOW_NS, PLAYQ_LEVEL_NONE);
	ck_assert_uint_eq(q.pads, 1);
	ck_assert_uint_eq(q.padded, 500);
	ck_assert_uint_eq(q.n, 503);
	for (size_t i = 0; i < 500; i++)
		ck_assert_int_eq(playq_head(&q)[2 * i], 10);
	ck_assert_int_eq(playq_head(&q)[2 * 500], 1);
	ck_assert_int_eq(playq_head(&q)[2 * 502 + 1], 3);
}
END_TEST

/* The queue keeps the newest frames, in order, within its bound, whatever
 * the sizes pushed; a hold never passes the bound either. */
START_TEST(test_push_keeps_the_newest_within_the_bound)
{
	static struct playq q;
	static int16_t f[2 * (PLAYQ_MAX + 50)];
	uint64_t next = 0;

	playq_init(&q, 700, 600, PLAYQ_MAX); /* mid beyond max: clamped */
	unit_seed(17);
	for (int round = 0; round < 2000; round++) {
		size_t n = unit_rand() % (PLAYQ_MAX + 50), k = unit_rand() % 800;

		for (size_t i = 0; i < n; i++)
			f[2 * i] = f[2 * i + 1] = (int16_t)((next + i) % SAMPLE_MOD);
		next += n;
		playq_push(&q, f, n);
		ck_assert_uint_le(q.n, 700);
		if (q.n)
			ck_assert_int_eq(playq_head(&q)[2 * (q.n - 1)], (next - 1) % SAMPLE_MOD);
		playq_consume(&q, k);
		if (round == 100)
			playq_set_started(&q);
		playq_observe(&q, (int64_t)round * PLAYQ_WINDOW_NS / 3 + 1, unit_rand() % 900);
		ck_assert_uint_le(q.n, 700);
	}
	ck_assert_uint_eq(q.max, 700);
	playq_init(&q, 0, 0, 0);
	ck_assert_uint_eq(q.max, 1);
	playq_init(&q, PLAYQ_MAX * 2, 0, 0);
	ck_assert_uint_eq(q.max, PLAYQ_MAX);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("playq");
	TCase *t = tcase_create("playq");

	tcase_add_test(t, test_same_speed_runs_with_no_cut_one_hold_no_underrun);
	tcase_add_test(t, test_late_start_is_counted_apart_and_the_standing_level_is_cut);
	tcase_add_test(t, test_slower_server_is_kept_at_its_latency_by_cuts);
	tcase_add_test(t, test_faster_server_is_held_up_before_it_runs_dry);
	tcase_add_test(t, test_stall_costs_frames_once_and_the_latency_comes_back);
	tcase_add_test(t, test_restart_forgets_the_start_and_the_window);
	tcase_add_test(t, test_start_cuts_what_waits_at_once);
	tcase_add_test(t, test_cut_crossfades_from_what_it_drops);
	tcase_add_test(t, test_hold_repeats_the_last_frame_played);
	tcase_add_test(t, test_push_keeps_the_newest_within_the_bound);
	suite_add_tcase(s, t);
	return unit_run(s);
}
