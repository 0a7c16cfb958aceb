/* Sources are summed in float and converted once, so two loud sources
 * clip instead of wrapping around. */
#include "hv/audio/mixer.h"

#include <string.h>

void mixer_init(struct audio_mixer *m)
{
	memset(m, 0, sizeof *m);
	m->volume = MIXER_VOLUME_MAX;
}

int mixer_add_source(struct audio_mixer *m, const struct audio_source *src)
{
	if (m->nsources == MIXER_SOURCES_MAX)
		return -1;
	m->sources[m->nsources++] = *src;
	return 0;
}

void mixer_set_volume(struct audio_mixer *m, unsigned volume)
{
	m->volume = volume > MIXER_VOLUME_MAX ? MIXER_VOLUME_MAX : volume;
}

void mixer_set_muted(struct audio_mixer *m, bool muted)
{
	m->muted = muted;
}

static float gain(const struct audio_mixer *m)
{
	float v = (float)m->volume / MIXER_VOLUME_MAX;

	return m->muted ? 0.0f : v * v;
}

static int16_t to_s16(struct audio_mixer *m, float x)
{
	float s = x * 32767.0f;

	if (s > 32767.0f || s < -32768.0f) {
		m->clipped++;
		return s > 0 ? 32767 : -32768;
	}
	return (int16_t)(s < 0 ? s - 0.5f : s + 0.5f);
}

static void mix_chunk(struct audio_mixer *m, size_t n, int16_t *out)
{
	float g = gain(m);

	memset(m->sum, 0, n * sizeof m->sum[0]);
	for (size_t s = 0; s < m->nsources; s++) {
		m->sources[s].render(m->sources[s].opaque, m->frame, n, m->scratch);
		for (size_t i = 0; i < n; i++)
			m->sum[i] += m->scratch[i];
	}
	for (size_t i = 0; i < n; i++) {
		int16_t v = to_s16(m, m->sum[i] * g);

		out[2 * i] = out[2 * i + 1] = v;
	}
	m->frame += n;
}

size_t mixer_render(struct audio_mixer *m, uint64_t until, int16_t *out, size_t max)
{
	size_t done = 0;

	while (done < max && m->frame < until) {
		uint64_t left = until - m->frame;
		size_t n = max - done;

		if (n > MIXER_CHUNK)
			n = MIXER_CHUNK;
		if (left < n)
			n = (size_t)left;
		mix_chunk(m, n, out + 2 * done);
		done += n;
	}
	return done;
}

void mixer_skip_to(struct audio_mixer *m, uint64_t to)
{
	if (to > m->frame)
		m->frame = to;
}
