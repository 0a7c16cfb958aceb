/* The audio mixer (hv/audio/mixer.h): sources are asked for each frame
 * once, summed, scaled by volume, silenced by mute, clipped to S16 and
 * duplicated to both channels. */
#include <string.h>

#include "hv/audio/mixer.h"
#include "unit.h"

/* A source that returns a constant and records what it was asked for. */
struct fake_src {
	float level;
	uint64_t next; /* the frame it expects next */
	int gaps;      /* calls that skipped or repeated frames */
	size_t frames;
};

static void fake_render(void *opaque, uint64_t first, size_t n, float *out)
{
	struct fake_src *f = opaque;

	if (first != f->next)
		f->gaps++;
	f->next = first + n;
	f->frames += n;
	for (size_t i = 0; i < n; i++)
		out[i] = f->level;
}

static struct audio_source source_of(struct fake_src *f)
{
	return (struct audio_source){fake_render, f};
}

START_TEST(test_render_asks_each_source_for_each_frame_once_in_order)
{
	static struct audio_mixer m;
	struct fake_src f = {.level = 0.25f};
	struct audio_source s = source_of(&f);
	int16_t out[2 * 3000];

	mixer_init(&m);
	ck_assert_int_eq(mixer_add_source(&m, &s), 0);
	ck_assert_uint_eq(mixer_render(&m, 1000, out, 3000), 1000);
	ck_assert_uint_eq(mixer_render(&m, 1000, out, 3000), 0);
	ck_assert_uint_eq(mixer_render(&m, 4000, out, 3000), 3000);
	ck_assert_uint_eq(f.frames, 4000);
	ck_assert_int_eq(f.gaps, 0);
	ck_assert_uint_eq(m.frame, 4000);
}
END_TEST

START_TEST(test_two_sources_are_summed_into_both_channels)
{
	static struct audio_mixer m;
	struct fake_src a = {.level = 0.25f}, b = {.level = -0.125f};
	struct audio_source sa = source_of(&a), sb = source_of(&b);
	int16_t out[2 * 10];

	mixer_init(&m);
	mixer_add_source(&m, &sa);
	mixer_add_source(&m, &sb);
	ck_assert_uint_eq(mixer_render(&m, 10, out, 10), 10);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(out[i], 4096);
}
END_TEST

START_TEST(test_volume_scales_by_its_square_and_mute_silences_but_advances)
{
	static struct audio_mixer m;
	struct fake_src f = {.level = 0.5f};
	struct audio_source s = source_of(&f);
	int16_t out[2 * 4];

	mixer_init(&m);
	mixer_add_source(&m, &s);
	mixer_set_volume(&m, 50);
	mixer_render(&m, 4, out, 4);
	ck_assert_int_eq(out[0], 4096); /* 0.5 * 0.25 */
	mixer_set_muted(&m, true);
	ck_assert_uint_eq(mixer_render(&m, 8, out, 4), 4);
	ck_assert_int_eq(out[0], 0);
	ck_assert_int_eq(out[7], 0);
	ck_assert_uint_eq(f.next, 8);
	mixer_set_volume(&m, 1000);
	ck_assert_uint_eq(m.volume, MIXER_VOLUME_MAX);
}
END_TEST

START_TEST(test_loud_sum_clips_instead_of_wrapping)
{
	static struct audio_mixer m;
	struct fake_src a = {.level = 0.9f}, b = {.level = 0.9f}, c = {.level = -3.0f};
	struct audio_source sa = source_of(&a), sb = source_of(&b), sc = source_of(&c);
	int16_t out[2 * 2];

	mixer_init(&m);
	mixer_add_source(&m, &sa);
	mixer_add_source(&m, &sb);
	mixer_render(&m, 2, out, 2);
	ck_assert_int_eq(out[0], 32767);
	mixer_add_source(&m, &sc);
	mixer_render(&m, 4, out, 2);
	ck_assert_int_eq(out[1], -32768);
	ck_assert_uint_eq(m.clipped, 4); /* per frame, before the copy to two channels */
}
END_TEST

START_TEST(test_no_source_gives_silence_and_the_table_is_bounded)
{
	static struct audio_mixer m;
	struct fake_src f = {0};
	struct audio_source s = source_of(&f);
	int16_t out[2 * 5];

	mixer_init(&m);
	memset(out, 0x55, sizeof out);
	ck_assert_uint_eq(mixer_render(&m, 5, out, 5), 5);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(out[i], 0);
	for (int i = 0; i < MIXER_SOURCES_MAX; i++)
		ck_assert_int_eq(mixer_add_source(&m, &s), 0);
	ck_assert_int_eq(mixer_add_source(&m, &s), -1);
}
END_TEST

START_TEST(test_skip_moves_forward_only)
{
	static struct audio_mixer m;

	mixer_init(&m);
	mixer_skip_to(&m, 100);
	mixer_skip_to(&m, 50);
	ck_assert_uint_eq(m.frame, 100);
}
END_TEST

START_TEST(test_frame_at_rounds_up_to_the_next_frame)
{
	ck_assert_uint_eq(audio_frame_at(0), 0);
	ck_assert_uint_eq(audio_frame_at(-5), 0);
	ck_assert_uint_eq(audio_frame_at(1000000000), AUDIO_RATE);
	ck_assert_uint_eq(audio_frame_at(1), 1);
	ck_assert_uint_eq(audio_frame_at(20833), 1); /* 20833.3 ns per frame */
	ck_assert_uint_eq(audio_frame_at(20834), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mixer");
	TCase *t = tcase_create("mixer");

	tcase_add_test(t, test_render_asks_each_source_for_each_frame_once_in_order);
	tcase_add_test(t, test_two_sources_are_summed_into_both_channels);
	tcase_add_test(t, test_volume_scales_by_its_square_and_mute_silences_but_advances);
	tcase_add_test(t, test_loud_sum_clips_instead_of_wrapping);
	tcase_add_test(t, test_no_source_gives_silence_and_the_table_is_bounded);
	tcase_add_test(t, test_skip_moves_forward_only);
	tcase_add_test(t, test_frame_at_rounds_up_to_the_next_frame);
	suite_add_tcase(s, t);
	return unit_run(s);
}
