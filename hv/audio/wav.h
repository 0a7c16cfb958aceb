/* The WAV sink: what the guest plays, as a 48 kHz stereo S16 RIFF/WAVE
 * file (`audio = "wav:PATH"`). The header's sizes are fixed up every
 * second and on close, so a domain that is killed leaves a file that
 * players read up to the last second. */
#ifndef HV_AUDIO_WAV_H
#define HV_AUDIO_WAV_H

#include <stddef.h>
#include <stdint.h>

#define WAV_HEADER_BYTES 44
#define WAV_FIXUP_FRAMES 48000 /* header rewritten after this many frames */

struct wav_sink {
	int fd;
	uint64_t frames;       /* written so far */
	uint64_t frames_fixed; /* as the header says */
	int err;	       /* the first write error (errno), 0 if none */
};

/* Creates or truncates path (not following a symbolic link; mode 0640)
 * and writes the header. Returns 0 or -1 with err set. */
int wav_open(struct wav_sink *w, const char *path, char *err, size_t errlen);

/* Appends n interleaved stereo frames. Returns 0, or -1 after a write
 * error (errno in w->err; later frames are dropped). */
int wav_write(struct wav_sink *w, const int16_t *frames, size_t n);

/* Rewrites the header's sizes for the frames written. */
void wav_fixup(struct wav_sink *w);

/* Fixes the header up and closes. */
void wav_close(struct wav_sink *w);

#endif
