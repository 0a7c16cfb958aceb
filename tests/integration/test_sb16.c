/* The Sound Blaster 16 from a bare guest: tests/guests/sb16.asm resets
 * the DSP, checks its version and the mixer's IRQ/DMA selects, and plays
 * a 1002.27 Hz square wave (22 samples a period at 22050 Hz) by 16-bit
 * auto-init DMA for 11 blocks, reading the 8237's count as it goes. The
 * WAV sink has the wave's frequency within 1%, its level and no gap (and
 * so has a PulseAudio null sink, with the OPL3's note too); the
 * card is "sb16" in `hv list -l`; a config the card cannot take is
 * refused. And from Linux (the modern guest, snd-sb16 loaded with the
 * card's resources): /proc/asound/cards lists it, and a 1000 Hz square
 * written to OSS's /dev/dsp (8000 Hz, 8-bit) comes out of the WAV sink. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "pulse.h"

#define RATE	  48000
#define EXIT_OK	  ((0x10 << 1) | 1)
#define LEVEL_MIN 12000 /* the wave is +-16384 at 0 dB */
#define LEVEL_MAX 24000
/* 11 blocks of 2200 samples at 22050 Hz: 1.097 s; most of it at least */
#define PLAYED_MIN	     (RATE * 105 / 100)
#define LINUX_BOOT_TIMEOUT_S 1200
#define LINUX_CMD_TIMEOUT_S  300

static int16_t *samples; /* left channel */
static size_t nsamples;

/* Rising zero crossings of the wave (into exact silence, where the
 * transfer ends, is not one): every period is the wave's (48000 / hz
 * frames, give or take 2), their mean is its frequency within 1%, and
 * its level is a square's at +-16384 (most samples beyond +-8000, their
 * mean magnitude 12000-24000) or the OPL3's sine at one operator's full
 * level (peak 3000-5000). At most max_bad of the periods may be a glitch
 * (0 for a file, which has every frame of virtual time). */
