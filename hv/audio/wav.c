#include "hv/audio/wav.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/audio_source.h"
#include "hv/core/file.h"

#define WAV_CHANNELS 2
#define WAV_BYTES    2 /* per sample */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24 & 0xff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

/* A RIFF size field holds 32 bits: past 4 GiB the header says "as much
 * as fits", and players read on to the end of the file. */
static void header(uint8_t *h, uint64_t frames)
{
	uint64_t data = frames * WAV_CHANNELS * WAV_BYTES;
	uint32_t d =
	    data > 0xffffffffu - WAV_HEADER_BYTES ? 0xffffffffu - WAV_HEADER_BYTES : (uint32_t)data;

	memcpy(h, "RIFF", 4);
	put32(h + 4, d + WAV_HEADER_BYTES - 8);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1); /* PCM */
	put16(h + 22, WAV_CHANNELS);
	put32(h + 24, AUDIO_RATE);
	put32(h + 28, AUDIO_RATE * WAV_CHANNELS * WAV_BYTES);
	put16(h + 32, WAV_CHANNELS * WAV_BYTES);
	put16(h + 34, 8 * WAV_BYTES);
	memcpy(h + 36, "data", 4);
	put32(h + 40, d);
}

int wav_open(struct wav_sink *w, const char *path, char *err, size_t errlen)
{
	uint8_t h[WAV_HEADER_BYTES];

	memset(w, 0, sizeof *w);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	header(h, 0);
	if (write(w->fd, h, sizeof h) != (ssize_t)sizeof h) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOSPC));
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	return file_write_all(fd, p, n) < 0 ? errno : 0;
}

int wav_write(struct wav_sink *w, const int16_t *frames, size_t n)
{
	uint8_t buf[4096];
	size_t samples = n * WAV_CHANNELS, done = 0;

	if (w->err || w->fd < 0)
		return -1;
	while (done < samples && !w->err) {
		size_t k = samples - done > sizeof buf / 2 ? sizeof buf / 2 : samples - done;

		for (size_t i = 0; i < k; i++)
			put16(buf + 2 * i, (uint16_t)frames[done + i]);
		w->err = write_all(w->fd, buf, 2 * k);
		done += k;
	}
	if (w->err)
		return -1;
	w->frames += n;
	if (w->frames - w->frames_fixed >= WAV_FIXUP_FRAMES)
		wav_fixup(w);
	return 0;
}

void wav_fixup(struct wav_sink *w)
{
	uint8_t h[WAV_HEADER_BYTES];

	if (w->fd < 0)
		return;
	header(h, w->frames);
	if (pwrite(w->fd, h, sizeof h, 0) == (ssize_t)sizeof h)
		w->frames_fixed = w->frames;
}

void wav_close(struct wav_sink *w)
{
	if (w->fd < 0)
		return;
	wav_fixup(w);
	close(w->fd);
	w->fd = -1;
}
