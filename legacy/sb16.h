/* Creative Sound Blaster 16 (DSP version 4.05, CT1745 mixer) on the ISA
 * bus: the DSP at base+6 (reset), +Ah (read data), +Ch (command/data,
 * write-buffer status), +Eh (read-buffer status, 8-bit IRQ ack), +Fh
 * (16-bit IRQ ack), the mixer at base+4/+5, and the OPL3's ports
 * (legacy/opl3.h) at base+0..3 and base+8/9 when one is attached, its
 * volume the mixer's FM pair.
 *
 * Playback is paced on the domain's virtual clock: at the DSP's sample
 * rate the card pulls frames from its 8237 channel (8-bit commands on the
 * low channel, 16-bit ones on the high channel, or the low one when the
 * mixer selects none), a FIFO's worth (SB16_LOOKAHEAD frames) ahead of
 * time as the real DSP does, counts its block down and raises its IRQ at
 * the block's end. The 8237's count register is brought up to date
 * before a guest reads it (dma8237_set_sync), so a driver that reads the
 * playback position there sees it move. Frames are mixed to mono with
 * the mixer's master and voice volumes and resampled to AUDIO_RATE
 * (speexdsp) for the audio mixer. Recording returns silence. */
#ifndef HV_LEGACY_SB16_H
#define HV_LEGACY_SB16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/audio_source.h"
#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "legacy/dma8237.h"

#define SB16_PORTS	   16
#define SB16_OUT_MAX	   64	 /* bytes the DSP's read buffer holds */
#define SB16_LOOKAHEAD	   32	 /* frames pulled ahead of time (the DSP's FIFO) */
#define SB16_RING	   16384 /* output frames kept for the mixer (~340 ms) */
#define SB16_RATE_MIN	   4000
#define SB16_RATE_MAX	   48000
#define SB16_SYNC_MAX	   65536 /* frames one catch-up moves at most */
#define SB16_HIST	   64	 /* last frames fed to the resampler (> its filter) */
#define SB16_VERSION_MAJOR 4
#define SB16_VERSION_MINOR 5

/* Port offsets. */
#define SB16_MIXER_INDEX 0x4
#define SB16_MIXER_DATA	 0x5
#define SB16_RESET	 0x6
#define SB16_READ	 0xA
#define SB16_WRITE	 0xC
#define SB16_READ_STATUS 0xE
#define SB16_ACK16	 0xF

/* Mixer registers of note. */
#define SB16_MIX_RESET	    0x00
#define SB16_MIX_MASTER_L   0x30
#define SB16_MIX_VOICE_L    0x32
#define SB16_MIX_FM_L	    0x34
#define SB16_MIX_OUT_GAIN_L 0x41
#define SB16_MIX_IRQ_SELECT 0x80
#define SB16_MIX_DMA_SELECT 0x81
#define SB16_MIX_IRQ_STATUS 0x82

/* IRQ status bits (mixer 82h). */
#define SB16_IRQ_8BIT  0x01
#define SB16_IRQ_16BIT 0x02
#define SB16_IRQ_MPU   0x04

/* The IRQ lines mixer register 80h can select: bit n picks irq[n]. */
#define SB16_IRQ_CHOICES 4
extern const uint8_t sb16_irq_numbers[SB16_IRQ_CHOICES]; /* 9 (for 2), 5, 7, 10 */

/* A DMA transfer the DSP runs (or the silence of command 80h). */
struct sb16_run {
	bool active, paused, autoinit;
	bool sixteen; /* 16-bit samples (Bxh), else 8-bit */
	bool stereo, is_signed;
	bool input;	/* recording: silence goes to memory */
	bool silence;	/* command 80h: no DMA, just the IRQ at the end */
	uint32_t rate;	/* frames per second */
	uint32_t block; /* transfer units (bytes, or words if sixteen) per block */
	uint32_t left;	/* units left in the block */
	int64_t t0;	/* virtual ns of frame 0 */
	uint64_t done;	/* frames moved since t0 */
};

struct SpeexResamplerState_;
struct opl3;