static void check_wave(double hz_want, size_t played_min, bool square, double max_bad)
{
	size_t first = 0, last = 0, n = 0, bad = 0, good = 0, sum = 0, mean_abs = 0, count = 0;
	int step = square ? 2000 : 200, peak = 0;
	double hz, period = RATE / hz_want;

	for (size_t i = 1; i + 1 < nsamples; i++) {
		if (!(samples[i - 1] < 0 && samples[i] >= 0 && samples[i + 1] > 0) ||
		    samples[i + 1] - samples[i - 1] < step)
			continue;
		if (n && ((double)(i - last) < period - 2 || (double)(i - last) > period + 2))
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
	ck_assert_msg(good > 2 && last - first >= played_min,
		      "no wave (%zu crossings in %zu frames)", n, nsamples);
	ck_assert_msg((double)bad <= max_bad * (double)(n - 1),
		      "%zu of %zu periods were not the wave's (a gap)", bad, n - 1);
	hz = (double)RATE * (double)good / (double)sum; /* the mean of the wave's periods */
	ck_assert_msg(hz > hz_want * 0.99 && hz < hz_want * 1.01, "%.2f Hz", hz);
	for (size_t i = first; i < last; i++) {
		peak = abs(samples[i]) > peak ? abs(samples[i]) : peak;
		if (abs(samples[i]) > 8000) {
			mean_abs += (size_t)abs(samples[i]);
			count++;
		}
	}
	if (!square) {
		ck_assert_msg(peak >= 3000 && peak <= 5000, "peak %d", peak);
		return;
	}
	ck_assert_msg(count > (last - first) * 8 / 10, "the wave is not square: %zu of %zu", count,
		      last - first);
	mean_abs /= count;
	ck_assert_msg(mean_abs >= LEVEL_MIN && mean_abs <= LEVEL_MAX, "level %zu", mean_abs);
}

/* Runs test guest `guest` as domain `name` with the card and a WAV sink
 * until it exits, and loads what it played into samples. */
static void play(const char *name, const char *guest)
{
	char extra[600], wav[512];
	struct h_result *r;

	snprintf(wav, sizeof wav, "%s/%s.wav", h_setup_dir(), guest);
	snprintf(extra, sizeof extra, "serial = \"none\"\nsoundhw = \"sb16\"\naudio = \"wav:%s\"\n",
		 wav);
	r = h_hv(NULL, 120, (const char *const[]){"run", h_guest_cfg(name, guest, extra), NULL});
	ck_assert_msg(r->status == EXIT_OK, "status %d: %s", r->status, r->err);
	h_load_left(wav, 44, &samples, &nsamples);
}

START_TEST(test_auto_init_dma_playback_recorded_through_the_wav_sink)
{
	play("sb", "sb16");
	check_wave(22050.0 / 22, PLAYED_MIN, true, 0);
}
END_TEST

/* tests/guests/opl3.asm: AdLib detection by timer 1, then a 439.99 Hz
 * note (F-number 580, block 4) for six overflows of timer 2. */
START_TEST(test_opl3_detected_by_its_timers_plays_its_note)
{
	play("fm", "opl3");
	check_wave(580 * 49716.0 / 65536, RATE * 45 / 100, false, 0); /* 6 * 81.92 ms */
}
END_TEST

/* Both again through a PulseAudio null sink (a private server, parec on
 * its monitor): real time on a shared test host, where the server and
 * parec may each miss a beat, so 2% of the periods may be a glitch. */
static void play_pulse(const char *name, const char *guest)
{
	char raw[512];
	const char *extra = "serial = \"none\"\nsoundhw = \"sb16\"\naudio = \"pulse\"\n"
			    "audio_latency_ms = 250\n";
	struct h_result *r;

	snprintf(raw, sizeof raw, "%s/%s.raw", h_setup_dir(), guest);
	r = pulse_record_run(raw,
			     (const char *const[]){"run", h_guest_cfg(name, guest, extra), NULL});
	ck_assert_msg(r->status == EXIT_OK, "status %d: %s", r->status, r->err);
	ck_assert_msg(strstr(r->err, "audio:") == NULL, "%s", r->err);
	h_load_left(raw, 0, &samples, &nsamples);
}

START_TEST(test_sb16_and_opl3_recorded_from_a_pulseaudio_null_sink)
{
	play_pulse("sbp", "sb16");
	check_wave(22050.0 / 22, PLAYED_MIN, true, 0.02);
	play_pulse("fmp", "opl3");
	check_wave(580 * 49716.0 / 65536, RATE * 45 / 100, false, 0.02);
}
END_TEST

START_TEST(test_the_card_is_in_list_l_with_its_resources)
{
	struct h_result *r;

	r = h_hv(
	    NULL, 60,
	    (const char *const[]){"create",
				  h_guest_cfg("sbl", "idle",
					      "serial = \"none\"\naudio = \"none\"\n"
					      "soundhw = \"sb16,port=0x240,irq=7,dma=3,hdma=6\"\n"),
				  NULL});
	ck_assert_msg(r->status == 0, "create: %s", r->err);
	r = h_hv(NULL, 60, (const char *const[]){"list", "-l", NULL});
	ck_assert_msg(strstr(r->out, "sb16 ") && strstr(r->out, " irq=7 dma8=3 dma16=6 rate="),
		      "%s", r->out);
	h_hv(NULL, 60, (const char *const[]){"destroy", "sbl", NULL});
}
END_TEST

START_TEST(test_a_resource_the_card_lacks_is_refused)
{
	struct h_result *r;

	r = h_hv(NULL, 60,
		 (const char *const[]){
		     "run", h_guest_cfg("sbx", "idle", "soundhw = \"sb16,irq=4\"\n"), NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "soundhw") && strstr(r->err, "irq 2, 5, 7, 9 or 10"), "%s",
		      r->err);
}
END_TEST

#ifdef HV_MODERN_GUEST_DIR
static const char *linux_cfg(const char *wav)
{
	char keys[1400];

	snprintf(keys, sizeof keys,
		 "soundhw = \"sb16\"\naudio = \"wav:%s\"\n"
		 "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s' ]\n",
		 wav, h_modern_root(HV_MODERN_GUEST_DIR));
	return h_modern_cfg(HV_MODERN_GUEST_DIR, "sblinux",
			    "snd_sb16.isapnp=0 snd_sb16.port=0x220 snd_sb16.irq=5 "
			    "snd_sb16.dma8=1 snd_sb16.dma16=5",
			    keys);
}

/* ALSA starts with every volume at 0 (-62 dB): the guest sets master and
 * voice to 0 dB through the card's mixer ports (/dev/port), as amixer
 * would through the driver; then 8192 bytes of a 1000 Hz square (8
 * samples a period, +-0.5) go to /dev/dsp, whose default is 8000 Hz
 * unsigned 8-bit mono. */
#define SET_VOLUMES                                                                                \
	"p() { printf \"\\\\$(printf %o $1)\" | dd of=/dev/port bs=1 seek=$2 count=1 "             \
	"2>/dev/null; }; for r in 48 49 50 51; do p $r 548; p 248 549; done; echo SB-VOL-$?\n"
#define PLAY_SQUARE                                                                                \
	"printf '\\300\\300\\300\\300\\100\\100\\100\\100' > /tmp/a; for i in 1 2 3 4 5 6 7 8 9 "  \
	"10; do cat /tmp/a /tmp/a > /tmp/b; mv /tmp/b /tmp/a; done; cat /tmp/a > /dev/dsp; "       \
	"echo SB-PLAYED-$?\n"

START_TEST(test_linux_snd_sb16_finds_the_card_and_plays_through_dev_dsp)
{
	char wav[600];
	struct h_proc p;

	snprintf(wav, sizeof wav, "%s", h_path("linux.wav"));
	h_spawn(&p, (const char *const[]){"run", linux_cfg(wav), NULL});
	h_modern_wait(&p, LINUX_BOOT_TIMEOUT_S);
	h_run_cmd(&p, "cat /proc/asound/cards; echo SB-CARDS-$((6 * 7))\n", "SB-CARDS-42",
		  LINUX_CMD_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "Sound Blaster 16 at 0x220, irq 5, dma 1&5"), "%s", p.buf);
	h_run_cmd(&p, SET_VOLUMES, "SB-VOL-0", LINUX_CMD_TIMEOUT_S);
	h_run_cmd(&p, PLAY_SQUARE, "SB-PLAYED-0", LINUX_CMD_TIMEOUT_S);
	h_power_off(&p, "poweroff\n", LINUX_CMD_TIMEOUT_S);
	h_load_left(wav, 44, &samples, &nsamples);
	check_wave(1000.0, RATE * 9 / 10, true, 0); /* 8192 samples: 1.02 s */
}
END_TEST
#endif

int main(void)
{
	Suite *s = suite_create("sb16");
	TCase *t = tcase_create("sb16");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_auto_init_dma_playback_recorded_through_the_wav_sink);
	tcase_add_test(t, test_opl3_detected_by_its_timers_plays_its_note);
	tcase_add_test(t, test_sb16_and_opl3_recorded_from_a_pulseaudio_null_sink);
	tcase_add_test(t, test_the_card_is_in_list_l_with_its_resources);
	tcase_add_test(t, test_a_resource_the_card_lacks_is_refused);
	suite_add_tcase(s, t);
#ifdef HV_MODERN_GUEST_DIR
	t = tcase_create("linux");
	h_fixture(t);
	tcase_set_timeout(t, LINUX_BOOT_TIMEOUT_S + 4 * LINUX_CMD_TIMEOUT_S);
	tcase_add_test(t, test_linux_snd_sb16_finds_the_card_and_plays_through_dev_dsp);
	suite_add_tcase(s, t);
#endif
	return h_main(s);
}
