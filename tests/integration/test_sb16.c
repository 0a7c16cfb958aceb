/* The Sound Blaster 16 from a bare guest: tests/guests/sb16.asm resets
 * the DSP, checks its version and the mixer's IRQ/DMA selects, and plays
 * a 1002.27 Hz square wave (22 samples a period at 22050 Hz) by 16-bit
 * auto-init DMA for 11 blocks, reading the 8237's count as it goes. The
 * WAV sink has the wave's frequency within 1%, its level and no gap; the
 * card is "sb16" in `hv list -l`; a config the card cannot take is
 * refused. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RATE	   48000
#define WAVE_HZ	   (22050.0 / 22)
#define EXIT_OK	   ((0x10 << 1) | 1)
#define PERIOD_MIN 46 /* frames between rising zero crossings: 47.9 */
#define PERIOD_MAX 50
#define LEVEL_MIN  12000 /* the wave is +-16384 at 0 dB */
#define LEVEL_MAX  24000
/* 11 blocks of 2200 samples at 22050 Hz: 1.097 s; most of it at least */
#define PLAYED_MIN (RATE * 105 / 100)

static int16_t *samples; /* left channel */
static size_t nsamples;

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	int16_t fr[2];

	ck_assert_msg(f != NULL, "%s missing", path);
	fseek(f, 44, SEEK_SET);
	for (size_t cap = 0; fread(fr, sizeof fr, 1, f) == 1; nsamples++) {
		if (nsamples == cap) {
			cap = cap ? 2 * cap : 65536;
			samples = realloc(samples, cap * sizeof *samples);
			ck_assert_ptr_nonnull(samples);
		}
		samples[nsamples] = fr[0];
	}
	fclose(f);
}

/* Rising zero crossings of the wave (into exact silence, where the
 * transfer ends, is not one): every period is the wave's, their mean is
 * its frequency within 1%, and the level between them is its level. */
static void check_wave(void)
{
	size_t first = 0, last = 0, n = 0, bad = 0, mean_abs = 0, count = 0;
	double hz;

	for (size_t i = 1; i + 1 < nsamples; i++) {
		if (!(samples[i - 1] < 0 && samples[i] >= 0 && samples[i + 1] > 0) ||
		    samples[i + 1] - samples[i - 1] < 2000)
			continue;
		if (n && (i - last < PERIOD_MIN || i - last > PERIOD_MAX))
			bad++;
		if (!n)
			first = i;
		last = i;
		n++;
	}
	ck_assert_msg(n > 2 && last - first >= PLAYED_MIN, "no wave (%zu crossings in %zu frames)",
		      n, nsamples);
	ck_assert_msg(bad == 0, "%zu of %zu periods were not the wave's (a gap)", bad, n - 1);
	hz = (double)RATE * (double)(n - 1) / (double)(last - first);
	ck_assert_msg(hz > WAVE_HZ * 0.99 && hz < WAVE_HZ * 1.01, "%.2f Hz", hz);
	for (size_t i = first; i < last; i++)
		if (abs(samples[i]) > 8000) {
			mean_abs += (size_t)abs(samples[i]);
			count++;
		}
	ck_assert_msg(count > (last - first) * 8 / 10, "the wave is not square: %zu of %zu", count,
		      last - first);
	mean_abs /= count;
	ck_assert_msg(mean_abs >= LEVEL_MIN && mean_abs <= LEVEL_MAX, "level %zu", mean_abs);
}

START_TEST(test_auto_init_dma_playback_recorded_through_the_wav_sink)
{
	char extra[600], wav[512];
	struct h_result *r;

	snprintf(wav, sizeof wav, "%s/sb16.wav", h_setup_dir());
	snprintf(extra, sizeof extra, "serial = \"none\"\nsoundhw = \"sb16\"\naudio = \"wav:%s\"\n",
		 wav);
	r = h_hv(NULL, 120, (const char *const[]){"run", h_guest_cfg("sb", "sb16", extra), NULL});
	ck_assert_msg(r->status == EXIT_OK, "status %d: %s", r->status, r->err);
	load(wav);
	check_wave();
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

int main(void)
{
	Suite *s = suite_create("sb16");
	TCase *t = tcase_create("sb16");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_auto_init_dma_playback_recorded_through_the_wav_sink);
	tcase_add_test(t, test_the_card_is_in_list_l_with_its_resources);
	tcase_add_test(t, test_a_resource_the_card_lacks_is_refused);
	suite_add_tcase(s, t);
	return h_main(s);
}
