/* Sound from a bare guest: tests/guests/tone.asm plays 1000 Hz on the PC
 * speaker (PIT counter 2 through port 61h). Recorded through the WAV sink
 * and through a PulseAudio null sink (a private server the test starts),
 * it has the tone's frequency within 1%, the speaker's level and no gap;
 * a paused domain makes no sound until it is unpaused; volume and mute
 * are requests and `info` keys; with no server the domain runs and says
 * so in one line. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "hv/core/ctl.h"
#include "pulse.h"

#define RATE	   48000
#define TONE_HZ	   (1193182.0 / 1193)
#define EXIT_TONE  ((0x10 << 1) | 1)
#define PERIOD_MIN 46 /* frames between rising zero crossings at 1000 Hz: 48 */
#define PERIOD_MAX 50
#define LEVEL_MIN  6000 /* the speaker's swing at volume 100 is +-8192 */
#define LEVEL_MAX  12000
#define PLAYED_MIN (RATE / 4) /* frames of tone at the least */
/* The test host runs other builds and guests at once: a latency that
 * absorbs a busy scheduler's delays, so that a gap means a real one. */
#define PULSE_CFG "serial = \"none\"\naudio = \"pulse\"\naudio_latency_ms = 250\n"

static int16_t *samples; /* left channel */
static size_t nsamples;

/* The tone is the span from its first rising zero crossing to its last.
 * Its periods are 1000 Hz ones: their mean is the tone's frequency within
 * 1%, and at most max_bad of them are not (a gap or a glitch; 0 for a
 * file, which has every frame of virtual time). The level is the
 * speaker's. */
static const char *context = ""; /* hv's messages, for a failure's report */

static void check_tone_at(const char *what, double max_bad, double gain)
{
	size_t first = 0, last = 0, n = 0, bad = 0, good = 0, sum = 0;
	int peak = 0;
	double hz;

	for (size_t i = 1; i < nsamples; i++) {
		if (!(samples[i - 1] < 0 && samples[i] >= 0) ||
		    abs(samples[i]) + abs(samples[i - 1]) < 2000 * gain)
			continue;
		if (n && (i - last < PERIOD_MIN || i - last > PERIOD_MAX))
			bad++;
		else if (n) {
			good++;
			sum += i - last;
		}
		if (!n)
			first = i;
		last = i;
		n++;
	}
	ck_assert_msg(good > 2 && last - first >= PLAYED_MIN,
		      "%s: no tone (%zu crossings in %zu frames) %s", what, n, nsamples, context);
	hz = (double)RATE * (double)good / (double)sum;
	ck_assert_msg(hz > TONE_HZ * 0.99 && hz < TONE_HZ * 1.01, "%s: %.2f Hz", what, hz);
	ck_assert_msg((double)bad <= max_bad * (double)(n - 1),
		      "%s: %zu periods out of %zu were not 1000 Hz ones (gaps)", what, bad, n - 1);
	/* The level once the AC coupling settled (its first edge swings
	 * twice as far): the middle half of the tone. */
	for (size_t i = first + (last - first) / 4; i < last - (last - first) / 4; i++)
		peak = abs(samples[i]) > peak ? abs(samples[i]) : peak;
	ck_assert_msg(peak >= LEVEL_MIN * gain && peak <= LEVEL_MAX * gain, "%s: peak %d", what,
		      peak);
}

/* At volume 100 (the mixer's gain is the square of the volume). */
static void check_tone(const char *what, double max_bad)
{
	check_tone_at(what, max_bad, 1.0);
}

START_TEST(test_tone_recorded_through_the_wav_sink)
{
	char extra[600], wav[512];
	struct h_result *r;

	snprintf(wav, sizeof wav, "%s/tone.wav", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"none\"\naudio = \"wav:%s\"\n", wav);
	r = h_hv(NULL, 120, (const char *const[]){"run", h_guest_cfg("tone", "tone", extra), NULL});
	ck_assert_msg(r->status == EXIT_TONE, "status %d: %s", r->status, r->err);
	h_load_left(wav, 44, &samples, &nsamples);
	ck_assert_uint_eq(h_slurp(wav)[0], 'R');
	check_tone("wav", 0);
}
END_TEST