struct sb16 {
	struct vclock *clock;
	struct dma8237 *dma;
	struct irq_line irq[SB16_IRQ_CHOICES];
	int raised;	     /* irq[] index now high, -1: none */
	struct vtimer timer; /* the running transfer's next block end */
	/* DSP */
	bool in_reset;
	uint8_t out[SB16_OUT_MAX];
	unsigned out_head, out_len;
	uint8_t last_read;
	uint8_t cmd, args[3];
	unsigned nargs, need; /* argument bytes seen and wanted; need 0: idle */
	bool in_cmd;
	uint8_t test_reg;
	bool speaker;
	uint32_t out_rate;   /* frames per second, from 40h, 41h or 42h */
	uint32_t block_size; /* 48h, in bytes, for the SB-compatible 8-bit commands */
	struct sb16_run run;
	uint8_t pending; /* IRQ status bits */
	/* mixer */
	uint8_t mix_index;
	uint8_t mix[256];
	/* output */
	bool listening;
	struct SpeexResamplerState_ *rs;
	uint32_t rs_rate;
	uint64_t rs_fed;       /* frames fed to it since its last restart */
	float hist[SB16_HIST]; /* frame k of those at hist[k % SB16_HIST] */
	uint64_t wframe;       /* the next output frame the ring gets */
	float ring[SB16_RING];
	bool direct;	    /* command 10h sets a level that holds */
	float direct_level; /* -1..1 */
	struct opl3 *opl;   /* the FM synthesizer, NULL: none (the caller's) */
	/* counters for `hv list -l` */
	uint64_t frames, irqs, bad_cmds;
};

/* A card in its power-on state using dma's channels, with irq[n] the
 * line mixer 80h's bit n selects; IRQ and DMA selects set from irq (5,
 * 7, 9 or 10), dma8 (0, 1, 3) and dma16 (5, 6, 7). Returns NULL if out of
 * memory or a value is not one the card offers. */
struct sb16 *sb16_create(struct vclock *clock, struct dma8237 *dma,
			 const struct irq_line irq[SB16_IRQ_CHOICES], unsigned irqno, unsigned dma8,
			 unsigned dma16);
void sb16_destroy(struct sb16 *s);

/* DSP and mixer to power-on (the IRQ and DMA selects stay). */
void sb16_reset(struct sb16 *s);

/* Moves the running transfer up to virtual time ns. */
void sb16_sync(struct sb16 *s, int64_t ns);

/* The card's digital audio as a sound source; it resamples from then on. */
struct audio_source sb16_audio_source(struct sb16 *s);

/* The IRQ number and DMA channels the mixer selects now (0xFF: none). */
unsigned sb16_irq(const struct sb16 *s);
unsigned sb16_dma8(const struct sb16 *s);
unsigned sb16_dma16(const struct sb16 *s);

/* A mixer volume pair as a linear gain (0-1, with the output gain for
 * the master): mono, the mean of left and right. reg: 30h, 32h or 34h. */
float sb16_mixer_gain(const struct sb16 *s, uint8_t reg);

/* The card's 16 ports. */
extern const struct io_ops sb16_io_ops;
extern const struct device_ops sb16_device_ops;

/* Inside legacy/sb16*.c. */
void sb16_mixer_reset(struct sb16 *s);
uint8_t sb16_mixer_read(struct sb16 *s, uint8_t index);
void sb16_mixer_write(struct sb16 *s, uint8_t index, uint8_t v);
void sb16_update_irq(struct sb16 *s);
void sb16_dma_selected(struct sb16 *s);
void sb16_fm_volume(struct sb16 *s);
void sb16_raise(struct sb16 *s, uint8_t bits);
void sb16_play_init(struct sb16 *s);
void sb16_play_free(struct sb16 *s);
void sb16_start_run(struct sb16 *s, const struct sb16_run *r);
void sb16_stop_run(struct sb16 *s);
void sb16_pause(struct sb16 *s, bool paused);
void sb16_direct(struct sb16 *s, uint8_t sample);
void sb16_dsp_write(struct sb16 *s, uint8_t v);
void sb16_dsp_reset(struct sb16 *s);
void sb16_push(struct sb16 *s, uint8_t v);
uint8_t sb16_mixer_writable(uint8_t index);
void sb16_rearm(struct sb16 *s);
void sb16_dev_describe(const void *dev, char *buf, size_t len);
void sb16_resampler_restore(struct sb16 *s);

#endif
