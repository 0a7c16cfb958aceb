/* The audio mixer of a domain: pulls the frames of every source for a span
 * of virtual time, sums them, applies the domain's volume and mute, and
 * hands out 48 kHz stereo S16 frames for a sink. It keeps its own position
 * on the virtual clock; sources are asked for each frame once. */
#ifndef HV_AUDIO_MIXER_H
#define HV_AUDIO_MIXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/audio_source.h"

#define MIXER_SOURCES_MAX 8
#define MIXER_CHUNK	  1024 /* frames mixed per pass over the sources */
#define MIXER_VOLUME_MAX  100

struct audio_mixer {
	struct audio_source sources[MIXER_SOURCES_MAX];
	size_t nsources;
	uint64_t frame;	  /* the next frame to mix */
	unsigned volume;  /* 0-100, default 100 */
	bool muted;	  /* frames are mixed (sources advance) but silent */
	uint64_t clipped; /* samples that exceeded S16 and were clipped */
	float scratch[MIXER_CHUNK];
	float sum[MIXER_CHUNK];
};

/* A mixer at frame 0, volume 100, not muted, with no source. */
void mixer_init(struct audio_mixer *m);

/* Adds a source. Returns 0, or -1 when MIXER_SOURCES_MAX are there. */
int mixer_add_source(struct audio_mixer *m, const struct audio_source *src);

/* Sets the volume, clamped to 0-100; gain is (volume/100)^2, close to how
 * loudness is heard. */
void mixer_set_volume(struct audio_mixer *m, unsigned volume);
void mixer_set_muted(struct audio_mixer *m, bool muted);

/* Mixes frames from the mixer's position up to (not including) frame
 * `until`, at most max of them, into out as interleaved stereo S16 (2 *
 * max int16_t). Returns the frames written; the position moves past them.
 * With the domain lock held (the sources render). */
size_t mixer_render(struct audio_mixer *m, uint64_t until, int16_t *out, size_t max);

/* Moves the position to frame `to` without asking the sources (after a
 * host stall too long to catch up). Never moves backwards. */
void mixer_skip_to(struct audio_mixer *m, uint64_t to);

#endif