START_TEST(test_tone_recorded_from_a_pulseaudio_null_sink)
{
	char raw[512];
	struct h_result *r;

	snprintf(raw, sizeof raw, "%s/tone.raw", h_setup_dir());
	r = pulse_record_run(
	    raw, (const char *const[]){"run", h_guest_cfg("tone", "tone", PULSE_CFG), NULL});
	ck_assert_msg(r->status == EXIT_TONE, "status %d: %s", r->status, r->err);
	ck_assert_msg(strstr(r->err, "audio:") == NULL, "%s", r->err);
	h_load_left(raw, 0, &samples, &nsamples);
	context = r->err;
	/* Real time on a shared test host: parec and the server may each
	 * miss a beat under load; the tone must be there and whole but for
	 * such glitches (2% of its periods at most). */
	check_tone("pulse", 0.02);
}
END_TEST

START_TEST(test_no_server_runs_silent_with_one_log_line)
{
	struct h_result *r;
	const char *line;

	setenv("PULSE_SERVER", "unix:/nonexistent/hv-no-pulse", 1);
	r = h_hv(NULL, 120,
		 (const char *const[]){
		     "run", h_guest_cfg("tone", "tone", "serial = \"none\"\naudio = \"pulse\"\n"),
		     NULL});
	unsetenv("PULSE_SERVER");
	ck_assert_msg(r->status == EXIT_TONE, "status %d: %s", r->status, r->err);
	line = strstr(r->err, "audio:");
	ck_assert_msg(line != NULL, "no audio line: %s", r->err);
	ck_assert_ptr_null(strstr(line + 1, "audio:"));
}
END_TEST

/* No server and none of the session's variables (root on a console, a
 * cron job): libpulse's own search for the server makes directories and
 * checks for ~/.pulse, which the domain's sandbox forbids; the reconnects
 * after the first try must not search, or the domain is killed at the
 * first (100 ms in). hv's runtime directory is then /tmp/hv-UID: the
 * domain's name is the test's own. */
START_TEST(test_no_server_and_no_session_variables_the_domain_lives_on)
{
	char name[64], xdg[512];
	struct h_result *r;

	snprintf(xdg, sizeof xdg, "%s", getenv("XDG_RUNTIME_DIR"));
	snprintf(name, sizeof name, "nopulse-%d", (int)getpid());
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("PULSE_SERVER");
	unsetenv("PULSE_RUNTIME_PATH");
	setenv("HOME", h_setup_dir(), 1);
	setenv("TMPDIR", h_setup_dir(), 1); /* where libpulse makes its runtime directory */
	r = h_hv(
	    NULL, 120,
	    (const char *const[]){
		"run", h_guest_cfg(name, "tone", "serial = \"none\"\naudio = \"pulse\"\n"), NULL});
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	ck_assert_msg(r->status == EXIT_TONE, "status %d: %s", r->status, r->err);
	ck_assert_msg(strstr(r->err, "audio: no sound (PulseAudio: "), "%s", r->err);
	ck_assert_ptr_null(strstr(r->err, "forbidden"));
}
END_TEST

/* ---- a playing domain under control ---- */

/* Sends req to domain name; returns ctl_call's result, the reply (or the
 * error) in reply. */
static int request(const char *name, const char *req, char *reply, size_t len)
{
	struct ctl c;
	char err[256];
	int rc;

	ck_assert_msg(ctl_open(&c, name, 5000, err, sizeof err) == 0, "%s", err);
	rc = ctl_call(&c, req, reply, len);
	ctl_close(&c);
	return rc;
}

