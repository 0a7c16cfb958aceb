/* The SB16's ports, IRQ routing and DMA selects; the DSP is in
 * sb16_dsp.c, the mixer in sb16_mixer.c, transfers in sb16_play.c. */
#include "legacy/sb16.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "legacy/opl3.h"

const uint8_t sb16_irq_numbers[SB16_IRQ_CHOICES] = {9, 5, 7, 10};
static const uint8_t dma8_choices[] = {0, 1, 3}; /* mixer 81h bits 0, 1, 3 */

static int lowest_bit(unsigned v, unsigned from, unsigned to)
{
	for (unsigned b = from; b <= to; b++)
		if (v & (1u << b))
			return (int)b;
	return -1;
}

unsigned sb16_irq(const struct sb16 *s)
{
	int b = lowest_bit(s->mix[SB16_MIX_IRQ_SELECT], 0, 3);

	return b < 0 ? 0xFF : sb16_irq_numbers[b];
}

unsigned sb16_dma8(const struct sb16 *s)
{
	int b = lowest_bit(s->mix[SB16_MIX_DMA_SELECT], 0, 3);

	return b < 0 || b == 2 ? 0xFF : (unsigned)b;
}

unsigned sb16_dma16(const struct sb16 *s)
{
	int b = lowest_bit(s->mix[SB16_MIX_DMA_SELECT], 5, 7);

	return b < 0 ? 0xFF : (unsigned)b;
}

/* The line of the selected IRQ follows the pending bits. */
void sb16_update_irq(struct sb16 *s)
{
	int want = s->pending ? lowest_bit(s->mix[SB16_MIX_IRQ_SELECT], 0, 3) : -1;

	if (want == s->raised)
		return;
	if (s->raised >= 0)
		irq_set(&s->irq[s->raised], 0);
	if (want >= 0)
		irq_set(&s->irq[want], 1);
	s->raised = want;
}

void sb16_raise(struct sb16 *s, uint8_t bits)
{
	s->pending |= bits;
	sb16_update_irq(s);
}

static void ack(struct sb16 *s, uint8_t bits)
{
	s->pending &= (uint8_t)~bits;
	sb16_update_irq(s);
}

static void dma_sync(void *opaque)
{
	struct sb16 *s = opaque;

	sb16_sync(s, vclock_now(s->clock));
}

/* The 8237 asks the card to catch up on the channels it selects. */
void sb16_dma_selected(struct sb16 *s)
{
	for (unsigned ch = 0; ch < DMA8237_CHANNELS; ch++) {
		bool mine = ch == sb16_dma8(s) || ch == sb16_dma16(s);

		if (ch == 4 || (!mine && s->dma->ch[ch].sync_opaque != s))
			continue;
		dma8237_set_sync(s->dma, ch, mine ? dma_sync : NULL, mine ? s : NULL);
	}
}

static uint64_t sb16_read(void *opaque, uint64_t offset, unsigned size)
{
	struct sb16 *s = opaque;
	uint8_t v;

	(void)size;
	switch (offset) {
	case SB16_MIXER_INDEX: return s->mix_index;
	case SB16_MIXER_DATA: return sb16_mixer_read(s, s->mix_index);
	case SB16_READ:
		if (s->out_len) {
			s->last_read = s->out[s->out_head];
			s->out_head = (s->out_head + 1) % SB16_OUT_MAX;
			s->out_len--;
		}
		return s->last_read;
	case SB16_WRITE: return 0x7F; /* bit 7 clear: ready for a byte */
	case SB16_READ_STATUS:
		v = s->out_len ? 0xFF : 0x7F;
		ack(s, SB16_IRQ_8BIT);
		return v;
	case SB16_ACK16: ack(s, SB16_IRQ_16BIT); return 0xFF;
	case 0x0:
	case 0x1:
	case 0x2:
	case 0x3: return s->opl ? opl3_read(s->opl, (unsigned)offset) : 0xFF;
	case 0x8:
	case 0x9: return s->opl ? opl3_read(s->opl, (unsigned)offset - 8) : 0xFF;
	default: return 0xFF;
	}
}

