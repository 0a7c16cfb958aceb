/* The domain's sound: its audio backend (hv/audio/audio.h) fed by the
 * PC speaker, its `audio` requests and its `info` keys. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/audio/audio.h"
#include "hv/core/kv.h"
#include "hv/core/log.h"
#include "hv/domain/domain.h"
#include "legacy/pc.h"

/* soundhw = "sb16": the card joins the PC before the vCPU runs. */
static int add_sound_card(struct domain *d, char *err, size_t errlen)
{
	const struct config_soundhw *c = &d->cfg.soundhw;
	struct pc_sb16_config sb = {.port = c->port, .irq = c->irq, .dma = c->dma, .hdma = c->hdma};
	int r;

	if (!c->sb16)
		return 0;
	machine_lock_host(&d->machine);
	r = pc_add_sb16(d->pc, &sb, err, errlen);
	machine_unlock_host(&d->machine);
	return r;
}

static int add_source(struct domain *d, const struct audio_source *src, char *err, size_t errlen)
{
	if (audio_add_source(d->audio, src) == 0)
		return 0;
	snprintf(err, errlen, "audio: too many sources");
	return -1;
}

int domain_audio_setup(struct domain *d, char *err, size_t errlen)
{
	struct audio_source spk, sb, fm;
	int have_sb = -1, have_fm = -1;

	if (add_sound_card(d, err, errlen) < 0)
		return -1;
	d->audio = audio_create(d->cfg.name, d->cfg.audio, d->cfg.audio_latency_ms, &d->machine,
				err, errlen);
	if (!d->audio)
		return -1;
	if (audio_wants_sources(d->audio)) {
		machine_lock_host(&d->machine);
		spk = pc_speaker_source(d->pc);
		have_sb = pc_sb16_source(d->pc, &sb);
		have_fm = pc_opl3_source(d->pc, &fm);
		machine_unlock_host(&d->machine);
		if (add_source(d, &spk, err, errlen) < 0 ||
		    (have_sb == 0 && add_source(d, &sb, err, errlen) < 0) ||
		    (have_fm == 0 && add_source(d, &fm, err, errlen) < 0))
			return -1;
	}
	if (audio_start(d->audio, d->loop) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void domain_audio_free(struct domain *d)
{
	audio_free(d->audio);
	d->audio = NULL;
}

static void put_u64(char *buf, size_t len, const char *key, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof s, "%" PRIu64, v);
	kv_put(buf, len, key, s);
}

void domain_audio_info(struct domain *d, char *buf, size_t len)
{
	struct audio_status st;

	if (!d->audio)
		return;
	audio_status(d->audio, &st);
	kv_put(buf, len, "audio", st.sink);
	put_u64(buf, len, "audio_volume", st.volume);
	kv_put(buf, len, "audio_muted", st.muted ? "1" : "0");
	put_u64(buf, len, "audio_underruns", st.underruns);
	put_u64(buf, len, "audio_dropped", st.dropped);
	put_u64(buf, len, "audio_latency_us", st.latency_us);
	put_u64(buf, len, "audio_latency_p99_us", st.latency_p99_us);
}

/* "mute", "unmute" or "volume N" (0-100). */
int domain_audio_request(struct domain *d, const char *arg, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (!d->audio) {
		snprintf(err, errlen, "domain '%s' has no audio", d->cfg.name);
		return -1;
	}
	if (strcmp(arg, "mute") == 0 || strcmp(arg, "unmute") == 0) {
		audio_set_muted(d->audio, arg[0] == 'm');
		log_info("audio %sd", arg);
		return 0;
	}
	if (strncmp(arg, "volume ", 7) == 0) {
		errno = 0;
		v = strtoul(arg + 7, &end, 10);
		if (arg[7] >= '0' && arg[7] <= '9' && !*end && !errno && v <= 100) {
			audio_set_volume(d->audio, (unsigned)v);
			log_info("audio volume %lu", v);
			return 0;
		}
	}
	snprintf(err, errlen, "audio: expected mute, unmute or volume 0-100, got '%s'", arg);
	return -1;
}