START_TEST(test_pause_stops_the_sound_and_unpause_resumes_it)
{
	char extra[600], wav[512], reply[512];
	struct h_result *r;
	long long a, b;

	snprintf(wav, sizeof wav, "%s/long.wav", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"none\"\naudio = \"wav:%s\"\n", wav);
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("play", "tonelong", extra), NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	pulse_grows(wav, 44 + 4 * RATE * 3 / 10);
	ck_assert_int_eq(request("play", "pause", reply, sizeof reply), 0);
	pulse_sleep_ms(200); /* a round in flight when the clock stopped has written */
	a = pulse_file_size(wav);
	pulse_sleep_ms(1000);
	b = pulse_file_size(wav);
	ck_assert_msg(a == b, "the paused domain wrote %lld bytes of sound", b - a);
	ck_assert_int_eq(request("play", "unpause", reply, sizeof reply), 0);
	ck_assert_int_gt(pulse_grows(wav, b + 4 * RATE * 3 / 10), b);
	request("play", "destroy", reply, sizeof reply);
	h_load_left(wav, 44, &samples, &nsamples);
	check_tone("paused and resumed", 0);
}
END_TEST

START_TEST(test_volume_and_mute_are_requests_and_info_keys)
{
	char reply[512];
	struct h_result *r;

	r = h_hv(NULL, 60,
		 (const char *const[]){
		     "create",
		     h_guest_cfg("vol", "tonelong", "serial = \"none\"\naudio = \"none\"\n"),
		     NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	ck_assert_str_eq(h_info("vol", "audio"), "none");
	ck_assert_str_eq(h_info("vol", "audio_volume"), "100");
	ck_assert_int_eq(request("vol", "audio volume 40", reply, sizeof reply), 0);
	ck_assert_int_eq(request("vol", "audio mute", reply, sizeof reply), 0);
	ck_assert_str_eq(h_info("vol", "audio_volume"), "40");
	ck_assert_str_eq(h_info("vol", "audio_muted"), "1");
	ck_assert_str_eq(h_info("vol", "audio_underruns"), "0");
	ck_assert_int_eq(request("vol", "audio volume 101", reply, sizeof reply), -1);
	ck_assert_ptr_nonnull(strstr(reply, "volume 0-100"));
	ck_assert_int_eq(request("vol", "audio unmute", reply, sizeof reply), 0);
	ck_assert_str_eq(h_info("vol", "audio_muted"), "0");
	request("vol", "destroy", reply, sizeof reply);
}
END_TEST

/* Lines of the domain's log that hold `what`. */
static int log_lines(const char *name, const char *what)
{
	char path[600];
	const char *log;
	int n = 0;

	snprintf(path, sizeof path, "%s/state/hv/%s.log", h_setup_dir(), name);
	log = h_slurp(path);
	for (const char *p = log; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The lines of `what` once there are n of them (waiting up to 5 s): the
 * domain's `audio` info changes with the stream's state, its log line
 * follows in the next mixing round. */
static int log_lines_reach(const char *name, const char *what, int n)
{
	for (int i = 0; i < 50 && log_lines(name, what) < n; i++)
		pulse_sleep_ms(100);
	return log_lines(name, what);
}

/* Waits (up to 20 s) for `hv list -l` to show audio starting with want
 * (exactly want when exact). */
static bool audio_shows(const char *name, const char *want, bool exact)
{
	for (int i = 0; i < 200; i++) {
		const char *v = h_info(name, "audio");

		if (v && (exact ? strcmp(v, want) : strncmp(v, want, strlen(want))) == 0)
			return true;
		pulse_sleep_ms(100);
	}
	return false;
}

/* Records (from the null sink's monitor) ms of what plays now. */
static void record(const char *raw, int ms)
{
	pid_t rec = pulse_parec(raw);

	ck_assert_msg(pulse_grows(raw, 0) > 0, "parec records nothing");
	pulse_grows(raw, pulse_file_size(raw) + 4LL * RATE * ms / 1000);
	kill(rec, SIGINT);
	waitpid(rec, NULL, 0);
	h_load_left(raw, 0, &samples, &nsamples);
}

/* The server is killed under a playing domain: the domain runs on,
 * silent, with one log line; started again, the server gets the tone
 * again (at the volume the domain was set to), with one more line; a
 * domain stopped for longer than the server's buffer is an underrun; a
 * paused one is silent, unpaused it plays. The stream failing alone (its
 * sink unloaded) is the same as a lost server. */
START_TEST(test_a_lost_server_is_silence_until_it_is_back)
{
	char reply[512];
	const char *state, *why;
	struct h_result *r;
	int threads;
	pid_t pid;

	pulse_start();
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("rec", "tonelong", PULSE_CFG), NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	/* PulseAudio's thread, started before the sandbox, is confined too
	 * (and still reconnects below). */
	why = h_threads_confined("rec", &threads);
	ck_assert_msg(!why, "%s", why);
	ck_assert_int_ge(threads, 3); /* main, PulseAudio's, the vCPU */
	ck_assert_int_eq(request("rec", "audio volume 70", reply, sizeof reply), 0);

	pulse_kill(SIGKILL);
	ck_assert_msg(audio_shows("rec", "pulse (silent: ", false), "audio: %s",
		      h_info("rec", "audio"));
	state = h_info("rec", "state");
	ck_assert_msg(state && (!strcmp(state, "blocked") || !strcmp(state, "running")), "state %s",
		      state ? state : "(gone)");
	ck_assert_int_eq(log_lines_reach("rec", "audio: sound lost (PulseAudio: ", 1), 1);

	pulse_start();
	ck_assert_msg(audio_shows("rec", "pulse", true), "audio: %s; log:\n%s",
		      h_info("rec", "audio"), h_slurp(h_path("state/hv/rec.log")));
	record(h_path("back.raw"), 600);
	context = h_slurp(h_path("state/hv/rec.log"));
	check_tone_at("back", 0.02, 0.49); /* volume 70 */
	ck_assert_int_eq(log_lines_reach("rec", "audio: PulseAudio plays again", 1), 1);

	/* The domain stopped (SIGSTOP) longer than the server's buffer: the
	 * server runs dry, an underrun in hv list -l. */
	pid = atoi(h_info("rec", "pid"));
	ck_assert_int_gt(pid, 0);
	kill(pid, SIGSTOP);
	pulse_sleep_ms(600);
	kill(pid, SIGCONT);
	for (int i = 0; i < 50 && strcmp(h_info("rec", "audio_underruns"), "0") == 0; i++)
		pulse_sleep_ms(100);
	ck_assert_str_ne(h_info("rec", "audio_underruns"), "0");

	/* Paused, the stream is corked: the sink hears silence; unpaused,
	 * the tone again. */
	ck_assert_int_eq(request("rec", "pause", reply, sizeof reply), 0);
	pulse_sleep_ms(300);
	record(h_path("paused.raw"), 500);
	for (size_t i = 0; i < nsamples; i++)
		ck_assert_msg(abs(samples[i]) < 100, "paused, the sink got %d", samples[i]);
	ck_assert_int_eq(request("rec", "unpause", reply, sizeof reply), 0);
	record(h_path("resumed.raw"), 600);
	check_tone_at("resumed", 0.02, 0.49);

	ck_assert_int_eq(pulse_ctl("unload-module module-null-sink"), 0);
	ck_assert_msg(audio_shows("rec", "pulse (silent: PulseAudio: the stream failed", false),
		      "audio: %s", h_info("rec", "audio"));
	ck_assert_int_eq(pulse_ctl("load-module module-null-sink sink_name=hvtest rate=48000"), 0);
	ck_assert_msg(audio_shows("rec", "pulse", true), "audio: %s; log:\n%s",
		      h_info("rec", "audio"), h_slurp(h_path("state/hv/rec.log")));
	ck_assert_int_eq(log_lines_reach("rec", "audio: sound lost (PulseAudio: ", 2), 2);
	ck_assert_int_eq(log_lines_reach("rec", "audio: PulseAudio plays again", 2), 2);
	request("rec", "destroy", reply, sizeof reply);
	pulse_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audio");
	TCase *t = tcase_create("audio");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_tone_recorded_through_the_wav_sink);
	tcase_add_test(t, test_tone_recorded_from_a_pulseaudio_null_sink);
	tcase_add_test(t, test_no_server_runs_silent_with_one_log_line);
	tcase_add_test(t, test_no_server_and_no_session_variables_the_domain_lives_on);
	tcase_add_test(t, test_a_lost_server_is_silence_until_it_is_back);
	tcase_add_test(t, test_pause_stops_the_sound_and_unpause_resumes_it);
	tcase_add_test(t, test_volume_and_mute_are_requests_and_info_keys);
	suite_add_tcase(s, t);
	return h_main(s);
}