static void sb16_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct sb16 *s = opaque;
	uint8_t v = (uint8_t)value;

	(void)size;
	switch (offset) {
	case SB16_MIXER_INDEX: s->mix_index = v; break;
	case SB16_MIXER_DATA: sb16_mixer_write(s, s->mix_index, v); break;
	case SB16_RESET:
		if (v & 1)
			s->in_reset = true;
		else if (s->in_reset) {
			s->in_reset = false;
			sb16_dsp_reset(s);
		}
		break;
	case SB16_WRITE: sb16_dsp_write(s, v); break;
	case 0x0:
	case 0x1:
	case 0x2:
	case 0x3:
		if (s->opl)
			opl3_write(s->opl, (unsigned)offset, v);
		break;
	case 0x8:
	case 0x9:
		if (s->opl)
			opl3_write(s->opl, (unsigned)offset - 8, v);
		break;
	default: break;
	}
}

const struct io_ops sb16_io_ops = {sb16_read, sb16_write};

static int choice(unsigned v, const uint8_t *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i] == v)
			return (int)i;
	return -1;
}

struct sb16 *sb16_create(struct vclock *clock, struct dma8237 *dma,
			 const struct irq_line irq[SB16_IRQ_CHOICES], unsigned irqno, unsigned dma8,
			 unsigned dma16)
{
	int i = choice(irqno == 2 ? 9 : irqno, sb16_irq_numbers, SB16_IRQ_CHOICES);
	int d8 = choice(dma8, dma8_choices, sizeof dma8_choices);
	struct sb16 *s;

	if (i < 0 || d8 < 0 || dma16 < 5 || dma16 > 7)
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->clock = clock;
	s->dma = dma;
	s->raised = -1;
	for (unsigned n = 0; n < SB16_IRQ_CHOICES; n++)
		s->irq[n] = irq[n];
	s->mix[SB16_MIX_IRQ_SELECT] = (uint8_t)(1u << i);
	s->mix[SB16_MIX_DMA_SELECT] = (uint8_t)(1u << dma8 | 1u << dma16);
	sb16_play_init(s);
	sb16_dma_selected(s);
	sb16_reset(s);
	return s;
}

void sb16_destroy(struct sb16 *s)
{
	if (!s)
		return;
	for (unsigned ch = 0; ch < DMA8237_CHANNELS; ch++)
		if (ch != 4 && s->dma->ch[ch].sync_opaque == s)
			dma8237_set_sync(s->dma, ch, NULL, NULL);
	sb16_play_free(s);
	free(s);
}

void sb16_reset(struct sb16 *s)
{
	sb16_dsp_reset(s);
	s->out_head = s->out_len = 0; /* power-on: no 0AAh until a DSP reset */
	s->in_reset = false;
	s->mix_index = 0;
	s->test_reg = 0;
	sb16_mixer_reset(s);
	sb16_fm_volume(s);
}

void sb16_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct sb16 *s = dev;
	const struct sb16_run *r = &s->run;

	snprintf(buf, len,
		 "irq=%u dma8=%u dma16=%u rate=%u run=%s%s%s%s block=%u left=%u pending=%x "
		 "frames=%llu irqs=%llu bad_cmds=%llu master=%02x%02x voice=%02x%02x",
		 sb16_irq(s), sb16_dma8(s), sb16_dma16(s), s->out_rate,
		 !r->active   ? "idle"
		 : r->input   ? "in"
		 : r->silence ? "silence"
			      : "out",
		 r->active ? (r->sixteen ? "16" : "8") : "",
		 r->active ? (r->stereo ? "s" : "m") : "",
		 r->active ? (r->paused	    ? ",paused"
			      : r->autoinit ? ",auto"
					    : "")
			   : "",
		 r->block, r->left, s->pending, (unsigned long long)s->frames,
		 (unsigned long long)s->irqs, (unsigned long long)s->bad_cmds, s->mix[0x30],
		 s->mix[0x31], s->mix[0x32], s->mix[0x33]);
}
