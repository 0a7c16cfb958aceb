/* The SB16's CT1745 mixer: 5-bit volumes in 2 dB steps (30h-3Ah), the SB
 * Pro's 4-bit registers as views of them (04h, 0Ah, 22h, 26h, 28h, 2Eh),
 * output gain (41h/42h), and the card's IRQ select (80h), DMA select
 * (81h) and IRQ status (82h). Other indexes read 0 and ignore writes. */
#include <math.h>

#include "hv/core/log.h"
#include "legacy/opl3.h"
#include "legacy/sb16.h"

/* SB Pro register -> the left of its SB16 pair (the right follows). */
static const struct {
	uint8_t old, left;
} compat[] = {{0x04, 0x32}, {0x22, 0x30}, {0x26, 0x34}, {0x28, 0x36}, {0x2E, 0x38}};

/* Writable bits of the SB16 registers 30h-47h. */
uint8_t sb16_mixer_writable(uint8_t index)
{
	if (index >= 0x30 && index <= 0x3A)
		return 0xF8;
	switch (index) {
	case 0x0E: return 0x22;
	case 0x3B: return 0xC0;
	case 0x3C: return 0x1F;
	case 0x3D:
	case 0x3E: return 0x7F;
	case 0x3F:
	case 0x40:
	case 0x41:
	case 0x42: return 0xC0;
	case 0x43: return 0x01;
	case 0x44:
	case 0x45:
	case 0x46:
	case 0x47: return 0xF0;
	case SB16_MIX_IRQ_SELECT: return 0x0F;
	case SB16_MIX_DMA_SELECT: return 0xEB;
	case 0x84: return 0x07; /* MPU-401 setup: kept, there is no MPU-401 */
	default: return 0;
	}
}

void sb16_mixer_reset(struct sb16 *s)
{
	for (unsigned i = 0x30; i <= 0x35; i++)
		s->mix[i] = 0xC0; /* master, voice, FM: -14 dB */
	for (unsigned i = 0x36; i <= 0x3B; i++)
		s->mix[i] = 0;
	s->mix[0x3C] = 0x1F;
	s->mix[0x3D] = 0x15;
	s->mix[0x3E] = 0x0B;
	for (unsigned i = 0x3F; i <= 0x43; i++)
		s->mix[i] = 0;
	for (unsigned i = 0x44; i <= 0x47; i++)
		s->mix[i] = 0x80;
	s->mix[0x0E] = 0;
}

uint8_t sb16_mixer_read(struct sb16 *s, uint8_t index)
{
	for (size_t i = 0; i < sizeof compat / sizeof compat[0]; i++)
		if (compat[i].old == index)
			return (uint8_t)((s->mix[compat[i].left] & 0xF0) |
					 s->mix[compat[i].left + 1] >> 4);
	if (index == 0x0A)
		return s->mix[0x3A] >> 5;
	if (index == SB16_MIX_IRQ_STATUS)
		return s->pending;
	return sb16_mixer_writable(index) ? s->mix[index] : 0;
}

void sb16_mixer_write(struct sb16 *s, uint8_t index, uint8_t v)
{
	sb16_sync(s, vclock_now(s->clock)); /* what is due plays at the old volume */
	if (index == SB16_MIX_RESET) {
		sb16_mixer_reset(s);
		sb16_fm_volume(s);
		return;
	}
	for (size_t i = 0; i < sizeof compat / sizeof compat[0]; i++)
		if (compat[i].old == index) {
			s->mix[compat[i].left] = (uint8_t)((v & 0xF0) | 0x08);
			s->mix[compat[i].left + 1] = (uint8_t)((v << 4) | 0x08);
			sb16_fm_volume(s);
			return;
		}
	if (index == 0x0A) {
		s->mix[0x3A] = (uint8_t)((v & 7) << 5 | 0x10);
		return;
	}
	if (!sb16_mixer_writable(index)) {
		log_guest("sb16: mixer register %#x is not emulated (write %#x ignored)", index, v);
		return;
	}
	s->mix[index] = v & sb16_mixer_writable(index);
	sb16_fm_volume(s);
	if (index == SB16_MIX_IRQ_SELECT)
		sb16_update_irq(s);
	if (index == SB16_MIX_DMA_SELECT)
		sb16_dma_selected(s);
}

/* A 5-bit volume register: 0-31 is -62 dB to 0 dB. */
static float volume(const struct sb16 *s, uint8_t reg)
{
	return powf(10.0f, (float)(-62 + 2 * (s->mix[reg] >> 3)) / 20.0f);
}

float sb16_mixer_gain(const struct sb16 *s, uint8_t reg)
{
	float g = 0;

	for (unsigned side = 0; side < 2; side++)
		g += volume(s, (uint8_t)(SB16_MIX_MASTER_L + side)) *
		     volume(s, (uint8_t)(reg + side)) *
		     (float)(1u << (s->mix[SB16_MIX_OUT_GAIN_L + side] >> 6));
	return g / 2;
}

/* The OPL3's output follows the master and FM volumes. */
void sb16_fm_volume(struct sb16 *s)
{
	if (!s->opl)
		return;
	opl3_sync(s->opl, vclock_now(s->clock));
	s->opl->gain = sb16_mixer_gain(s, SB16_MIX_FM_L);
}
