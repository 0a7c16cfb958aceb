/* A sound source as the audio mixer (hv/audio/mixer.h) sees it: something
 * that produces mono samples at AUDIO_RATE on the domain's virtual clock.
 * Frame k of a source is the sample for virtual time k / AUDIO_RATE
 * seconds. Defined here, in the core, so that device models (legacy/) can
 * offer a source without knowing the mixer or its sinks. */
#ifndef HV_CORE_AUDIO_SOURCE_H
#define HV_CORE_AUDIO_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_RATE 48000 /* frames per second of virtual time */

struct audio_source {
	/* Writes frames [first, first + n) into out, as samples in -1..1
	 * (0 is silence); a source that has nothing for part of the span
	 * writes zeros there. first never goes back between calls. Called
	 * with the domain lock held. */
	void (*render)(void *opaque, uint64_t first, size_t n, float *out);
	void *opaque;
};

/* The first frame at or after virtual time ns. */
static inline uint64_t audio_frame_at(int64_t ns)
{
	return ns <= 0 ? 0 : (uint64_t)(((__int128)ns * AUDIO_RATE + 999999999) / 1000000000);
}

#endif
